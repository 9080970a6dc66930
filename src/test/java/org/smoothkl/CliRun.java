package org.smoothkl;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.smoothkl.cli.Main;

/** Runs the command line in-process on the test SparkSession and keeps what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, SparkTestSession::get, false, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }
}
