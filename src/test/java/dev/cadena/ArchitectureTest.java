package dev.cadena;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.cadena.autograd.Node;
import dev.cadena.nn.Module;
import dev.cadena.tensor.NDArray;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package layering, checked by ArchUnit on the compiled main classes (tests excluded):
 *
 * <pre>
 *   tensor  &lt;  core = {Tensor, autograd, ops}  &lt;  func  &lt;  nn  &lt;  optim  &lt;  io  &lt;  data
 *           &lt;  {diagnostics, viz}  &lt;  cli  &lt;  examples;   testing (on top of core and func)
 * </pre>
 *
 * Each layer may use the layers below it and none above; within core, {@code Tensor}, {@code
 * autograd} and {@code ops} call one another (the façade delegates to the ops, the ops record
 * nodes, the engine runs on tensors): that is the only package cycle. Two exceptions narrow the
 * picture: autograd reaches the ops only through the façade, and diagnostics may look at every
 * package while only the examples (applications, like the notebooks) look at it.
 *
 * <p>{@code testing} (the optional jqwik companion for users' property-based gradient tests)
 * sits on top: it may use the layers below and nothing in the library uses it, and it is the
 * only package that may touch jqwik, so the library runs without it.
 *
 * <p>Bytecode is what is checked, so a reference that only a Javadoc comment makes does not
 * count, and one through a fully qualified name in code does.
 */
@AnalyzeClasses(packages = "dev.cadena", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String CORE_CYCLE = "core (the only cycle: Tensor <-> autograd <-> ops)";

  /** NDArray's methods that hand out its backing arrays or bypass its version counter. */
  private static final List<String> RAW_STORAGE =
      List.of("doubleStorage", "floatStorage", "longStorage", "markModified");

  /**
   * The storage layer knows no graph: nothing in {@code tensor} (kernels included) refers to
   * another Cadena package, so {@code NDArray} can be used and tested without autograd.
   */
  @ArchTest
  static final ArchRule tensor_knowsNoGraph =
      noClasses().that().resideInAPackage("dev.cadena.tensor..")
          .should().dependOnClassesThat(
              resideInAPackage("dev.cadena..").and(resideOutsideOfPackage("dev.cadena.tensor..")))
          .as("dev.cadena.tensor.. depends on no other dev.cadena package (it knows no graph)");

  /**
   * The only package cycle is the one inside core. Each package under {@code dev.cadena} is a
   * slice ({@code tensor.kernel} belongs to {@code tensor}); the root package (the {@code Tensor}
   * façade), {@code autograd} and {@code ops} form one slice named after their cycle, so a cycle
   * anywhere else, or one that pulls a fourth package into theirs, fails.
   */
  @ArchTest
  static final ArchRule theOnlyCycle_isTensorAutogradOps =
      slices().assignedFrom(new TopLevelPackages()).should().beFreeOfCycles()
          .as("no package cycles except " + CORE_CYCLE);

  /**
   * jqwik is an optional dependency of the library: only the companion package {@code testing}
   * may refer to it, so every other class loads without jqwik on the class path.
   */
  @ArchTest
  static final ArchRule onlyTesting_usesJqwik =
      noClasses().that().resideOutsideOfPackage("dev.cadena.testing..")
          .should().dependOnClassesThat().resideInAPackage("net.jqwik..")
          .as("only dev.cadena.testing.. depends on net.jqwik.. (an optional dependency)");

  /** Every dependency between Cadena packages points down the layers listed in the class doc. */
  @ArchTest
  static final ArchRule layers_pointDown =
      layeredArchitecture()
          .consideringOnlyDependenciesInAnyPackage("dev.cadena..")
          .layer("tensor").definedBy("dev.cadena.tensor..")
          .layer("core").definedBy("dev.cadena", "dev.cadena.autograd..", "dev.cadena.ops..")
          .layer("func").definedBy("dev.cadena.func..")
          .layer("nn").definedBy("dev.cadena.nn..")
          .layer("optim").definedBy("dev.cadena.optim..")
          .layer("io").definedBy("dev.cadena.io..")
          .layer("data").definedBy("dev.cadena.data..")
          .layer("diagnostics").definedBy("dev.cadena.diagnostics..")
          .layer("viz").definedBy("dev.cadena.viz..")
          .layer("cli").definedBy("dev.cadena.cli..")
          .layer("examples").definedBy("dev.cadena.examples..")
          .layer("testing").definedBy("dev.cadena.testing..")
          .whereLayer("tensor").mayNotAccessAnyLayer()
          .whereLayer("core").mayOnlyBeAccessedByLayers(
              "func", "nn", "optim", "io", "data", "diagnostics", "viz", "cli", "examples",
              "testing")
          .whereLayer("func").mayOnlyBeAccessedByLayers(
              "nn", "optim", "io", "data", "diagnostics", "viz", "cli", "examples", "testing")
          .whereLayer("nn").mayOnlyBeAccessedByLayers(
              "optim", "io", "data", "diagnostics", "viz", "cli", "examples")
          .whereLayer("optim").mayOnlyBeAccessedByLayers(
              "io", "data", "diagnostics", "viz", "cli", "examples")
          .whereLayer("io").mayOnlyBeAccessedByLayers("data", "diagnostics", "viz", "cli", "examples")
          .whereLayer("data").mayOnlyBeAccessedByLayers("diagnostics", "viz", "cli", "examples")
          .whereLayer("diagnostics").mayOnlyBeAccessedByLayers("examples")
          .whereLayer("viz").mayOnlyBeAccessedByLayers("cli", "examples")
          .whereLayer("cli").mayOnlyBeAccessedByLayers("examples")
          .whereLayer("examples").mayNotBeAccessedByAnyLayer()
          .whereLayer("testing").mayNotBeAccessedByAnyLayer()
          .ensureAllClassesAreContainedInArchitecture()
          .as("layers point down: tensor < " + CORE_CYCLE + " < func < nn < optim < io < data"
              + " < {diagnostics, viz} < cli < examples; testing on top of core and func");

  /**
   * Inside core, the engine and the nodes reach the ops only through the {@code Tensor} façade
   * (the VJPs are written with tensor methods), so autograd stays a small graph runner.
   */
  @ArchTest
  static final ArchRule autograd_reachesOpsOnlyThroughTensor =
      noClasses().that().resideInAPackage("dev.cadena.autograd..")
          .should().dependOnClassesThat()
          .resideInAnyPackage("dev.cadena.ops..", "dev.cadena.nn..", "dev.cadena.optim..")
          .as("dev.cadena.autograd.. does not depend on ops, nn or optim");

  /** The primitives know nothing of the layers built on them. */
  @ArchTest
  static final ArchRule ops_dependsOnNoHigherLayer =
      noClasses().that().resideInAPackage("dev.cadena.ops..")
          .should().dependOnClassesThat().resideInAnyPackage(
              "dev.cadena.nn..", "dev.cadena.optim..", "dev.cadena.io..", "dev.cadena.data..",
              "dev.cadena.diagnostics..", "dev.cadena.viz..", "dev.cadena.cli..")
          .as("dev.cadena.ops.. depends on no higher layer");

  /**
   * The ops record their nodes through the package's {@code Recording} helper, which names each
   * node after its {@link dev.cadena.ops.Primitive}; no ops file calls {@link Node#record} itself.
   */
  @ArchTest
  static final ArchRule ops_recordThroughRecording =
      noClasses().that().resideInAPackage("dev.cadena.ops..")
          .and().doNotHaveFullyQualifiedName("dev.cadena.ops.Recording")
          .should().callMethod(Node.class, "record", String.class, NDArray.class, Tensor[].class, Node.Vjp.class)
          .as("in dev.cadena.ops.., only Recording calls Node.record");

  /**
   * Diagnostics may look at everything; nothing in the library depends on it. The examples are
   * applications of the library (like the notebooks), so they may use it.
   */
  @ArchTest
  static final ArchRule diagnostics_isUsedOnlyByExamples =
      noClasses().that()
          .resideOutsideOfPackages("dev.cadena.diagnostics..", "dev.cadena.examples..")
          .should().dependOnClassesThat().resideInAPackage("dev.cadena.diagnostics..")
          .as("only dev.cadena.examples.. depends on dev.cadena.diagnostics..");

  /**
   * Only the storage layer touches NDArray's backing arrays and its modification counter: every
   * other package goes through NDArray's operations and the named kernels of {@code
   * tensor.Updates} and {@code tensor.Images}, so a change of layout or of the version
   * bookkeeping stays inside {@code tensor}. The accessors are package-private, so the compiler
   * refuses a call from outside; this rule keeps them so (a method of that name that is public or
   * protected, anywhere, fails it).
   */
  @ArchTest
  static final ArchRule rawStorage_staysInTensor =
      methods().that().haveNameMatching(String.join("|", RAW_STORAGE))
          .should().notBePublic().andShould().notBeProtected()
          .as("NDArray's raw storage " + RAW_STORAGE + " is package-private to dev.cadena.tensor");

  /**
   * Each top-level package under {@code dev.cadena} is a slice, except that the root package,
   * {@code autograd} and {@code ops} share one: their cycle is the allowed one.
   */
  static final class TopLevelPackages implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String pkg = c.getPackageName();
      if (pkg.equals("dev.cadena") || within(pkg, "dev.cadena.autograd") || within(pkg, "dev.cadena.ops")) {
        return SliceIdentifier.of(CORE_CYCLE);
      }
      if (!pkg.startsWith("dev.cadena.")) {
        return SliceIdentifier.ignore();
      }
      String rest = pkg.substring("dev.cadena.".length());
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "top-level packages of dev.cadena, with Tensor, autograd and ops as one";
    }

    private static boolean within(String pkg, String root) {
      return pkg.equals(root) || pkg.startsWith(root + ".");
    }
  }

  // ------------------------------------------------------------------ the rules can fail

  /**
   * A class of the root package (core) that breaks four rules on purpose: it uses {@code nn}
   * (an upward dependency, and a cycle, since nn uses {@code Tensor}), exposes a raw-storage
   * accessor publicly and uses jqwik.
   * Only {@link #rules_reportAViolation} imports it; the rules above skip test classes.
   */
  static final class Upward {
    private Upward() {}

    static double first(Module m, Tensor t) {
      return m.parameters().size() + t.item();
    }

    /** Uses jqwik outside dev.cadena.testing. */
    static Object jqwik() {
      return net.jqwik.api.Arbitraries.integers();
    }

    /** Exposes storage under a raw-storage name. */
    public double[] doubleStorage() {
      return new double[0];
    }
  }

  @Test
  void rules_reportAViolation() {
    JavaClasses fixture = new ClassFileImporter().importClasses(Upward.class, Module.class, Tensor.class);
    assertViolation(layers_pointDown, fixture, Upward.class.getName(), Module.class.getName());
    assertViolation(theOnlyCycle_isTensorAutogradOps, fixture, "Cycle", "nn");
    assertViolation(rawStorage_staysInTensor, fixture, Upward.class.getName(), "doubleStorage");
    assertViolation(onlyTesting_usesJqwik, fixture, Upward.class.getName(), "net.jqwik");
  }

  private static void assertViolation(ArchRule rule, JavaClasses classes, String... mentions) {
    AssertionError e = assertThrows(AssertionError.class, () -> rule.check(classes), rule.getDescription());
    for (String m : mentions) {
      assertTrue(e.getMessage().contains(m), () -> "the report names " + m + ":\n" + e.getMessage());
    }
  }
}
