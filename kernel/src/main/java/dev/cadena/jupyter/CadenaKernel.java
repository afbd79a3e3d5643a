package dev.cadena.jupyter;

import dev.cadena.jupyter.CellEvaluator.CellValue;
import dev.cadena.jupyter.CellEvaluator.Completions;
import dev.cadena.jupyter.runtime.Display;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.magic.CellMagicParseContext;
import io.github.spencerpark.jupyter.kernel.magic.LineMagicParseContext;
import io.github.spencerpark.jupyter.kernel.magic.MagicParser;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import io.github.spencerpark.jupyter.kernel.magic.registry.UndefinedMagicException;
import java.awt.image.RenderedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The Jupyter side of the kernel: magics, rendering of values and errors, interrupts.
 *
 * <p>A cell runs in two steps. First its line magics ({@code %classpath}, {@code %jars},
 * {@code %maven}, each alone on a line) are applied in order and removed from the code; then the
 * remaining Java runs in {@link CellEvaluator}. A trailing expression's value becomes the cell's
 * result: images as {@code image/png} (with {@code text/plain} like {@code BufferedImage 240x100}),
 * a {@link DisplayData} (from {@code render(...)}) as is,
 * anything else as {@code text/plain} via {@code String.valueOf}, the way IJava shows it.
 */
public final class CadenaKernel extends BaseKernel {

  /** The kernelspec name, as IJava's, so notebooks written for IJava run unchanged. */
  public static final String KERNELSPEC_NAME = "java";

  public static final String DISPLAY_NAME = "Java (Cadena kernel)";

  /** {@code %maven} and IJava's other names for it. */
  private static final List<String> MAVEN_MAGICS =
      List.of("maven", "addMavenDependencies", "addMavenDependency");

  private final CellEvaluator evaluator;
  private final MavenResolver maven;
  private final Path workingDirectory;
  private final MagicParser magicParser = new MagicParser();
  private final Magics magics = new Magics();
  private final LanguageInfo languageInfo;

  /** A kernel whose relative magic paths resolve against the JVM's working directory. */
  public CadenaKernel() {
    this(new CellEvaluator(), new MavenResolver(), Path.of("").toAbsolutePath());
  }

  CadenaKernel(CellEvaluator evaluator, MavenResolver maven, Path workingDirectory) {
    this.evaluator = evaluator;
    this.maven = maven;
    this.workingDirectory = workingDirectory;
    this.languageInfo =
        new LanguageInfo.Builder("Java")
            .version(Runtime.version().toString())
            .mimetype("text/x-java-source")
            .fileExtension(".jshell")
            .pygments("java")
            .codemirror("java")
            .build();
    renderer.createRegistration(RenderedImage.class)
        .preferring(Image.PNG)
        .supporting(Image.JPEG, Image.GIF)
        .register(CadenaKernel::renderImage);
    magics.registerLineMagic(
        "classpath", args -> addToClasspath(ClasspathArgs.expand(args, workingDirectory, false)));
    magics.registerLineMagic(
        "jars", args -> addToClasspath(ClasspathArgs.expand(args, workingDirectory, true)));
    for (String name : MAVEN_MAGICS) {
      magics.registerLineMagic(name, this::addMavenArtifacts);
    }
    Display.install(new DisplayBackend());
  }

  /**
   * Encodes an image with the base library, and gives it a text form without the identity hash
   * that {@code String.valueOf} would show, so re-running a notebook does not change it.
   */
  private static void renderImage(RenderedImage image, RenderContext context) {
    Image.renderImage(image, context);
    context.getOutputContainer().putText(
        image.getClass().getSimpleName() + " " + image.getWidth() + "x" + image.getHeight());
  }

  private List<Path> addToClasspath(List<Path> paths) {
    paths.forEach(evaluator::addToClasspath);
    return paths;
  }

  private List<Path> addMavenArtifacts(List<String> args) throws Exception {
    List<MavenCoordinate> coordinates =
        args.stream().map(MavenCoordinate::parse).collect(Collectors.toList());
    return addToClasspath(maven.resolve(coordinates));
  }

  /** The jars and directories that magics added, in order. */
  public List<Path> classpath() {
    return evaluator.classpath();
  }

  @Override
  public LanguageInfo getLanguageInfo() {
    return languageInfo;
  }

  @Override
  public String getBanner() {
    return "Java " + Runtime.version() + " :: " + DISPLAY_NAME;
  }

  @Override
  public List<LanguageInfo.Help> getHelpLinks() {
    int feature = Runtime.version().feature();
    return List.of(
        new LanguageInfo.Help(
            "Java " + feature + " API",
            "https://docs.oracle.com/en/java/javase/" + feature + "/docs/api/index.html"));
  }

  /**
   * Runs a cell and returns what Jupyter shows as its result, or null when it has none.
   *
   * @throws CellException when a magic, the compiler or the code fails; the kernel base class
   *     publishes it as an error, so the cell (and {@code nbconvert --execute}) fails
   */
  @Override
  public DisplayData eval(String cell) throws Exception {
    String code = applyMagics(cell);
    Optional<CellValue> result = evaluator.evaluate(code);
    if (result.isEmpty()) {
      return null;
    }
    Object value = result.get().value();
    if (value instanceof DisplayData) {
      return (DisplayData) value;
    }
    return renderer.render(value);
  }

  /** Applies the cell's line magics in order and returns the code with their lines blanked. */
  String applyMagics(String cell) throws CellException {
    CellMagicParseContext cellMagic = magicParser.parseCellMagic(cell);
    if (cellMagic != null) {
      String name = cellMagic.getMagicCall().getName();
      throw new MagicException("%%" + name, "unknown cell magic %%" + name
          + ": this kernel has no cell magics; line magics are %classpath, %jars and %maven");
    }
    try {
      // Blank lines keep the line numbers of compiler errors matching the cell.
      return magicParser.transformLineMagics(cell, this::applyLineMagic);
    } catch (MagicFailure failure) {
      throw failure.exception;
    }
  }

  private String applyLineMagic(LineMagicParseContext context) {
    String name = context.getMagicCall().getName();
    try {
      magics.applyLineMagic(name, context.getMagicCall().getArgs());
      return "";
    } catch (UndefinedMagicException e) {
      throw new MagicFailure(new MagicException(context.getRaw(),
          "unknown line magic %" + name + ": supported are %classpath, %jars and %maven"));
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
      throw new MagicFailure(new MagicException(context.getRaw(), "%" + name + ": " + message));
    }
  }

  /** Carries a checked magic failure out of the parser's callback. */
  private static final class MagicFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient MagicException exception;

    MagicFailure(MagicException exception) {
      super(exception.getMessage(), null, false, false);
      this.exception = exception;
    }
  }

  @Override
  public List<String> formatError(Exception e) {
    if (e instanceof CellException) {
      List<String> lines = new ArrayList<>();
      for (String line : ((CellException) e).traceback()) {
        lines.addAll(line.lines().collect(Collectors.toList()));
      }
      return lines;
    }
    // A bug in the kernel itself: show everything.
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    return trace.toString().lines().collect(Collectors.toList());
  }

  @Override
  public String isComplete(String code) {
    switch (evaluator.completeness(code)) {
      case "complete":
        return IS_COMPLETE_YES;
      case "invalid":
        return IS_COMPLETE_BAD;
      default:
        return "    "; // incomplete: the indent for the next line
    }
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    Completions completions = evaluator.complete(code, at);
    if (completions.candidates().isEmpty()) {
      return null;
    }
    return new ReplacementOptions(completions.candidates(), completions.start(), completions.end());
  }

  @Override
  public void interrupt() {
    evaluator.stop();
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    evaluator.close();
  }

  /** Connects {@code display(...)} in notebook code to this kernel's renderer and output. */
  private final class DisplayBackend implements Display.Backend {
    @Override
    public String display(Object value, String... mimeTypes) {
      DisplayData data = render(value, mimeTypes);
      if (!data.hasDisplayId()) {
        data.setDisplayId(UUID.randomUUID().toString());
      }
      getIO().display.display(data);
      return data.getDisplayId();
    }

    @Override
    public void updateDisplay(String id, Object value, String... mimeTypes) {
      getIO().display.updateDisplay(id, render(value, mimeTypes));
    }

    @Override
    public DisplayData render(Object value, String... mimeTypes) {
      if (value instanceof DisplayData) {
        return (DisplayData) value;
      }
      return mimeTypes.length == 0 ? renderer.render(value) : renderer.renderAs(value, mimeTypes);
    }
  }
}
