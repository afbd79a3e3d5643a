/**
 * A Jupyter kernel for Java notebooks, built on the jupyter-jvm-basekernel library and
 * {@code jdk.jshell}, compatible with IJava for what Cadena's notebooks use.
 *
 * <p>The pieces, outermost first:
 *
 * <ul>
 *   <li>{@link dev.cadena.jupyter.KernelMain} reads the connection file and serves the kernel.
 *   <li>{@link dev.cadena.jupyter.CadenaKernel} is the Jupyter side: line magics, rendering of
 *       results (text, PNG for images), error reports, interrupts.
 *   <li>{@link dev.cadena.jupyter.CellEvaluator} is the Java side: it splits a cell into JShell
 *       snippets, runs them, and turns compile or runtime failures into exceptions.
 *   <li>{@link dev.cadena.jupyter.ResultCapturingExecutionControl} runs snippets inside the
 *       kernel's JVM and keeps the last value as an object, so an image can be drawn as PNG.
 *   <li>{@link dev.cadena.jupyter.ClasspathArgs} and {@link dev.cadena.jupyter.MavenResolver}
 *       turn {@code %classpath}, {@code %jars} and {@code %maven} arguments into paths.
 * </ul>
 */
package dev.cadena.jupyter;
