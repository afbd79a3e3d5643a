/**
 * Command-line support for Cadena's programs: a flag parser ({@link dev.cadena.cli.Flags},
 * {@link dev.cadena.cli.ValueParser}, {@link dev.cadena.cli.UsageException}), the options of the
 * main training job ({@link dev.cadena.cli.TrainOptions}) and a terminal progress bar ({@link
 * dev.cadena.cli.ProgressBar}).
 *
 * <p>Usage errors are {@link dev.cadena.cli.UsageException}s whose messages name the program,
 * the flag and the value; programs print them and exit with status 2. Nothing here depends on
 * the rest of Cadena.
 */
package dev.cadena.cli;
