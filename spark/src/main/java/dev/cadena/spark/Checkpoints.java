package dev.cadena.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.io.ModelFiles;
import dev.cadena.io.SafeTensors;
import dev.cadena.optim.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoints of a data-parallel run in a directory of any Hadoop {@link FileSystem} ({@code
 * file:}, {@code hdfs:}, {@code s3a:}, ...): one safetensors file per checkpoint, {@code
 * step-00000040.safetensors}, holding the model's parameters ({@code "model.<name>"}), the
 * optimiser's state ({@code "optim.<index>.<name>"}, {@link Optimizer#stateDict()}) and, as
 * metadata, the step, the learning rate and the run's settings.
 *
 * <p><b>Atomic.</b> A checkpoint is written under a hidden temporary name in the same directory
 * and renamed into place once complete, so a reader sees a whole file or none; a failed write
 * removes its temporary file and leaves the earlier checkpoints as they were. Only after a new
 * checkpoint is in place are the oldest beyond {@code keep} deleted.
 *
 * <p><b>Validated.</b> Reading checks the format tag, the step, that the run's settings (seed,
 * batch size, partitions, optimiser) are the ones of the run resuming, and that every parameter
 * and optimiser buffer is there with its shape and dtype, before the model or the optimiser is
 * changed. A newest file that fails is reported and the one before it is tried.
 */
final class Checkpoints {
  static final String FORMAT = "cadena-spark-checkpoint/1";
  private static final Pattern NAME = Pattern.compile("step-(\\d{8,})\\.safetensors");

  private final Path dir;
  private final FileSystem fs;
  private final int keep;

  private Checkpoints(Path dir, FileSystem fs, int keep) {
    this.dir = dir;
    this.fs = fs;
    this.keep = keep;
  }

  /**
   * Opens {@code dir}, creating it if needed, and checks that a file can be written and removed
   * there.
   *
   * @throws IllegalArgumentException naming the directory and the cause when it cannot be
   *     reached, created or written
   */
  static Checkpoints open(String dir, Configuration conf, int keep) {
    checkNotNull(dir, "Checkpoints.open: dir is null");
    Path p;
    try {
      p = new Path(dir);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "checkpoint directory '" + dir + "' is not a valid path: " + e.getMessage(), e);
    }
    try {
      FileSystem fs = p.getFileSystem(conf);
      Path qualified = fs.makeQualified(p);
      if (fs.exists(qualified) && !fs.getFileStatus(qualified).isDirectory()) {
        throw new IllegalArgumentException(
            "checkpoint directory '" + dir + "' is a file, not a directory");
      }
      if (!fs.mkdirs(qualified)) {
        throw new IOException("mkdirs returned false");
      }
      Path probe = new Path(qualified, ".probe-" + UUID.randomUUID());
      try (FSDataOutputStream out = fs.create(probe, false)) {
        out.write(1);
      }
      fs.delete(probe, false);
      return new Checkpoints(qualified, fs, keep);
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage().startsWith("checkpoint")) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("checkpoint directory '" + dir
          + "' cannot be reached or written: " + e.getClass().getSimpleName() + ": "
          + e.getMessage(), e);
    }
  }

  /** The directory, fully qualified. */
  Path dir() {
    return dir;
  }

  /** The settings of a run that a checkpoint must match to be resumed by it. */
  record RunSettings(long seed, int batchSize, int partitions, String optimizer) {
    Map<String, String> metadata() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("seed", Long.toString(seed));
      m.put("batch_size", Integer.toString(batchSize));
      m.put("partitions", Integer.toString(partitions));
      m.put("optimizer", optimizer);
      return m;
    }
  }

  /** The file of the checkpoint after {@code step} steps. */
  Path fileOf(long step) {
    return new Path(dir, String.format(Locale.ROOT, "step-%08d.safetensors", step));
  }

  /**
   * Writes the checkpoint after {@code step} steps, atomically, then deletes the oldest ones
   * beyond {@code keep}; returns the file.
   *
   * @throws IllegalArgumentException naming the file and the cause when it cannot be written (the
   *     earlier checkpoints are untouched)
   */
  Path write(long step, Map<String, Tensor> namedParams, Optimizer opt, RunSettings settings) {
    Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : namedParams.entrySet()) {
      entries.put("model." + e.getKey(), ModelFiles.toEntry(e.getValue()));
    }
    for (Map.Entry<String, Tensor> e : opt.stateDict().entrySet()) {
      entries.put("optim." + e.getKey(), ModelFiles.toEntry(e.getValue()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("step", Long.toString(step));
    meta.put("lr", Double.toString(opt.learningRate()));
    meta.putAll(settings.metadata());
    byte[] bytes = SafeTensors.toBytes(entries, meta);
    Path target = fileOf(step);
    Path tmp = new Path(dir, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        out.write(bytes);
        out.hsync();
      }
      if (fs.getFileStatus(tmp).getLen() != bytes.length) {
        throw new IOException("wrote " + fs.getFileStatus(tmp).getLen() + " of " + bytes.length
            + " bytes");
      }
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("cannot replace the existing " + target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp.getName() + " to " + target.getName());
      }
    } catch (IOException | RuntimeException e) {
      try {
        fs.delete(tmp, false);
      } catch (IOException ignored) {
        // The temporary name is hidden and never read; a leftover is only clutter.
      }
      throw new IllegalArgumentException("checkpoint of step " + step + " to " + target
          + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage()
          + " (earlier checkpoints are untouched)", e);
    }
    prune();
    return target;
  }

  private void prune() {
    if (keep <= 0) {
      return;
    }
    try {
      List<Long> steps = steps();
      for (int i = 0; i < steps.size() - keep; i++) {
        fs.delete(fileOf(steps.get(i)), false);
      }
    } catch (IOException e) {
      // Old checkpoints that stay are harmless; the new one is in place.
    }
  }

  /** The steps of the checkpoints in the directory, oldest first. */
  List<Long> steps() throws IOException {
    List<Long> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher m = NAME.matcher(s.getPath().getName());
      if (s.isFile() && m.matches()) {
        out.add(Long.parseLong(m.group(1)));
      }
    }
    out.sort(null);
    return out;
  }

  /** A checkpoint read and checked, not yet applied. */
  record Loaded(long step, double lr, Path file, Map<String, Tensor> params,
      Map<String, Tensor> optim) {}

  /**
   * The newest checkpoint that passes every check, or empty when the directory has none; a newer
   * one that fails is reported to {@code warn} and skipped.
   *
   * @throws IllegalArgumentException when there are checkpoints but none passes, listing why
   */
  Optional<Loaded> latest(Map<String, Tensor> namedParams, RunSettings settings,
      java.util.function.Consumer<String> warn) {
    List<Long> steps;
    try {
      steps = steps();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "checkpoint directory " + dir + " cannot be listed: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    for (int i = steps.size() - 1; i >= 0; i--) {
      Path f = fileOf(steps.get(i));
      try {
        return Optional.of(read(f, steps.get(i), namedParams, settings));
      } catch (IllegalArgumentException | IOException e) {
        String msg = f + ": " + e.getMessage();
        problems.add(msg);
        warn.accept("skipping checkpoint " + msg);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "no usable checkpoint in " + dir + ": " + String.join("; ", problems));
    }
    return Optional.empty();
  }

  private Loaded read(Path f, long step, Map<String, Tensor> namedParams, RunSettings settings)
      throws IOException {
    long len = fs.getFileStatus(f).getLen();
    if (len > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("checkpoint is " + len + " bytes, more than can be read");
    }
    byte[] bytes;
    try (InputStream in = fs.open(f)) {
      bytes = in.readAllBytes();
    }
    SafeTensors.Contents c = SafeTensors.fromBytes(bytes, f.toString());
    Map<String, String> meta = c.metadata();
    if (!FORMAT.equals(meta.get("format"))) {
      throw new IllegalArgumentException(
          "format is '" + meta.get("format") + "', expected '" + FORMAT + "'");
    }
    if (!Long.toString(step).equals(meta.get("step"))) {
      throw new IllegalArgumentException(
          "metadata step '" + meta.get("step") + "' does not match the file name's " + step);
    }
    for (Map.Entry<String, String> e : settings.metadata().entrySet()) {
      if (!e.getValue().equals(meta.get(e.getKey()))) {
        throw new IllegalArgumentException("it was written by a run with " + e.getKey() + "="
            + meta.get(e.getKey()) + ", this run has " + e.getKey() + "=" + e.getValue()
            + "; resume with the same settings or use another checkpoint directory");
      }
    }
    double lr;
    try {
      lr = Double.parseDouble(meta.getOrDefault("lr", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata lr '" + meta.get("lr") + "' is not a number");
    }
    Map<String, SafeTensors.Entry> entries = c.tensors();
    Map<String, Tensor> params = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : namedParams.entrySet()) {
      SafeTensors.Entry en = entries.remove("model." + e.getKey());
      if (en == null) {
        throw new IllegalArgumentException("parameter 'model." + e.getKey() + "' is missing");
      }
      Tensor t = ModelFiles.toTensor(en);
      Tensor p = e.getValue();
      if (t.dtype() != p.dtype() || !Arrays.equals(t.shape(), p.shape())) {
        throw new IllegalArgumentException("parameter 'model." + e.getKey() + "' has shape "
            + Arrays.toString(t.shape()) + ", " + t.dtype() + "; the model's is "
            + Arrays.toString(p.shape()) + ", " + p.dtype());
      }
      params.put(e.getKey(), t);
    }
    Map<String, Tensor> optim = new LinkedHashMap<>();
    for (Map.Entry<String, SafeTensors.Entry> e : entries.entrySet()) {
      if (!e.getKey().startsWith("optim.")) {
        throw new IllegalArgumentException("unexpected tensor '" + e.getKey() + "'");
      }
      optim.put(e.getKey().substring("optim.".length()), ModelFiles.toTensor(e.getValue()));
    }
    return new Loaded(step, lr, f, params, optim);
  }

  /**
   * Puts a checkpoint into the model's parameters and the optimiser: the optimiser's state is
   * checked in full before either changes.
   *
   * @throws IllegalArgumentException from {@link Optimizer#loadStateDict} when the state does not
   *     fit this optimiser
   */
  static void apply(Loaded c, Map<String, Tensor> namedParams, Optimizer opt) {
    try {
      opt.loadStateDict(c.optim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(c.file() + ": optimiser state does not fit: "
          + e.getMessage(), e);
    }
    opt.setLearningRate(c.lr());
    try (var s = Tensor.noGrad()) {
      for (Map.Entry<String, Tensor> e : namedParams.entrySet()) {
        e.getValue().copy_(c.params().get(e.getKey()));
      }
    }
  }

  /** Writes {@code bytes} to {@code target} atomically (for other files of a run, e.g. the model). */
  static void writeAtomically(FileSystem fs, Path target, byte[] bytes) throws IOException {
    Path tmp = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (OutputStream out = fs.create(tmp, false)) {
        out.write(bytes);
      }
      if (fs.exists(target) && !fs.delete(target, false)) {
        throw new IOException("cannot replace " + target);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("cannot rename " + tmp + " to " + target);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }
}
