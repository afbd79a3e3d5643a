package dev.cadena.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlagsTest {

  private static void assertUsage(String expectedMessage, String... args) {
    UsageException e = assertThrows(UsageException.class, () -> TrainOptions.parse(args));
    assertEquals(expectedMessage, e.getMessage());
  }

  @Test
  void testParse_defaults() {
    TrainOptions o = TrainOptions.defaults();
    assertEquals(
        new TrainOptions(15, 32, 0.05, "nesterov", List.of(256, 128), 42L, "float32",
            Optional.of(Path.of("target", "mnist-mlp.safetensors")), Optional.empty(), 1, 0), o);
    assertEquals(o, TrainOptions.parse());
  }

  @Test
  void testParse_bothFormsAndAllTypes() {
    TrainOptions o =
        TrainOptions.parse(
            "--epochs", "3", "--batch-size=128", "--lr", "1e-2", "--optimizer=sgd", "--hidden",
            "512, 64,10", "--seed", "-7", "--dtype", "float64", "--out=runs/m.safetensors",
            "--evaluate", "old.safetensors", "--shift", "2", "--threads=1");
    assertEquals(
        new TrainOptions(
            3, 128, 0.01, "sgd", List.of(512, 64, 10), -7L, "float64", Optional.of(Path.of("runs/m.safetensors")),
            Optional.of(Path.of("old.safetensors")), 2, 1),
        o);
    assertThrows(UnsupportedOperationException.class, () -> o.hidden().add(1));
  }

  @Test
  void testParse_badValuesNameFlagAndValue() {
    assertUsage("cadena: --epochs: expected an integer in 1..1000000, got 'ten'", "--epochs", "ten");
    assertUsage("cadena: --epochs: expected an integer in 1..1000000, got '0'", "--epochs=0");
    assertUsage("cadena: --lr: expected a finite number > 0.0, got 'fast'", "--lr", "fast");
    assertUsage("cadena: --lr: expected a finite number > 0.0, got '-1'", "--lr=-1");
    assertUsage("cadena: --lr: expected a finite number > 0.0, got 'NaN'", "--lr", "NaN");
    assertUsage(
        "cadena: --optimizer: expected one of " + String.join(", ", TrainOptions.OPTIMIZERS) + ", got 'lbfgs'",
        "--optimizer", "lbfgs");
    assertUsage("cadena: --threads: expected an integer in 0..1024, got '-1'", "--threads=-1");
    assertUsage(
        "cadena: --hidden: expected comma-separated integers >= 1, like 256,128, got '256,,128'", "--hidden", "256,,128");
    assertUsage("cadena: --hidden: expected comma-separated integers >= 1, like 256,128, got '0'", "--hidden=0");
    assertUsage("cadena: --dtype: expected one of float32, float64, got 'float16'", "--dtype", "float16");
    assertUsage("cadena: --seed: expected a 64-bit integer, got '1.5'", "--seed", "1.5");
    assertUsage("cadena: --out: expected a path, got ''", "--out=");
  }

  @Test
  void testParse_structuralErrors() {
    assertUsage("cadena: unknown flag --epoch (did you mean --epochs?)", "--epoch", "3");
    assertUsage("cadena: unknown flag --batchsize (did you mean --batch-size?)", "--batchsize=3");
    assertUsage("cadena: unknown flag --frobnicate", "--frobnicate");
    assertUsage("cadena: --epochs needs a value (N)", "--epochs");
    assertUsage("cadena: --lr needs a value (X)", "--lr", "--epochs", "3");
    assertUsage("cadena: --help takes no value, got 'yes'", "--help=yes");
    assertUsage("cadena: --epochs is given twice", "--epochs", "3", "--epochs", "4");
    assertUsage("cadena: unexpected argument 'train' (flags start with --; see --help)", "train");
    assertUsage("cadena: unexpected argument '-e' (flags start with --; see --help)", "-e", "3");
    assertUsage("cadena: unexpected argument '--' (flags start with --; see --help)", "--");
  }

  @Test
  void testParse_helpAndIsSet() {
    Flags.Parsed p = TrainOptions.flags().parse("-h", "--epochs", "2");
    assertTrue(p.helpRequested());
    assertFalse(TrainOptions.flags().parse().helpRequested());
    Flags other = new Flags("x", "");
    Flags.Flag<Integer> n = other.add("n", "N", 1, "a number", ValueParser.ints(0, 9));
    Flags.Parsed q = other.parse("--n=5");
    assertTrue(q.isSet(n));
    assertEquals(5, q.get(n));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.get(n));
    assertEquals("flags: --n N is not a flag of cadena", e.getMessage());
  }

  @Test
  void testDefinitions_rejectBadNames() {
    Flags f = new Flags("x", "");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.addSwitch("help", "again"));
    assertEquals("flags: --help is defined twice", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> f.addSwitch("Bad_Name", ""));
    assertEquals("flags: name must be lowercase letters, digits and dashes, got 'Bad_Name'", e.getMessage());
  }

  @Test
  void testHelp_listsFlagsWithDefaults() {
    String help = TrainOptions.flags().help();
    assertTrue(help.startsWith("Usage: cadena [flags]\n\nTrains a multilayer perceptron"), help);
    for (String line :
        List.of(
            "--epochs N", "(default: 15)", "--batch-size N", "--lr X", "(default: 0.05)",
            "--optimizer sgd|momentum|nesterov|adam", "(default: nesterov)", "--evaluate PATH", "--hidden N,N,...", "(default: 256,128)",
            "--seed N", "(default: 42)", "--dtype float32|float64", "--out PATH", "--help")) {
      assertTrue(help.contains(line), line + " missing from\n" + help);
    }
    assertFalse(help.contains("(default: null)"), help);
    assertFalse(help.contains("(default: false)"), help);
  }

  @Test
  void testHandle_printsAndReturnsStatus() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    Flags flags = TrainOptions.flags();
    assertEquals(-1, flags.handle(new String[] {"--epochs", "1"}, o, e));
    assertEquals(0, flags.handle(new String[] {"--help"}, o, e));
    assertEquals(flags.help(), out.toString(StandardCharsets.UTF_8));
    assertEquals(2, flags.handle(new String[] {"--epochs", "x"}, o, e));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("cadena: --epochs: expected"), err.toString(StandardCharsets.UTF_8));
  }

  private static Process probe(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ExitProbe.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).start();
  }

  @Test
  void testParseOrExit_badFlagExitsWithStatus2() throws Exception {
    Process p = probe("--optimizer", "lbfgs");
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), err);
    assertTrue(err.contains("cadena: --optimizer: expected one of sgd, momentum, nesterov"), err);
    assertTrue(err.contains("got 'lbfgs'"), err);
    assertTrue(err.contains("Run 'cadena --help'"), err);
  }
}
