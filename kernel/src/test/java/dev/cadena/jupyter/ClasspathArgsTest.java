package dev.cadena.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathArgsTest {

  @TempDir Path base;

  @BeforeEach
  void layout() throws IOException {
    Files.createDirectories(base.resolve("target/classes"));
    Files.createDirectories(base.resolve("lib/nested"));
    Files.writeString(base.resolve("target/app.jar"), "");
    Files.writeString(base.resolve("target/app-sources.jar"), "");
    Files.writeString(base.resolve("target/notes.txt"), "");
    Files.writeString(base.resolve("lib/a.jar"), "");
    Files.writeString(base.resolve("lib/nested/b.jar"), "");
  }

  @Test
  void testExpand_relativePath_resolvesAgainstBase() {
    assertEquals(List.of(base.resolve("target/classes")),
        ClasspathArgs.expand(List.of("target/classes"), base, false));
  }

  @Test
  void testExpand_absolutePath_keptAsIs() {
    Path jar = base.resolve("lib/a.jar");
    assertEquals(List.of(jar), ClasspathArgs.expand(List.of(jar.toString()), Path.of("/"), false));
  }

  @Test
  void testExpand_dotDotSegments_normalized() {
    Path sub = base.resolve("lib/nested");
    assertEquals(List.of(base.resolve("target/app.jar")),
        ClasspathArgs.expand(List.of("../../target/app.jar"), sub, true));
  }

  @Test
  void testExpand_starGlob_matchesOneDirectorySorted() {
    assertEquals(List.of(base.resolve("target/app-sources.jar"), base.resolve("target/app.jar")),
        ClasspathArgs.expand(List.of("target/*.jar"), base, true));
  }

  @Test
  void testExpand_doubleStarGlob_matchesNestedDirectories() {
    assertEquals(List.of(base.resolve("lib/a.jar"), base.resolve("lib/nested/b.jar")),
        ClasspathArgs.expand(List.of("lib/**.jar"), base, true));
  }

  @Test
  void testExpand_pathSeparatorJoinedEntries_allAdded() {
    String joined = "lib/a.jar" + File.pathSeparator + "target/classes";
    assertEquals(List.of(base.resolve("lib/a.jar"), base.resolve("target/classes")),
        ClasspathArgs.expand(List.of(joined), base, false));
  }

  @Test
  void testExpand_duplicates_keptOnce() {
    assertEquals(List.of(base.resolve("lib/a.jar")),
        ClasspathArgs.expand(List.of("lib/a.jar", "lib/*.jar"), base, true));
  }

  @Test
  void testExpand_globForJars_skipsDirectories() {
    List<Path> all = ClasspathArgs.expand(List.of("target/*"), base, false);
    List<Path> files = ClasspathArgs.expand(List.of("target/*"), base, true);
    assertTrue(all.contains(base.resolve("target/classes")));
    assertFalse(files.contains(base.resolve("target/classes")));
    assertEquals(3, files.size());
  }

  @Test
  void testExpand_missingPath_throwsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClasspathArgs.expand(List.of("nope/x.jar"), base, false));
    assertTrue(e.getMessage().contains("nope/x.jar"), e.getMessage());
    assertTrue(e.getMessage().contains(base.toString()), e.getMessage());
  }

  @Test
  void testExpand_globMatchingNothing_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClasspathArgs.expand(List.of("target/*.zip"), base, true));
    assertTrue(e.getMessage().contains("target/*.zip"), e.getMessage());
  }

  @Test
  void testExpand_globUnderMissingDirectory_throws() {
    assertThrows(IllegalArgumentException.class,
        () -> ClasspathArgs.expand(List.of("missing/*.jar"), base, true));
  }

  @Test
  void testExpand_directoryForJars_addsFilesDirectlyInIt() {
    assertEquals(List.of(base.resolve("lib/a.jar")), ClasspathArgs.expand(List.of("lib"), base, true));
  }

  @Test
  void testExpand_emptyDirectoryForJars_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClasspathArgs.expand(List.of("target/classes"), base, true));
    assertTrue(e.getMessage().contains("%classpath"), e.getMessage());
  }

  @Test
  void testExpand_noArguments_throws() {
    assertThrows(IllegalArgumentException.class, () -> ClasspathArgs.expand(List.of(), base, false));
  }

  @Test
  void testIsGlob_detectsGlobSyntax() {
    assertTrue(ClasspathArgs.isGlob("target/*.jar"));
    assertTrue(ClasspathArgs.isGlob("lib/{a,b}.jar"));
    assertFalse(ClasspathArgs.isGlob("target/classes"));
  }
}
