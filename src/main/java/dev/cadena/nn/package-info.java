/**
 * Neural-network building blocks composed from generic tensor ops: modules and layers,
 * activations, normalisation, initialisers and losses. Nothing here writes a backward pass: the
 * graph does.
 *
 * <ul>
 *   <li>{@link dev.cadena.nn.Module}, {@link dev.cadena.nn.Sequential}
 *   <li>layers: {@link dev.cadena.nn.Linear}, {@link dev.cadena.nn.Dropout}, {@link
 *       dev.cadena.nn.BatchNorm1d}, {@link dev.cadena.nn.LayerNorm}
 *   <li>recurrent layers: {@link dev.cadena.nn.RNN}, {@link dev.cadena.nn.LSTM}, {@link
 *       dev.cadena.nn.GRU} and their cells {@link dev.cadena.nn.RNNCell}, {@link
 *       dev.cadena.nn.LSTMCell}, {@link dev.cadena.nn.GRUCell}, unrolled over time so that the
 *       engine's backward pass is backpropagation through time
 *   <li>activations (modules and {@link dev.cadena.nn.Functional} functions): Sigmoid, Tanh, ReLU,
 *       LeakyReLU, ELU, GELU, Softplus, Softmax, LogSoftmax
 *   <li>{@link dev.cadena.nn.Init} initialisers; {@link dev.cadena.nn.Loss} losses with {@link
 *       dev.cadena.nn.Reduction}
 * </ul>
 *
 * See {@code docs/nn.md} for the guide.
 */
package dev.cadena.nn;
