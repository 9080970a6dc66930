package org.smoothkl.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.smoothkl.output.AuditOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code report}: render DIR/report.html again from a finished run's summary.json; no Spark job. */
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        description = "Re-render DIR/report.html of a finished run from its summary.json (no Spark job).",
        footerHeading = "%nExample:%n", footer = "  smoothkl report --output audits/today")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "Required. A finished run's output directory.")
    String output;

    @Override
    public Integer call() {
        AuditOutput.rerenderReport(new Configuration(), output);
        main.out().println("wrote " + output + "/" + AuditOutput.REPORT);
        return ExitCodes.OK;
    }
}
