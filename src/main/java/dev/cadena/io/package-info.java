/**
 * Reading and writing data and models: the IDX format of MNIST ({@link dev.cadena.io.Idx},
 * {@link dev.cadena.io.IdxArray}), the embedded 10,000-digit MNIST subset ({@link
 * dev.cadena.io.Mnist}) and the safetensors format for weights ({@link dev.cadena.io.SafeTensors}).
 *
 * <p>Everything here works on plain Java arrays, so it depends on no other Cadena package; the
 * tensor layer wraps these arrays. Conventions shared by all formats:
 *
 * <ul>
 *   <li>A malformed file or stream (bad magic number, truncated or trailing data, inconsistent
 *       header) throws {@link dev.cadena.io.FormatException}, an {@code IllegalArgumentException}
 *       whose message names the format, the rule, the values and the file, for example {@code
 *       idx: truncated data in images.idx: expected 7840000 bytes for UNSIGNED_BYTE [10000, 28,
 *       28], got 1234}. No {@code ArrayIndexOutOfBoundsException}, {@code BufferUnderflowException}
 *       or {@code NullPointerException} escapes for bad input.
 *   <li>A null argument is a {@code NullPointerException} naming the method and the parameter
 *       ({@code SafeTensors.read: path is null}), thrown before any file is touched.
 *   <li>I/O failures are {@code IOException}s whose messages name the file.
 *   <li>Files are written atomically: a temporary file in the same directory, forced to disk and
 *       renamed over the target, so a crash or an error never leaves a partial file behind and
 *       the previous version stays intact.
 *   <li>Values are immutable; accessors return fresh arrays.
 * </ul>
 */
package dev.cadena.io;
