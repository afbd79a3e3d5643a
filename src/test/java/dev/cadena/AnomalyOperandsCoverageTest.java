package dev.cadena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadena.autograd.Anomaly;
import dev.cadena.data.Augment;
import dev.cadena.data.TensorDataset;
import dev.cadena.func.Func;
import dev.cadena.nn.AdaptiveAvgPool1d;
import dev.cadena.nn.AdaptiveAvgPool2d;
import dev.cadena.nn.AdaptiveMaxPool2d;
import dev.cadena.nn.AvgPool1d;
import dev.cadena.nn.AvgPool2d;
import dev.cadena.nn.BatchNorm1d;
import dev.cadena.nn.BatchNorm2d;
import dev.cadena.nn.Conv1d;
import dev.cadena.nn.Conv2d;
import dev.cadena.nn.Dropout2d;
import dev.cadena.nn.Flatten;
import dev.cadena.nn.Functional;
import dev.cadena.nn.GRU;
import dev.cadena.nn.GRUCell;
import dev.cadena.nn.Init;
import dev.cadena.nn.LSTM;
import dev.cadena.nn.LSTMCell;
import dev.cadena.nn.LSTMState;
import dev.cadena.nn.LayerNorm;
import dev.cadena.nn.Linear;
import dev.cadena.nn.LogSoftmax;
import dev.cadena.nn.Loss;
import dev.cadena.nn.MaxPool1d;
import dev.cadena.nn.MaxPool2d;
import dev.cadena.nn.Module;
import dev.cadena.nn.RNN;
import dev.cadena.nn.RNNCell;
import dev.cadena.nn.Softmax;
import dev.cadena.nn.Unflatten;
import dev.cadena.ops.Elementwise;
import dev.cadena.ops.LinearAlgebra;
import dev.cadena.ops.Movement;
import dev.cadena.ops.Normalization;
import dev.cadena.ops.Reductions;
import dev.cadena.ops.Windows;
import dev.cadena.tensor.BinaryOp;
import dev.cadena.tensor.ShapeException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point that can throw a shape error names, in anomaly mode, each operand with
 * its shape and the line of this file that created it (issue 14): one table of cases, each a call
 * that provokes a {@code ShapeException} on tensors created on the case's own line, and a
 * coverage test that finds the entry points by reflection ({@link Tensor}'s public methods, the
 * public static methods of {@code nn.Functional}, {@code nn.Loss}, {@code nn.Init} and the
 * {@code ops} classes, every public concrete {@code nn.Module} and {@code Module}'s own public
 * methods, and {@code data.TensorDataset}
 * and {@code data.Augment}) and fails for one that has
 * neither a case nor a stated reason why it cannot throw a shape error on its operands. A new op
 * therefore fails here until it is given a case, and the case fails until the op tells anomaly
 * mode its operands.
 *
 * <p>For each case: out of the mode the error starts with the op's name (that of the op whose
 * rule broke, when a composition leaves the check to an op inside), names an operand's shape (its
 * rank, for an axis out of range; a few cases marked {@code sizesOnly} name only the sizes
 * involved, with the reason) and names no site; in the mode
 * it is the same message followed by {@code (called at AnomalyOperandsCoverageTest.java:<line>;
 * ...)} that lists every operand as {@code <name> <shape> leaf created at
 * AnomalyOperandsCoverageTest.java:<line>}, the line that made it (a layer's parameters: the line
 * that built the layer). The expected sites are read from a fresh stack trace by {@link
 * OperandSites}, not from anomaly mode's own walker.
 */
class AnomalyOperandsCoverageTest {
  private static final String FILE = "AnomalyOperandsCoverageTest.java";

  /**
   * One case: the entry point it covers ({@code Class#method}, or the module's class name), the
   * op its message starts with, the operand names in the order the call makes the operands, and
   * the call.
   */
  record Case(String entry, String op, List<String> names, Consumer<OperandSites> call,
      String sizesOnly) {
    @Override
    public String toString() {
      return entry;
    }
  }

  private static final List<Case> CASES = new ArrayList<>();

  private static void add(String entry, String op, String names, Consumer<OperandSites> call) {
    CASES.add(new Case(entry, op, List.of(names.split(", ")), call, null));
  }

  /**
   * Marks the last case as one whose plain message names the sizes or axes involved but no
   * operand's shape or rank, with the reason (messages of the tensor layer's geometry checks).
   */
  private static void sizesOnly(String reason) {
    Case c = CASES.remove(CASES.size() - 1);
    CASES.add(new Case(c.entry(), c.op(), c.names(), c.call(), reason));
  }

  private static final String WINDOW =
      "Im2Col's check names the dilated kernel's and the padded input's heights";

  private static SplittableRandom rng() {
    return new SplittableRandom(14);
  }

  static {
    // ------------------------------------------------------------------ Tensor: binary and ternary
    add("Tensor#add", "add", "a, b", s -> s.zeros(2, 3).add(s.zeros(4)));
    add("Tensor#sub", "sub", "a, b", s -> s.zeros(2, 3).sub(s.zeros(4)));
    add("Tensor#mul", "mul", "a, b", s -> s.zeros(2, 3).mul(s.zeros(4)));
    add("Tensor#div", "div", "a, b", s -> s.zeros(2, 3).div(s.zeros(4)));
    add("Tensor#pow", "pow", "a, b", s -> s.zeros(2, 3).pow(s.zeros(4)));
    add("Tensor#maximum", "maximum", "a, b", s -> s.zeros(2, 3).maximum(s.zeros(4)));
    add("Tensor#minimum", "minimum", "a, b", s -> s.zeros(2, 3).minimum(s.zeros(4)));
    add("Tensor#eq", "eq", "a, b", s -> s.zeros(2, 3).eq(s.zeros(4)));
    add("Tensor#ne", "ne", "a, b", s -> s.zeros(2, 3).ne(s.zeros(4)));
    add("Tensor#lt", "lt", "a, b", s -> s.zeros(2, 3).lt(s.zeros(4)));
    add("Tensor#le", "le", "a, b", s -> s.zeros(2, 3).le(s.zeros(4)));
    add("Tensor#gt", "gt", "a, b", s -> s.zeros(2, 3).gt(s.zeros(4)));
    add("Tensor#ge", "ge", "a, b", s -> s.zeros(2, 3).ge(s.zeros(4)));
    add("Tensor#logicalAnd", "logicalAnd", "a, b", s -> s.zeros(2, 3).logicalAnd(s.zeros(4)));
    add("Tensor#logicalOr", "logicalOr", "a, b", s -> s.zeros(2, 3).logicalOr(s.zeros(4)));
    add("Tensor#where", "where", "cond, a, b",
        s -> Tensor.where(s.zeros(5), s.zeros(2, 3), s.zeros(2, 3)));
    add("Tensor#maskedFill", "maskedFill", "x, mask", s -> s.zeros(2, 3).maskedFill(s.zeros(4), 0));
    add("Tensor#matmul", "matmul", "a, b", s -> s.zeros(2, 3).matmul(s.zeros(4, 5)));
    add("Tensor#bmm", "bmm", "a, b", s -> s.zeros(2, 3, 4).bmm(s.zeros(5, 4, 1)));
    add("Tensor#einsum", "einsum", "operands[0], operands[1]",
        s -> Tensor.einsum("ij,jk->ik", s.zeros(2, 3), s.zeros(4, 5)));
    // ------------------------------------------------------------------ Tensor: joining
    add("Tensor#concat", "concat", "parts[0], parts[1]",
        s -> Tensor.concat(List.of(s.zeros(2, 3), s.zeros(2, 3, 1)), 0));
    add("Tensor#cat", "concat", "parts[0], parts[1]",
        s -> Tensor.cat(List.of(s.zeros(2, 3), s.zeros(2, 4)), 0));
    add("Tensor#stack", "stack", "parts[0], parts[1]",
        s -> Tensor.stack(List.of(s.zeros(2, 3), s.zeros(3, 2)), 0));
    // ------------------------------------------------------------------ Tensor: views
    add("Tensor#reshape", "reshape", "x", s -> s.zeros(2, 3).reshape(7));
    add("Tensor#view", "reshape", "x", s -> s.zeros(2, 3).view(4, 2));
    add("Tensor#expand", "expand", "x", s -> s.zeros(2, 3).expand(4, 3));
    add("Tensor#broadcastTo", "expand", "x", s -> s.zeros(2, 3).broadcastTo(2, 4));
    add("Tensor#permute", "permute", "x", s -> s.zeros(2, 3).permute(0, 0));
    sizesOnly("the permutation, whose length is the rank (\"axis 0 repeats in [0, 0]\")");
    add("Tensor#transpose", "transpose", "x", s -> s.zeros(2, 3).transpose(0, 2));
    add("Tensor#flatten", "flatten", "x", s -> s.zeros(2, 3).flatten(1, 0));
    add("Tensor#squeeze", "squeeze", "x", s -> s.zeros(2, 3).squeeze(0));
    add("Tensor#unsqueeze", "unsqueeze", "x", s -> s.zeros(2, 3).unsqueeze(5));
    sizesOnly("the rank of the result, one more than the operand's");
    add("Tensor#t", "t", "x", s -> s.zeros(1, 2, 3).t());
    add("Tensor#mT", "mT", "x", s -> s.zeros(3).mT());
    add("Tensor#slice", "slice", "x", s -> s.zeros(2, 3).slice(2, 0, 1));
    add("Tensor#narrow", "narrow", "x", s -> s.zeros(2, 3).narrow(1, 2, 5));
    add("Tensor#select", "select", "x", s -> s.zeros(2, 3).select(0, 9));
    add("Tensor#sliceScatter", "sliceScatter", "x, src",
        s -> s.zeros(4, 3).sliceScatter(s.zeros(5, 3), 0, 0, 2, 1));
    add("Tensor#tril", "tril", "x", s -> s.zeros(4).tril(0));
    add("Tensor#triu", "triu", "x", s -> s.zeros(4).triu(0));
    // ------------------------------------------------------------------ Tensor: indexing
    add("Tensor#indexSelect", "indexSelect", "x, index",
        s -> s.zeros(2, 3).indexSelect(4, s.longs(0, 1)));
    add("Tensor#gather", "gather", "x, index", s -> s.zeros(2, 3).gather(1, s.longs(0, 1)));
    add("Tensor#scatterAdd", "scatterAdd", "x, index, src",
        s -> s.zeros(2, 3).scatterAdd(1, s.longs(0, 1), s.zeros(5, 5)));
    add("Tensor#indexAdd", "indexAdd", "x, index, src",
        s -> s.zeros(2, 3).indexAdd(1, s.longs(0, 1), s.zeros(5, 5)));
    add("Tensor#takeAlongDim", "takeAlongDim", "x, indices",
        s -> s.zeros(2, 3).takeAlongDim(s.longs(0, 1, 0, 1), 0));
    add("Tensor#oneHot", "oneHot", "labels", s -> s.longs(0, 1, 2).oneHot(Integer.MAX_VALUE));
    add("Tensor#item", "item", "x", s -> s.zeros(2, 3).item());
    add("Tensor#get", "get", "x", s -> s.zeros(2, 3).get(0, 5));
    sizesOnly("the index, the dimension and its size");
    add("Tensor#size", "size", "x", s -> s.zeros(2, 3).size(5));
    add("Tensor#setGrad", "setGrad", "x, grad", s -> s.zeros(2, 3).setGrad(s.zeros(3, 2)));
    // ------------------------------------------------------------------ Tensor: splitting, tiling
    add("Tensor#split", "split", "x", s -> s.zeros(2, 3).split(0, 0));
    add("Tensor#chunk", "chunk", "x", s -> s.zeros(2, 3).chunk(0, 1));
    add("Tensor#unbind", "unbind", "x", s -> s.zeros(2, 3).unbind(2));
    add("Tensor#flip", "flip", "x", s -> s.zeros(2, 3).flip(3));
    add("Tensor#roll", "roll", "x", s -> s.zeros(2, 3).roll(new int[] {1}, new int[] {0, 1}));
    add("Tensor#repeat", "repeat", "x", s -> s.zeros(2, 3).repeat(2));
    add("Tensor#tile", "tile", "x", s -> s.zeros(2, 3).tile(1 << 16, 1 << 16));
    // ------------------------------------------------------------------ Tensor: reductions, scans
    add("Tensor#sum", "sum", "x", s -> s.zeros(2, 3).sum(2));
    add("Tensor#mean", "mean", "x", s -> s.zeros(2, 3).mean(-3));
    add("Tensor#amax", "max", "x", s -> s.zeros(2, 3).amax(5));
    add("Tensor#amin", "min", "x", s -> s.zeros(2, 3).amin(new int[] {4}, false));
    add("Tensor#max", "max", "x", s -> s.zeros(2, 3).max(3));
    add("Tensor#max", "max", "x", s -> s.zeros(0).max());
    add("Tensor#min", "min", "x", s -> s.zeros(2, 3).min(3));
    add("Tensor#var", "var", "x", s -> s.zeros(2, 3).var(2));
    add("Tensor#std", "std", "x", s -> s.zeros(2, 3).std(2));
    add("Tensor#logsumexp", "logsumexp", "x", s -> s.zeros(2, 3).logsumexp(2));
    add("Tensor#softmax", "softmax", "x", s -> s.zeros(2, 3).softmax(2));
    add("Tensor#logSoftmax", "logSoftmax", "x", s -> s.zeros(2, 3).logSoftmax(-4));
    add("Tensor#argmax", "argmax", "x", s -> s.zeros(2, 3).argmax(2));
    add("Tensor#argmin", "argmin", "x", s -> s.zeros(2, 3).argmin(2));
    add("Tensor#any", "any", "x", s -> s.zeros(2, 3).any(2, false));
    add("Tensor#all", "all", "x", s -> s.zeros(2, 3).all(2, false));
    add("Tensor#sumTo", "sumTo", "x", s -> s.zeros(2, 3).sumTo(4));
    add("Tensor#prod", "prod", "x", s -> s.zeros(2, 3).prod(2, false));
    add("Tensor#norm", "norm", "x", s -> s.zeros(2, 3).norm(2.0, new int[] {4}, false));
    add("Tensor#cumsum", "cumsum", "x", s -> s.zeros(2, 3).cumsum(2));
    add("Tensor#cumprod", "cumprod", "x", s -> s.zeros(2, 3).cumprod(-3));
    add("Tensor#sort", "sort", "x", s -> s.zeros(2, 3).sort(2));
    add("Tensor#argsort", "argsort", "x", s -> s.zeros(2, 3).argsort(-3));
    add("Tensor#topk", "topk", "x", s -> s.zeros(2, 3).topk(4, 1, true, true));
    add("Tensor#kthvalue", "kthvalue", "x", s -> s.zeros(2, 3).kthvalue(1, 2, false));
    // ------------------------------------------------------------------ Tensor: in place
    add("Tensor#add_", "add_", "x, other",
        s -> noGrad(() -> s.zeros(2, 3).add_(s.zeros(4))));
    add("Tensor#add_", "add_", "x, other",
        s -> noGrad(() -> s.zeros(2, 3).add_(s.zeros(3), 2.0)));
    add("Tensor#sub_", "sub_", "x, other", s -> noGrad(() -> s.zeros(2, 3).sub_(s.zeros(4))));
    add("Tensor#mul_", "mul_", "x, other", s -> noGrad(() -> s.zeros(2, 3).mul_(s.zeros(4))));
    add("Tensor#copy_", "copy_", "x, src", s -> noGrad(() -> s.zeros(2, 3).copy_(s.zeros(4))));
    add("Tensor#fill_", "fill_", "x",
        s -> s.madeBy("expand", Tensor.scalar(1.0).expand(2, 3)).fill_(1.0));
    add("Tensor#zero_", "zero_", "x",
        s -> s.madeBy("expand", Tensor.scalar(1.0).expand(2, 3)).zero_());

    // ------------------------------------------------------------------ ops used without Tensor
    add("Elementwise#compare", "lt", "a, b",
        s -> Elementwise.compare(BinaryOp.LT, s.zeros(2, 3), s.zeros(4)));
    // The primitive leaves the shapes to the product inside it; the user's call is named after.
    add("Elementwise#binaryCrossEntropy", "mul", "p, y",
        s -> Elementwise.binaryCrossEntropy(s.zeros(2, 3), s.zeros(4)));
    add("Reductions#crossEntropy", "crossEntropy", "logits, labels",
        s -> Reductions.crossEntropy(s.zeros(2, 3, 1), s.longs(0, 1)));
    add("Normalization#batchNorm", "batchNorm", "x, weight",
        s -> Normalization.batchNorm(s.zeros(2, 3, 4), s.zeros(4), null, 1e-5));
    add("LinearAlgebra#linear", "linear", "x, w",
        s -> LinearAlgebra.linear(s.zeros(2, 3), s.zeros(4, 5), null, false));
    add("Movement#oneHot", "oneHot", "labels",
        s -> Movement.oneHot(s.longs(0, 1, 2), Integer.MAX_VALUE));
    add("Windows#unfold", "unfold", "x", s -> Windows.unfold(s.zeros(1, 1, 3, 3),
        new int[] {4, 4}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));
    sizesOnly(WINDOW);
    add("Windows#fold", "fold", "cols", s -> Windows.fold(s.zeros(1, 4, 3), new int[] {3, 3},
        new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}));

    // ------------------------------------------------------------------ func.Func
    // The differentiated argument is made with Tensor.zeros (not an operand of the error); f
    // returns a tensor made on the case's line, so the failing output is a named leaf.
    add("Func#grad", "grad", "output", s -> {
      Tensor out = s.zeros(2, 3);
      Func.grad(xs -> out).apply(Tensor.zeros(3));
    });
    add("Func#gradAndValue", "gradAndValue", "output", s -> {
      Tensor out = s.zeros(2);
      Func.gradAndValue(xs -> out, 0).apply(Tensor.zeros(3));
    });
    add("Func#vjp", "vjp", "output 0, cotangent 0", s -> {
      Tensor out = s.zeros(2, 3);
      Func.vjp(xs -> out, Tensor.zeros(3)).vjpFn().apply(s.zeros(3, 2));
    });
    add("Func#vjpMany", "vjpMany", "output 0, cotangent 0", s -> {
      Tensor out = s.zeros(2, 3);
      Func.vjpMany(xs -> new Tensor[] {out}, Tensor.zeros(3)).vjpFn().apply(s.zeros(6));
    });
    add("Func#jvp", "jvp", "primal 0, tangent 0",
        s -> Func.jvp(xs -> xs[0], new Tensor[] {s.zeros(3)}, new Tensor[] {s.zeros(4)}));
    add("Func#jvpMany", "jvpMany", "primal 0, tangent 0",
        s -> Func.jvpMany(xs -> xs, new Tensor[] {s.zeros(2, 2)}, new Tensor[] {s.zeros(4)}));
    add("Func#hvp", "hvp", "primal 0, tangent 0",
        s -> Func.hvp(xs -> xs[0].sum(), new Tensor[] {s.zeros(3)}, new Tensor[] {s.zeros(2)}));
    add("Func#vmap", "vmap", "argument 0, argument 1",
        s -> Func.vmap(xs -> xs[0].add(xs[1]), new int[] {0, 0}, 0)
            .apply(s.zeros(2, 3), s.zeros(4, 3)));
    add("Func#vmapMany", "vmap", "argument 0, argument 1",
        s -> Func.vmapMany(xs -> xs, new int[] {0, 1}, 0).apply(s.zeros(2, 3), s.zeros(3, 5)));

    // ------------------------------------------------------------------ nn.Functional
    add("Functional#linear", "linear", "input, weight, bias",
        s -> Functional.linear(s.zeros(2, 3), s.zeros(4, 5), s.zeros(5)));
    add("Functional#softmax", "softmax", "input", s -> Functional.softmax(s.zeros(2, 3), 2));
    add("Functional#logSoftmax", "logSoftmax", "input",
        s -> Functional.logSoftmax(s.zeros(2, 3), -3));
    add("Functional#batchNorm", "batchNorm", "input, mean, var, weight, bias",
        s -> Functional.batchNorm(s.zeros(2, 3), s.zeros(4), s.zeros(3), s.zeros(3), s.zeros(3),
            1e-5));
    add("Functional#batchNorm", "batchNorm", "input, mean, var, weight, bias",
        s -> Functional.batchNorm(s.zeros(2, 3, 4, 5), s.zeros(3), s.zeros(3), s.zeros(3),
            s.zeros(3), 1e-5));
    add("Functional#layerNorm", "layerNorm", "input, weight, bias",
        s -> Functional.layerNorm(s.zeros(2, 3), new int[] {4}, s.zeros(4), s.zeros(4), 1e-5));
    add("Functional#layerNorm", "layerNorm", "input, weight, bias",
        s -> Functional.layerNorm(s.zeros(2, 3), new int[] {3}, s.zeros(4), s.zeros(3), 1e-5));
    add("Functional#rnnCell", "rnnCell", "input, h, weight_ih, weight_hh, bias_ih, bias_hh",
        s -> Functional.rnnCell(s.zeros(2, 3), s.zeros(2, 4), s.zeros(4, 5), s.zeros(4, 4),
            s.zeros(4), s.zeros(4), RNN.Nonlinearity.TANH));
    add("Functional#lstmCell", "lstmCell", "input, h, c, weight_ih, weight_hh, bias_ih, bias_hh",
        s -> Functional.lstmCell(s.zeros(2, 3), new LSTMState(s.zeros(2, 2), s.zeros(2, 5)),
            s.zeros(8, 3), s.zeros(8, 2), s.zeros(8), s.zeros(8)));
    add("Functional#gruCell", "gruCell", "input, h, weight_ih, weight_hh, bias_ih, bias_hh",
        s -> Functional.gruCell(s.zeros(2, 3), s.zeros(2, 2), s.zeros(6, 3), s.zeros(6, 2),
            s.zeros(5), s.zeros(6)));
    add("Functional#unfold", "unfold", "x", s -> Functional.unfold(s.zeros(1, 1, 3, 3),
        new int[] {4}, new int[] {1}, new int[] {0}, new int[] {1}));
    sizesOnly(WINDOW);
    add("Functional#fold", "fold", "cols", s -> Functional.fold(s.zeros(1, 4, 3), new int[] {3},
        new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1}));
    add("Functional#conv2d", "conv2d", "input, weight, bias",
        s -> Functional.conv2d(s.zeros(1, 3, 5, 5), s.zeros(2, 4, 3, 3), s.zeros(2)));
    add("Functional#conv2d", "conv2d", "input, weight, bias",
        s -> Functional.conv2d(s.zeros(5, 5), s.zeros(2, 3, 3, 3), s.zeros(2),
            new int[] {1}, "same", new int[] {1}, 1));
    // A kernel longer than the input fails in the unfold inside; the user's call is named after.
    add("Functional#conv1d", "unfold", "input, weight, bias",
        s -> Functional.conv1d(s.zeros(1, 3, 5), s.zeros(2, 3, 7), s.zeros(2), 1, 0, 1, 1));
    sizesOnly(WINDOW);
    add("Functional#conv1d", "conv1d", "input, weight",
        s -> Functional.conv1d(s.zeros(3, 5), s.zeros(2, 4, 3), null, 1, "valid", 1, 1));
    add("Functional#maxPool2d", "maxPool2d", "input", s -> Functional.maxPool2d(s.zeros(2, 3), 2));
    add("Functional#maxPool2d", "maxPool2d", "input",
        s -> Functional.maxPool2d(s.zeros(1, 3, 3), new int[] {5}, null, new int[] {0},
            new int[] {1}));
    sizesOnly(WINDOW);
    add("Functional#avgPool2d", "avgPool2d", "input", s -> Functional.avgPool2d(s.zeros(2, 3), 2));
    add("Functional#adaptiveAvgPool2d", "adaptiveAvgPool2d", "input",
        s -> Functional.adaptiveAvgPool2d(s.zeros(2, 3), new int[] {1}));
    add("Functional#maxPool2dWithIndices", "maxPool2dWithIndices", "input",
        s -> Functional.maxPool2dWithIndices(s.zeros(2, 3), new int[] {2}, null, new int[] {0},
            new int[] {1}, false));
    add("Functional#maxPool1d", "maxPool1d", "input",
        s -> Functional.maxPool1d(s.zeros(5), 2, null, 0, 1, false));
    add("Functional#maxPool1dWithIndices", "maxPool1dWithIndices", "input",
        s -> Functional.maxPool1dWithIndices(s.zeros(2, 3, 4, 5), 2, null, 0, 1, false));
    add("Functional#avgPool1d", "avgPool1d", "input",
        s -> Functional.avgPool1d(s.zeros(5), 2, null, 0, false, true));
    add("Functional#adaptiveAvgPool1d", "adaptiveAvgPool1d", "input",
        s -> Functional.adaptiveAvgPool1d(s.zeros(5), 2));
    add("Functional#adaptiveMaxPool2d", "adaptiveMaxPool2d", "input",
        s -> Functional.adaptiveMaxPool2d(s.zeros(2, 3), new int[] {1}));
    add("Functional#adaptiveMaxPool2dWithIndices", "adaptiveMaxPool2dWithIndices", "input",
        s -> Functional.adaptiveMaxPool2dWithIndices(s.zeros(1, 2, 0, 3), new int[] {1}));
    add("Functional#embedding", "embedding", "input, weight",
        s -> Functional.embedding(s.longs(0, 1), s.zeros(5), null, null));
    add("Functional#flatten", "flatten", "x", s -> Functional.flatten(s.zeros(2, 3), 3, 4));

    // ------------------------------------------------------------------ nn.Loss, nn.Init
    add("Loss#mse", "mse", "input, target", s -> Loss.mse(s.zeros(2, 3), s.zeros(4)));
    add("Loss#l1", "l1", "input, target", s -> Loss.l1(s.zeros(2, 3), s.zeros(4)));
    add("Loss#huber", "huber", "input, target", s -> Loss.huber(s.zeros(2, 3), s.zeros(4), 1.0));
    add("Loss#binaryCrossEntropy", "binaryCrossEntropy", "input, target",
        s -> Loss.binaryCrossEntropy(s.zeros(2, 3), s.zeros(4)));
    add("Loss#binaryCrossEntropyWithLogits", "binaryCrossEntropyWithLogits", "input, target",
        s -> Loss.binaryCrossEntropyWithLogits(s.zeros(2, 3), s.zeros(4)));
    add("Loss#crossEntropy", "crossEntropy", "input, labels",
        s -> Loss.crossEntropy(s.zeros(2, 3), s.longs(0, 1, 2)));
    add("Loss#nll", "nll", "input, labels", s -> Loss.nll(s.zeros(2, 3, 1), s.longs(0, 1)));
    add("Init#fanIn", "Init.fanIn", "w", s -> Init.fanIn(s.zeros(3)));
    add("Init#fanOut", "Init.fanOut", "w", s -> Init.fanOut(s.zeros(0, 3)));
    add("Init#xavierUniform", "Init.xavierUniform", "w",
        s -> noGrad(() -> Init.xavierUniform(s.zeros(2, 3, 4), rng())));
    add("Init#xavierNormal", "Init.xavierNormal", "w",
        s -> noGrad(() -> Init.xavierNormal(s.zeros(3), rng())));
    add("Init#kaimingUniform", "Init.kaimingUniform", "w",
        s -> noGrad(() -> Init.kaimingUniform(s.zeros(3), rng())));
    add("Init#kaimingNormal", "Init.kaimingNormal", "w",
        s -> noGrad(() -> Init.kaimingNormal(s.zeros(3), rng())));

    // ------------------------------------------------------------------ data
    add("TensorDataset#new", "TensorDataset", "features, targets",
        s -> new TensorDataset(s.zeros(4, 2), s.zeros(3)));
    add("TensorDataset#slice", "TensorDataset.slice", "features, targets",
        s -> new TensorDataset(s.zeros(4, 2), s.zeros(4)).slice(2, 9));
    add("TensorDataset#batch", "indexSelect", "features, targets",
        s -> new TensorDataset(s.zeros(4, 2), s.zeros(4)).batch(new int[] {0, 9}));
    sizesOnly("Indexing's check names the index, the dimension and its size");
    add("Augment#randomShift", "randomShift", "images",
        s -> Augment.randomShift(s.zeros(2, 5), 2, 2, 1, rng()));

    // ------------------------------------------------------------------ nn modules
    add("Module#loadStateDict", "loadStateDict", "weight, state['weight']",
        s -> s.module(new Linear(4, 5, true, rng()), "weight")
            .loadStateDict(Map.of("weight", s.zeros(5, 3)), false));
    add("Linear", "Linear", "weight, bias, input",
        s -> s.module(new Linear(4, 5, true, rng()), "weight", "bias").forward(s.zeros(2, 3)));
    add("LayerNorm", "LayerNorm", "weight, bias, input",
        s -> s.module(new LayerNorm(4), "weight", "bias").forward(s.zeros(2, 3)));
    add("BatchNorm1d", "BatchNorm1d", "weight, bias, input",
        s -> s.module(new BatchNorm1d(4), "weight", "bias").forward(s.zeros(2, 3)));
    add("BatchNorm2d", "BatchNorm2d", "weight, bias, input",
        s -> s.module(new BatchNorm2d(4), "weight", "bias").forward(s.zeros(2, 3, 5, 5)));
    add("BatchNorm2d", "BatchNorm2d", "weight, bias, input",
        s -> s.module(new BatchNorm2d(3), "weight", "bias").forward(s.zeros(1, 3, 1, 1)));
    add("Conv1d", "Conv1d", "weight, bias, input",
        s -> s.module(new Conv1d(3, 2, 3, rng()), "weight", "bias").forward(s.zeros(1, 4, 5)));
    add("Conv2d", "Conv2d", "weight, bias, input",
        s -> s.module(new Conv2d(3, 2, 3, rng()), "weight", "bias").forward(s.zeros(4, 2, 2)));
    add("MaxPool2d", "MaxPool2d", "input", s -> new MaxPool2d(3).forward(s.zeros(1, 2, 2)));
    sizesOnly(WINDOW);
    add("AvgPool2d", "AvgPool2d", "input", s -> new AvgPool2d(2).forward(s.zeros(5)));
    add("AdaptiveAvgPool2d", "adaptiveAvgPool2d", "input",
        s -> new AdaptiveAvgPool2d(1).forward(s.zeros(5)));
    add("MaxPool1d", "MaxPool1d", "input", s -> new MaxPool1d(2).forward(s.zeros(5)));
    add("AvgPool1d", "AvgPool1d", "input", s -> new AvgPool1d(2).forward(s.zeros(5)));
    add("AdaptiveAvgPool1d", "AdaptiveAvgPool1d", "input",
        s -> new AdaptiveAvgPool1d(2).forward(s.zeros(5)));
    add("AdaptiveMaxPool2d", "AdaptiveMaxPool2d", "input",
        s -> new AdaptiveMaxPool2d(1).forward(s.zeros(5)));
    add("Dropout2d", "Dropout2d", "input", s -> new Dropout2d(0.5, rng()).forward(s.zeros(2, 3)));
    add("Flatten", "flatten", "x", s -> new Flatten(1, 4).forward(s.zeros(2, 3)));
    add("Unflatten", "Unflatten", "input", s -> new Unflatten(1, 2, 2).forward(s.zeros(2, 3)));
    add("Softmax", "softmax", "input", s -> new Softmax(2).forward(s.zeros(2, 3)));
    add("LogSoftmax", "logSoftmax", "input", s -> new LogSoftmax(-3).forward(s.zeros(2, 3)));
    add("RNNCell", "RNNCell", "weight_ih, weight_hh, bias_ih, bias_hh, input",
        s -> s.module(new RNNCell(4, 2, rng()), "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            .forward(s.zeros(3, 5)));
    add("RNNCell", "RNNCell", "weight_ih, weight_hh, bias_ih, bias_hh, input, h",
        s -> s.module(new RNNCell(4, 2, rng()), "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            .forward(s.zeros(3, 4), s.zeros(2, 2)));
    add("LSTMCell", "LSTMCell", "weight_ih, weight_hh, bias_ih, bias_hh, input, h, c",
        s -> s.module(new LSTMCell(4, 2, rng()), "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            .forward(s.zeros(3, 4), new LSTMState(s.zeros(3, 2), s.zeros(2))));
    add("GRUCell", "GRUCell", "weight_ih, weight_hh, bias_ih, bias_hh, input",
        s -> s.module(new GRUCell(4, 2, rng()), "weight_ih", "weight_hh", "bias_ih", "bias_hh")
            .forward(s.zeros(4, 3, 4)));
    add("RNN", "RNN", "weight_ih_l0, weight_hh_l0, input",
        s -> s.module(new RNN(4, 2, rng()), "weight_ih_l0", "weight_hh_l0")
            .forward(s.zeros(5, 3, 3)));
    add("LSTM", "LSTM", "weight_ih_l0, weight_hh_l0, input, h0, c0",
        s -> s.module(new LSTM(4, 2, rng()), "weight_ih_l0", "weight_hh_l0")
            .forward(s.zeros(5, 3, 4), new LSTMState(s.zeros(1, 3, 2), s.zeros(3, 2))));
    add("GRU", "GRU", "weight_ih_l0, weight_hh_l0, input, h0",
        s -> s.module(new GRU(4, 2, rng()), "weight_ih_l0", "weight_hh_l0")
            .forward(s.zeros(5, 3, 4), s.zeros(2, 3, 2)));
  }

  /** Runs {@code r} under {@code noGrad} (in-place writes and initialisers need it). */
  private static void noGrad(Runnable r) {
    try (var g = Tensor.noGrad()) {
      r.run();
    }
  }

  static Stream<Case> cases() {
    return CASES.stream();
  }

  // ------------------------------------------------------------------ the messages

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shapeError_namesEveryOperandWithItsShapeAndCreationSite(Case c) {
    OperandSites offSites = new OperandSites();
    ShapeException off = assertThrows(ShapeException.class, () -> c.call().accept(offSites));
    String plain = off.getMessage();
    assertTrue(plain.startsWith(c.op() + ": "), () -> "expected '" + c.op() + ": ...': " + plain);
    assertFalse(plain.contains("called at") || plain.contains("created at"), plain);
    if (c.sizesOnly() == null) {
      boolean namesAShape = offSites.made.stream().anyMatch(m ->
          plain.contains(java.util.Arrays.toString(m.tensor().shape()))
              || plain.contains("rank " + m.tensor().rank()));
      assertTrue(namesAShape, () -> "names no operand's shape (or rank, for an axis): " + plain);
    }

    OperandSites sites = new OperandSites();
    ShapeException on;
    try (var m = Anomaly.detect()) {
      on = assertThrows(ShapeException.class, () -> c.call().accept(sites));
    }
    String message = on.getMessage();
    assertEquals(c.names().size(), sites.made.size(), () -> "operands made: " + sites.made);
    String head = plain + " (called at " + FILE + ":";
    assertTrue(message.startsWith(head), () -> "expected '" + head + "...', got: " + message);
    for (int i = 0; i < sites.made.size(); i++) {
      String expected = c.names().get(i) + " " + sites.made.get(i).description();
      assertTrue(message.contains(expected),
          () -> "message should name '" + expected + "': " + message);
    }
  }

  // ------------------------------------------------------------------ coverage

  /**
   * Entry points that cannot throw a shape error about their tensor operands, by name, with the
   * reason. An overload shares its name's entry.
   */
  private static final Map<String, String> NO_SHAPE_ERROR = new LinkedHashMap<>();

  private static void none(String reason, String owner, String... names) {
    for (String n : names) {
      NO_SHAPE_ERROR.put(owner.isEmpty() ? n : owner + "#" + n, reason);
    }
  }

  static {
    String unary = "elementwise on one tensor (other arguments scalars): every shape is valid";
    none(unary, "Tensor", "abs", "clamp", "clampMax", "clampMin", "cos", "erf", "erfc", "exp",
        "expm1", "gelu", "hardtanh", "isfinite", "isinf", "isnan", "log", "log1p", "logSigmoid",
        "logicalNot", "neg", "rdiv", "reciprocal", "relu", "rsub", "sigmoid", "sign", "silu",
        "sin", "softplus", "sqrt", "square", "tanh", "to", "clone", "detach", "onesLike",
        "zerosLike");
    none(unary, "Elementwise", "abs", "cast", "clamp", "clampMax", "clampMin", "cos", "erf",
        "erfc", "exp", "expm1", "gelu", "hardtanh", "isfinite", "isinf", "isnan", "log", "log1p",
        "logSigmoid", "logicalNot", "neg", "rdiv", "reciprocal", "relu", "rsub", "sigmoid",
        "sign", "silu", "sin", "softplus", "sqrt", "square", "tanh", "addScalar", "mulScalar",
        "divScalar");
    none(unary, "Functional", "dropout", "elu", "gelu", "hardtanh", "leakyRelu", "logSigmoid",
        "relu", "sigmoid", "silu", "softplus", "tanh");
    none("compares values; different shapes are not close (false), not an error", "Tensor",
        "allClose");
    none("any shape of indices is valid and its weight is its own, always 2-d; Functional"
        + "#embedding's case covers the lookup", "", "Embedding");
    none("reads a property; no argument to break", "Tensor", "data", "dim", "dtype", "grad",
        "borrowGrad", "gradFn", "isBatched", "isLeaf", "numel", "rank", "requiresGrad",
        "retainGrad", "retainsGrad", "shape", "toDoubleArray", "toFloatArray", "toLongArray",
        "toString", "version", "zeroGrad");
    none("a factory: no tensor operand to name (its shape errors name the call's line)", "Tensor",
        "arange", "eye", "fromArray", "fromData", "full", "linspace", "of", "ofLongs", "ones",
        "rand", "randn", "scalar", "uniform", "zeros", "noGrad", "anyBatched");
    none("vmap's hooks for its batching rules, not user entry points", "Tensor", "vmapBatched",
        "vmapLike");
    none("autograd's errors (a gradient of the wrong shape) are AutogradExceptions, named by"
        + " the engine with both shapes", "Tensor", "backward", "grad");
    none("fills or draws into a tensor of any shape", "Init", "constant", "normal", "ones",
        "uniform", "zeros", "gain");
    none("copies any tensor", "ShapeOps", "clone");
    none("reads a property, converts the dtype or prints", "TensorDataset", "size", "features",
        "targets", "dtype", "to", "toString");
    none("the shape rule of expand, called by ops with their own operands open", "ShapeOps",
        "expandShape");
    none("elementwise on one tensor: every shape is valid", "", "ELU", "GELU", "Hardtanh",
        "Identity", "LeakyReLU", "LogSigmoid", "ReLU", "SiLU", "Sigmoid", "Softplus", "Tanh",
        "Dropout");
    none("returns a transform whose errors are those of grad, vjp, jvp and the function's own"
        + " ops, each covered by its case", "Func", "jacrev", "jacfwd", "hessian");
    none("a container: its shape errors are its children's, each covered by its own case", "",
        "Sequential", "ModuleList", "ModuleDict");
    none("takes no tensor", "Module", "namedParameters", "namedBuffers", "parameters",
        "namedChildren", "stateDict", "train", "eval", "isTraining", "zeroGrad", "parameterCount",
        "toString");
    none("abstract: each module's forward has its own case", "Module", "forward");
  }

  /** Static entry points of these classes are covered by the Tensor method of the same name. */
  private static final Set<String> THROUGH_TENSOR =
      Set.of("Elementwise", "Movement", "Reductions", "ShapeOps", "Sorting", "Scans",
          "LinearAlgebra", "Einsum");

  /** Every entry point the coverage test finds, as {@code Class#method} or a module's name. */
  private static Set<String> entryPoints() throws IOException {
    Set<String> found = new TreeSet<>();
    List<Class<?>> owners = new ArrayList<>(List.of(Tensor.class, Functional.class, Loss.class,
        Init.class, Windows.class, Func.class));
    for (var info : com.google.common.reflect.ClassPath.from(Tensor.class.getClassLoader())
        .getTopLevelClasses("dev.cadena.ops")) {
      Class<?> c = info.load();
      if (Modifier.isPublic(c.getModifiers()) && !c.isEnum() && !owners.contains(c)) {
        owners.add(c);
      }
    }
    // Module's own methods (loadStateDict takes tensors); each module's forward has its case.
    for (Method m : Module.class.getDeclaredMethods()) {
      if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
          && !m.isSynthetic()) {
        found.add("Module#" + m.getName());
      }
    }
    // The dataset that pairs features with targets, and the augmentation of image rows.
    for (var c : List.of(TensorDataset.class, Augment.class)) {
      if (c.getConstructors().length > 0) {
        found.add(c.getSimpleName() + "#new");
      }
      for (Method m : c.getDeclaredMethods()) {
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
          found.add(c.getSimpleName() + "#" + m.getName());
        }
      }
    }
    for (Class<?> c : owners) {
      for (Method m : c.getDeclaredMethods()) {
        boolean isStatic = Modifier.isStatic(m.getModifiers());
        if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()
            && (isStatic || c == Tensor.class)) {
          found.add(c.getSimpleName() + "#" + m.getName());
        }
      }
    }
    for (var info : com.google.common.reflect.ClassPath.from(Module.class.getClassLoader())
        .getTopLevelClasses("dev.cadena.nn")) {
      Class<?> c = info.load();
      if (Module.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())
          && Modifier.isPublic(c.getModifiers())) {
        found.add(c.getSimpleName());
      }
    }
    return found;
  }

  @Test
  void coverage_everyEntryPointHasACaseOrAReason() throws IOException {
    Set<String> entries = entryPoints();
    Set<String> withCase = new TreeSet<>();
    CASES.forEach(c -> withCase.add(c.entry()));
    List<String> missing = new ArrayList<>();
    for (String e : entries) {
      if (withCase.contains(e) || NO_SHAPE_ERROR.containsKey(e)) {
        continue;
      }
      int hash = e.indexOf('#');
      if (hash > 0 && THROUGH_TENSOR.contains(e.substring(0, hash))
          && withCase.contains("Tensor" + e.substring(hash))) {
        continue;
      }
      missing.add(e);
    }
    assertTrue(missing.isEmpty(),
        () -> "entry points with neither an anomaly-mode case nor a reason: " + missing);
    // No stale entries: every case and every reason names an entry point that exists.
    Set<String> stale = new TreeSet<>(withCase);
    stale.addAll(NO_SHAPE_ERROR.keySet());
    stale.removeAll(entries);
    assertTrue(stale.isEmpty(), () -> "cases or reasons for entry points that do not exist: " + stale);
  }

  // ------------------------------------------------------------------ the cost when off

  /**
   * Outside anomaly mode {@code Anomaly.operands} allocates nothing: one million calls of each
   * arity, counted by the JVM's per-thread allocation counter (bytes, not time). A handle of any
   * arity would be at least 16 bytes per call, 16 MB per million.
   */
  @Test
  void offMode_operandsAllocatesNothing() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    Tensor x = Tensor.zeros(2);
    List<Tensor> parts = List.of(x, x);
    Tensor[] array = {x, x};
    assertFalse(Anomaly.isEnabled());
    long bytes = Long.MAX_VALUE;
    // The first round warms up (and may allocate for class loading and compilation).
    for (int round = 0; round < 3; round++) {
      long before = threads.getThreadAllocatedBytes(id);
      int nulls = 0;
      for (int i = 0; i < 1_000_000; i++) {
        nulls += Anomaly.operands("op", "x", x) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x, "c", x) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x, "c", x, "d", x) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x, "c", x, "d", x, "e", x) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x, "c", x, "d", x, "e", x, "f", x) == null
            ? 1 : 0;
        nulls += Anomaly.operands("op", "a", x, "b", x, "c", x, "d", x, "e", x, "f", x, "g", x)
            == null ? 1 : 0;
        nulls += Anomaly.operands("op", "parts", parts) == null ? 1 : 0;
        nulls += Anomaly.operands("op", "parts", array) == null ? 1 : 0;
      }
      bytes = Math.min(bytes, threads.getThreadAllocatedBytes(id) - before);
      assertEquals(9_000_000, nulls);
    }
    // A few hundred bytes at most: the counter's own reads, never one object per call.
    assertTrue(bytes < 64 * 1024, "allocated " + bytes + " bytes in 9 million calls");
  }
}
