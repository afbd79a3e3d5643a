package dev.cadena.ops;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Gradient-check samples for every primitive: a function of some float64 inputs that exercises
 * the primitive (broadcasting, size-1 and 0-d cases included). The coverage tests fail when a
 * primitive has none, and when a sample's graph records no node of the primitive it is filed
 * under.
 */
final class GradSamples {
  /** One sample: a name, the function and how to make its inputs. */
  static final class Sample {
    final Primitive primitive;
    final String name;
    final Function<Tensor[], Tensor> f;
    final int[][] shapes;
    final boolean positive;
    /** Finite-difference step; float32 round trips need a larger one (exact for quadratics). */
    double eps = 1e-6;

    Sample(Primitive p, String name, Function<Tensor[], Tensor> f, boolean positive, int[]... shapes) {
      this.primitive = p;
      this.name = name;
      this.f = f;
      this.shapes = shapes;
      this.positive = positive;
    }

    Tensor[] inputs(long seed) {
      SplittableRandom rng = new SplittableRandom(seed);
      Tensor[] in = new Tensor[shapes.length];
      for (int i = 0; i < shapes.length; i++) {
        Tensor t = positive ? Tensor.uniform(rng, 0.5, 2.0, shapes[i]) : Tensor.uniform(rng, -2, 2, shapes[i]);
        in[i] = t.requiresGrad(true);
      }
      return in;
    }

    @Override
    public String toString() {
      return primitive + ": " + name;
    }
  }

  private static final Map<Primitive, List<Sample>> SAMPLES = new EnumMap<>(Primitive.class);

  private static void add(Primitive p, String name, Function<Tensor[], Tensor> f, int[]... shapes) {
    SAMPLES.computeIfAbsent(p, k -> new ArrayList<>()).add(new Sample(p, name, f, false, shapes));
  }

  private static void addPositive(Primitive p, String name, Function<Tensor[], Tensor> f, int[]... shapes) {
    SAMPLES.computeIfAbsent(p, k -> new ArrayList<>()).add(new Sample(p, name, f, true, shapes));
  }

  private static Sample last(Primitive p) {
    List<Sample> l = SAMPLES.get(p);
    return l.get(l.size() - 1);
  }

  private static int[] s(int... d) {
    return d;
  }

  static {
    add(Primitive.ADD, "same shape", x -> x[0].add(x[1]), s(2, 3), s(2, 3));
    add(Primitive.ADD, "broadcast row", x -> x[0].add(x[1]), s(4, 3), s(3));
    add(Primitive.ADD, "0-d + matrix", x -> x[0].add(x[1]), s(), s(2, 2));
    add(Primitive.ADD, "size-1 both ways", x -> x[0].add(x[1]), s(3, 1), s(1, 4));
    add(Primitive.MUL, "broadcast", x -> x[0].mul(x[1]), s(2, 1, 3), s(4, 1));
    add(Primitive.MUL, "used twice", x -> x[0].mul(x[0]), s(5));
    addPositive(Primitive.DIV, "broadcast", x -> x[0].div(x[1]), s(2, 3), s(3));
    addPositive(Primitive.DIV, "scalar divisor", x -> x[0].div(x[1]), s(3, 2), s());
    addPositive(Primitive.POW, "tensor exponent", x -> x[0].pow(x[1]), s(2, 3), s(2, 3));
    addPositive(Primitive.POW, "constant exponent", x -> x[0].pow(3.0), s(4));
    add(Primitive.EXP, "exp", x -> x[0].exp(), s(3, 2));
    // Filed under exp, not max: their shift max(x) is detached, so no max node is recorded.
    add(Primitive.EXP, "softmax, logSoftmax, logsumexp",
        x -> x[0].softmax(1).mul(x[0].logSoftmax(1)).sum().add(x[0].logsumexp(0).sum()), s(3, 4));
    add(Primitive.EXP, "logsumexp over several axes and all",
        x -> x[0].logsumexp(new int[] {0, 2}, false).sum().add(x[0].logsumexp(new int[0], true).sum()),
        s(2, 3, 2));
    addPositive(Primitive.LOG, "log", x -> x[0].log(), s(3, 2));
    addPositive(Primitive.SQRT, "sqrt", x -> x[0].sqrt(), s(4));
    add(Primitive.ABS, "abs", x -> x[0].abs(), s(2, 3));
    add(Primitive.SIN, "sin", x -> x[0].sin(), s(5));
    add(Primitive.COS, "cos", x -> x[0].cos(), s(5));
    add(Primitive.TANH, "tanh", x -> x[0].tanh(), s(2, 2));
    add(Primitive.SIGMOID, "sigmoid", x -> x[0].sigmoid(), s(3, 1));
    add(Primitive.SIGMOID, "silu", x -> x[0].silu(), s(2, 3));
    add(Primitive.RELU, "relu", x -> x[0].relu(), s(2, 5));
    addPositive(Primitive.LOG1P, "log1p", x -> x[0].log1p(), s(3, 2));
    addPositive(Primitive.LOG1P, "0-d", x -> x[0].log1p(), s());
    add(Primitive.LOG1P, "near -1 and broadcast", x -> x[0].sigmoid().sub(1.0).mul(0.999).log1p().mul(x[1]), s(2, 3), s(3));
    // softplus and logSigmoid are compositions on log1p(exp(-|z|)).
    add(Primitive.LOG1P, "softplus, logSigmoid",
        x -> x[0].softplus().add(x[0].softplus(2.0, 1.0)).add(x[0].logSigmoid()), s(2, 3));
    add(Primitive.EXPM1, "expm1", x -> x[0].expm1(), s(2, 3));
    add(Primitive.EXPM1, "size-1 and 0-d", x -> x[0].expm1().mul(x[1].expm1()), s(1, 3), s());
    add(Primitive.EXPM1, "empty", x -> x[0].expm1(), s(0, 3));
    add(Primitive.ERF, "erf", x -> x[0].erf(), s(3, 2));
    add(Primitive.ERF, "broadcast product, 0-d", x -> x[0].erf().mul(x[1].erf()), s(2, 1), s());
    add(Primitive.ERFC, "erfc", x -> x[0].erfc(), s(4));
    add(Primitive.ERFC, "gelu exact and tanh", x -> x[0].gelu().add(x[0].gelu("tanh")), s(2, 3));
    add(Primitive.MAXIMUM, "broadcast", x -> x[0].maximum(x[1]), s(3, 4), s(4));
    add(Primitive.MAXIMUM, "minimum and clamp", x -> x[0].minimum(x[1]).clamp(-1, 1), s(6), s(6));
    add(Primitive.WHERE, "mask from input", x -> Tensor.where(x[0].gt(0.0), x[0], x[1]), s(2, 3), s(3));
    add(Primitive.WHERE, "maskedFill with a broadcast mask, hardtanh",
        x -> x[0].maskedFill(x[1].gt(0.0), 0.5).add(x[0].hardtanh(-1.5, 1.0)), s(2, 3), s(3));
    addPositive(Primitive.DIV, "rdiv", x -> x[0].rdiv(3.0), s(2, 2));
    add(Primitive.CAST, "to float32 and back",
        x -> x[0].to(DType.FLOAT32).to(DType.FLOAT64).mul(x[0]), s(3));
    last(Primitive.CAST).eps = 1e-2;
    add(Primitive.SUM, "all", x -> x[0].sum(), s(2, 3, 4));
    add(Primitive.SUM, "axes keepdims", x -> x[0].sum(new int[] {0, 2}, true), s(2, 3, 4));
    add(Primitive.SUM, "negative axis", x -> x[0].sum(-1), s(3, 2));
    add(Primitive.SUM, "mean, var, std", x -> x[0].var(1).add(x[0].std(0).sum()).add(x[0].mean()), s(3, 4));
    add(Primitive.VAR, "axes and corrections",
        x -> x[0].var(new int[] {0}, 1, false).sum().add(x[0].var(new int[] {1}, 0, true).mean()),
        s(3, 4));
    add(Primitive.VAR, "all axes, std", x -> x[0].var().add(x[0].std(1).sum()), s(2, 3));
    add(Primitive.BINARY_CROSS_ENTROPY, "probabilities and targets",
        x -> Elementwise.binaryCrossEntropy(x[0].sigmoid(), x[1].sigmoid()), s(2, 3), s(2, 3));
    add(Primitive.BINARY_CROSS_ENTROPY, "broadcast target",
        x -> Elementwise.binaryCrossEntropy(x[0].sigmoid(), x[1].sigmoid()), s(2, 3), s(3));
    add(Primitive.MAX, "amax over an axis", x -> x[0].amax(1), s(3, 4));
    add(Primitive.MAX, "all and min", x -> x[0].max().add(x[0].amin(0).sum()), s(2, 3));
    add(Primitive.MATMUL, "matrices", x -> x[0].matmul(x[1]), s(2, 3), s(3, 4));
    add(Primitive.MATMUL, "vector @ matrix", x -> x[0].matmul(x[1]), s(3), s(3, 2));
    add(Primitive.MATMUL, "matrix @ vector", x -> x[0].matmul(x[1]), s(2, 3), s(3));
    add(Primitive.MATMUL, "vector @ vector", x -> x[0].matmul(x[1]), s(3), s(3));
    add(Primitive.MATMUL, "broadcast batch", x -> x[0].matmul(x[1]), s(2, 1, 2, 3), s(4, 3, 2));
    add(Primitive.MATMUL, "transposed operand", x -> x[0].mT().matmul(x[1]), s(3, 2), s(3, 2));
    add(Primitive.LINEAR, "bias", x -> LinearAlgebra.linear(x[0], x[1], x[2], false), s(3, 4), s(4, 2), s(2));
    add(Primitive.LINEAR, "bias and relu", x -> LinearAlgebra.linear(x[0], x[1], x[2], true), s(5, 3), s(3, 4), s(4));
    add(Primitive.LINEAR, "3-d input, no bias, relu", x -> LinearAlgebra.linear(x[0], x[1], null, true), s(2, 3, 4), s(4, 3));
    add(Primitive.LINEAR, "1-d input", x -> LinearAlgebra.linear(x[0], x[1], x[2], false), s(4), s(4, 2), s(2));
    add(Primitive.LINEAR, "transposed input view", x -> LinearAlgebra.linear(x[0].mT(), x[1], x[2], true), s(3, 4), s(3, 2), s(2));
    add(Primitive.CROSS_ENTROPY, "rows",
        x -> Reductions.crossEntropy(x[0], Tensor.ofLongs(2, 0, 3)), s(3, 4));
    add(Primitive.CROSS_ENTROPY, "mean of rows, one class",
        x -> Reductions.crossEntropy(x[0], Tensor.ofLongs(0, 0)).mean(), s(2, 1));
    add(Primitive.BATCH_NORM, "[N, C, L] with weight and bias",
        x -> Normalization.batchNorm(x[0], x[1], x[2], 1e-5)[0], s(4, 3, 5), s(3), s(3));
    add(Primitive.BATCH_NORM, "[N, C] without weight and bias",
        x -> Normalization.batchNorm(x[0], null, null, 1e-5)[0], s(6, 2));
    add(Primitive.BATCH_NORM, "weight only, large eps, squared",
        x -> Normalization.batchNorm(x[0], x[1], null, 0.5)[0].square(), s(3, 2, 2), s(2));
    add(Primitive.BATCH_NORM, "bias only, L = 1, transposed input view",
        x -> Normalization.batchNorm(x[0].transpose(0, 1), null, x[1], 1e-3)[0], s(2, 5, 1), s(2));
    add(Primitive.RESHAPE, "reshape", x -> x[0].reshape(3, -1).mul(x[0].reshape(3, 2)), s(2, 3));
    add(Primitive.RESHAPE, "squeeze/unsqueeze/flatten", x -> x[0].unsqueeze(0).squeeze().flatten(), s(2, 1, 3));
    add(Primitive.PERMUTE, "permute", x -> x[0].permute(2, 0, 1), s(2, 3, 4));
    add(Primitive.PERMUTE, "transpose then reshape", x -> x[0].transpose(0, 1).reshape(-1), s(2, 3));
    add(Primitive.EXPAND, "expand", x -> x[0].expand(4, 2, 3).mul(Tensor.arange(24).reshape(4, 2, 3)), s(2, 1));
    add(Primitive.SLICE, "slice with step", x -> x[0].slice(1, 1, 5, 2), s(3, 6));
    add(Primitive.SLICE, "narrow and select", x -> x[0].narrow(0, 1, 2).select(1, -1), s(4, 3));
    add(Primitive.SLICE_SCATTER, "replace rows", x -> x[0].sliceScatter(x[1], 0, 1, 3, 1), s(4, 2), s(2, 2));
    add(Primitive.CONCAT, "concat", x -> Tensor.concat(List.of(x[0], x[1]), 1), s(2, 2), s(2, 3));
    add(Primitive.CONCAT, "stack", x -> Tensor.stack(List.of(x[0], x[1]), 0), s(3), s(3));
    add(Primitive.INDEX_SELECT, "repeated indices", x -> x[0].indexSelect(0, Tensor.ofLongs(2, 0, 2)), s(3, 2));
    add(Primitive.INDEX_ADD, "indexAdd", x -> x[0].indexAdd(1, Tensor.ofLongs(0, 0), x[1]), s(2, 3), s(2, 2));
    add(Primitive.GATHER, "pick class scores",
        x -> x[0].gather(1, Tensor.ofLongs(2, 0, 1).unsqueeze(1)), s(3, 4));
    add(Primitive.SCATTER_ADD, "scatterAdd",
        x -> x[0].scatterAdd(0, Tensor.fromArray(new long[][] {{1, 0}, {1, 1}}), x[1]), s(2, 2), s(2, 2));
    // ---- shape ops and einsum (compositions, filed under a primitive they record)
    add(Primitive.MATMUL, "einsum bij,bjk->bik", x -> Tensor.einsum("bij,bjk->bik", x[0], x[1]),
        s(2, 2, 3), s(2, 3, 2));
    add(Primitive.MATMUL, "einsum three operands, implicit output",
        x -> Tensor.einsum("ij,jk,kl", x[0], x[1], x[2]), s(2, 3), s(3, 2), s(2, 2));
    add(Primitive.MATMUL, "einsum ellipsis broadcast batch",
        x -> Tensor.einsum("...ij,...jk->...ik", x[0], x[1]), s(2, 1, 2, 3), s(3, 3, 2));
    add(Primitive.MATMUL, "bmm", x -> x[0].bmm(x[1]), s(2, 2, 3), s(2, 3, 1));
    add(Primitive.SLICE, "einsum diagonal ii->i and trace", x -> Tensor.einsum("ii->i", x[0])
        .mul(Tensor.einsum("ii", x[0])), s(3, 3));
    add(Primitive.SUM, "einsum ij->j, size-1 broadcast", x -> Tensor.einsum("ij,ij->j", x[0], x[1]),
        s(3, 2), s(1, 2));
    add(Primitive.MUL, "einsum outer product, 0-d", x -> Tensor.einsum(",i,j->ij", x[0], x[1], x[2]),
        s(), s(3), s(2));
    add(Primitive.SLICE, "split, chunk and unbind, joined in another order",
        x -> Tensor.cat(List.of(x[0].split(2, 1).get(1), x[0].chunk(2, -1).get(0),
            Tensor.stack(x[0].unbind(1), 1), x[0].split(new int[] {0, 3, 1}, 1).get(1)), 1),
        s(3, 4));
    add(Primitive.SLICE, "split of a size-1 dim", x -> x[0].split(1, 0).get(0).mul(x[0]), s(1, 3));
    add(Primitive.INDEX_SELECT, "flip", x -> x[0].flip(0, -1).mul(x[0]), s(3, 2));
    add(Primitive.CONCAT, "roll along dims and flattened",
        x -> x[0].roll(new int[] {1, -3}, new int[] {0, 1}).mul(x[0].roll(2)), s(3, 4));
    add(Primitive.EXPAND, "repeat with a new leading dim", x -> x[0].repeat(2, 1, 3), s(2, 2));
    add(Primitive.EXPAND, "tile of a 0-d and padded reps",
        x -> x[0].tile(3).sum().mul(x[1].tile(2)), s(), s(2, 1));
    add(Primitive.EXPAND, "expand with -1", x -> x[0].expand(2, -1, 3).mul(x[0].expand(2, 3, 3)),
        s(3, 1));
    add(Primitive.WHERE, "tril and triu", x -> x[0].tril(-1).add(x[0].triu(1).mul(x[0])), s(2, 3, 4));
    add(Primitive.MUL, "clone", x -> x[0].clone().mul(x[0]), s(2, 3));
    // ---- sorting and scans: sort, topk, kthvalue, max(dim) and takeAlongDim gather their values
    add(Primitive.GATHER, "sort values, both orders", x -> x[0].sort(1).values()
        .add(x[0].sort(0, true).values().mul(2.0)), s(3, 4));
    add(Primitive.GATHER, "topk and kthvalue", x -> x[0].topk(2, -1, true, true).values().sum(1)
        .add(x[0].topk(1, 0, false, false).values().sum())
        .add(x[0].kthvalue(2, 1, false).values()), s(3, 4));
    add(Primitive.GATHER, "sort of 0-d and size-1 axes", x -> x[0].sort(0).values()
        .add(x[1].sort(1, true).values().sum()).add(x[1].kthvalue(1, 1, true).values().sum()),
        s(), s(3, 1));
    add(Primitive.GATHER, "max and min over an axis, keepDims",
        x -> x[0].max(1).values().add(x[0].min(-1, true).values().squeeze(1)), s(3, 4));
    add(Primitive.GATHER, "takeAlongDim broadcast", x -> x[0].takeAlongDim(
        Tensor.fromArray(new long[][][] {{{1, 0, 1}}, {{0, 0, 1}}}), 2), s(1, 3, 2));
    add(Primitive.GATHER, "takeAlongDim of argsort, flattened",
        x -> x[0].takeAlongDim(x[0].argsort(0, true), 0).mul(x[0])
            .add(x[0].takeAlongDim(Tensor.ofLongs(5, 0, 2)).sum()), s(2, 3));
    add(Primitive.CUMSUM, "along each axis", x -> x[0].cumsum(0).mul(x[0]).add(x[0].cumsum(-1)), s(3, 4));
    add(Primitive.CUMSUM, "0-d, size-1 and a broadcast input", x -> x[0].cumsum(0).add(x[1].cumsum(1).sum())
        .add(x[1].expand(2, 3, 2).cumsum(0).sum()), s(), s(3, 1));
    add(Primitive.MUL, "cumprod", x -> x[0].cumprod(1).add(x[0].cumprod(0)), s(3, 5));
    add(Primitive.MUL, "cumprod and prod with one zero",
        x -> x[0].mul(Tensor.of(1.0, 1.0, 0.0, 1.0, 1.0)).cumprod(-1).sum()
            .add(x[0].mul(Tensor.of(1.0, 0.0, 1.0, 1.0, 1.0)).prod(1, false).sum()), s(2, 5));
    add(Primitive.MUL, "cumprod and prod with two zeros",
        x -> x[0].mul(Tensor.of(0.0, 1.0, 1.0, 0.0, 1.0)).cumprod(0).sum()
            .add(x[0].mul(Tensor.of(1.0, 0.0, 1.0, 0.0, 1.0)).prod()), s(5));
    add(Primitive.MUL, "prod over axes, keepDims, 0-d", x -> x[0].prod(0, true).sum()
        .add(x[0].prod(-1).sum()).add(x[0].prod()).add(x[1].prod(0)), s(3, 7), s());
    add(Primitive.SQRT, "norm 2 and fro", x -> x[0].norm().add(x[0].norm(2, new int[] {1}, true).sum())
        .add(x[0].norm("fro", new int[] {0, 1}, false)), s(2, 3));
    add(Primitive.POW, "norm p = 3 and 0.5", x -> x[0].norm(3, new int[] {0}, false).sum()
        .add(x[0].norm(0.5, new int[0], false)), s(3, 2));
    add(Primitive.ABS, "norm 1", x -> x[0].norm(1.0, new int[] {-1}, false), s(2, 4));
    add(Primitive.MAX, "norm inf and -inf", x -> x[0].norm(Double.POSITIVE_INFINITY, new int[] {1}, false)
        .add(x[0].norm(Double.NEGATIVE_INFINITY, new int[] {1}, false)), s(3, 4));
    // Sliding windows: odd sizes, stride, padding, dilation; a square makes the second order
    // non-trivial (the ops are linear).
    add(Primitive.UNFOLD, "stride, padding, dilation",
        x -> Windows.unfold(x[0], new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 2}, new int[] {2, 1})
            .square(), s(2, 2, 5, 4));
    add(Primitive.UNFOLD, "1x1 kernel, size-1 axes", x -> Windows.unfold(x[0], new int[] {1, 1},
        new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}).mul(x[0].reshape(1, 1, 3)), s(1, 1, 1, 3));
    add(Primitive.UNFOLD, "empty batch", x -> Windows.unfold(x[0], new int[] {2, 2}, new int[] {1, 1},
        new int[] {0, 0}, new int[] {1, 1}), s(0, 2, 3, 3));
    add(Primitive.UNFOLD, "conv2d, groups, padding 'same'",
        x -> dev.cadena.nn.Functional.conv2d(x[0], x[1], x[2], new int[] {1}, "same", new int[] {1}, 2)
            .square(), s(1, 4, 4, 3), s(2, 2, 2, 3), s(2));
    add(Primitive.UNFOLD, "maxPool2d and avgPool2d with padding",
        x -> dev.cadena.nn.Functional.maxPool2d(x[0], new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1})
            .sum().add(dev.cadena.nn.Functional.avgPool2d(x[0], new int[] {2, 3}, new int[] {1}, new int[] {1})
                .square().sum()), s(2, 1, 5, 4));
    add(Primitive.FOLD, "overlapping windows",
        x -> Windows.fold(x[0], new int[] {4, 5}, new int[] {2, 2}, new int[] {1, 2}, new int[] {1, 0},
            new int[] {2, 1}).square(), s(2, 4, 9));
    add(Primitive.FOLD, "through unfold's VJP (second order)",
        x -> Windows.fold(x[0].mul(x[0]), new int[] {3, 3}, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1},
            new int[] {1, 1}), s(1, 9, 9));
  }

  static Map<Primitive, List<Sample>> all() {
    return SAMPLES;
  }

  static List<Sample> list() {
    List<Sample> r = new ArrayList<>();
    SAMPLES.values().forEach(r::addAll);
    return r;
  }

  private GradSamples() {}
}
