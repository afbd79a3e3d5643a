package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cadena.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad hyper-parameter or parameter list throws IllegalArgumentException whose message names
 * the optimiser (or schedule), the hyper-parameter and the value.
 */
class ErrorMessagesTest {
  private static final Tensor W = Tensor.of(1.0, 2.0).requiresGrad(true);
  private static final List<Tensor> PS = List.of(W);

  private static Arguments error(String expected, Executable call) {
    return Arguments.of(expected, call);
  }

  static Stream<Arguments> errors() {
    Tensor constant = Tensor.of(1.0, 2.0);
    Tensor nonLeaf = W.mul(2.0);
    return Stream.of(
        error("SGD: lr must be >= 0 and finite, got -0.1", () -> SGD.builder(PS).lr(-0.1).build()),
        error("SGD: lr must be >= 0 and finite, got NaN", () -> SGD.builder(PS).lr(Double.NaN).build()),
        error("SGD: momentum must be in [0, 1), got 1.0", () -> SGD.builder(PS).momentum(1.0).build()),
        error("SGD: momentum must be in [0, 1), got -0.5", () -> SGD.builder(PS).momentum(-0.5).build()),
        error("SGD: dampening must be in [0, 1], got 2.0", () -> SGD.builder(PS).dampening(2).build()),
        error("SGD: weightDecay must be >= 0 and finite, got -1.0",
            () -> SGD.builder(PS).weightDecay(-1).build()),
        error("SGD: nesterov requires momentum > 0 and dampening == 0, got momentum=0.0, dampening=0.0",
            () -> SGD.builder(PS).nesterov(true).build()),
        error("SGD: nesterov requires momentum > 0 and dampening == 0, got momentum=0.9, dampening=0.1",
            () -> SGD.builder(PS).momentum(0.9).dampening(0.1).nesterov(true).build()),
        error("Adam: beta1 must be in [0, 1), got 1.2", () -> Adam.builder(PS).betas(1.2, 0.999).build()),
        error("Adam: beta2 must be in [0, 1), got 1.0", () -> Adam.builder(PS).betas(0.9, 1.0).build()),
        error("Adam: eps must be > 0 and finite, got 0.0", () -> Adam.builder(PS).eps(0).build()),
        error("Adam: weightDecay must be >= 0 and finite, got -0.01",
            () -> Adam.builder(PS).weightDecay(-0.01).build()),
        error("AdamW: beta1 must be in [0, 1), got -0.1", () -> AdamW.builder(PS).betas(-0.1, 0.9).build()),
        error("AdamW: weightDecay must be >= 0 and finite, got -1.0",
            () -> AdamW.builder(PS).weightDecay(-1).build()),
        error("RMSprop: alpha must be in [0, 1], got 1.5", () -> RMSprop.builder(PS).alpha(1.5).build()),
        error("RMSprop: momentum must be in [0, 1), got 1.0", () -> RMSprop.builder(PS).momentum(1).build()),
        error("RMSprop: eps must be > 0 and finite, got -1.0E-8", () -> RMSprop.builder(PS).eps(-1e-8).build()),
        error("Adagrad: lrDecay must be >= 0 and finite, got -0.1", () -> Adagrad.builder(PS).lrDecay(-0.1).build()),
        error("Adagrad: initialAccumulatorValue must be >= 0 and finite, got -1.0",
            () -> Adagrad.builder(PS).initialAccumulatorValue(-1).build()),
        error("Adagrad: lr must be >= 0 and finite, got Infinity",
            () -> Adagrad.builder(PS).lr(Double.POSITIVE_INFINITY).build()),
        error("Adam: parameter list is empty; pass e.g. model.parameters()",
            () -> Adam.builder(List.of()).build()),
        error("SGD: parameter 1 (shape [2], float64) does not require grad; call requiresGrad(true) on it or"
            + " leave it out", () -> SGD.builder(List.of(W, constant)).build()),
        error("RMSprop: parameter 0 (shape [2], float64) is not a leaf (it was produced by 'mul');"
            + " optimise the leaf tensors it was computed from", () -> RMSprop.builder(List.of(nonLeaf)).build()),
        error("Adagrad: parameter 1 is the same tensor as parameter 0; pass each parameter once",
            () -> Adagrad.builder(List.of(W, W)).build()),
        error("SGD: lr must be >= 0 and finite, got -1.0",
            () -> SGD.builder(PS).build().setLearningRate(-1)),
        error("Optimizers: unknown optimiser 'lbfgs' (expected one of sgd, momentum, nesterov, adam,"
            + " adamw, rmsprop, adagrad)", () -> Optimizers.create("lbfgs", PS, 0.1)),
        error("StepLR: stepSize must be > 0, got 0", () -> new StepLR(SGD.builder(PS).build(), 0, 0.1)),
        error("StepLR: gamma must be > 0 and finite, got -0.1", () -> new StepLR(SGD.builder(PS).build(), 1, -0.1)),
        error("ExponentialLR: gamma must be > 0 and finite, got 0.0",
            () -> new ExponentialLR(SGD.builder(PS).build(), 0)),
        error("CosineAnnealingLR: tMax must be > 0, got -5",
            () -> new CosineAnnealingLR(SGD.builder(PS).build(), -5, 0)),
        error("CosineAnnealingLR: etaMin must be >= 0 and finite, got -0.001",
            () -> new CosineAnnealingLR(SGD.builder(PS).build(), 5, -0.001)),
        error("clipGradNorm: maxNorm must be > 0 and finite, got 0.0", () -> GradClip.clipGradNorm(PS, 0)),
        error("clipGradValue: clipValue must be > 0 and finite, got NaN",
            () -> GradClip.clipGradValue(PS, Double.NaN)));
  }

  static Stream<Arguments> nullErrors() {
    return Stream.of(
        error("Adam: params is null", () -> Adam.builder(null)),
        error("SGD: params[1] is null", () -> SGD.builder(Arrays.asList(W, null)).build()),
        error("StepLR: optimizer is null", () -> new StepLR(null, 1, 0.1)),
        error("clipGradNorm: params is null", () -> GradClip.clipGradNorm(null, 0)),
        error("gradNorm: params[1] is null", () -> GradClip.gradNorm(new ArrayList<>(Arrays.asList(W, null)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void testBadArgument_throwsIllegalArgumentWithMessage(String expected, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(expected, e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nullErrors")
  void testNullArgument_throwsNullPointerWithMessage(String expected, Executable call) {
    NullPointerException e = assertThrows(NullPointerException.class, call);
    assertEquals(expected, e.getMessage());
  }
}
