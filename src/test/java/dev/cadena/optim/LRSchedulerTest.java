package dev.cadena.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadena.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each schedule after k steps against its closed form, and the optimiser's lr kept in sync. */
class LRSchedulerTest {
  private static Optimizer sgd(double lr) {
    return SGD.builder(List.of(Tensor.of(1.0).requiresGrad(true))).lr(lr).build();
  }

  @Test
  void testStepLR_decaysEveryStepSizeEpochs() {
    Optimizer opt = sgd(0.1);
    StepLR s = new StepLR(opt, 3, 0.5);
    assertEquals(0.1, s.lastLr());
    double[] expected = {0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125};
    for (int k = 1; k <= 10; k++) {
      s.step();
      assertEquals(expected[k - 1], s.lastLr(), 1e-15, "epoch " + k);
      assertEquals(0.1 * Math.pow(0.5, k / 3), opt.learningRate(), 1e-15, "epoch " + k);
      assertEquals(k, s.epoch());
    }
  }

  @Test
  void testExponentialLR_multipliesEachEpoch() {
    Optimizer opt = sgd(0.2);
    ExponentialLR s = new ExponentialLR(opt, 0.9);
    for (int k = 1; k <= 20; k++) {
      s.step();
      assertEquals(0.2 * Math.pow(0.9, k), s.lastLr(), 1e-15, "epoch " + k);
      assertEquals(s.lastLr(), opt.learningRate());
    }
  }

  @Test
  void testCosineAnnealingLR_followsHalfCosine() {
    Optimizer opt = sgd(0.1);
    CosineAnnealingLR s = new CosineAnnealingLR(opt, 10, 0.001);
    for (int k = 1; k <= 25; k++) {
      s.step();
      double expected = 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * k / 10)) / 2;
      assertEquals(expected, s.lastLr(), 1e-15, "epoch " + k);
      assertEquals(expected, opt.learningRate());
      if (k == 5) {
        assertEquals((0.1 + 0.001) / 2, s.lastLr(), 1e-15, "midpoint");
      }
      if (k == 10) {
        assertEquals(0.001, s.lastLr(), 1e-15, "minimum at tMax");
      }
      if (k == 20) {
        assertEquals(0.1, s.lastLr(), 1e-15, "back to the base rate after 2 * tMax");
      }
    }
  }

  @Test
  void testCosineAnnealingLR_matchesPyTorchRecursiveForm() {
    // PyTorch's get_lr() updates the current rate recursively; without outside changes it
    // follows the closed form. Check the recursion over the first period.
    int tMax = 7;
    double base = 0.3;
    double etaMin = 0.01;
    CosineAnnealingLR s = new CosineAnnealingLR(sgd(base), tMax, etaMin);
    double lr = base;
    for (int t = 1; t < tMax; t++) {
      lr = (1 + Math.cos(Math.PI * t / tMax)) / (1 + Math.cos(Math.PI * (t - 1) / tMax))
          * (lr - etaMin) + etaMin;
      s.step();
      assertEquals(lr, s.lastLr(), 1e-12, "epoch " + t);
    }
  }

  @Test
  void testSchedule_baseIsTheLearningRateAtCreation() {
    Optimizer opt = sgd(0.1);
    opt.setLearningRate(0.4);
    ExponentialLR s = new ExponentialLR(opt, 0.5);
    assertEquals(0.4, s.baseLr());
    assertEquals(0.4, s.lrAt(0));
    assertEquals(0.1, s.lrAt(2));
    assertEquals(0.4, opt.learningRate(), "lrAt does not change the optimiser");
  }
}
