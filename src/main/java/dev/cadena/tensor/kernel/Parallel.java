package dev.cadena.tensor.kernel;

/** Placeholder (replaced by the pooled implementation). */
public final class Parallel {
  private Parallel() {}

  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  public static int threads() {
    return 1;
  }

  public static void setThreads(int n) {}

  public static void forRange(int n, long costPerItem, RangeBody body) {
    if (n > 0) {
      body.run(0, n);
    }
  }
}
