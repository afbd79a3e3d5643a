/**
 * Training diagnostics: {@link dev.cadena.diagnostics.GradientMonitor} records, per layer and per
 * step, the gradient norm and the size of the update relative to the parameters, and flags layers
 * whose gradients vanish or explode.
 *
 * <p>This package may look at everything (tensors, modules, optimisers) and nothing depends on it:
 * removing it changes no other package.
 */
package dev.cadena.diagnostics;
