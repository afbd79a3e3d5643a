/**
 * The command line: the entry point {@link dev.cadena.cli.Main} and the main training job ({@link
 * dev.cadena.cli.TrainJob}), with their support: a flag parser ({@link dev.cadena.cli.Flags},
 * {@link dev.cadena.cli.ValueParser}, {@link dev.cadena.cli.UsageException}), the options of the
 * main training job ({@link dev.cadena.cli.TrainOptions}) and a terminal progress bar ({@link
 * dev.cadena.cli.ProgressBar}).
 *
 * <p>Usage errors are {@link dev.cadena.cli.UsageException}s whose messages name the program,
 * the flag and the value; programs print them and exit with status 2. This is the top layer:
 * it may use every package below it, and nothing in the library depends on it.
 */
package dev.cadena.cli;
