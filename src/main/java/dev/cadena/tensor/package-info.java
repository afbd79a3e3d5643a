/**
 * Storage, shapes and kernels: n-dimensional row-major arrays ({@link dev.cadena.tensor.NDArray})
 * of {@code double}, {@code float} or {@code long} with shape, strides and offset, and the loops
 * that compute on them. This package knows nothing of graphs or gradients; the autograd layer
 * builds on it.
 */
package dev.cadena.tensor;
