package dev.cadena.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.examples.DeepGradients.Run;
import dev.cadena.examples.DeepGradients.Setup;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Loss;
import dev.cadena.nn.Sequential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeepGradientsTest {
  @Test
  void network_hasTwentyDenseLayers() {
    for (Setup s : Setup.values()) {
      Sequential net = DeepGradients.build(s, 1);
      long dense = 0;
      for (var m : net) {
        if (m instanceof Linear) {
          dense++;
        }
      }
      assertEquals(DeepGradients.DEPTH, dense, s.name());
    }
  }

  @Test
  void sigmoidWithNaiveInit_firstLayerGradientVanishes() {
    Run r = DeepGradients.run(Setup.SIGMOID_NAIVE, 3, 0.01);
    List<Double> n = r.norms.get(0);
    assertEquals(DeepGradients.DEPTH, n.size());
    // Measured 1.0e-4 for seed 42: the first layer gets ~10^4 times less gradient than the last.
    assertTrue(r.firstOverLast(0) < 1e-3, () -> "ratio " + r.firstOverLast(0) + " norms " + n);
    // The decay is (nearly) monotone: the first half of the network is far below the second.
    assertTrue(n.get(0) < n.get(DeepGradients.DEPTH / 2) && n.get(DeepGradients.DEPTH / 2) < n.get(DeepGradients.DEPTH - 1));
    for (int step = 0; step < 3; step++) {
      assertTrue(r.firstOverLast(step) < 1e-2);
    }
  }

  @Test
  void heInitAndBatchNorm_keepTheRatioWithinTwoOrdersOfMagnitude() {
    for (Setup s : List.of(Setup.RELU_HE, Setup.RELU_BATCHNORM, Setup.SIGMOID_BATCHNORM)) {
      Run r = DeepGradients.run(s, 5, 0.01);
      for (int step = 0; step < 5; step++) {
        double ratio = r.firstOverLast(step);
        assertTrue(ratio > 1e-2 && ratio < 1e2, () -> s + " step ratio " + ratio);
      }
    }
  }

  @Test
  void acrossSeeds_sigmoidVanishesAndTheFixesHold() {
    for (long seed = 0; seed < 20; seed++) {
      double sig = DeepGradients.run(Setup.SIGMOID_NAIVE, 1, 0.01, seed).firstOverLast(0);
      assertTrue(sig < 1e-2, "seed " + seed + ": sigmoid ratio " + sig);
      for (Setup s : List.of(Setup.RELU_HE, Setup.RELU_BATCHNORM, Setup.SIGMOID_BATCHNORM)) {
        double r = DeepGradients.run(s, 1, 0.01, seed).firstOverLast(0);
        assertTrue(r > 1e-2 && r < 1e2, "seed " + seed + ": " + s + " ratio " + r);
      }
    }
  }

  @Test
  void gradientNorms_namesEveryParameterWithAGradient() {
    Sequential net = DeepGradients.build(Setup.RELU_BATCHNORM, 3);
    assertTrue(DeepGradients.gradientNorms(net).isEmpty(), "no backward yet");
    var xy = DeepGradients.data(4);
    Loss.mse(net.forward(xy[0]), xy[1]).backward();
    Map<String, Double> norms = DeepGradients.gradientNorms(net);
    assertEquals(net.namedParameters().keySet(), norms.keySet());
    assertTrue(norms.containsKey("0.weight") && norms.containsKey("1.weight"), "Linear and BatchNorm");
    assertEquals(DeepGradients.DEPTH, DeepGradients.denseWeightGradientNorms(net).size());
  }
}
