/**
 * The graph and reverse-mode engine: a {@link dev.cadena.autograd.Node} per differentiable op
 * application (op name, input edges, what it saved, its vector-Jacobian product), the
 * non-recursive {@link dev.cadena.autograd.Engine} that replays VJPs in reverse topological
 * order, per-thread {@link dev.cadena.autograd.GradMode}, user-defined ops
 * ({@link dev.cadena.autograd.Function}) and the finite-difference
 * {@link dev.cadena.autograd.GradCheck}.
 */
package dev.cadena.autograd;
