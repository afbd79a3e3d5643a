/**
 * Helpers that notebook code calls directly; every session statically imports
 * {@link dev.cadena.jupyter.runtime.Display}, so a cell can write {@code display(image)}.
 */
package dev.cadena.jupyter.runtime;
