package dev.cadena.examples;

import dev.cadena.Tensor;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Module;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Sigmoid;
import dev.cadena.nn.Tanh;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The study notes' worked example: one forward and backward step through a 2-2-1 network, with
 * the gradients that Cadena's autograd finds printed next to the deltas of the notes' hand
 * formulas, which this class evaluates in plain {@code double} arithmetic as the reference.
 *
 * <pre>
 *   forward   z(l) = W(l) a(l-1) + b(l),      a(l) = f(z(l)),      a(0) = x
 *   backward  delta(L) = dLoss/da(L) * f'(z(L))
 *             delta(l) = W(l+1)^T delta(l+1) * f'(z(l))
 *             dLoss/dW(l) = delta(l) a(l-1)^T,   dLoss/db(l) = delta(l)
 *   update    W(l) := W(l) - eta dLoss/dW(l),   b(l) := b(l) - eta dLoss/db(l)
 * </pre>
 *
 * The notes write {@code W(l)} as {@code [out, in]} and act on a column vector; Cadena's {@link
 * Linear} stores the transpose {@code [in, out]} and acts on rows, so {@code W(l)[j][k]} is {@code
 * weight()[k][j]}, and likewise for the gradients. Nothing else differs.
 *
 * <p>Run it with {@code mvn -q compile exec:java -Dexec.mainClass=dev.cadena.examples.NotesExample}.
 */
public final class NotesExample {
  private NotesExample() {}

  /** The input of the worked example. */
  static final double[] X = {0.05, 0.10};
  /** The target of the worked example. */
  static final double Y = 0.01;
  /** W(1) in the notes' layout [out, in]. */
  static final double[][] W1 = {{0.15, 0.20}, {0.25, 0.30}};
  /** b(1). */
  static final double[] B1 = {0.35, 0.35};
  /** W(2) in the notes' layout [out, in]. */
  static final double[][] W2 = {{0.40, 0.45}};
  /** b(2). */
  static final double[] B2 = {0.60};

  /** An activation f, as a Cadena module and as the notes' f and f' in doubles. */
  public enum Activation {
    /** {@code f(z) = 1 / (1 + e^-z)}, {@code f'(z) = f(z) (1 - f(z))}. */
    SIGMOID,
    /** {@code f(z) = tanh z}, {@code f'(z) = 1 - tanh(z)^2}. */
    TANH;

    Module module() {
      return this == SIGMOID ? new Sigmoid() : new Tanh();
    }

    double f(double z) {
      return this == SIGMOID ? 1 / (1 + Math.exp(-z)) : Math.tanh(z);
    }

    double fPrime(double z) {
      double a = f(z);
      return this == SIGMOID ? a * (1 - a) : 1 - a * a;
    }
  }

  /** The loss, as a Cadena loss and as the notes' dLoss/da in doubles. */
  public enum LossKind {
    /** {@code Loss = (a - y)^2} (Cadena's mse of one element), {@code dLoss/da = 2 (a - y)}. */
    MSE,
    /**
     * {@code Loss = -(y log a + (1 - y) log(1 - a))}, {@code dLoss/da = (a - y) / (a (1 - a))}; needs
     * an output in (0, 1), so a sigmoid output.
     */
    BCE;

    Tensor loss(Tensor a, Tensor y) {
      return this == MSE ? Loss.mse(a, y) : Loss.binaryCrossEntropy(a, y);
    }

    double loss(double a, double y) {
      return this == MSE ? (a - y) * (a - y) : -(y * Math.log(a) + (1 - y) * Math.log(1 - a));
    }

    double dLossDa(double a, double y) {
      return this == MSE ? 2 * (a - y) : (a - y) / (a * (1 - a));
    }
  }

  /** Everything one step computed, by autograd and by hand. */
  public static final class Result {
    final Activation hidden;
    final Activation output;
    final LossKind lossKind;
    final double eta;
    final double lossAutograd;
    final double lossHand;
    final double[] z1 = new double[2];
    final double[] a1 = new double[2];
    double z2;
    double a2;
    double delta2;
    final double[] delta1 = new double[2];
    /** Parameter name (notes' notation) -> {autograd gradient, hand gradient}. */
    final Map<String, double[]> gradients = new LinkedHashMap<>();
    /** Parameter name -> {value before, after the autograd step, after the hand step}. */
    final Map<String, double[]> updates = new LinkedHashMap<>();

    Result(Activation hidden, Activation output, LossKind lossKind, double eta, double lossAutograd,
        double lossHand) {
      this.hidden = hidden;
      this.output = output;
      this.lossKind = lossKind;
      this.eta = eta;
      this.lossAutograd = lossAutograd;
      this.lossHand = lossHand;
    }

    /** The largest |autograd - hand| over all gradients, the loss and the updated parameters. */
    public double maxAbsDifference() {
      double m = Math.abs(lossAutograd - lossHand);
      for (double[] g : gradients.values()) {
        m = Math.max(m, Math.abs(g[0] - g[1]));
      }
      for (double[] u : updates.values()) {
        m = Math.max(m, Math.abs(u[1] - u[2]));
      }
      return m;
    }

    /** Parameter name -> {autograd, hand} (a copy). */
    public Map<String, double[]> gradients() {
      Map<String, double[]> copy = new LinkedHashMap<>();
      gradients.forEach((k, v) -> copy.put(k, v.clone()));
      return copy;
    }

    /** The loss autograd's forward pass computed. */
    public double loss() {
      return lossAutograd;
    }

    /** A table for the terminal. */
    public String table() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format(Locale.ROOT,
          "2-2-1 network: hidden %s, output %s, loss %s, eta = %s%n", name(hidden), name(output),
          lossKind, eta));
      sb.append(String.format(Locale.ROOT, "input x = (%s, %s), target y = %s%n%n", X[0], X[1], Y));
      sb.append("Forward pass\n");
      sb.append(String.format(Locale.ROOT, "  z(1) = W(1) x + b(1)  = (%.12f, %.12f)%n", z1[0], z1[1]));
      sb.append(String.format(Locale.ROOT, "  a(1) = f(z(1))        = (%.12f, %.12f)%n", a1[0], a1[1]));
      sb.append(String.format(Locale.ROOT, "  z(2) = W(2) a(1) + b(2) = %.12f%n", z2));
      sb.append(String.format(Locale.ROOT, "  a(2) = f(z(2))          = %.12f%n", a2));
      sb.append(String.format(Locale.ROOT, "  Loss                    = %.12f (autograd), %.12f (hand)%n%n",
          lossAutograd, lossHand));
      sb.append("Backward pass by the notes' formulas (reference, plain double arithmetic)\n");
      sb.append(String.format(Locale.ROOT, "  delta(2) = dLoss/da(2) * f'(z(2))       = %.12f%n", delta2));
      sb.append(String.format(Locale.ROOT, "  delta(1) = W(2)^T delta(2) * f'(z(1))   = (%.12f, %.12f)%n%n",
          delta1[0], delta1[1]));
      String row = "  %-16s %-20s %-26s %-12s%n";
      sb.append(String.format(Locale.ROOT, row, "parameter", "autograd (Cadena)", "hand formula (reference)",
          "|difference|"));
      sb.append("  ").append("-".repeat(76)).append('\n');
      for (Map.Entry<String, double[]> e : gradients.entrySet()) {
        double[] g = e.getValue();
        sb.append(String.format(Locale.ROOT, "  %-16s %-20.15f %-26.15f %.1e%n", "dL/d" + e.getKey(),
            g[0], g[1], Math.abs(g[0] - g[1])));
      }
      sb.append(String.format(Locale.ROOT, "%nOne step W := W - %s dLoss/dW%n", eta));
      String urow = "  %-12s %-12s %-22s %-22s%n";
      sb.append(String.format(Locale.ROOT, urow, "parameter", "before", "after (autograd)", "after (hand)"));
      sb.append("  ").append("-".repeat(68)).append('\n');
      for (Map.Entry<String, double[]> e : updates.entrySet()) {
        double[] u = e.getValue();
        sb.append(String.format(Locale.ROOT, "  %-12s %-12.6f %-22.15f %.15f%n", e.getKey(), u[0], u[1], u[2]));
      }
      sb.append(String.format(Locale.ROOT,
          "%nLargest |autograd - hand| (loss, gradients, updated parameters): %.1e%n", maxAbsDifference()));
      sb.append("Cadena's Linear weight is W(l) transposed: W(l)[j][k] is weight()[k][j].\n");
      return sb.toString();
    }

    private static String name(Activation a) {
      return a.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return table();
    }
  }

  /**
   * Builds the network from Cadena layers, sets the notes' weights, runs one forward/backward pass
   * and a gradient-descent step, and does the same by the notes' formulas.
   */
  public static Result run(Activation hidden, Activation output, LossKind lossKind, double eta) {
    if (lossKind == LossKind.BCE && output != Activation.SIGMOID) {
      throw new IllegalArgumentException(
          "NotesExample: binary cross-entropy needs an output in (0, 1): use a sigmoid output, got "
              + output);
    }
    // ---- Cadena: layers, autograd, one SGD step.
    SplittableRandom rng = new SplittableRandom(0);  // replaced by the notes' weights below
    Linear layer1 = new Linear(2, 2, true, rng);
    Linear layer2 = new Linear(2, 1, true, rng);
    try (var s = Tensor.noGrad()) {
      layer1.weight().copy_(Tensor.of(W1).t());   // [in, out] = W(1)^T
      layer1.bias().copy_(Tensor.of(B1));
      layer2.weight().copy_(Tensor.of(W2).t());
      layer2.bias().copy_(Tensor.of(B2));
    }
    Sequential net = new Sequential(layer1, hidden.module(), layer2, output.module());
    Tensor x = Tensor.of(new double[][] {X});
    Tensor y = Tensor.of(new double[][] {{Y}});
    Tensor loss = lossKind.loss(net.forward(x), y);
    loss.backward();
    double[] b1Before = layer1.bias().toDoubleArray();
    double b2Before = layer2.bias().get(0);
    for (Tensor p : net.parameters()) {
      try (var s = Tensor.noGrad()) {
        p.sub_(p.grad().mul(eta));
      }
    }

    // ---- The notes: the same step in plain doubles (the reference).
    double[] z1 = new double[2];
    double[] a1 = new double[2];
    for (int j = 0; j < 2; j++) {
      z1[j] = W1[j][0] * X[0] + W1[j][1] * X[1] + B1[j];
      a1[j] = hidden.f(z1[j]);
    }
    double z2 = W2[0][0] * a1[0] + W2[0][1] * a1[1] + B2[0];
    double a2 = output.f(z2);
    double delta2 = lossKind.dLossDa(a2, Y) * output.fPrime(z2);
    double[] delta1 = new double[2];
    for (int j = 0; j < 2; j++) {
      delta1[j] = W2[0][j] * delta2 * hidden.fPrime(z1[j]);
    }

    Result r = new Result(hidden, output, lossKind, eta, loss.item(), lossKind.loss(a2, Y));
    System.arraycopy(z1, 0, r.z1, 0, 2);
    System.arraycopy(a1, 0, r.a1, 0, 2);
    System.arraycopy(delta1, 0, r.delta1, 0, 2);
    r.z2 = z2;
    r.a2 = a2;
    r.delta2 = delta2;

    // dLoss/dW(1)[j][k] = delta(1)[j] x[k]; autograd's weight.grad is [in, out], i.e. [k][j].
    Tensor g1 = layer1.weight().grad();
    Tensor g2 = layer2.weight().grad();
    for (int j = 0; j < 2; j++) {
      for (int k = 0; k < 2; k++) {
        double hand = delta1[j] * X[k];
        String name = "W(1)[" + j + "][" + k + "]";
        r.gradients.put(name, new double[] {g1.get(k, j), hand});
        r.updates.put(name, new double[] {W1[j][k], layer1.weight().get(k, j), W1[j][k] - eta * hand});
      }
    }
    for (int j = 0; j < 2; j++) {
      String name = "b(1)[" + j + "]";
      r.gradients.put(name, new double[] {layer1.bias().grad().get(j), delta1[j]});
      r.updates.put(name, new double[] {b1Before[j], layer1.bias().get(j), B1[j] - eta * delta1[j]});
    }
    for (int j = 0; j < 2; j++) {
      // dLoss/dW(2)[0][j] = delta(2) a(1)[j]
      double hand = delta2 * a1[j];
      String name = "W(2)[0][" + j + "]";
      r.gradients.put(name, new double[] {g2.get(j, 0), hand});
      r.updates.put(name, new double[] {W2[0][j], layer2.weight().get(j, 0), W2[0][j] - eta * hand});
    }
    r.gradients.put("b(2)[0]", new double[] {layer2.bias().grad().get(0), delta2});
    r.updates.put("b(2)[0]", new double[] {b2Before, layer2.bias().get(0), B2[0] - eta * delta2});
    return r;
  }

  /** Prints the comparison for sigmoid and tanh networks with MSE and binary cross-entropy. */
  public static void main(String[] args) {
    System.out.println(run(Activation.SIGMOID, Activation.SIGMOID, LossKind.MSE, 0.5));
    System.out.println(run(Activation.TANH, Activation.TANH, LossKind.MSE, 0.5));
    System.out.println(run(Activation.SIGMOID, Activation.SIGMOID, LossKind.BCE, 0.5));
    System.out.println(run(Activation.TANH, Activation.SIGMOID, LossKind.BCE, 0.5));
  }
}
