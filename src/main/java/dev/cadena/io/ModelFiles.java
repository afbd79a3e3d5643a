package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.nn.BatchNorm1d;
import dev.cadena.nn.Linear;
import dev.cadena.nn.Module;
import dev.cadena.tensor.NDArray;
import dev.cadena.tensor.Shapes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Saves and loads a module's state (named parameters and buffers) in the safetensors format,
 * which PyTorch ({@code safetensors.torch.load_file}) and others read.
 *
 * <pre>{@code
 * ModelFiles.save(model, Path.of("mnist-mlp.safetensors"));
 * ModelFiles.load(sameArchitecture, Path.of("mnist-mlp.safetensors"));
 * }</pre>
 *
 * <p><b>PyTorch's layout.</b> The file holds {@link Module#stateDict()}: the names and layouts of
 * PyTorch's {@code state_dict()} for the equivalent {@code torch.nn} model ({@code 0.weight}
 * {@code [out, in]} for a {@code Linear}, {@code 1.running_mean}, {@code 1.num_batches_tracked}
 * for a {@code BatchNorm1d}, ...). In Python, {@code model.load_state_dict(
 * safetensors.torch.load_file(path), strict=True)} loads it, and {@link #load} reads a file that
 * {@code safetensors.torch.save_file(model.state_dict(), path)} wrote. Files carry the metadata
 * {@code layout=torch}.
 *
 * <p><b>Older files.</b> Cadena files written before that layout (metadata {@code
 * producer=cadena} without {@code layout}) held {@code Linear} weights as {@code [in, out]} and
 * the {@code BatchNorm1d} buffers as {@code runningMean, runningVar, numBatchesTracked}. {@link
 * #load} still reads them: it converts them to the new layout and prints one line to standard
 * error; save the model again to rewrite the file in PyTorch's layout.
 *
 * Writes are atomic (a temporary file renamed over the target). Loading checks every name, shape
 * and dtype against the model, reports each mismatch by name, and leaves the model untouched
 * unless everything matches; a truncated or corrupt file gives a {@link FormatException}.
 */
public final class ModelFiles {
  /** The metadata key that marks a file's layout. */
  public static final String LAYOUT_KEY = "layout";

  /** The value of {@link #LAYOUT_KEY} for PyTorch's state-dict names and layouts. */
  public static final String LAYOUT_TORCH = "torch";

  private ModelFiles() {}

  /**
   * Saves {@code model.stateDict()} to {@code path} atomically, with optional metadata. The save
   * also removes temporary files that killed saves left in the same directory (hidden files
   * {@code .NAME.<hex>.tmp} unmodified for a minute; see {@link SafeTensors#write}).
   */
  public static void save(Module model, Path path, @Nullable Map<String, String> metadata)
      throws IOException {
    checkNotNull(model, "ModelFiles.save: model is null");
    checkNotNull(path, "ModelFiles.save: path is null");
    Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
      entries.put(e.getKey(), toEntry(e.getValue()));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("producer", "cadena");
    meta.put("model", model.getClass().getSimpleName());
    if (metadata != null) {
      meta.putAll(metadata);
    }
    meta.put(LAYOUT_KEY, LAYOUT_TORCH);
    SafeTensors.write(path, entries, meta);
  }

  /** Saves {@code model.stateDict()} to {@code path} atomically. */
  public static void save(Module model, Path path) throws IOException {
    checkNotNull(model, "ModelFiles.save: model is null");
    checkNotNull(path, "ModelFiles.save: path is null");
    save(model, path, null);
  }

  /** Converts a tensor to a safetensors entry (float64 -> F64, float32 -> F32, int64 -> I64). */
  public static SafeTensors.Entry toEntry(Tensor t) {
    checkNotNull(t, "ModelFiles.toEntry: t is null");
    int[] shape = t.shape();
    switch (t.dtype()) {
      case FLOAT64:
        return SafeTensors.Entry.ofDoubles(shape, t.toDoubleArray());
      case FLOAT32:
        return SafeTensors.Entry.ofFloats(shape, t.toFloatArray());
      default:
        return SafeTensors.Entry.ofLongs(shape, t.toLongArray());
    }
  }

  /**
   * Converts a safetensors entry to a tensor (F64, F32, I64; other dtypes are converted to
   * float32, or int64 for integer types).
   */
  public static Tensor toTensor(SafeTensors.Entry e) {
    checkNotNull(e, "ModelFiles.toTensor: e is null");
    int[] shape = e.shape();
    switch (e.elementType()) {
      case F64:
        return Tensor.fromData(NDArray.wrap(e.toDoubleArray(), shape));
      case I64:
      case I32:
      case I16:
      case I8:
      case U8:
      case U16:
      case U32:
      case U64:
      case BOOL:
        return Tensor.fromData(NDArray.wrap(e.toLongArray(), shape));
      default:
        return Tensor.fromData(NDArray.wrap(e.toFloatArray(), shape));
    }
  }

  /**
   * Reads every tensor of a safetensors file, by name, in file order.
   *
   * @throws FormatException if the file is not valid safetensors (see {@link SafeTensors#read})
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws java.nio.file.FileSystemException if {@code path} is not a regular file
   * @throws IOException on other I/O failures
   */
  public static Map<String, Tensor> read(Path path) throws IOException {
    checkNotNull(path, "ModelFiles.read: path is null");
    SafeTensors.Contents c = SafeTensors.read(path);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, SafeTensors.Entry> e : c.tensors().entrySet()) {
      out.put(e.getKey(), toTensor(e.getValue()));
    }
    return out;
  }

  /**
   * Loads a saved state into {@code model}. Every parameter and buffer must be present in the file
   * with the same shape and dtype, and the file must hold nothing else; otherwise a {@link
   * FormatException} lists each mismatch by name and the model is left unchanged.
   *
   * <p>The whole file is read and checked before the model is touched, so any failure, from a
   * corrupt file as from a mismatch, leaves every parameter and buffer bitwise as it was.
   *
   * @throws FormatException if the file is not valid safetensors or does not match the model
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws java.nio.file.FileSystemException if {@code path} is not a regular file
   * @throws IOException on other I/O failures
   */
  public static void load(Module model, Path path) throws IOException {
    checkNotNull(model, "ModelFiles.load: model is null");
    checkNotNull(path, "ModelFiles.load: path is null");
    SafeTensors.Contents c = SafeTensors.read(path);
    Map<String, SafeTensors.Entry> tensors = c.tensors();
    boolean legacy = isLegacy(c.metadata());
    if (legacy) {
      tensors = fromLegacy(model, tensors);
    }
    Map<String, Tensor> mine = model.stateDict();
    List<String> problems = new ArrayList<>();
    Map<String, Tensor> values = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : mine.entrySet()) {
      SafeTensors.Entry f = tensors.get(e.getKey());
      Tensor want = e.getValue();
      if (f == null) {
        problems.add("missing '" + e.getKey() + "' (" + Shapes.str(want.shape()) + " " + want.dtype() + ")");
        continue;
      }
      String wantType = want.dtype().safetensorsName();
      if (!Arrays.equals(f.shape(), want.shape())) {
        problems.add("'" + e.getKey() + "' has shape " + Shapes.str(f.shape()) + " in the file, the model has "
            + Shapes.str(want.shape()));
      } else if (!f.elementType().name().equals(wantType)) {
        problems.add("'" + e.getKey() + "' has dtype " + f.elementType() + " in the file, the model has "
            + wantType + " (" + want.dtype() + ")");
      } else {
        values.put(e.getKey(), toTensor(f));
      }
    }
    for (String name : tensors.keySet()) {
      if (!mine.containsKey(name)) {
        problems.add("unexpected '" + name + "' in the file");
      }
    }
    if (!problems.isEmpty()) {
      throw new FormatException(
          "load: " + path + " does not match " + model.getClass().getSimpleName() + ": "
              + String.join("; ", problems)
              + (legacy ? " (an older Cadena file, read after converting it to PyTorch's layout)" : ""),
          path);
    }
    model.loadStateDict(values);
    if (legacy) {
      System.err.println("ModelFiles.load: " + path + " is in the layout of older Cadena versions"
          + " (Linear weights [in, out], camelCase BatchNorm1d buffers); converted it while loading."
          + " Save the model again to write PyTorch's layout.");
    }
  }

  /** A Cadena file without the layout mark: written before files took PyTorch's layout. */
  private static boolean isLegacy(Map<String, String> metadata) {
    return "cadena".equals(metadata.get("producer")) && !metadata.containsKey(LAYOUT_KEY);
  }

  /**
   * The entries of an older Cadena file renamed and re-laid out as {@link Module#stateDict()}:
   * each {@link Linear}'s {@code weight} transposed from {@code [in, out]} to {@code [out, in]},
   * each {@link BatchNorm1d}'s buffers renamed to PyTorch's names. Entries that do not fit (wrong
   * rank, unknown name) are passed on unchanged for {@link #load} to report.
   */
  private static Map<String, SafeTensors.Entry> fromLegacy(
      Module model, Map<String, SafeTensors.Entry> old) {
    Map<String, String> rename = new LinkedHashMap<>();
    List<String> transpose = new ArrayList<>();
    legacyNames(model, "", rename, transpose);
    Map<String, SafeTensors.Entry> out = new LinkedHashMap<>();
    for (Map.Entry<String, SafeTensors.Entry> e : old.entrySet()) {
      String name = rename.getOrDefault(e.getKey(), e.getKey());
      SafeTensors.Entry v = e.getValue();
      if (transpose.contains(e.getKey()) && v.shape().length == 2) {
        v = toEntry(toTensor(v).mT());
      }
      out.put(name, v);
    }
    return out;
  }

  private static void legacyNames(
      Module m, String prefix, Map<String, String> rename, List<String> transpose) {
    if (m instanceof Linear) {
      transpose.add(prefix + "weight");
    } else if (m instanceof BatchNorm1d) {
      rename.put(prefix + "runningMean", prefix + "running_mean");
      rename.put(prefix + "runningVar", prefix + "running_var");
      rename.put(prefix + "numBatchesTracked", prefix + "num_batches_tracked");
    }
    for (Map.Entry<String, Module> c : m.namedChildren().entrySet()) {
      legacyNames(c.getValue(), prefix + c.getKey() + ".", rename, transpose);
    }
  }
}
