/**
 * Function transforms, named as {@code torch.func} names them: gradients, vector-Jacobian and
 * Jacobian-vector products, Jacobians, Hessians and vectorising maps of functions of tensors.
 */
package dev.cadena.func;
