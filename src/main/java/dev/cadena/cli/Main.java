package dev.cadena.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.kernel.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The command-line entry point. With no arguments it trains an MLP on the embedded MNIST digits
 * and saves it; {@code --evaluate PATH} evaluates a saved model; {@code --help} lists the flags;
 * {@code example} runs the quick-start gradient example.
 *
 * <p>It is the pom's {@code exec.mainClass} and lives with the flags and the job it runs, not in
 * the root package: the root holds only the {@link Tensor} façade, and a {@code Main} there made
 * a package cycle (root -> cli -> nn -> root).
 */
public final class Main {
  private Main() {}

  /**
   * Runs the job; exits with status 2 on bad flags and 1 on a bad or unreadable file, after one
   * line on standard error that names the file and what is wrong with it, e.g. {@code cadena: no
   * such file: m.safetensors}.
   */
  public static void main(String[] args) {
    checkNotNull(args, "main: args is null");
    if (args.length > 0 && args[0].equals("example")) {
      quickStart();
      return;
    }
    TrainOptions options = TrainOptions.parseOrExit(args);
    if (options.threads() > 0) {
      Parallel.setThreads(options.threads());
    }
    TrainJob job = new TrainJob(options, System.out);
    try {
      if (options.evaluate().isPresent()) {
        job.evaluate(options.evaluate().get());
      } else {
        job.train();
      }
    } catch (UsageException e) {
      System.err.println("cadena: " + e.getMessage());
      System.exit(UsageException.EXIT_STATUS);
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      System.err.println("cadena: " + describe(e));
      System.exit(1);
    }
  }

  /**
   * What went wrong, in words, for the line after {@code cadena: }. The JDK's file exceptions
   * carry only the path as their message ({@code NoSuchFileException: model.safetensors}), so
   * those say what happened to it: {@code no such file: PATH}, {@code permission denied: PATH};
   * other messages (a {@link dev.cadena.io.FormatException}'s among them) already say what is
   * wrong and are kept as they are.
   */
  static String describe(Exception e) {
    Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof NoSuchFileException) {
      return fileProblem("no such file", (FileSystemException) t);
    }
    if (t instanceof AccessDeniedException) {
      return fileProblem("permission denied", (FileSystemException) t);
    }
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.toString() : message;
  }

  private static String fileProblem(String what, FileSystemException e) {
    StringBuilder sb = new StringBuilder(what).append(": ").append(e.getFile());
    if (e.getOtherFile() != null) {
      sb.append(" -> ").append(e.getOtherFile());
    }
    if (e.getReason() != null) {
      sb.append(" (").append(e.getReason()).append(')');
    }
    return sb.toString();
  }

  /** The README's quick start: a forward pass, a loss and the gradients backward finds. */
  static void quickStart() {
    Tensor x = Tensor.of(new double[][] {{0.05, 0.10}});
    Tensor w = Tensor.of(new double[][] {{0.15, 0.25}, {0.20, 0.30}}).requiresGrad(true);
    Tensor b = Tensor.of(0.35, 0.35).requiresGrad(true);
    Tensor loss = x.matmul(w).add(b).sigmoid().sub(Tensor.of(0.01, 0.99)).pow(2).mean();
    System.out.println("loss   = " + loss);
    loss.backward();
    System.out.println("dL/dw  = " + w.grad());
    System.out.println("dL/db  = " + b.grad());
  }
}
