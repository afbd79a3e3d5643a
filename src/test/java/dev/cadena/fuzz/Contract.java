package dev.cadena.fuzz;

import dev.cadena.Tensor;
import dev.cadena.data.DataLoader;
import dev.cadena.data.Datasets;
import dev.cadena.data.TensorDataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IllegalFormatException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The error contract of the public API (docs/design.md, issue 10), as the fuzz checks it.
 *
 * <ul>
 *   <li>A {@link NullPointerException} only for a null argument (or one that holds a null), with a
 *       message of the library's own: not null, not empty, not the JDK's helpful-NPE text
 *       ({@code Cannot invoke "..." because "b" is null}).
 *   <li>Any other bad argument: an {@link IllegalArgumentException} or a subclass
 *       ({@code ShapeException}, {@code DTypeException}, {@code FormatException},
 *       {@code AutogradException}), with a message; not a JDK formatting or regex error that only
 *       happens to extend it.
 *   <li>For files and streams: an {@link IOException} with a message.
 *   <li>Misuse of state (backward twice, ...): {@link IllegalStateException} with a message;
 *       {@link UnsupportedOperationException} with a message.
 *   <li>Never: {@code ArrayIndexOutOfBoundsException} or any other {@code
 *       IndexOutOfBoundsException}, {@code NegativeArraySizeException}, {@code
 *       ArithmeticException}, {@code ClassCastException}, {@code OutOfMemoryError}, {@code
 *       StackOverflowError}, any other error or unchecked exception; a throw after an in-place
 *       change to a receiver or argument; a returned tensor with a negative or inconsistent shape;
 *       a returned object that fails when used (a data loader that accepted null and fails when
 *       iterated); a call that does not return within the time limit.
 * </ul>
 */
final class Contract {
  private Contract() {}

  /** What the fuzz counts a call as (the per-category statistics). */
  enum Category {
    RETURNED("returned"),
    NPE("NPE"),
    IAE_FAMILY("IAE-family"),
    IO_EXCEPTION("IOException"),
    ISE("ISE"),
    UOE("UOE"),
    OUTSIDE("outside-contract"),
    TIMEOUT("timeout");

    final String label;

    Category(String label) {
      this.label = label;
    }
  }

  /** One breach of the contract in one call. */
  record Problem(String kind, String detail, Throwable cause, StackTraceElement frame) {}

  /** How a call is counted, and what in it breaks the contract. */
  record Verdict(Category category, List<Problem> problems) {}

  /** Judges an outcome of {@code call}. */
  static Verdict judge(Call call, Call.Outcome o) {
    List<Problem> problems = new ArrayList<>();
    if (o.timedOut()) {
      StackTraceElement[] stack = o.stuckAt();
      boolean checking = Arrays.stream(stack).anyMatch(e -> e.getClassName().equals(Contract.class.getName()));
      String stuck = stack.length == 0 ? "(no stack trace: the thread was between frames)"
          : Arrays.stream(stack).limit(4).map(Contract::frameText).collect(Collectors.joining(" < "));
      problems.add(new Problem(checking ? "timeout while using the result (toString, iteration)" : "timeout",
          "no return within the time limit; stuck at " + stuck, null, topFrame(stack)));
      return new Verdict(Category.TIMEOUT, problems);
    }
    Throwable t = o.thrown();
    if (t == null) {
      problems.addAll(o.resultProblems());
      return new Verdict(Category.RETURNED, problems);
    }
    Category c = categoryOf(t);
    String m = t.getMessage();
    boolean blank = m == null || m.isBlank();
    if (c == Category.OUTSIDE) {
      problems.add(problem(t.getClass().getSimpleName() + " is outside the contract", t));
    } else if (c == Category.NPE) {
      if (!call.anyNullish()) {
        problems.add(problem("NullPointerException although no argument is or holds null", t));
      } else if (blank) {
        problems.add(problem("NullPointerException without a message", t));
      } else if (isHelpfulNpe(m)) {
        problems.add(problem("NullPointerException with the JDK's message, not one naming the op", t));
      }
    } else if (blank) {
      problems.add(problem(t.getClass().getSimpleName() + " without a message", t));
    } else if (c == Category.IAE_FAMILY && call.anyNull() && m.toLowerCase().contains("null")) {
      // The library saw the null (its message says so) but answered with the wrong type.
      problems.add(problem(t.getClass().getSimpleName() + " for a null argument (NPE expected)", t));
    }
    List<String> changed = call.before.changes();
    if (!changed.isEmpty()) {
      problems.add(problem("threw " + t.getClass().getSimpleName() + " after an in-place change ("
          + String.join("; ", changed) + ")", t));
    }
    return new Verdict(c, problems);
  }

  static Category categoryOf(Throwable t) {
    if (t instanceof NullPointerException) {
      return Category.NPE;
    }
    if (t instanceof IllegalFormatException || t instanceof PatternSyntaxException) {
      return Category.OUTSIDE;
    }
    if (t instanceof IllegalArgumentException) {
      return Category.IAE_FAMILY;
    }
    if (t instanceof IOException) {
      return Category.IO_EXCEPTION;
    }
    if (t instanceof IllegalStateException) {
      return Category.ISE;
    }
    if (t instanceof UnsupportedOperationException) {
      return Category.UOE;
    }
    return Category.OUTSIDE;
  }

  /** The JDK's helpful NPE message: {@code Cannot invoke "X.y()" because "b" is null}. */
  static boolean isHelpfulNpe(String m) {
    return m.startsWith("Cannot ") && m.contains(" because ");
  }

  private static Problem problem(String kind, Throwable t) {
    String m = t.getMessage();
    String detail = t.getClass().getName() + (m == null ? "" : ": " + abbreviate(m, 240));
    return new Problem(kind, detail, t, topFrame(t.getStackTrace()));
  }

  /** The first frame in Cadena's code (not the harness), else the first frame. */
  static StackTraceElement topFrame(StackTraceElement[] stack) {
    for (StackTraceElement e : stack) {
      String c = e.getClassName();
      if (c.startsWith("dev.cadena.") && !c.startsWith("dev.cadena.fuzz.")) {
        return e;
      }
    }
    return stack.length > 0 ? stack[0] : null;
  }

  /** {@code dev.cadena.Tensor.slice(Tensor.java:1234)}, without the class loader's name. */
  static String frameText(StackTraceElement e) {
    return e == null ? null
        : e.getClassName() + "." + e.getMethodName() + "(" + e.getFileName() + ":" + e.getLineNumber() + ")";
  }

  /** One line of at most {@code max} characters, control characters written as {@code \\uXXXX}. */
  static String abbreviate(String s, int max) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (; i < s.length() && sb.length() < max; i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c == '\t') {
        sb.append(' ');
      } else if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return i < s.length() ? sb + "..." : sb.toString();
  }

  // ================================================================ results

  /** Tensors up to this size are read in full to check that the data matches the shape. */
  private static final int MAX_READ = 1 << 16;
  /** Results up to this size are also printed (toString), to see that printing works. */
  private static final int MAX_PRINT = 10_000;

  /**
   * Checks a returned value, and what it holds up to {@code depth} levels: tensors have
   * consistent, non-negative shapes; datasets, batches and loaders hold no nulls, and a loader
   * can be iterated (a few batches); everything of Cadena's prints (when {@code print}: a run
   * stops printing results once printing has hung a few times, see {@link FuzzRun.Provocations}).
   */
  static void checkResult(Object v, String where, List<Problem> out, int depth, boolean print) {
    if (v == null || depth < 0) {
      return;
    }
    try {
      if (v instanceof Tensor t) {
        checkTensor(t, where, out, print);
      } else if (v instanceof TensorDataset d) {
        notNull(d.features(), where + ".features()", out);
        notNull(d.targets(), where + ".targets()", out);
        checkResult(d.features(), where + ".features()", out, depth - 1, print);
        checkResult(d.targets(), where + ".targets()", out, depth - 1, print);
        if (d.size() < 0) {
          out.add(new Problem("negative size", where + ".size() = " + d.size(), null, null));
        }
      } else if (v instanceof TensorDataset.Batch b) {
        notNull(b.x(), where + ".x()", out);
        notNull(b.y(), where + ".y()", out);
        checkResult(b.x(), where + ".x()", out, depth - 1, print);
        checkResult(b.y(), where + ".y()", out, depth - 1, print);
      } else if (v instanceof Datasets.Split s) {
        notNull(s.train(), where + ".train()", out);
        notNull(s.test(), where + ".test()", out);
        checkResult(s.train(), where + ".train()", out, depth - 1, print);
        checkResult(s.test(), where + ".test()", out, depth - 1, print);
      } else if (v instanceof DataLoader l) {
        notNull(l.dataset(), where + ".dataset()", out);
        if (l.numBatches() < 0) {
          out.add(new Problem("negative size", where + ".numBatches() = " + l.numBatches(), null, null));
        }
        iterate(l.iterator(), where, out, depth, print);
      } else if (v instanceof Collection<?> c) {
        iterate(c.iterator(), where, out, depth, print);
      } else if (v instanceof Map<?, ?> m) {
        iterate(m.values().iterator(), where, out, depth, print);
      } else if (v instanceof Iterator<?> it) {
        iterate(it, where, out, depth, print);
      }
      if (print && !(v instanceof Tensor) && v.getClass().getName().startsWith("dev.cadena.")) {
        String s = v.toString();
        if (s == null || s.isEmpty()) {
          out.add(new Problem("empty toString", where + " of " + v.getClass().getName(), null, null));
        }
      }
    } catch (RuntimeException | Error e) {
      String m = e.getMessage();
      out.add(new Problem("using " + where + " threw " + e.getClass().getSimpleName(),
          e.getClass().getName() + (m == null ? "" : ": " + abbreviate(m, 240)), e,
          topFrame(e.getStackTrace())));
    }
  }

  private static void iterate(Iterator<?> it, String where, List<Problem> out, int depth, boolean print) {
    for (int i = 0; i < 3 && it.hasNext(); i++) {
      checkResult(it.next(), where + "[" + i + "]", out, depth - 1, print);
    }
  }

  private static void notNull(Object o, String where, List<Problem> out) {
    if (o == null) {
      out.add(new Problem("returned object holds null", where + " is null", null, null));
    }
  }

  private static void checkTensor(Tensor t, String where, List<Problem> out, boolean print) {
    int[] shape = t.shape();
    if (shape == null) {
      out.add(new Problem("tensor without a shape", where + ".shape() is null", null, null));
      return;
    }
    String s = Arrays.toString(shape);
    long product = 1;
    boolean overflow = false;
    for (int d : shape) {
      if (d < 0) {
        out.add(new Problem("negative shape", where + " has shape " + s, null, null));
        return;
      }
      product *= d;
      overflow |= product > Integer.MAX_VALUE;
    }
    if (overflow) {
      out.add(new Problem("shape too large for an array", where + " has shape " + s
          + " (more than 2^31 - 1 elements)", null, null));
      return;
    }
    if (t.rank() != shape.length || t.dim() != shape.length) {
      out.add(new Problem("inconsistent shape", where + ": rank() " + t.rank() + ", dim() "
          + t.dim() + " for shape " + s, null, null));
    }
    if (t.numel() != product) {
      out.add(new Problem("inconsistent shape", where + ": numel() " + t.numel() + " for shape " + s,
          null, null));
    }
    if (!Arrays.equals(t.size(), shape)) {
      out.add(new Problem("inconsistent shape", where + ": size() " + Arrays.toString(t.size())
          + " differs from shape() " + s, null, null));
    }
    for (int i = 0; i < shape.length; i++) {
      if (t.size(i) != shape[i]) {
        out.add(new Problem("inconsistent shape", where + ": size(" + i + ") " + t.size(i)
            + " for shape " + s, null, null));
        break;
      }
    }
    if (t.dtype() == null) {
      out.add(new Problem("tensor without a dtype", where + " has dtype null", null, null));
    }
    if (t.isBatched()) {
      // Only from a batched argument (the Tensor[] pool's vmapBatched one, e.g. to einsum): a
      // value inside vmap, whose reads refuse by design (see ApiSurface.EXCLUDED).
      return;
    }
    if (product <= MAX_READ) {
      int n = t.toDoubleArray().length;
      if (n != product) {
        out.add(new Problem("data does not match shape", where + ": " + n
            + " elements in toDoubleArray() for shape " + s, null, null));
      }
    }
    if (print && product <= MAX_PRINT && t.toString().isEmpty()) {
      out.add(new Problem("empty toString", where + " prints as an empty string", null, null));
    }
  }
}
