package dev.cadena.nn;

/** Python's spelling of values in {@code extraRepr()}, so that modules print like PyTorch's. */
final class Repr {
  private Repr() {}

  /** {@code (5, 5)}, as a Python tuple. */
  static String tuple(int... v) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(v[i]);
    }
    return sb.append(v.length == 1 ? ",)" : ")").toString();
  }

  /** {@code True} or {@code False}. */
  static String bool(boolean b) {
    return b ? "True" : "False";
  }

  /** A double as Python's {@code repr} writes it: {@code 1e-05}, {@code 0.1}, {@code 1.0}. */
  static String number(double v) {
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    int exp = Integer.parseInt(s.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}
