package dev.cadena.jupyter;

import java.util.Objects;

/**
 * A Maven artifact named the way {@code mvn dependency:get -Dartifact=...} names it:
 * {@code group:artifact:version}, {@code group:artifact:packaging:version} or
 * {@code group:artifact:packaging:classifier:version}.
 *
 * <pre>{@code
 * MavenCoordinate.parse("dev.cadena:cadena:0.1.0-SNAPSHOT").version()  // "0.1.0-SNAPSHOT"
 * }</pre>
 */
public record MavenCoordinate(
    String groupId, String artifactId, String packaging, String classifier, String version) {

  public MavenCoordinate {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(artifactId, "artifactId");
    Objects.requireNonNull(packaging, "packaging");
    Objects.requireNonNull(classifier, "classifier");
    Objects.requireNonNull(version, "version");
  }

  /**
   * Parses a coordinate.
   *
   * @throws IllegalArgumentException when the text does not have 3 to 5 non-empty parts
   *     separated by {@code :}; the message quotes the text and the accepted forms
   */
  public static MavenCoordinate parse(String text) {
    String[] parts = text.strip().split(":", -1);
    for (String part : parts) {
      if (part.isBlank() || part.chars().anyMatch(Character::isWhitespace)) {
        throw invalid(text);
      }
    }
    switch (parts.length) {
      case 3:
        return new MavenCoordinate(parts[0], parts[1], "jar", "", parts[2]);
      case 4:
        return new MavenCoordinate(parts[0], parts[1], parts[2], "", parts[3]);
      case 5:
        return new MavenCoordinate(parts[0], parts[1], parts[2], parts[3], parts[4]);
      default:
        throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid Maven coordinate '" + text + "': expected group:artifact:version,"
            + " group:artifact:packaging:version or group:artifact:packaging:classifier:version");
  }

  /** The {@code <dependency>} element that asks Maven for this artifact. */
  String toDependencyXml() {
    StringBuilder xml = new StringBuilder();
    xml.append("    <dependency>\n");
    xml.append("      <groupId>").append(escapeXml(groupId)).append("</groupId>\n");
    xml.append("      <artifactId>").append(escapeXml(artifactId)).append("</artifactId>\n");
    xml.append("      <version>").append(escapeXml(version)).append("</version>\n");
    xml.append("      <type>").append(escapeXml(packaging)).append("</type>\n");
    if (!classifier.isEmpty()) {
      xml.append("      <classifier>").append(escapeXml(classifier)).append("</classifier>\n");
    }
    xml.append("    </dependency>\n");
    return xml.toString();
  }

  private static String escapeXml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(groupId).append(':').append(artifactId);
    if (!packaging.equals("jar") || !classifier.isEmpty()) {
      s.append(':').append(packaging);
    }
    if (!classifier.isEmpty()) {
      s.append(':').append(classifier);
    }
    return s.append(':').append(version).toString();
  }
}
