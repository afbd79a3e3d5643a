package dev.cadena.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.jupyter.CellEvaluator.CellValue;
import dev.cadena.jupyter.CellException.CompilationException;
import dev.cadena.jupyter.CellException.EvaluationException;
import dev.cadena.jupyter.CellException.IncompleteCodeException;
import java.awt.image.BufferedImage;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One JShell session for all tests, as in a notebook; each test uses its own names. */
class CellEvaluatorTest {

  private static CellEvaluator shell;

  @BeforeAll
  static void start() {
    shell = new CellEvaluator();
  }

  @AfterAll
  static void stop() {
    shell.close();
  }

  private static Object valueOf(String code) throws CellException {
    Optional<CellValue> value = shell.evaluate(code);
    assertTrue(value.isPresent(), () -> "expected a value from: " + code);
    return value.get().value();
  }

  @Test
  void testEvaluate_expression_returnsObject() throws CellException {
    assertEquals(42, valueOf("6 * 7"));
  }

  @Test
  void testEvaluate_severalStatements_lastExpressionIsValue() throws CellException {
    assertEquals("ab!", valueOf("String a = \"a\";\nString b = a + \"b\";\nb + \"!\""));
  }

  @Test
  void testEvaluate_variableReference_isValue() throws CellException {
    shell.evaluate("int answer = 41 + 1;");
    assertEquals(42, valueOf("answer"));
  }

  @Test
  void testEvaluate_declarationLast_hasNoValue() throws CellException {
    assertTrue(shell.evaluate("int unshown = 3;").isEmpty());
  }

  @Test
  void testEvaluate_voidCall_hasNoValue() throws CellException {
    assertTrue(shell.evaluate("System.out.print(\"\")").isEmpty());
  }

  @Test
  void testEvaluate_nullExpression_isNullValue() throws CellException {
    assertNull(valueOf("(String) null"));
  }

  @Test
  void testEvaluate_methodThenCall_works() throws CellException {
    assertEquals(120L, valueOf("long fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }\nfact(5)"));
  }

  @Test
  void testEvaluate_defaultImports_areAvailable() throws CellException {
    assertEquals(3, valueOf("List<Integer> xs = new ArrayList<>(List.of(1, 2));\n"
        + "xs.add(3);\nxs.stream().collect(Collectors.toList()).size()"));
    assertEquals(java.math.BigInteger.TEN, valueOf("BigInteger.TEN"));
  }

  @Test
  void testEvaluate_bufferedImage_isTheObject() throws CellException {
    Object value = valueOf("var img = new java.awt.image.BufferedImage(4, 3,"
        + " java.awt.image.BufferedImage.TYPE_INT_RGB);\nimg");
    BufferedImage image = assertInstanceOf(BufferedImage.class, value);
    assertEquals(4, image.getWidth());
  }

  @Test
  void testEvaluate_compileError_namesProblemAndMarksCode() {
    CompilationException e =
        assertThrows(CompilationException.class, () -> shell.evaluate("int ok = 1;\nint bad = noSuchThing + 1;"));
    assertTrue(e.getMessage().contains("cannot find symbol"), e.getMessage());
    String traceback = String.join("\n", e.traceback());
    assertTrue(traceback.contains("int bad = noSuchThing + 1;"), traceback);
    assertTrue(traceback.contains("^---------^"), traceback);
  }

  @Test
  void testEvaluate_exception_namesClassAndMessage() {
    EvaluationException e =
        assertThrows(EvaluationException.class, () -> shell.evaluate("int zero = 0;\nint q = 1 / zero;"));
    assertEquals("java.lang.ArithmeticException: / by zero", e.getMessage());
  }

  @Test
  void testEvaluate_exceptionStopsCell_laterSnippetsDoNotRun() throws CellException {
    shell.evaluate("int counter = 0;");
    assertThrows(EvaluationException.class,
        () -> shell.evaluate("counter++;\nthrow new IllegalStateException(\"boom\");\ncounter++;"));
    assertEquals(1, valueOf("counter"));
  }

  @Test
  void testEvaluate_userException_keepsCauseAndFrames() {
    EvaluationException e = assertThrows(EvaluationException.class,
        () -> shell.evaluate("void fail() { throw new RuntimeException(\"outer\", new IllegalArgumentException(\"inner\")); }\nfail();"));
    assertEquals("java.lang.RuntimeException: outer", e.getMessage());
    String traceback = String.join("\n", e.traceback());
    assertTrue(traceback.contains("Caused by: java.lang.IllegalArgumentException: inner"), traceback);
    assertTrue(traceback.contains("at fail(#"), traceback);
  }

  @Test
  void testEvaluate_incompleteCode_throws() {
    assertThrows(IncompleteCodeException.class, () -> shell.evaluate("for (int i = 0; i < 3; i++) {"));
  }

  @Test
  void testEvaluate_blankOrComment_hasNoValue() throws CellException {
    assertTrue(shell.evaluate("  \n// nothing here\n").isEmpty());
  }

  @Test
  void testCompleteness_classifiesInput() {
    assertEquals("complete", shell.completeness("int x = 1;"));
    assertEquals("incomplete", shell.completeness("void f() {"));
  }

  @Test
  void testComplete_methodPrefix_suggestsMethods() throws CellException {
    shell.evaluate("String word = \"\";");
    CellEvaluator.Completions c = shell.complete("int n = 1;\nword.toUpp", 21);
    assertTrue(c.candidates().stream().anyMatch(x -> x.startsWith("toUpperCase")), c.toString());
    assertEquals(16, c.start());
  }
}
