/**
 * Pictures of the computational graph, for notebooks, docs and debugging:
 * {@link dev.cadena.viz.GraphDot} writes it as Graphviz DOT text, {@link dev.cadena.viz.GraphImage}
 * draws it as a {@link java.awt.image.BufferedImage} without Graphviz (headless-safe).
 *
 * <p>Both walk the graph from a root tensor through {@link dev.cadena.autograd.Node#inputs()}
 * and show one box per tensor: the op that produced it (or the leaf's name), its shape, its value
 * and, when there is one, its gradient. Depending on nothing but the core, they may look at any
 * tensor; nothing in the library depends on them.
 *
 * <p><b>Drawing after backward.</b> {@code backward()} frees the graph: afterwards a node's
 * {@code inputs()} are empty, so only the root could be drawn (it is then marked "inputs freed by
 * backward"). To show values and gradients together, keep the graph and the gradients of the
 * intermediate tensors:
 *
 * <pre>{@code
 * Tensor h = x.mul(w).retainGrad();   // non-leaf gradients are stored only when asked for
 * Tensor loss = h.sigmoid().sum();
 * loss.backward(loss.onesLike(), true); // retainGraph = true: the graph stays walkable
 * BufferedImage picture = GraphImage.render(loss, Map.of(x, "x", w, "w"));
 * }</pre>
 */
package dev.cadena.viz;
