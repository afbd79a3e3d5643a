package dev.cadena;

/** Placeholder entry point; replaced by the core example. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("Cadena");
  }
}
