package dev.cadena.jupyter;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Entry point: {@code java -jar cadena-jupyter-kernel.jar <connection-file>}, as a kernelspec's
 * {@code argv} runs it with Jupyter's {@code {connection_file}}. {@code -Dcadena.kernel.log=INFO}
 * shows the protocol messages the kernel handles.
 */
public final class KernelMain {

  private KernelMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1 || args[0].startsWith("-")) {
      System.err.println("usage: java -jar cadena-jupyter-kernel.jar <jupyter-connection-file>");
      System.exit(2);
    }
    // The base library logs every message it handles at INFO, under loggers with flat names
    // ("Loop-Shell-0", "Jupyter"); raising the console handler's level silences them without
    // touching the levels of loggers that notebook code uses.
    Level consoleLevel = Level.parse(System.getProperty("cadena.kernel.log", "WARNING"));
    for (Handler handler : Logger.getLogger("").getHandlers()) {
      handler.setLevel(consoleLevel);
    }
    // Notebooks draw images on servers without a display; this must precede any AWT use.
    System.setProperty("java.awt.headless", "true");
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    KernelConnectionProperties properties = KernelConnectionProperties.parse(json);
    JupyterConnection connection = new JupyterConnection(properties);
    CadenaKernel kernel = new CadenaKernel();
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    connection.waitUntilClose();
    // Threads a notebook started (or AWT's) must not keep a shut-down kernel alive.
    System.exit(0);
  }
}
