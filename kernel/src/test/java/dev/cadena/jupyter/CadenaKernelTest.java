package dev.cadena.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel without a Jupyter connection: magics, and what a cell's result renders to. */
class CadenaKernelTest {

  @TempDir static Path notebookDir;

  private static CadenaKernel kernel;

  @BeforeAll
  static void start() throws IOException {
    // A class the kernel cannot see until a magic adds its directory.
    Path src = Files.writeString(Files.createDirectories(notebookDir.resolve("src/greet")).resolve("Greeter.java"),
        "package greet; public class Greeter { public static String hello(String who) { return \"hello \" + who; } }");
    int status = ToolProvider.getSystemJavaCompiler()
        .run(null, null, null, "-d", notebookDir.resolve("classes").toString(), src.toString());
    assertEquals(0, status, "javac failed");
    kernel = new CadenaKernel(new CellEvaluator(), new MavenResolver("false"), notebookDir);
  }

  @AfterAll
  static void stop() {
    kernel.onShutdown(false);
  }

  @Test
  void testEval_classpathMagicRelativeDir_makesClassesUsableInSameCell() throws Exception {
    DisplayData result = kernel.eval("%classpath classes\ngreet.Greeter.hello(\"notebook\")");
    assertEquals("hello notebook", result.getData(MIMEType.TEXT_PLAIN));
    assertTrue(kernel.classpath().contains(notebookDir.resolve("classes")));
  }

  @Test
  void testApplyMagics_blanksMagicLines_keepsOtherLines() throws Exception {
    assertEquals("int a = 1;\n\nint b = 2;", kernel.applyMagics("int a = 1;\n%classpath classes\nint b = 2;"));
  }

  @Test
  void testApplyMagics_jarsOnClassDirectory_failsNamingMagic() {
    MagicException e = assertThrows(MagicException.class, () -> kernel.applyMagics("%jars classes"));
    assertTrue(e.getMessage().startsWith("%jars: no files in directory classes"), e.getMessage());
    assertTrue(e.traceback().get(0).contains("%jars classes"), e.traceback().toString());
  }

  @Test
  void testApplyMagics_unknownLineMagic_listsSupported() {
    MagicException e = assertThrows(MagicException.class, () -> kernel.applyMagics("%load x.jsh"));
    assertTrue(e.getMessage().contains("%classpath, %jars and %maven"), e.getMessage());
  }

  @Test
  void testApplyMagics_cellMagic_isRejected() {
    assertThrows(MagicException.class, () -> kernel.applyMagics("%%loadFromPOM\n<project/>"));
  }

  @Test
  void testApplyMagics_mavenBadCoordinate_failsBeforeRunningMaven() {
    MagicException e = assertThrows(MagicException.class, () -> kernel.applyMagics("%maven junit"));
    assertTrue(e.getMessage().contains("invalid Maven coordinate 'junit'"), e.getMessage());
  }

  @Test
  void testApplyMagics_ijavaMavenAliases_areRegistered() {
    for (String alias : List.of("addMavenDependencies", "addMavenDependency", "maven")) {
      MagicException e = assertThrows(MagicException.class, () -> kernel.applyMagics("%" + alias + " x"));
      assertTrue(e.getMessage().contains("invalid Maven coordinate"), e.getMessage());
    }
  }

  @Test
  void testApplyMagics_mavenFailure_reportsMavenExit() {
    // The resolver runs `false` instead of mvn here, which always fails.
    MagicException e = assertThrows(MagicException.class, () -> kernel.applyMagics("%maven g:a:1"));
    assertTrue(e.getMessage().contains("could not resolve [g:a:1]"), e.getMessage());
  }

  @Test
  void testEval_image_rendersPng() throws Exception {
    DisplayData result = kernel.eval(
        "var img = new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_ARGB);\nimg");
    String png = (String) result.getData(Image.PNG);
    assertTrue(png.startsWith("iVBORw0KGgo"), png); // base64 of the PNG signature
    assertEquals("BufferedImage 2x2", result.getData(MIMEType.TEXT_PLAIN));
  }

  @Test
  void testEval_renderCall_isShownAsRendered() throws Exception {
    DisplayData result = kernel.eval("render(\"<b>x</b>\", \"text/html\")");
    assertEquals("<b>x</b>", result.getData(MIMEType.TEXT_HTML));
  }

  @Test
  void testEval_statementOnly_hasNoResult() throws Exception {
    assertNull(kernel.eval("int unused = 1;"));
  }

  @Test
  void testFormatError_cellException_isItsTraceback() {
    CellException e = assertThrows(CellException.class, () -> kernel.eval("int q = 1 / 0;"));
    List<String> lines = kernel.formatError(e);
    assertEquals("java.lang.ArithmeticException: / by zero", lines.get(0));
    assertEquals(String.join("\n", lines), e.getLocalizedMessage());
  }
}
