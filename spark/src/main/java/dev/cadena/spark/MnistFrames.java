package dev.cadena.spark;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.io.Idx;
import dev.cadena.io.IdxArray;
import dev.cadena.io.Mnist;
import dev.cadena.tensor.DType;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * MNIST as Spark data frames of {@code features} (784 pixels in [0, 1], {@code array<float>} or
 * {@code array<double>}) and {@code label} ({@code int}), from the digits embedded in Cadena, from
 * IDX files on any Hadoop file system, or from Parquet files with those two columns.
 */
public final class MnistFrames {
  private MnistFrames() {}

  /** The schema of the frames made here. */
  public static StructType schema(DType dtype) {
    return new StructType()
        .add("features", DataTypes.createArrayType(
            dtype == DType.FLOAT64 ? DataTypes.DoubleType : DataTypes.FloatType, false), false)
        .add("label", DataTypes.IntegerType, false);
  }

  /**
   * Reads IDX files from a Hadoop directory: {@code prefix + "images-idx3-ubyte"} and {@code prefix
   * + "labels-idx1-ubyte"}, each plain or {@code .gz}.
   *
   * @throws java.nio.file.NoSuchFileException naming both names looked for when one is missing
   * @throws dev.cadena.io.FormatException when a file is not MNIST-shaped IDX
   * @throws IOException when reading fails
   */
  public static Mnist readIdx(String dir, String prefix, Configuration conf) throws IOException {
    checkNotNull(dir, "MnistFrames.readIdx: dir is null");
    checkNotNull(prefix, "MnistFrames.readIdx: prefix is null");
    Path d = new Path(dir);
    FileSystem fs = d.getFileSystem(conf);
    Path images = find(fs, d, prefix + Mnist.IMAGES_FILE);
    Path labels = find(fs, d, prefix + Mnist.LABELS_FILE);
    return Mnist.of(read(fs, images), images.toString(), read(fs, labels), labels.toString());
  }

  private static Path find(FileSystem fs, Path dir, String name) throws IOException {
    for (Path p : new Path[] {new Path(dir, name), new Path(dir, name + ".gz")}) {
      if (fs.exists(p) && fs.getFileStatus(p).isFile()) {
        return p;
      }
    }
    throw new FileNotFoundException("mnist: neither " + name + " nor " + name + ".gz is in " + dir);
  }

  private static IdxArray read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return Idx.read(in, p.toString());
    }
  }

  /**
   * Digits {@code [from, to)} of {@code m} as a frame of {@code partitions} contiguous slices
   * (made on the driver and shipped with the tasks: fine for MNIST's size).
   */
  public static Dataset<Row> toFrame(SparkSession spark, Mnist m, DType dtype, int partitions) {
    checkNotNull(spark, "MnistFrames.toFrame: spark is null");
    checkNotNull(m, "MnistFrames.toFrame: m is null");
    checkNotNull(dtype, "MnistFrames.toFrame: dtype is null");
    if (partitions < 1) {
      throw new IllegalArgumentException("MnistFrames.toFrame: partitions must be >= 1, got "
          + partitions);
    }
    int n = m.size();
    int[] labels = m.labels();
    List<Row> rows = new ArrayList<>(n);
    if (dtype == DType.FLOAT64) {
      double[] x = m.imagesAsDoubles();
      for (int i = 0; i < n; i++) {
        double[] f = new double[Mnist.PIXELS];
        System.arraycopy(x, i * Mnist.PIXELS, f, 0, Mnist.PIXELS);
        rows.add(RowFactory.create(f, labels[i]));
      }
    } else {
      float[] x = m.imagesAsFloats();
      for (int i = 0; i < n; i++) {
        float[] f = new float[Mnist.PIXELS];
        System.arraycopy(x, i * Mnist.PIXELS, f, 0, Mnist.PIXELS);
        rows.add(RowFactory.create(f, labels[i]));
      }
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(sc.parallelize(rows, partitions), schema(dtype));
  }

  /**
   * Reads Parquet files with a {@code features} and a {@code label} column, repartitioned to
   * {@code partitions} when that is positive.
   */
  public static Dataset<Row> readParquet(SparkSession spark, String path, int partitions) {
    checkNotNull(spark, "MnistFrames.readParquet: spark is null");
    checkNotNull(path, "MnistFrames.readParquet: path is null");
    Dataset<Row> d = spark.read().parquet(path);
    return partitions > 0 ? d.repartition(partitions) : d;
  }
}
