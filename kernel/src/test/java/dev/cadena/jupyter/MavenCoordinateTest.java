package dev.cadena.jupyter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MavenCoordinateTest {

  @Test
  void testParse_threeParts_isJar() {
    assertEquals(new MavenCoordinate("dev.cadena", "cadena", "jar", "", "0.1.0-SNAPSHOT"),
        MavenCoordinate.parse("dev.cadena:cadena:0.1.0-SNAPSHOT"));
  }

  @Test
  void testParse_fourParts_hasPackaging() {
    assertEquals(new MavenCoordinate("g", "a", "pom", "", "1"), MavenCoordinate.parse("g:a:pom:1"));
  }

  @Test
  void testParse_fiveParts_hasClassifier() {
    assertEquals(new MavenCoordinate("g", "a", "jar", "tests", "1"),
        MavenCoordinate.parse(" g:a:jar:tests:1 "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"g:a", "g", "g::1", "g:a:b:c:d:1", "g:a:1:", "g a:b:1"})
  void testParse_malformed_throwsWithForms(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> MavenCoordinate.parse(text));
    assertTrue(e.getMessage().contains("group:artifact:version"), e.getMessage());
  }

  @Test
  void testToString_roundTrips() {
    for (String s : List.of("g:a:1", "g:a:pom:1", "g:a:jar:tests:1")) {
      assertEquals(s, MavenCoordinate.parse(s).toString());
    }
  }

  @Test
  void testPomFor_listsEveryDependencyAndPinsPlugin() {
    String pom = MavenResolver.pomFor(List.of(
        MavenCoordinate.parse("g:a:1"), MavenCoordinate.parse("h:b:jar:tests:2")));
    assertTrue(pom.contains("<artifactId>a</artifactId>"), pom);
    assertTrue(pom.contains("<classifier>tests</classifier>"), pom);
    assertTrue(pom.contains("<version>" + MavenResolver.DEPENDENCY_PLUGIN_VERSION + "</version>"), pom);
  }

  @Test
  void testParseClasspath_splitsOnPathSeparator() {
    String text = "/r/a.jar" + File.pathSeparator + "/r/b.jar\n";
    assertEquals(List.of(Path.of("/r/a.jar"), Path.of("/r/b.jar")), MavenResolver.parseClasspath(text));
    assertEquals(List.of(), MavenResolver.parseClasspath("\n"));
  }

  @Test
  void testResolve_noCoordinates_throws() {
    assertThrows(IllegalArgumentException.class, () -> new MavenResolver().resolve(List.of()));
  }
}
