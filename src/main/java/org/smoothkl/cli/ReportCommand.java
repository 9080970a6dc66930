package org.smoothkl.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.smoothkl.output.AuditOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code report}: render DIR/report.html again from a finished run's summary.json; no Spark job,
 * unless --history asks for the trends (Spark reads the Parquet table).
 */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        description = "Re-render DIR/report.html of a finished run from its summary.json (no Spark job without --history).",
        footerHeading = "%nExample:%n", footer = "  smoothkl report --output audits/today --history audits/history")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "Required. A finished run's output directory.")
    String output;

    @Option(names = "--history", paramLabel = "DIR",
            description = "A history table (run --history) whose runs the report's trend charts show; read only.")
    String history;

    @Override
    public Integer call() {
        if (history == null) {
            AuditOutput.rerenderReport(new Configuration(), output);
        } else {
            main.withSpark(spark -> {
                AuditOutput.rerenderReport(spark, output, history);
                return null;
            });
        }
        main.out().println("wrote " + output + "/" + AuditOutput.REPORT);
        return ExitCodes.OK;
    }
}
