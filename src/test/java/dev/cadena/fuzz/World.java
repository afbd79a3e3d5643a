package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.nn.Linear;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * What the arguments of one call share: the call's seeded generator, a small autograd graph (a leaf,
 * a tensor computed from it, and a scalar loss), a trained-once {@link Linear} whose parameters
 * have gradients, and a directory of its own for files. Everything is made lazily and fresh for
 * each call, so an in-place op or a save in one call cannot change what another call sees; the
 * directory is deleted when the call is over.
 */
final class World implements AutoCloseable {
  final SplittableRandom rnd;
  private final Path runDir;
  private Path dir;
  private int files;
  private final List<Path> fifos = new ArrayList<>();

  /** The receiver of the call once made (arguments may refer to it: a module added to itself). */
  Object receiver;

  /**
   * The tensor drawn last (receiver or argument): some typical tensors are made to fit it (same
   * shape, or class labels for its rows), so that binary ops, losses and index ops get operands
   * that fit often enough to reach their work.
   */
  Tensor last;

  private Tensor leaf;
  private Tensor hidden;
  private Tensor loss;
  private Linear model;

  /** Whether hostile paths include named pipes (see {@link FuzzRun.Provocations}). */
  final boolean namedPipes;
  /** Whether results are printed when checked (see {@link FuzzRun.Provocations}). */
  final boolean printing;

  World(long seed, Path runDir) {
    this(seed, runDir, true, true);
  }

  World(long seed, Path runDir, boolean namedPipes, boolean printing) {
    this.rnd = new SplittableRandom(seed);
    this.runDir = runDir;
    this.namedPipes = namedPipes;
    this.printing = printing;
  }

  /** A generator of its own, seeded from the call's seed. */
  RandomGenerator rng() {
    return new SplittableRandom(rnd.nextLong());
  }

  <T> T pick(List<T> options) {
    return options.get(rnd.nextInt(options.size()));
  }

  boolean coin(double p) {
    return rnd.nextDouble() < p;
  }

  /** A float64 [2, 3] leaf that requires grad. */
  Tensor leaf() {
    if (leaf == null) {
      leaf = Tensor.randn(rng(), 2, 3).requiresGrad(true);
    }
    return leaf;
  }

  /** {@code leaf * 2}: a non-leaf in the graph. */
  Tensor hidden() {
    if (hidden == null) {
      hidden = leaf().mul(2.0);
    }
    return hidden;
  }

  /** {@code sum(leaf * 2)}: a scalar whose backward reaches the leaf. */
  Tensor loss() {
    if (loss == null) {
      loss = hidden().sum();
    }
    return loss;
  }

  /** A Linear(3, 2) after one forward and backward pass: its parameters have gradients. */
  Linear model() {
    if (model == null) {
      model = new Linear(3, 2, true, rng());
      model.forward(Tensor.randn(rng(), 4, 3)).sum().backward();
    }
    return model;
  }

  /** The parameters of {@link #model}, in a list the caller may change. */
  List<Tensor> params() {
    return new ArrayList<>(model().parameters());
  }

  /** This call's own directory, made on first use. */
  Path dir() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory(runDir, "call");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  /** A path in this call's directory that does not exist yet. */
  Path freshPath(String suffix) {
    return dir().resolve("f" + (files++) + suffix);
  }

  /** A new file in this call's directory with the given content. */
  Path file(String suffix, byte[] content) {
    Path p = freshPath(suffix);
    try {
      Files.write(p, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** A new empty directory in this call's directory. */
  Path subdir() {
    Path p = freshPath("");
    try {
      return Files.createDirectory(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A named pipe in this call's directory, or {@code null} where {@code mkfifo} is missing or the
   * run has stopped making them (the pools then use a directory). Opening one for reading blocks until a writer comes: the call's
   * end opens each pipe for reading and writing, which releases such a reader.
   */
  Path fifo() {
    if (!namedPipes || !Fifos.available()) {
      return null;
    }
    Path p = freshPath(".pipe");
    if (!Fifos.make(p)) {
      return null;
    }
    fifos.add(p);
    return p;
  }

  /** Releases readers blocked on this call's pipes and deletes its directory. */
  @Override
  public void close() {
    for (Path p : fifos) {
      // On Linux a pipe opened for both reading and writing does not block, and a reader blocked
      // in open() then proceeds; closing it again gives that reader end-of-file.
      try (RandomAccessFile unused = new RandomAccessFile(p.toFile(), "rw")) {
        // nothing to write
      } catch (IOException | RuntimeException e) {
        // already replaced or removed by the call
      }
    }
    if (dir != null) {
      deleteTree(dir);
    }
  }

  static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // A call that timed out may still hold a file open; the run's directory is removed at the end.
    }
  }

  /** Whether {@code mkfifo} works here, checked once. */
  static final class Fifos {
    private static Boolean available;

    private Fifos() {}

    static synchronized boolean available() {
      if (available == null) {
        try {
          Path probe = Files.createTempDirectory("cadena-fuzz-fifo");
          available = make(probe.resolve("p"));
          deleteTree(probe);
        } catch (IOException e) {
          available = false;
        }
      }
      return available;
    }

    static boolean make(Path p) {
      try {
        Process proc = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
        proc.getInputStream().readAllBytes();
        return proc.waitFor(5, TimeUnit.SECONDS) && proc.exitValue() == 0 && Files.exists(p);
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
