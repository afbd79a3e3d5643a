package dev.cadena.viz;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Fitting text into a width: word wrapping, and a title that shrinks and wraps rather than being
 * cut off. Measures with a scratch image, so the sizes are those of the font that draws it.
 */
final class TextFit {
  /** The font and lines a text was fitted into. */
  record Fitted(Font font, List<String> lines, int lineHeight, int ascent) {
    int height() {
      return lines.size() * lineHeight;
    }
  }

  private TextFit() {}

  static FontMetrics metrics(Font font) {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      return g.getFontMetrics(font);
    } finally {
      g.dispose();
    }
  }

  /**
   * Greedy word wrap: as many words per line as fit in {@code width}; a word wider than the line
   * on its own is broken between characters, so no line is ever wider than {@code width} (unless
   * a single character is).
   */
  static List<String> wrap(String text, FontMetrics fm, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.trim().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      String candidate = line.length() == 0 ? word : line + " " + word;
      if (fm.stringWidth(candidate) <= width) {
        line.setLength(0);
        line.append(candidate);
        continue;
      }
      if (line.length() > 0) {
        lines.add(line.toString());
        line.setLength(0);
      }
      // The word alone: break it where it overflows.
      String rest = word;
      while (fm.stringWidth(rest) > width && rest.length() > 1) {
        int cut = 1;
        while (cut < rest.length() && fm.stringWidth(rest.substring(0, cut + 1)) <= width) {
          cut++;
        }
        lines.add(rest.substring(0, cut));
        rest = rest.substring(cut);
      }
      line.append(rest);
    }
    if (line.length() > 0 || lines.isEmpty()) {
      lines.add(line.toString());
    }
    return lines;
  }

  /**
   * Fits a title into {@code width}, never cutting it: on one line at the preferred size or up to
   * three points smaller; else wrapped into at most {@code maxLines} lines at the largest size
   * down to {@code minSize} that allows it; else wrapped at {@code minSize} into as many lines as
   * it needs.
   */
  static Fitted fit(String text, Font font, int width, int minSize, int maxLines) {
    int preferred = font.getSize();
    for (int size = preferred; size >= Math.max(minSize, preferred - 3); size--) {
      Fitted f = at(text, font, size, width);
      if (f.lines().size() == 1) {
        return f;
      }
    }
    for (int size = preferred; size > minSize; size--) {
      Fitted f = at(text, font, size, width);
      if (f.lines().size() <= maxLines) {
        return f;
      }
    }
    return at(text, font, minSize, width);
  }

  private static Fitted at(String text, Font font, int size, int width) {
    Font f = font.deriveFont((float) size);
    FontMetrics fm = metrics(f);
    return new Fitted(f, wrap(text, fm, width), fm.getHeight(), fm.getAscent());
  }
}
