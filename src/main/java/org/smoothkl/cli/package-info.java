/**
 * The command line: parses flags and the config file into a spec, calls the job and the output
 * writer, prints; exit codes in {@link org.smoothkl.cli.ExitCodes}.
 */
package org.smoothkl.cli;
