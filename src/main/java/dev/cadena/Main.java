package dev.cadena;

/**
 * The quick-start example: the forward pass of a tiny network, its loss, and the gradients that
 * {@code backward()} finds.
 */
public final class Main {
  private Main() {}

  /** Runs the example and prints the gradients. */
  public static void main(String[] args) {
    Tensor x = Tensor.of(new double[][] {{0.05, 0.10}});
    Tensor w = Tensor.of(new double[][] {{0.15, 0.25}, {0.20, 0.30}}).requiresGrad(true);
    Tensor b = Tensor.of(0.35, 0.35).requiresGrad(true);
    Tensor loss = x.matmul(w).add(b).sigmoid().sub(Tensor.of(0.01, 0.99)).pow(2).mean();
    System.out.println("loss   = " + loss);
    loss.backward();
    System.out.println("dL/dw  = " + w.grad());
    System.out.println("dL/db  = " + b.grad());
  }
}
