package dev.cadena.tensor.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/**
 * Asks the Vector API what the CPU offers. Loaded only after {@link Gemm} has seen the module
 * {@code jdk.incubator.vector} in the boot layer, so a JVM without it never links this class.
 */
final class VectorProbe {

  private VectorProbe() {}

  /**
   * Whether the preferred vectors are wide enough to beat the scalar kernels; narrower ones
   * (or none) mean the Vector API would run in slow Java fallback code.
   */
  static boolean usable() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 128
        && DoubleVector.SPECIES_PREFERRED.length() >= 2;
  }

  /**
   * For example {@code "256-bit: 8 floats, 4 doubles; register tiles 5x16 float32, 6x8
   * float64"}: the vector width and the GEMM kernels' register tiles (rows x columns).
   */
  static String describe() {
    return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit: "
        + FloatVector.SPECIES_PREFERRED.length() + " floats, "
        + DoubleVector.SPECIES_PREFERRED.length() + " doubles; register tiles "
        + VectorGemmF32.tile() + " float32, " + VectorGemmF64.tile() + " float64";
  }
}
