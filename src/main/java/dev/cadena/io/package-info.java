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
 *   <li>I/O failures are {@code IOException}s whose messages name the file. Readers open only
 *       regular files (links to them included): a directory, a named pipe or a device is refused
 *       from its attributes with a {@code java.nio.file.FileSystemException} that says what it
 *       is, so a pipe cannot block a load; a missing file is a {@code NoSuchFileException}.
 *   <li>Readers bound memory by what the input holds, never by what a header declares: sizes
 *       are checked against the file length, buffers grow with the bytes that arrive, and gzip
 *       data expanding more than {@link dev.cadena.io.Idx#MAX_GZIP_EXPANSION}-fold is refused.
 *   <li>Files are written atomically: a temporary file {@code .NAME.<hex>.tmp} in the same
 *       directory, forced to disk and renamed over the target, so a crash or an error never
 *       leaves a partial file behind and the previous version stays intact. A save removes the
 *       temporary files of that exact pattern that killed saves left in its directory, once they
 *       have not been modified for a minute.
 *   <li>Values are immutable; accessors return fresh arrays.
 * </ul>
 */
package dev.cadena.io;
