/**
 * Optimisers, learning-rate schedules and gradient clipping, with PyTorch's semantics.
 *
 * <p>An {@link dev.cadena.optim.Optimizer} holds a fixed list of parameters (leaf tensors that
 * require grad) and, per parameter and by position, the state its update rule needs (momentum
 * buffers, moment estimates). {@link dev.cadena.optim.Optimizer#step()} reads each parameter's
 * {@code grad()} and updates the parameter in place, under no-grad, in one fused loop over its
 * storage.
 *
 * <pre>{@code
 * Optimizer opt = Adam.builder(model.parameters()).lr(1e-3).build();
 * LRScheduler schedule = new CosineAnnealingLR(opt, epochs, 0.0);
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *   for (Batch b : batches) {
 *     opt.zeroGrad();
 *     Tensor loss = lossFn(model.forward(b.x()), b.y());
 *     loss.backward();
 *     GradClip.clipGradNorm(model.parameters(), 1.0);
 *     opt.step();
 *   }
 *   schedule.step();
 * }
 * }</pre>
 *
 * <p>The update equations are in each class's Javadoc and in {@code docs/optim.md}.
 */
package dev.cadena.optim;
