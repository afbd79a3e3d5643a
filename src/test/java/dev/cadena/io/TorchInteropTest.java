package dev.cadena.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.Tensor;
import dev.cadena.cli.TrainJob;
import dev.cadena.nn.AdaptiveAvgPool2d;
import dev.cadena.nn.AvgPool2d;
import dev.cadena.nn.BatchNorm1d;
import dev.cadena.nn.BatchNorm2d;
import dev.cadena.nn.Conv1d;
import dev.cadena.nn.Conv2d;
import dev.cadena.nn.Dropout2d;
import dev.cadena.nn.ELU;
import dev.cadena.nn.Embedding;
import dev.cadena.nn.Flatten;
import dev.cadena.nn.GELU;
import dev.cadena.nn.LayerNorm;
import dev.cadena.nn.LeakyReLU;
import dev.cadena.nn.Linear;
import dev.cadena.nn.LogSoftmax;
import dev.cadena.nn.MaxPool2d;
import dev.cadena.nn.Module;
import dev.cadena.nn.ReLU;
import dev.cadena.nn.Sequential;
import dev.cadena.nn.Sigmoid;
import dev.cadena.nn.Softplus;
import dev.cadena.nn.Tanh;
import dev.cadena.nn.Unflatten;
import dev.cadena.optim.SGD;
import dev.cadena.optim.Optimizer;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cadena against real PyTorch, both ways, through files. {@code src/test/python/torch_fixtures.py}
 * wrote {@code src/test/resources/torch/} with torch 1.13: each model's {@code state_dict()}
 * after a few SGD steps, an input, its outputs in eval and train mode, and the buffers after the
 * training-mode pass. The models: three MLPs, the main job's CNN with 8 channels ({@code cnn}),
 * a mix of convolution and pooling options ({@code conv_mix}, eval mode only: it has dropout) and
 * an embedding ({@code embed}). Here the Cadena twins load those files as they are and must
 * reproduce every output to 1e-6 (float32), and a Cadena-saved file must hold the same names,
 * shapes and dtypes as PyTorch's. The other direction: {@link #testWriteFilesForPyTorch} leaves Cadena-saved files
 * in {@code target/torch-check/} that {@code torch_fixtures.py check target/torch-check} loads
 * with {@code load_state_dict(strict=True)} (run by hand: CI has no torch).
 */
class TorchInteropTest {
  private static final double TOL = 1e-6;

  /** The Cadena twin of torch_fixtures.build(name), float32. */
  static Sequential build(String name, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    DType f = DType.FLOAT32;
    switch (name) {
      case "mlp_bn":
        return new Sequential(new Linear(4, 8, true, f, r), new BatchNorm1d(8, 1e-5, 0.1, true, f),
            new ReLU(), new Linear(8, 3, true, f, r));
      case "mlp_ln":
        return new Sequential(new Linear(5, 6, true, f, r), new LayerNorm(new int[] {6}, 1e-5, true, f),
            new Tanh(), new Linear(6, 6, true, f, r), new ReLU(), new Linear(6, 4, true, f, r),
            new GELU(), new Linear(4, 2, true, f, r));
      case "acts":
        return new Sequential(new Linear(3, 5, true, f, r), new ELU(), new Linear(5, 5, true, f, r),
            new LeakyReLU(), new Linear(5, 4, true, f, r), new Sigmoid(),
            new BatchNorm1d(4, 1e-3, 0.3, false, f), new Softplus(), new Linear(4, 3, true, f, r),
            new LogSoftmax(1));
      case "cnn":
        return cnn(8, f, r);
      case "conv_mix":
        return new Sequential(
            new Conv2d(4, 6, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {2}, 2, false, f, r),
            new Dropout2d(0.3, r), new AvgPool2d(new int[] {3}, new int[] {1}, new int[] {1}),
            new Tanh(), new AdaptiveAvgPool2d(new int[] {3, 2}), new Flatten(2, -1),
            new Conv1d(6, 4, 4, 1, "same", 1, 1, true, f, r), new Flatten(),
            new Linear(24, 3, true, f, r));
      case "embed":
        return new Sequential(new Embedding(10, 4, 0, 1.5, f, r), new Linear(4, 3, true, f, r));
      default:
        throw new IllegalArgumentException(name);
    }
  }

  /** torch_fixtures.cnn: the main job's CNN ({@link TrainJob}) with {@code c} channels (32 there). */
  static Sequential cnn(int c, DType f, SplittableRandom r) {
    return new Sequential(new Unflatten(1, 1, 28, 28),
        new Conv2d(1, c, 5, f, r), new BatchNorm2d(c, 1e-5, 0.1, true, f), new ReLU(), new MaxPool2d(2),
        new Conv2d(c, c, 5, f, r), new BatchNorm2d(c, 1e-5, 0.1, true, f), new ReLU(), new MaxPool2d(2),
        new Flatten(), new Linear(c * 4 * 4, 10, true, f, r));
  }

  /** Input shape after the batch size, as torch_fixtures.MODELS. */
  private static final Map<String, int[]> INPUTS = Map.of(
      "mlp_bn", new int[] {4}, "mlp_ln", new int[] {5}, "acts", new int[] {3},
      "cnn", new int[] {784}, "conv_mix", new int[] {4, 11, 11}, "embed", new int[] {5});

  /** Models whose training-mode output is random (dropout): compared in eval mode only. */
  private static boolean evalOnly(String name) {
    return name.equals("conv_mix");
  }

  /** A batch of {@code n} inputs for {@code name}: indices in [0, 10) for the embedding. */
  private static Tensor input(String name, int n, SplittableRandom rng) {
    int[] shape = new int[INPUTS.get(name).length + 1];
    shape[0] = n;
    System.arraycopy(INPUTS.get(name), 0, shape, 1, shape.length - 1);
    if (name.equals("embed")) {
      long[] idx = new long[Math.multiplyExact(n, shape[1])];
      for (int i = 1; i < idx.length; i++) {
        idx[i] = rng.nextInt(10);
      }
      return Tensor.ofLongs(idx).reshape(shape);  // idx[0] = 0: the padding index appears
    }
    return Tensor.randn(rng, DType.FLOAT32, shape);
  }

  private static Path fixture(String file) throws URISyntaxException {
    URL u = TorchInteropTest.class.getResource("/torch/" + file);
    assertNotNull(u, "missing fixture /torch/" + file + " (run src/test/python/torch_fixtures.py write)");
    return Path.of(u.toURI());
  }

  private static void assertClose(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    double[] w = want.toDoubleArray();
    double[] g = got.toDoubleArray();
    for (int i = 0; i < w.length; i++) {
      double tol = TOL * Math.max(1, Math.abs(w[i]));
      assertTrue(Math.abs(w[i] - g[i]) <= tol, what + "[" + i + "]: torch " + w[i] + ", cadena " + g[i]);
    }
  }

  /** Eval output, train output and the buffers after the training-mode pass, as torch_fixtures.run_io. */
  private static Map<String, Tensor> runIo(Module m, Tensor x, boolean evalOnly) {
    Map<String, Tensor> io = new LinkedHashMap<>();
    io.put("x", x);
    try (var s = Tensor.noGrad()) {
      m.eval();
      io.put("eval", m.forward(x));
      if (!evalOnly) {
        m.train();
        io.put("train", m.forward(x));
      }
    }
    for (Map.Entry<String, Tensor> e : m.namedBuffers().entrySet()) {
      io.put("after_train." + e.getKey(), e.getValue().detach());
    }
    return io;
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp_bn", "mlp_ln", "acts", "cnn", "conv_mix", "embed"})
  void testLoadTorchFile_reproducesEvalAndTrainOutputsAndBuffers(String name) throws Exception {
    Sequential m = build(name, 7);
    ModelFiles.load(m, fixture(name + ".safetensors"));  // strict: names, shapes, dtypes
    Map<String, Tensor> torch = ModelFiles.read(fixture(name + "_io.safetensors"));
    Map<String, Tensor> mine = runIo(m, torch.get("x"), evalOnly(name));
    assertEquals(new TreeMap<>(torch).keySet(), new TreeMap<>(mine).keySet());
    for (String k : torch.keySet()) {
      if (k.endsWith("num_batches_tracked")) {
        assertEquals(4L, (long) torch.get(k).item(), "3 training steps and the train pass");
        assertEquals(torch.get(k).dtype(), mine.get(k).dtype());
        assertEquals(torch.get(k).item(), mine.get(k).item(), 0.0, k);
      } else if (k.equals("x")) {
        assertEquals(torch.get(k).dtype(), mine.get(k).dtype());
      } else {
        assertClose(torch.get(k), mine.get(k), name + " " + k);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mlp_bn", "mlp_ln", "acts", "cnn", "conv_mix", "embed"})
  void testSave_sameNamesShapesAndDtypesAsPyTorch(String name, @TempDir Path dir) throws Exception {
    Path mine = dir.resolve(name + ".safetensors");
    ModelFiles.save(build(name, 3), mine);
    Map<String, String> want = signature(SafeTensors.read(fixture(name + ".safetensors")));
    Map<String, String> got = signature(SafeTensors.read(mine));
    assertEquals(want, got);
    assertEquals(ModelFiles.LAYOUT_TORCH, SafeTensors.read(mine).metadata().get(ModelFiles.LAYOUT_KEY));
  }

  private static Map<String, String> signature(SafeTensors.Contents c) {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, SafeTensors.Entry> e : c.tensors().entrySet()) {
      out.put(e.getKey(), Shapes.str(e.getValue().shape()) + " " + e.getValue().elementType());
    }
    return out;
  }

  /**
   * Writes, for each model, a Cadena-initialised and Cadena-trained state and its outputs to
   * {@code target/torch-check/} for {@code torch_fixtures.py check}; checks here that they load
   * back into a fresh model with the same outputs.
   */
  @Test
  void testWriteFilesForPyTorch() throws IOException {
    Path dir = Path.of("target", "torch-check");
    Files.createDirectories(dir);
    String[] names = {"mlp_bn", "mlp_ln", "acts", "cnn", "conv_mix", "embed"};
    for (int i = 0; i < names.length; i++) {
      SplittableRandom rng = new SplittableRandom(50 + i);
      Sequential m = build(names[i], 20 + i);
      Optimizer opt = SGD.builder(m.parameters()).lr(0.1).build();
      for (int step = 0; step < 3; step++) {
        Tensor x = input(names[i], 8, rng);
        if (x.dtype().isFloatingPoint()) {
          x = x.mul(2).add(0.5);
        }
        Tensor loss = m.forward(x).square().mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
      Path state = dir.resolve(names[i] + ".safetensors");
      ModelFiles.save(m, state);
      Tensor x = input(names[i], 6, rng);
      Map<String, Tensor> io = runIo(m, x, evalOnly(names[i]));
      Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : io.entrySet()) {
        entries.put(e.getKey(), ModelFiles.toEntry(e.getValue()));
      }
      SafeTensors.write(dir.resolve(names[i] + "_io.safetensors"), entries, Map.of("format", "pt"));

      Sequential back = build(names[i], 99);
      ModelFiles.load(back, state);
      back.eval();
      // the saved state is the one before runIo's training-mode pass updated the running stats
      assertClose(io.get("eval"), back.forward(x), names[i] + " reloaded");
    }
  }

  /** The fixture CNN is the main job's with fewer channels: same layers, names and layout. */
  @Test
  void testFixtureCnn_isTheMainJobsCnnWithFewerChannels() {
    Sequential job = TrainJob.buildCnn(DType.FLOAT32, 1);
    Sequential twin = cnn(32, DType.FLOAT32, new SplittableRandom(1));
    assertEquals(job.toString(), twin.toString());
    Map<String, String> want = new TreeMap<>();
    Map<String, String> got = new TreeMap<>();
    job.stateDict().forEach((k, v) -> want.put(k, Shapes.str(v.shape()) + " " + v.dtype()));
    twin.stateDict().forEach((k, v) -> got.put(k, Shapes.str(v.shape()) + " " + v.dtype()));
    assertEquals(want, got);
  }

  /** A file in the layout Cadena wrote before it took PyTorch's: in-memory [in, out], camelCase buffers. */
  @Test
  void testLoad_olderCadenaLayoutIsConvertedWithANote(@TempDir Path dir) throws IOException {
    Sequential src = build("mlp_bn", 11);
    src.forward(Tensor.randn(new SplittableRandom(1), DType.FLOAT32, 5, 4));
    Map<String, SafeTensors.Entry> old = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : src.namedParameters().entrySet()) {
      old.put(e.getKey(), ModelFiles.toEntry(e.getValue()));  // Linear weights as [in, out]
    }
    BatchNorm1d bn = (BatchNorm1d) src.get(1);
    old.put("1.runningMean", ModelFiles.toEntry(bn.runningMean()));
    old.put("1.runningVar", ModelFiles.toEntry(bn.runningVar()));
    old.put("1.numBatchesTracked", SafeTensors.Entry.ofLongs(new int[0], new long[] {1}));
    Path f = dir.resolve("old.safetensors");
    SafeTensors.write(f, old, Map.of("format", "pt", "producer", "cadena", "model", "Sequential"));

    Sequential dst = build("mlp_bn", 12);
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      ModelFiles.load(dst, f);
    } finally {
      System.setErr(err);
    }
    String note = captured.toString(StandardCharsets.UTF_8);
    assertTrue(note.contains("older Cadena") && note.contains("Save the model again"), note);
    assertEquals(1, note.strip().lines().count(), note);
    for (Map.Entry<String, Tensor> e : src.namedParameters().entrySet()) {
      assertArrayEquals(e.getValue().toDoubleArray(), dst.namedParameters().get(e.getKey()).toDoubleArray(), 0.0, e.getKey());
    }
    BatchNorm1d got = (BatchNorm1d) dst.get(1);
    assertArrayEquals(bn.runningMean().toDoubleArray(), got.runningMean().toDoubleArray(), 0.0);
    assertArrayEquals(bn.runningVar().toDoubleArray(), got.runningVar().toDoubleArray(), 0.0);
    assertEquals(1, got.numBatchesTracked());
  }
}
