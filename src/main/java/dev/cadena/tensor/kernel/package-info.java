/**
 * Numerical kernels on primitive arrays: matrix multiply ({@link dev.cadena.tensor.kernel.Gemm})
 * and the thread pool that splits loops ({@link dev.cadena.tensor.kernel.Parallel}).
 *
 * <p>Nothing here knows about tensors, shapes or graphs: a matrix is an array, an offset and a
 * leading dimension, row-major, as in BLAS. The tensor layer above checks shapes and calls in.
 *
 * <p>Speed: {@code Gemm} uses the incubating Java Vector API when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}; without it, the same results (up to rounding) come from
 * plain Java loops that the JIT vectorizes. Kernels use {@link
 * dev.cadena.tensor.kernel.Parallel#threads()} threads; set the system property {@code
 * cadena.threads} or call {@link dev.cadena.tensor.kernel.Parallel#setThreads(int)} to change
 * that.
 */
package dev.cadena.tensor.kernel;
