package dev.cadena.optim;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.cadena.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * Optimisers by name, for command lines and configuration files. Every name gets PyTorch's
 * defaults except the learning rate:
 *
 * <table>
 *   <caption>names</caption>
 *   <tr><th>name</th><th>optimiser</th></tr>
 *   <tr><td>{@code sgd}</td><td>{@link SGD}, no momentum</td></tr>
 *   <tr><td>{@code momentum}</td><td>{@link SGD} with momentum 0.9</td></tr>
 *   <tr><td>{@code nesterov}</td><td>{@link SGD} with Nesterov momentum 0.9</td></tr>
 *   <tr><td>{@code adam}</td><td>{@link Adam}</td></tr>
 *   <tr><td>{@code adamw}</td><td>{@link AdamW} (weight decay 0.01)</td></tr>
 *   <tr><td>{@code rmsprop}</td><td>{@link RMSprop}</td></tr>
 *   <tr><td>{@code adagrad}</td><td>{@link Adagrad}</td></tr>
 * </table>
 *
 * <pre>{@code
 * Optimizer opt = Optimizers.create("adam", model.parameters(), 1e-3);
 * }</pre>
 */
public final class Optimizers {
  private static final List<String> NAMES =
      List.of("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad");

  private Optimizers() {}

  /** The accepted names, in the order of the table above. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The optimiser called {@code name} (case-insensitive) over {@code params}.
   *
   * @throws NullPointerException when {@code name} or {@code params} is null
   * @throws IllegalArgumentException for an unknown name (listing the known ones), or from the
   *     optimiser's own checks of {@code params} and {@code lr}
   */
  public static Optimizer create(String name, Iterable<Tensor> params, double lr) {
    checkNotNull(name, "Optimizers.create: name is null");
    checkNotNull(params, "Optimizers.create: params is null");
    String key = name.trim().toLowerCase(Locale.ROOT);
    switch (key) {
      case "sgd":
        return SGD.builder(params).lr(lr).build();
      case "momentum":
        return SGD.builder(params).lr(lr).momentum(0.9).build();
      case "nesterov":
        return SGD.builder(params).lr(lr).momentum(0.9).nesterov(true).build();
      case "adam":
        return Adam.builder(params).lr(lr).build();
      case "adamw":
        return AdamW.builder(params).lr(lr).build();
      case "rmsprop":
        return RMSprop.builder(params).lr(lr).build();
      case "adagrad":
        return Adagrad.builder(params).lr(lr).build();
      default:
        throw new IllegalArgumentException(
            "Optimizers: unknown optimiser '" + name + "' (expected one of "
                + String.join(", ", NAMES) + ")");
    }
  }
}
