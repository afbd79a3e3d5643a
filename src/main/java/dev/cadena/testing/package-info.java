/**
 * Property-based gradient tests for users' own ops, on jqwik: arbitraries of shapes,
 * broadcastable shape pairs and triples, tensors with values that keep finite differences
 * meaningful, index tensors and seeded random generators ({@link
 * dev.cadena.testing.TensorArbitraries}), and one-line properties for any differentiable function
 * of tensors ({@link dev.cadena.testing.GradProperties}): first- and second-order gradient checks,
 * the JVP check, JVP/VJP duality, linearity of the VJP, gradient shapes and dtypes, float32 against
 * float64.
 *
 * <pre>{@code
 * @Property(seed = "42")
 * void myOp_hasCorrectGradients(@ForAll("inputs") Tensor x) {
 *   GradProperties.checkAll(in -> MY_OP.apply(in[0]), x);
 * }
 *
 * @Provide
 * Arbitrary<Tensor> inputs() {
 *   return TensorArbitraries.tensors(TensorArbitraries.shapes().rank(0, 3)).values(-3, 3);
 * }
 * }</pre>
 *
 * <p>This package is optional: it is the only one that uses jqwik, which the library declares as
 * an optional dependency; add {@code net.jqwik:jqwik} to your test dependencies to use it. Nothing
 * else in the library depends on it. A failing property throws a {@link
 * dev.cadena.testing.GradPropertyError} (an {@link AssertionError}), so jqwik shrinks the sample
 * to the smallest shape and simplest values that still fail and prints the seed to re-run with.
 */
package dev.cadena.testing;
