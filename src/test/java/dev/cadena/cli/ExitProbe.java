package dev.cadena.cli;

/** Runs {@link TrainOptions#parseOrExit} in a child JVM so a test can see the exit status. */
public final class ExitProbe {
  private ExitProbe() {}

  public static void main(String[] args) {
    TrainOptions options = TrainOptions.parseOrExit(args);
    System.out.println("epochs=" + options.epochs());
  }
}
