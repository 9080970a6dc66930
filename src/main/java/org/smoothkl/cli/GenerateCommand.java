package org.smoothkl.cli;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.smoothkl.api.Settings;
import org.smoothkl.audit.AuditInputException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import org.smoothkl.output.SyntheticOutput;

/** {@code generate}: synthetic predictions whose gaps centre on the optimal gap for ε. */
@Command(name = "generate", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        customSynopsis = "smoothkl generate --output DIR [OPTIONS]",
        description = {"Write synthetic Parquet predictions (slice, label, logits) of a model trained at epsilon.",
            "Each option is also a key of smoothkl.generate in a --config file."},
        footerHeading = "%nExample:%n",
        footer = {"  smoothkl generate --rows 1000000 --classes 1000 --epsilon 0.1 --output preds",
            "  smoothkl run --input preds --preset seed --epsilon 0.1 --output audit"})
final class GenerateCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--rows", paramLabel = "N", description = "Rows to write (default 100000).")
    Long rows;

    @Option(names = "--classes", paramLabel = "K", description = "Classes per row (default 100).")
    Integer classes;

    @Option(names = "--epsilon", paramLabel = "E", description = "Smoothing the model was trained with (default 0.1).")
    Double epsilon;

    @Option(names = "--slices", paramLabel = "S", description = "Distinct values of the slice column (default 3).")
    Integer slices;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed; the same seed writes the same rows.")
    Long seed;

    @Option(names = "--output", paramLabel = "DIR", description = "Required. Output directory; must not exist unless --overwrite.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output directory.")
    Boolean overwrite;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file of settings.")
    File config;

    @Override
    public Integer call() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("rows", rows);
        flags.put("classes", classes);
        flags.put("epsilon", epsilon);
        flags.put("slices", slices);
        flags.put("seed", seed);
        flags.put("output", output);
        flags.put("overwrite", overwrite);
        Settings s = Settings.load("generate", config, flags);
        long n = s.longValue("rows");
        int k = s.integer("classes");
        int sl = s.integer("slices");
        double eps = s.number("epsilon");
        if (n < 0 || k < 2 || sl < 1 || !(eps >= 0 && eps < 1)) {
            throw new AuditInputException("generate needs --rows ≥ 0, --classes ≥ 2, --slices ≥ 1 and --epsilon in [0, 1); got "
                    + n + ", " + k + ", " + sl + ", " + eps);
        }
        String out = s.string("output");
        return main.withSpark(spark -> {
            SyntheticOutput.write(spark, n, k, eps, sl, s.longValue("seed"), out, s.flag("overwrite"));
            main.out().println("wrote " + n + " rows (K=" + k + ", epsilon=" + eps + ", " + sl + " slices) to " + out);
            return ExitCodes.OK;
        });
    }
}
