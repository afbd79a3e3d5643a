/**
 * Data sets and loaders: in-memory {@link dev.cadena.data.TensorDataset}s, a batching,
 * seeded-shuffling {@link dev.cadena.data.DataLoader}, train/test splits, the embedded MNIST
 * digits as tensors, and synthetic sets (XOR, two moons, spirals).
 */
package dev.cadena.data;
