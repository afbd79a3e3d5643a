package dev.cadena.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of {@link GenerateF32} on small snippets, its handling of files, and that the float32
 * sources the build compiled are what the generator makes from today's float64 sources.
 */
class GenerateF32Test {

  private static final Path MAIN = Paths.get("src/main/java");
  private static final Path GENERATED = Paths.get("target/generated-sources/f32");

  private static String body(String source) {
    return GenerateF32.convertBody(source);
  }

  // Rule 2: names.

  @Test
  void testRewriteNames_eachNameBecomesItsFloat32Form() {
    assertEquals("float", GenerateF32.rewriteNames("double"));
    assertEquals("Float", GenerateF32.rewriteNames("Double"));
    assertEquals("F32", GenerateF32.rewriteNames("F64"));
    assertEquals("FLOAT32", GenerateF32.rewriteNames("FLOAT64"));
    assertEquals("float32", GenerateF32.rewriteNames("float64"));
  }

  @Test
  void testRewriteNames_insideIdentifiers() {
    assertEquals("FloatVector.fromArray(S, a, 0)",
        GenerateF32.rewriteNames("DoubleVector.fromArray(S, a, 0)"));
    assertEquals("VectorGemmF32.gemm", GenerateF32.rewriteNames("VectorGemmF64.gemm"));
    assertEquals("Float.NaN + x.floatValue()", GenerateF32.rewriteNames("Double.NaN + x.doubleValue()"));
    assertEquals("DType.FLOAT32", GenerateF32.rewriteNames("DType.FLOAT64"));
  }

  @Test
  void testRewriteNames_isSimultaneous_andLeavesOtherWordsAlone() {
    // A replacement is not rewritten again: double64 is float64, not float32.
    assertEquals("float64", GenerateF32.rewriteNames("double64"));
    // Only the 64-bit forms change; the 32-bit ones and other spellings stay.
    assertEquals("float float32 F32 FLOAT32 Float DOUBLE int64 long",
        GenerateF32.rewriteNames("float float32 F32 FLOAT32 Float DOUBLE int64 long"));
  }

  @Test
  void testConvertBody_rewritesNamesInCodeCommentsAndStrings() {
    assertEquals("float[] a = new float[n]; // a float row of FloatVector", body(
        "double[] a = new double[n]; // a double row of DoubleVector"));
    assertEquals("throw new IllegalArgumentException(\"gemm: float32 expected, got \" + t);",
        body("throw new IllegalArgumentException(\"gemm: float64 expected, got \" + t);"));
    assertEquals("/** The float32 GEMM, see {@link ScalarGemmF32}. */",
        body("/** The float64 GEMM, see {@link ScalarGemmF64}. */"));
    assertEquals("char c = 'F';", body("char c = 'F';"));
  }

  @Test
  void testConvertBody_leavesNumberLiteralsThatLookLikeNames() {
    assertEquals("int mask = 0xF64;", body("int mask = 0xF64;"));
  }

  // Rule 3: literals.

  @Test
  void testFloatLiteral_floatingPointLiteralsGetAnFSuffix() {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("0.0", "0.0f"),
        Map.entry("1e-3", "1e-3f"),
        Map.entry(".5", ".5f"),
        Map.entry("2.5e10", "2.5e10f"),
        Map.entry("2.", "2.f"),
        Map.entry("1E+6", "1E+6f"),
        Map.entry("1_000.5", "1_000.5f"),
        Map.entry("0x1p-3", "0x1p-3f"),
        Map.entry("0x1.8P1", "0x1.8P1f"));
    cases.forEach((in, out) -> assertEquals(out, GenerateF32.floatLiteral(in), in));
  }

  @Test
  void testFloatLiteral_dSuffixBecomesF_fSuffixStays() {
    assertEquals("1f", GenerateF32.floatLiteral("1d"));
    assertEquals("1F", GenerateF32.floatLiteral("1D"));
    assertEquals("0.5f", GenerateF32.floatLiteral("0.5d"));
    assertEquals("0x1p3f", GenerateF32.floatLiteral("0x1p3d"));
    assertEquals("0f", GenerateF32.floatLiteral("0f"));
    assertEquals("1.5F", GenerateF32.floatLiteral("1.5F"));
  }

  @Test
  void testFloatLiteral_integerLiteralsStay() {
    for (String literal : List.of("0", "42", "8L", "1_000", "0x1F", "0xFFd", "0b101", "017")) {
      assertEquals(literal, GenerateF32.floatLiteral(literal), literal);
    }
  }

  @Test
  void testConvertBody_literalsInCodeOnly_notInIdentifiersCommentsOrStrings() {
    assertEquals("float s = 0.5f * c00 + kernel8(1e-3f) - L1 + 2 * x.length;",
        body("double s = 0.5 * c00 + kernel8(1e-3) - L1 + 2 * x.length;"));
    assertEquals("acc = 0; // 0.5 ns per element", body("acc = 0; // 0.5 ns per element"));
    assertEquals("log(\"took 1.5 s\", .25f);", body("log(\"took 1.5 s\", .25);"));
    // A quote in a character literal does not open a string: the literal after it is code.
    assertEquals("if (c == '\"') x = 2.0f;", body("if (c == '\"') x = 2.0;"));
  }

  @Test
  void testConvertBody_multiLineCommentsAndTextBlocks() {
    String source = String.join("\n",
        "/*",
        " * 1.5 double",
        " */ double x = 1.5;",
        "String t = \"\"\"",
        "    2.5 Double \"quoted\"",
        "    \"\"\"; double y = 2.5;",
        "");
    String expected = String.join("\n",
        "/*",
        " * 1.5 float",
        " */ float x = 1.5f;",
        "String t = \"\"\"",
        "    2.5 Float \"quoted\"",
        "    \"\"\"; float y = 2.5f;",
        "");
    assertEquals(expected, body(source));
  }

  // Rule 4: the escape.

  @Test
  void testEscape_replacesTheLineKeepingItsIndentation() {
    String source = "class A {\n  private static final int KC = 256; // f32: private static final int KC = 512;\n"
        + "  double x = 0.5;\n}\n";
    String expected = "class A {\n  private static final int KC = 512;\n"
        + "  float x = 0.5f;\n}\n";
    assertEquals(expected, body(source));
  }

  @Test
  void testEscape_codeIsVerbatim_spacingIsFree_emptyCodeGivesAnEmptyLine() {
    assertEquals("    double y = 0.5; // F64", body("    int y = 0; //f32:   double y = 0.5; // F64   "));
    assertEquals("\nnext = 1.5f;", body("    int unused = 0; // f32:\nnext = 1.5;"));
    // A comment-only line can add a line to the twin.
    assertEquals("    y = Math.max(y, 0f);", body("    // f32: y = Math.max(y, 0f);"));
  }

  @Test
  void testEscape_onlyInALineCommentInCode() {
    // In a string, in a block comment, or in a line comment that is not at its start: no escape.
    assertEquals("String s = \"// f32: no\"; float d = 1f;",
        body("String s = \"// f32: no\"; double d = 1d;"));
    assertEquals("/* a // f32: b */ float x;", body("/* a // f32: b */ double x;"));
    assertEquals(" * see // f32: escapes, float", body("/**\n * see // f32: escapes, double")
        .substring("/**\n".length()));
    assertEquals("x = 1.5f; // see f32: below", body("x = 1.5; // see f32: below"));
    // After a one-line block comment, a line comment is in code again.
    assertEquals("  /** 64 KiB */", body("  /** 32 KiB */ // f32: /** 64 KiB */"));
  }

  // Rule 1: the header, and the file handling.

  @Test
  void testConvert_headerSaysGeneratedFromWhichSourceByWhatProgram() {
    String twin = GenerateF32.convert("package p;\n\nclass AF64 {}\n", "src/main/java/p/AF64.java");
    List<String> lines = twin.lines().collect(Collectors.toList());
    assertTrue(lines.get(0).startsWith("// GENERATED FILE, DO NOT EDIT: made by "
        + "src/build/java/dev/cadena/build/GenerateF32.java from"), lines.get(0));
    assertTrue(lines.get(1).startsWith("// src/main/java/p/AF64.java by replacing double with float"),
        lines.get(1));
    assertTrue(twin.endsWith("package p;\n\nclass AF32 {}\n"), twin);
    assertTrue(twin.substring(0, twin.indexOf("package")).lines().allMatch(l -> l.startsWith("//")),
        twin);
  }

  @Test
  void testConvert_keepsWindowsLineEndings() {
    String twin = GenerateF32.convert("class AF64 {\r\n  double x;\r\n}\r\n", "AF64.java");
    assertTrue(twin.endsWith("class AF32 {\r\n  float x;\r\n}\r\n"), twin);
    assertFalse(twin.replace("\r\n", "").contains("\n"), twin);
  }

  @Test
  void testGenerate_writesTwins_onlyWhenChanged_andRemovesStaleOnes(@TempDir Path dir)
      throws IOException {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    write(in.resolve("p/q/KernelF64.java"), "package p.q;\n\nclass KernelF64 { double x = 1.5; }\n");
    write(in.resolve("p/Other.java"), "package p;\n\nclass Other { double y; }\n");
    write(out.resolve("p/GoneF32.java"), GenerateF32.MARK + ": old\nclass GoneF32 {}\n");
    write(out.resolve("p/notes.txt"), "not generated\n");

    GenerateF32.Summary first = GenerateF32.generate(in, out);
    assertEquals(new GenerateF32.Summary(1, 1, 0, 1), first);
    Path twin = out.resolve("p/q/KernelF32.java");
    assertTrue(Files.readString(twin).endsWith("class KernelF32 { float x = 1.5f; }\n"));
    assertFalse(Files.exists(out.resolve("p/GoneF32.java")), "stale generated file is removed");
    assertTrue(Files.exists(out.resolve("p/notes.txt")), "a file without the header is kept");
    assertEquals(List.of(Paths.get("p/notes.txt"), Paths.get("p/q/KernelF32.java")), files(out));

    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(twin, old);
    assertEquals(new GenerateF32.Summary(1, 0, 1, 0), GenerateF32.generate(in, out));
    assertEquals(old, Files.getLastModifiedTime(twin), "an unchanged twin is not rewritten");

    Files.delete(in.resolve("p/q/KernelF64.java"));
    assertEquals(new GenerateF32.Summary(0, 0, 0, 1), GenerateF32.generate(in, out));
    assertFalse(Files.exists(out.resolve("p/q")), "emptied folders are removed");
  }

  @Test
  void testGenerate_handWrittenTwin_failsNamingIt(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in");
    write(in.resolve("p/KernelF64.java"), "class KernelF64 {}\n");
    write(in.resolve("p/KernelF32.java"), "class KernelF32 {}\n");
    GenerateF32.GenerationException e = assertThrows(GenerateF32.GenerationException.class,
        () -> GenerateF32.generate(in, dir.resolve("out")));
    assertTrue(e.getMessage().contains("KernelF32.java"), e.getMessage());
    assertTrue(e.getMessage().contains("written by hand"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out")), "nothing is written");
  }

  @Test
  void testGenerate_overlappingRoots_fail(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in");
    Files.createDirectories(in);
    GenerateF32.GenerationException e = assertThrows(GenerateF32.GenerationException.class,
        () -> GenerateF32.generate(in, in.resolve("gen")));
    assertTrue(e.getMessage().contains("overlap"), e.getMessage());
  }

  // The build's output.

  @Test
  void testGeneratedSources_areWhatTheGeneratorMakesFromSrcMainJava(@TempDir Path dir)
      throws IOException {
    assertTrue(Files.isDirectory(GENERATED), GENERATED.toAbsolutePath()
        + " is missing: run `mvn generate-sources` (or any later phase) first");
    GenerateF32.Summary s = GenerateF32.generate(MAIN, dir);
    assertTrue(s.sources() >= 3, "expected at least the three GEMM twins, got " + s);
    Map<Path, String> expected = contents(dir);
    Map<Path, String> built = contents(GENERATED);
    assertEquals(expected.keySet(), built.keySet(), "generated files differ from " + GENERATED
        + "; run `mvn generate-sources`");
    for (Path p : expected.keySet()) {
      assertEquals(expected.get(p), built.get(p), p + " is out of date; run `mvn generate-sources`");
    }
    assertTrue(built.containsKey(Paths.get("dev/cadena/tensor/kernel/GemmF32.java")));
    assertTrue(built.containsKey(Paths.get("dev/cadena/tensor/kernel/VectorGemmF32.java")));
    assertTrue(built.containsKey(Paths.get("dev/cadena/tensor/kernel/ScalarGemmF32.java")));
  }

  @Test
  void testGemmTwins_keepTheirFloat32BlockSizes() throws IOException {
    String vector = Files.readString(GENERATED.resolve("dev/cadena/tensor/kernel/VectorGemmF32.java"));
    assertTrue(vector.contains("\n  private static final int KC = 512;\n"), "VectorGemmF32.KC");
    String scalar = Files.readString(GENERATED.resolve("dev/cadena/tensor/kernel/ScalarGemmF32.java"));
    assertTrue(scalar.contains("\n  private static final int KC = 256;\n"), "ScalarGemmF32.KC");
    assertTrue(scalar.contains("\n  private static final int NC = 512;\n"), "ScalarGemmF32.NC");
    for (String twin : List.of(vector, scalar)) {
      String code = twin.substring(twin.indexOf("package "));
      assertFalse(code.contains("double") || code.contains("Double"), "a double left in a twin");
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(root::relativize).sorted()
          .collect(Collectors.toList());
    }
  }

  private static Map<Path, String> contents(Path root) throws IOException {
    Map<Path, String> m = new TreeMap<>();
    for (Path p : files(root)) {
      m.put(p, Files.readString(root.resolve(p), StandardCharsets.UTF_8));
    }
    return m;
  }
}
