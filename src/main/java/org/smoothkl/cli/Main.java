package org.smoothkl.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.EditDistance;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The job's entry point, under spark-submit or submit/local. Exit codes: 0 done; 2 usage,
 * config or input error (one line naming what is wrong, no stack trace); 3 a check failed
 * (after every output was written); 1 unexpected failure.
 */
@Command(name = "smoothkl", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        subcommands = {RunCommand.class, ReportCommand.class, GenerateCommand.class, DemoCommand.class},
        description = "Audit label-smoothed losses and logit gaps of model predictions on Spark.",
        footerHeading = "%nExample:%n",
        footer = {"  smoothkl run --input preds.parquet --preset seed --epsilon 0.1 \\",
            "      --group-by slice --output audits/today",
            "Each command's help: smoothkl COMMAND --help. Exit codes: 0 done, 2 bad usage",
            "or input, 3 a check failed, 1 unexpected."})
public final class Main {
    private final Supplier<SparkSession> sessions;
    private final PrintWriter out;

    Main(Supplier<SparkSession> sessions, PrintWriter out) {
        this.sessions = sessions;
        this.out = out;
    }

    public static void main(String[] args) {
        org.smoothkl.job.ShippedLogConfig.applyIfNoneGiven(); // before anything logs
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = ExitCodes.UNEXPECTED;
        try {
            // spark.ui.showConsoleProgress: Spark's bar on a terminal only (job.ConsoleProgress)
            code = execute(args, () -> SparkSession.builder().appName("smoothkl")
                    .config(org.smoothkl.job.ConsoleProgress.sessionConf()).getOrCreate(), true, out, err);
        } catch (Throwable e) { // reporting a failure failed in turn (out of memory again), or stopping Spark did
            e.printStackTrace();
        } finally {
            System.exit(code);
        }
    }

    /**
     * Runs one command. {@code stopSession}: stop the Spark session afterwards (not when a test
     * lends its own).
     */
    public static int execute(String[] args, Supplier<SparkSession> sessions, boolean stopSession,
                              PrintWriter out, PrintWriter err) {
        Main main = new Main(sessions, out);
        CommandLine cli = new CommandLine(main).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, cmd.getErr()));
        cli.setParameterExceptionHandler((e, badArgs) -> usageError(e));
        try {
            return cli.execute(args);
        } catch (Throwable e) {
            // picocli's handler gets Exceptions only; an Error (out of memory) propagates to here, after
            // the command's try-with-resources (the uncommitted output, the claim) have cleaned up.
            return handle(e, err);
        } finally {
            out.flush();
            err.flush();
            if (stopSession) {
                SparkSession.getActiveSession().foreach(s -> {
                    s.stop();
                    return null;
                });
            }
        }
    }

    PrintWriter out() {
        return out;
    }

    <T> T withSpark(Function<SparkSession, T> work) {
        return work.apply(sessions.get());
    }

    /** A flag picocli could not parse: one line naming it (the usage stays behind --help). */
    static int usageError(CommandLine.ParameterException e) {
        PrintWriter err = e.getCommandLine().getErr();
        String message = e instanceof CommandLine.UnmatchedArgumentException u ? unmatched(u)
                : e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        err.println("smoothkl: error: " + message + " (see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return ExitCodes.BAD_INPUT;
    }

    /**
     * What picocli could not match: an unknown command, with the nearest; else each unknown option
     * with the command's nearest ("--epsilonn (did you mean --epsilon?)"); else the first stray
     * word. (The values of unknown options are stray words too: not named.)
     */
    private static String unmatched(CommandLine.UnmatchedArgumentException u) {
        CommandLine.Model.CommandSpec spec = u.getCommandLine().getCommandSpec();
        List<String> words = u.getUnmatched();
        String first = words.isEmpty() ? "" : words.get(0);
        if (!spec.subcommands().isEmpty() && !first.startsWith("-")) { // smoothkl rnu --input ...
            return "unknown command '" + first + "'" + EditDistance.didYouMean(first, spec.subcommands().keySet())
                    + "; the commands are " + String.join(", ", spec.subcommands().keySet());
        }
        List<String> options = words.stream().filter(w -> w.startsWith("-") && w.length() > 1).toList();
        if (options.isEmpty()) {
            return "unexpected argument '" + first + "' (" + spec.qualifiedName() + " takes options only)";
        }
        List<String> named = new ArrayList<>();
        for (String option : options) {
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            named.add(name + EditDistance.didYouMean(name, spec.optionsMap().keySet()));
        }
        return "unknown option" + (named.size() > 1 ? "s " : " ") + String.join(", ", named);
    }

    static int handle(Throwable e, PrintWriter err) {
        AuditInputException bad = badInput(e);
        if (bad != null) {
            err.println("smoothkl: error: " + bad.getMessage());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        org.smoothkl.engine.GpuSelfCheckFailure gpu = causeOf(e, org.smoothkl.engine.GpuSelfCheckFailure.class);
        if (gpu != null) { // the GPU is at fault, not the input: exit 1, but one line (it says what to do)
            err.println("smoothkl: error: " + gpu.getMessage());
            err.flush();
            return ExitCodes.UNEXPECTED;
        }
        err.println("smoothkl: unexpected failure: " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.UNEXPECTED;
    }

    /** The AuditInputException behind {@code e}, if any (Spark may wrap it in its own exceptions). */
    private static AuditInputException badInput(Throwable e) {
        return causeOf(e, AuditInputException.class);
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
