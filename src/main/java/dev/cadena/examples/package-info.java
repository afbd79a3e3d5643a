/**
 * Runnable examples, each used by a test: {@link dev.cadena.examples.NotesExample} (autograd
 * against the notes' hand-derived deltas), {@link dev.cadena.examples.XorExample} (a 2-2-1 network
 * learning XOR) and {@link dev.cadena.examples.DeepGradients} (vanishing gradients and their
 * fixes).
 */
package dev.cadena.examples;
