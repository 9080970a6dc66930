package org.smoothkl;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.cli.Main;

/** Runs the command line in-process on the test SparkSession and keeps what it printed. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        return on(SparkTestSession::get, args);
    }

    /** The same on another session (the GPU-plan tests' own fixture). */
    public static CliRun on(Supplier<SparkSession> session, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, session, false, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }
}
