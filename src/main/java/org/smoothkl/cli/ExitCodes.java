package org.smoothkl.cli;

/** The exit codes of the command-line contract (src/site/markdown/outputs.md, "Exit codes"). */
final class ExitCodes {
    static final int OK = 0;
    static final int UNEXPECTED = 1;
    /** Usage, config or input-schema error: the message names what is wrong. */
    static final int BAD_INPUT = 2;
    /** The audit ran and wrote every output, and at least one --check failed. */
    static final int CHECKS_FAILED = 3;

    private ExitCodes() {
    }
}
