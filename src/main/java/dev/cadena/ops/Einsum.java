package dev.cadena.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.autograd.Anomaly;
import dev.cadena.tensor.ShapeException;
import dev.cadena.tensor.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code einsum}, PyTorch's Einstein summation, as a composition: every step is a primitive
 * ({@code reshape}, {@code permute}, {@code slice}, {@code sum}, {@code mul}, {@code matmul}), so
 * gradients of any order and forward-mode tangents come from theirs.
 *
 * <p>The lowering, in order: each operand's repeated indices become a diagonal (a {@code
 * permute}, a {@code reshape} merging the two axes and a {@code slice} with step {@code n + 1}:
 * a strided pick of the entries {@code [i, i]}); size-1 axes that broadcast against a larger size
 * of the same index elsewhere are squeezed (an index absent from an operand is broadcast, which
 * is what size 1 means); indices found in one operand only and not in the output are summed
 * there; then the operands are contracted pairwise from left to right, each pair as one batched
 * {@code matmul} ({@code [batch, left, k] @ [batch, k, right]}), or as a broadcasting {@code mul}
 * when the pair shares no index to sum; last, a {@code permute} puts the result in the output's
 * order.
 */
public final class Einsum {
  private Einsum() {}

  /** Indices 'A'..'Z' are 0..25 and 'a'..'z' 26..51 (so sorting puts upper case first). */
  private static final int LETTERS = 52;

  /** The axis labels of ellipsis dimensions start here, one per dimension, right-aligned. */
  private static final int ELLIPSIS = LETTERS;

  /** A marker for "..." inside a parsed term. */
  private static final int DOTS = -1;

  /**
   * Einstein summation; see {@link Tensor#einsum(String, Tensor...)} for the rules.
   *
   * @throws ShapeException for a malformed equation, a wrong operand count, or sizes that do not
   *     fit the subscripts; the message names {@code einsum}, the equation and the shapes
   */
  public static Tensor einsum(String equation, Tensor... operands) {
    try (var o = Anomaly.operands("einsum", "operands", operands)) {
      return einsumImpl(equation, operands);
    }
  }

  private static Tensor einsumImpl(String equation, Tensor... operands) {
    checkNotNull(equation, "einsum: equation is null");
    checkNotNull(operands, "einsum: operands is null");
    for (int i = 0; i < operands.length; i++) {
      if (operands[i] == null) {
        throw new NullPointerException("einsum: operands[" + i + "] is null");
      }
    }
    Problem p = new Problem(equation, operands);
    return p.solve();
  }

  /** One call: the parsed equation, the label of every axis, and the size of every label. */
  private static final class Problem {
    final String equation;
    final Tensor[] operands;
    /** Per operand, the label of each of its axes (ellipsis expanded). */
    final int[][] labels;
    /** Output labels in order. */
    final int[] output;
    /** Size of each label, -1 when unseen; 1 only when every occurrence is 1. */
    final int[] size;
    final int[] sizeFrom;
    int ellipsisRank;

    Problem(String equation, Tensor[] operands) {
      this.equation = equation;
      this.operands = operands;
      if (operands.length == 0) {
        throw error("needs at least one operand");
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < equation.length(); i++) {
        char c = equation.charAt(i);
        if (c != ' ') {
          sb.append(c);
        }
      }
      String eq = sb.toString();
      int arrow = eq.indexOf("->");
      if (arrow >= 0 && eq.indexOf("->", arrow + 2) >= 0) {
        throw error("'->' appears more than once");
      }
      String lhs = arrow >= 0 ? eq.substring(0, arrow) : eq;
      String rhs = arrow >= 0 ? eq.substring(arrow + 2) : null;
      String[] terms = lhs.split(",", -1);
      if (terms.length != operands.length) {
        throw error("the equation has " + terms.length + " operand term"
            + (terms.length == 1 ? "" : "s") + " but " + operands.length + " operand"
            + (operands.length == 1 ? " was" : "s were") + " given");
      }
      int[][] parsed = new int[terms.length][];
      for (int i = 0; i < terms.length; i++) {
        parsed[i] = parseTerm(terms[i], "operand " + i);
      }
      int[] parsedOut = rhs == null ? null : parseTerm(rhs, "the output");

      // Expand each ellipsis into right-aligned labels ELLIPSIS + j, j < ellipsisRank.
      int[] ellRanks = new int[operands.length];
      for (int i = 0; i < operands.length; i++) {
        int letters = 0;
        boolean dots = false;
        for (int l : parsed[i]) {
          if (l == DOTS) {
            dots = true;
          } else {
            letters++;
          }
        }
        int rank = operands[i].rank();
        if (dots ? rank < letters : rank != letters) {
          throw error("operand " + i + " has " + letters + " subscript"
              + (letters == 1 ? "" : "s") + (dots ? " and '...'" : "") + " but rank " + rank);
        }
        ellRanks[i] = dots ? rank - letters : 0;
        ellipsisRank = Math.max(ellipsisRank, ellRanks[i]);
      }
      labels = new int[operands.length][];
      for (int i = 0; i < operands.length; i++) {
        labels[i] = expand(parsed[i], ellRanks[i]);
      }

      // Sizes: equal within an operand, equal or 1 (broadcast) across operands.
      size = new int[ELLIPSIS + ellipsisRank];
      sizeFrom = new int[size.length];
      Arrays.fill(size, -1);
      for (int i = 0; i < operands.length; i++) {
        int[] shape = operands[i].shape();
        int[] own = new int[size.length];
        Arrays.fill(own, -1);
        for (int ax = 0; ax < shape.length; ax++) {
          int l = labels[i][ax];
          int s = shape[ax];
          if (own[l] >= 0 && own[l] != s) {
            throw error("index " + name(l) + " is repeated in operand " + i
                + " with different sizes " + own[l] + " and " + s);
          }
          own[l] = s;
          if (size[l] == -1 || size[l] == 1) {
            if (size[l] != 1 || s != 1) {
              sizeFrom[l] = i;
            }
            size[l] = size[l] == 1 && s == 1 ? 1 : s;
          } else if (s != 1 && s != size[l]) {
            throw error("sizes of index " + name(l) + " differ: " + size[l] + " in operand "
                + sizeFrom[l] + " and " + s + " in operand " + i);
          }
        }
      }

      // The output: explicit, or the ellipsis then the letters seen exactly once, sorted.
      int[] counts = new int[LETTERS];
      for (int[] term : parsed) {
        for (int l : term) {
          if (l != DOTS) {
            counts[l]++;
          }
        }
      }
      List<Integer> out = new ArrayList<>();
      if (parsedOut == null) {
        for (int j = 0; j < ellipsisRank; j++) {
          out.add(ELLIPSIS + j);
        }
        for (int l = 0; l < LETTERS; l++) {
          if (counts[l] == 1) {
            out.add(l);
          }
        }
      } else {
        boolean[] seen = new boolean[LETTERS];
        for (int l : parsedOut) {
          if (l == DOTS) {
            for (int j = 0; j < ellipsisRank; j++) {
              out.add(ELLIPSIS + j);
            }
            continue;
          }
          if (counts[l] == 0) {
            throw error("output index " + name(l) + " does not appear in any operand");
          }
          if (seen[l]) {
            throw error("output index " + name(l) + " appears more than once");
          }
          seen[l] = true;
          out.add(l);
        }
      }
      output = out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Labels of one term, with DOTS for "..."; only letters, at most one ellipsis. */
    private int[] parseTerm(String term, String where) {
      List<Integer> r = new ArrayList<>();
      boolean dots = false;
      for (int i = 0; i < term.length(); i++) {
        char c = term.charAt(i);
        if (c == '.') {
          if (!term.startsWith("...", i)) {
            throw error("a '.' in " + where + " is not part of an ellipsis '...'");
          }
          if (dots) {
            throw error(where + " has more than one ellipsis '...'");
          }
          dots = true;
          r.add(DOTS);
          i += 2;
        } else if (c >= 'A' && c <= 'Z') {
          r.add(c - 'A');
        } else if (c >= 'a' && c <= 'z') {
          r.add(26 + c - 'a');
        } else {
          throw error("invalid character '" + c + "' in " + where
              + " (subscripts are letters a-z, A-Z; also ',', '->', '...' and spaces)");
        }
      }
      return r.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] expand(int[] term, int ellRank) {
      int[] r = new int[term.length - (contains(term, DOTS) ? 1 : 0) + ellRank];
      int k = 0;
      for (int l : term) {
        if (l == DOTS) {
          for (int j = 0; j < ellRank; j++) {
            r[k++] = ELLIPSIS + (ellipsisRank - ellRank + j);  // right-aligned
          }
        } else {
          r[k++] = l;
        }
      }
      return r;
    }

    private String name(int label) {
      if (label >= ELLIPSIS) {
        return "'...' (dimension " + (label - ELLIPSIS) + " of the ellipsis)";
      }
      return "'" + (char) (label < 26 ? 'A' + label : 'a' + label - 26) + "'";
    }

    ShapeException error(String rule) {
      StringBuilder shapes = new StringBuilder();
      for (int i = 0; i < operands.length; i++) {
        shapes.append(i == 0 ? "" : ", ").append(Shapes.str(operands[i].shape()));
      }
      return new ShapeException("einsum: " + rule + ": equation '" + equation
          + "', operand shapes " + (operands.length == 0 ? "(none)" : shapes));
    }

    Tensor solve() {
      int n = operands.length;
      Tensor[] t = new Tensor[n];
      List<List<Integer>> labs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Tensor x = operands[i];
        List<Integer> l = new ArrayList<>();
        for (int v : labels[i]) {
          l.add(v);
        }
        // Repeated indices: take the diagonal of the first repeated pair until none is left.
        boolean again = true;
        while (again) {
          again = false;
          for (int p = 0; p < l.size() && !again; p++) {
            for (int q = p + 1; q < l.size(); q++) {
              if (l.get(p).equals(l.get(q))) {
                int label = l.get(p);
                x = diagonal(x, p, q);
                l.remove(q);
                l.remove(p);
                l.add(label);
                again = true;
                break;
              }
            }
          }
        }
        // Size-1 axes broadcast against a larger size elsewhere: the index is absent here.
        int[] shape = x.shape();
        List<Integer> kept = new ArrayList<>();
        List<Integer> keptSizes = new ArrayList<>();
        for (int ax = 0; ax < shape.length; ax++) {
          if (shape[ax] == 1 && size[l.get(ax)] != 1) {
            continue;
          }
          kept.add(l.get(ax));
          keptSizes.add(shape[ax]);
        }
        if (kept.size() != l.size()) {
          x = x.reshape(keptSizes.stream().mapToInt(Integer::intValue).toArray());
        }
        t[i] = x;
        labs.add(kept);
      }
      // Indices in one operand only, not in the output: summed there, before any product.
      for (int i = 0; i < n; i++) {
        List<Integer> l = labs.get(i);
        List<Integer> axes = new ArrayList<>();
        for (int ax = 0; ax < l.size(); ax++) {
          int label = l.get(ax);
          if (!contains(output, label) && !inOthers(labs, i, label)) {
            axes.add(ax);
          }
        }
        if (!axes.isEmpty()) {
          t[i] = t[i].sum(axes.stream().mapToInt(Integer::intValue).toArray(), false);
          List<Integer> rest = new ArrayList<>();
          for (int ax = 0; ax < l.size(); ax++) {
            if (!axes.contains(ax)) {
              rest.add(l.get(ax));
            }
          }
          labs.set(i, rest);
        }
      }
      Tensor cur = t[0];
      List<Integer> curLabs = labs.get(0);
      for (int i = 1; i < n; i++) {
        boolean[] keep = new boolean[size.length];
        for (int l : output) {
          keep[l] = true;
        }
        for (int j = i + 1; j < n; j++) {
          for (int l : labs.get(j)) {
            keep[l] = true;
          }
        }
        List<Integer> resultLabs = new ArrayList<>();
        cur = pair(cur, curLabs, t[i], labs.get(i), keep, resultLabs);
        curLabs = resultLabs;
      }
      // Whatever is left beyond the output (only possible after pairing) is summed, then the
      // axes are put in the output's order.
      List<Integer> extra = new ArrayList<>();
      for (int ax = 0; ax < curLabs.size(); ax++) {
        if (!contains(output, curLabs.get(ax))) {
          extra.add(ax);
        }
      }
      if (!extra.isEmpty()) {
        cur = cur.sum(extra.stream().mapToInt(Integer::intValue).toArray(), false);
        List<Integer> rest = new ArrayList<>();
        for (int ax = 0; ax < curLabs.size(); ax++) {
          if (!extra.contains(ax)) {
            rest.add(curLabs.get(ax));
          }
        }
        curLabs = rest;
      }
      int[] perm = new int[output.length];
      boolean identity = true;
      for (int i = 0; i < output.length; i++) {
        perm[i] = curLabs.indexOf(output[i]);
        identity &= perm[i] == i;
      }
      return identity ? cur : cur.permute(perm);
    }

    /**
     * The product of {@code a} and {@code b} summed over their shared indices that {@code keep}
     * does not hold; the result's labels (batch, left, right) go to {@code resultLabs}.
     */
    private Tensor pair(Tensor a, List<Integer> la, Tensor b, List<Integer> lb, boolean[] keep,
        List<Integer> resultLabs) {
      List<Integer> batch = new ArrayList<>();
      List<Integer> contr = new ArrayList<>();
      List<Integer> left = new ArrayList<>();
      List<Integer> right = new ArrayList<>();
      for (int l : la) {
        if (lb.contains(l)) {
          (keep[l] ? batch : contr).add(l);
        } else {
          left.add(l);
        }
      }
      for (int l : lb) {
        if (!la.contains(l)) {
          right.add(l);
        }
      }
      long bs = product(batch);
      long m = product(left);
      long k = product(contr);
      long r = product(right);
      // In double: each factor fits an int, their product may not fit a long.
      double elements = (double) bs * m * r;
      if (elements > Shapes.MAX_ELEMENTS) {
        throw error("the result of a pairwise product would have "
            + new java.math.BigDecimal(elements).toPlainString()
            + " elements, more than the " + Shapes.MAX_ELEMENTS + " a tensor can hold");
      }
      resultLabs.addAll(batch);
      resultLabs.addAll(left);
      resultLabs.addAll(right);
      int[] outShape = sizes(resultLabs);
      if (contr.isEmpty()) {
        // Nothing to sum: a broadcasting product of [batch, left, 1...] and [batch, 1..., right].
        int[] as = new int[resultLabs.size()];
        int[] bsh = new int[resultLabs.size()];
        Arrays.fill(as, 1);
        Arrays.fill(bsh, 1);
        for (int i = 0; i < batch.size() + left.size(); i++) {
          as[i] = outShape[i];
        }
        for (int i = 0; i < batch.size(); i++) {
          bsh[i] = outShape[i];
        }
        for (int i = batch.size() + left.size(); i < outShape.length; i++) {
          bsh[i] = outShape[i];
        }
        Tensor a2 = permuted(a, la, concat(batch, left)).reshape(as);
        Tensor b2 = permuted(b, lb, concat(batch, right)).reshape(bsh);
        return a2.mul(b2);
      }
      Tensor a3 = permuted(a, la, concat(concat(batch, left), contr))
          .reshape((int) bs, (int) m, (int) k);
      Tensor b3 = permuted(b, lb, concat(concat(batch, contr), right))
          .reshape((int) bs, (int) k, (int) r);
      return a3.matmul(b3).reshape(outShape);
    }

    private long product(List<Integer> ls) {
      long p = 1;
      for (int l : ls) {
        p *= size[l];
      }
      return p;
    }

    private int[] sizes(List<Integer> ls) {
      int[] s = new int[ls.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = size[ls.get(i)];
      }
      return s;
    }
  }

  /** {@code x} (axes labelled {@code have}) with its axes in the order {@code want}. */
  private static Tensor permuted(Tensor x, List<Integer> have, List<Integer> want) {
    int[] perm = new int[want.size()];
    boolean identity = true;
    for (int i = 0; i < perm.length; i++) {
      perm[i] = have.indexOf(want.get(i));
      identity &= perm[i] == i;
    }
    return identity ? x : x.permute(perm);
  }

  /**
   * The diagonal of axes {@code p < q} (equal sizes {@code n}) as the last axis, the others in
   * order: the two axes moved last and merged into {@code n * n}, then every {@code (n + 1)}-th
   * entry, which is {@code [i, i]}.
   */
  static Tensor diagonal(Tensor x, int p, int q) {
    int rank = x.rank();
    int n = x.size(p);
    int[] perm = new int[rank];
    int[] shape = new int[rank - 1];
    int k = 0;
    for (int ax = 0; ax < rank; ax++) {
      if (ax != p && ax != q) {
        shape[k] = x.size(ax);
        perm[k++] = ax;
      }
    }
    perm[rank - 2] = p;
    perm[rank - 1] = q;
    shape[rank - 2] = n * n;
    return x.permute(perm).reshape(shape).slice(rank - 2, 0, n * n, n + 1);
  }

  private static List<Integer> concat(List<Integer> a, List<Integer> b) {
    List<Integer> r = new ArrayList<>(a);
    r.addAll(b);
    return r;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  private static boolean inOthers(List<List<Integer>> labs, int self, int label) {
    for (int j = 0; j < labs.size(); j++) {
      if (j != self && labs.get(j).contains(label)) {
        return true;
      }
    }
    return false;
  }
}
