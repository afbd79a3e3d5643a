package dev.cadena.autograd;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import dev.cadena.tensor.DType;
import dev.cadena.tensor.Shapes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a graph holds: for every live node a root reaches, the tensors it keeps for its VJP (its
 * inputs, its output and the values a {@link Function} saved), with their shapes and bytes, and the
 * total bytes of the distinct storages they use. A storage is counted once however many nodes or
 * views refer to it, and a view counts as its whole storage (it keeps all of it alive).
 *
 * <p>Every Cadena node keeps its inputs and its output, so the saved bytes of a graph are the
 * activations of the forward pass plus the leaves it read (parameters, data); {@link #leafBytes()}
 * is the part that belongs to leaves, which exist without the graph.
 *
 * <pre>{@code
 * Tensor x = Tensor.ones(2, 3).requiresGrad(true);   // 48 bytes
 * Tensor y = x.exp().sin();                          // exp's output 48, sin's output 48
 * GraphMemory m = GraphMemory.of(y);
 * m.totalBytes();   // 144: x, and the two outputs (exp's output is also sin's input)
 * }</pre>
 *
 * Closures of built-in VJPs may capture further values that no accessor shows; those are not
 * counted.
 */
public final class GraphMemory {
  /** One tensor a node keeps: its role ({@code "input 0"}, {@code "output"}, {@code "saved 1"}). */
  public static final class Saved {
    private final String role;
    private final int[] shape;
    private final DType dtype;
    private final long bytes;
    private final long storageBytes;

    private Saved(String role, Tensor t) {
      this.role = role;
      this.shape = t.shape();
      this.dtype = t.dtype();
      this.bytes = (long) t.numel() * t.dtype().byteSize();
      this.storageBytes = t.data().storageBytes();
    }

    /** {@code "input i"}, {@code "output"} or {@code "saved i"} (a Function's saved value i). */
    public String role() {
      return role;
    }

    /** The tensor's shape (a copy). */
    public int[] shape() {
      return shape.clone();
    }

    /** The tensor's dtype. */
    public DType dtype() {
      return dtype;
    }

    /** The bytes of the tensor's elements: {@code numel * dtype.byteSize()}. */
    public long bytes() {
      return bytes;
    }

    /** The bytes of the whole storage the tensor views (what it keeps alive). */
    public long storageBytes() {
      return storageBytes;
    }

    @Override
    public String toString() {
      return role + " " + Shapes.str(shape) + " " + dtype + " " + bytes + " B";
    }
  }

  /** One node of the graph and what it keeps. */
  public static final class Entry {
    private final String op;
    private final List<Saved> saved;
    private final long bytes;

    private Entry(String op, List<Saved> saved, long bytes) {
      this.op = op;
      this.saved = Collections.unmodifiableList(saved);
      this.bytes = bytes;
    }

    /** The node's op name, e.g. {@code "matmul"}. */
    public String op() {
      return op;
    }

    /** The tensors the node keeps, inputs first, then its output, then Function-saved values. */
    public List<Saved> saved() {
      return saved;
    }

    /** The bytes of the distinct storages this node's tensors use (shared ones counted once here). */
    public long bytes() {
      return bytes;
    }

    @Override
    public String toString() {
      return op + " " + bytes + " B " + saved;
    }
  }

  private final List<Entry> entries;
  private final long totalBytes;
  private final long leafBytes;

  private GraphMemory(List<Entry> entries, long totalBytes, long leafBytes) {
    this.entries = Collections.unmodifiableList(entries);
    this.totalBytes = totalBytes;
    this.leafBytes = leafBytes;
  }

  /**
   * Walks the live graph below {@code root} (iteratively, each node once) and measures what it
   * holds. A root without a node, or whose graph was freed, holds nothing.
   *
   * @throws NullPointerException when {@code root} is null
   */
  public static GraphMemory of(Tensor root) {
    checkNotNull(root, "GraphMemory.of: root is null");
    List<Entry> entries = new ArrayList<>();
    Map<Node, Boolean> seen = new IdentityHashMap<>();
    Map<Object, Long> storages = new IdentityHashMap<>();
    Map<Object, Boolean> leafStorages = new IdentityHashMap<>();
    ArrayDeque<Node> stack = new ArrayDeque<>();
    Node start = root.gradFn();
    if (start != null) {
      stack.push(start);
      seen.put(start, Boolean.TRUE);
    }
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (n.isReleased()) {
        continue;
      }
      List<Saved> saved = new ArrayList<>();
      Map<Object, Boolean> mine = new IdentityHashMap<>();
      long bytes = 0;
      List<Tensor> ins = n.inputs();
      List<Tensor> tensors = new ArrayList<>();
      for (int i = 0; i < ins.size(); i++) {
        Tensor in = ins.get(i);
        saved.add(new Saved("input " + i, in));
        tensors.add(in);
        Node child = in.gradFn();
        if (child != null && seen.put(child, Boolean.TRUE) == null) {
          stack.push(child);
        }
      }
      Tensor out = n.savedOutput();
      if (out != null) {
        saved.add(new Saved("output", out));
        tensors.add(out);
      }
      List<Object> values = n.savedValues();
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i) instanceof Tensor) {
          Tensor t = (Tensor) values.get(i);
          saved.add(new Saved("saved " + i, t));
          tensors.add(t);
        }
      }
      for (Tensor t : tensors) {
        Object key = t.data().storageKey();
        long b = t.data().storageBytes();
        if (mine.put(key, Boolean.TRUE) == null) {
          bytes += b;
        }
        storages.put(key, b);
        if (t.isLeaf()) {
          leafStorages.put(key, Boolean.TRUE);
        }
      }
      entries.add(new Entry(n.name(), saved, bytes));
    }
    long total = 0;
    long leaf = 0;
    for (Map.Entry<Object, Long> e : storages.entrySet()) {
      total += e.getValue();
      if (leafStorages.containsKey(e.getKey())) {
        leaf += e.getValue();
      }
    }
    return new GraphMemory(entries, total, leaf);
  }

  /** One entry per live node reached from the root, the root's node first. */
  public List<Entry> entries() {
    return entries;
  }

  /** The bytes of the distinct storages all nodes keep, each storage counted once. */
  public long totalBytes() {
    return totalBytes;
  }

  /**
   * The part of {@link #totalBytes()} in storages that a leaf (a tensor without a node:
   * parameter, data, constant) refers to; they live without the graph.
   */
  public long leafBytes() {
    return leafBytes;
  }

  /** {@code totalBytes() - leafBytes()}: the activations only the graph keeps alive. */
  public long activationBytes() {
    return totalBytes - leafBytes;
  }

  @Override
  public String toString() {
    return "GraphMemory(nodes=" + entries.size() + ", total=" + totalBytes + " B, leaves="
        + leafBytes + " B)";
  }
}
