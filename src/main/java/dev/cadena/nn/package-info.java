/**
 * Neural-network building blocks composed from generic tensor ops: modules and layers,
 * activations, normalisation, initialisers and losses. Nothing here writes a backward pass: the
 * graph does.
 */
package dev.cadena.nn;
