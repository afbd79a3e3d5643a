/**
 * Numerical kernels on primitive arrays: matrix multiply ({@link dev.cadena.tensor.kernel.Gemm}),
 * the row kernels of pointwise ops ({@link dev.cadena.tensor.kernel.UnaryRowsF64}, {@link
 * dev.cadena.tensor.kernel.BinaryRowsF64}, {@link dev.cadena.tensor.kernel.ConvertRowsF64}) and of
 * reductions ({@link dev.cadena.tensor.kernel.ReduceRowsF64}, {@link
 * dev.cadena.tensor.kernel.SumRows}), the fused optimiser updates ({@link
 * dev.cadena.tensor.kernel.UpdateKernelsF64}), the plan that walks strided operands as rows ({@link
 * dev.cadena.tensor.kernel.StridedPlan}), and the thread pool that splits loops ({@link
 * dev.cadena.tensor.kernel.Parallel}).
 *
 * <p>Nothing here knows about tensors, shapes or graphs: a matrix is an array, an offset and a
 * leading dimension, row-major, as in BLAS; a row is an array, an offset, a stride and a length.
 * The tensor layer above checks shapes and dtypes, splits arrays into rows and calls in. The row
 * kernels, like BLAS routines, trust their arguments (offsets, strides and lengths within the
 * arrays) and check nothing, so that a call costs only its loop: they are the tensor layer's
 * internals, public only because that layer is another package. {@link
 * dev.cadena.tensor.kernel.Gemm#gemm}, which users may call directly, checks its arguments. The row
 * kernels take the op enums ({@link dev.cadena.tensor.UnaryOp}, {@link dev.cadena.tensor.BinaryOp})
 * to pick their loop, and nothing else from the tensor layer.
 *
 * <p>Each float64 kernel ({@code ...F64}) is the only one written by hand; its float32 twin
 * ({@code ...F32}) is generated from it in the build's generate-sources phase by {@code
 * src/build/java/dev/cadena/build/GenerateF32.java} (the element type renamed, literals given an
 * {@code f}, lines ending in {@code // f32: ...} replaced) into {@code
 * target/generated-sources/f32}, so no twin is ever edited or committed.
 *
 * <p>Speed: {@code Gemm} uses the incubating Java Vector API when the JVM runs with {@code
 * --add-modules jdk.incubator.vector}; without it, the same results (up to rounding) come from
 * plain Java loops that the JIT vectorizes. A matrix times a vector (or a few columns) gives the
 * same bits either way. Kernels use {@link
 * dev.cadena.tensor.kernel.Parallel#threads()} threads; set the system property {@code
 * cadena.threads} or call {@link dev.cadena.tensor.kernel.Parallel#setThreads(int)} to change
 * that.
 */
package dev.cadena.tensor.kernel;
