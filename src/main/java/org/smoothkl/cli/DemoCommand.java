package org.smoothkl.cli;

import java.util.concurrent.Callable;
import org.smoothkl.api.Audit;
import org.smoothkl.api.Smoothkl;
import org.smoothkl.output.AuditOutput;
import org.smoothkl.output.SyntheticOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code demo}: what submit/local runs with no arguments: generate a sample, audit it, print the table. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Generate a sample dataset (100k rows, K=100, 3 slices, epsilon 0.1) and audit it with the seed preset.",
        footerHeading = "%nExample:%n", footer = "  smoothkl demo --sample /tmp/sample --output /tmp/sample-audit")
final class DemoCommand implements Callable<Integer> {
    static final long ROWS = 100_000;
    static final int CLASSES = 100;
    static final double EPSILON = 0.1;

    @ParentCommand
    private Main main;

    @Option(names = "--sample", paramLabel = "DIR", description = "Where the sample goes (default ./smoothkl-sample).")
    String sample = "smoothkl-sample";

    @Option(names = "--output", paramLabel = "DIR", description = "Audit output (default ./smoothkl-out, replaced).")
    String output = "smoothkl-out";

    @Override
    public Integer call() {
        return main.withSpark(spark -> {
            // run --input SAMPLE --preset seed --epsilon 0.1 --group-by slice --run-tag demo --output OUTPUT --overwrite
            Audit audit = Smoothkl.audit(spark).input(sample).format("parquet").preset("seed").epsilon(EPSILON)
                    .groupBy("slice").runTag("demo").output(output).overwrite(true);
            // The sample is the audit's input: refuse an --output over it before generating it.
            AuditOutput.refuseOverlaps(spark.sparkContext().hadoopConfiguration(), audit.spec(), "--sample");
            main.out().println("generating " + ROWS + " rows (K=" + CLASSES + ", epsilon=" + EPSILON + ", 3 slices) into " + sample);
            SyntheticOutput.write(spark, ROWS, CLASSES, EPSILON, 3, 42, sample, true);
            main.out().println("auditing with --preset seed --epsilon " + EPSILON + " --group-by slice");
            return RunCommand.report(audit.write(), main.out());
        });
    }
}
