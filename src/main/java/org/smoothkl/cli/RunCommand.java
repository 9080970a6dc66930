package org.smoothkl.cli;

import java.io.File;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditResult;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.GapHistogramSpec;
import org.smoothkl.loss.Preset;
import org.smoothkl.report.HistogramCsv;
import org.smoothkl.report.SummaryJson;
import org.smoothkl.report.SummaryTable;
import org.smoothkl.spark.AtomicOutput;
import org.smoothkl.spark.AuditJob;
import org.smoothkl.spark.MetricsEngine;
import org.smoothkl.spark.MetricsEngines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code run}: audit a prediction dataset. Each flag overrides the config key of the same name. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Audit a prediction dataset: per-row label-smoothed losses and logit gaps, summarised per slice.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--input", paramLabel = "PATH", description = "Input file, directory or glob.")
    String input;

    @Option(names = "--format", paramLabel = "FMT", description = "parquet (default), orc, json or csv.")
    String format;

    @Option(names = "--logits-col", paramLabel = "COL", description = "Logits column (default logits).")
    String logitsCol;

    @Option(names = "--label-col", paramLabel = "COL", description = "Label column (default label).")
    String labelCol;

    @Option(names = "--preset", paramLabel = "NAME", description = "Training criterion: seed, pytorch, fairseq or onmt.")
    String preset;

    @Option(names = "--epsilon", paramLabel = "E", description = "Label smoothing epsilon, in [0, 1].")
    Double epsilon;

    @Option(names = "--ignore-index", paramLabel = "N", description = "Label to ignore (default: the preset's).")
    Long ignoreIndex;

    @Option(names = "--group-by", paramLabel = "COLS", split = ",", description = "Slice columns, comma separated.")
    List<String> groupBy;

    @Option(names = "--bins", paramLabel = "N", description = "Gap histogram bins (default 50).")
    Integer bins;

    @Option(names = "--gap-range", paramLabel = "LO:HI", description = "Gap histogram range (default 0:20).")
    String gapRange;

    @Option(names = "--output", paramLabel = "DIR", description = "Output directory; must not exist unless --overwrite.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output directory.")
    Boolean overwrite;

    @Option(names = "--write-rows", description = "Also write per-row metrics to DIR/rows.")
    Boolean writeRows;

    @Option(names = "--engine", paramLabel = "NAME",
            description = "Per-row metrics engine: auto (default; rapids when the RAPIDS plugin is active), cpu or rapids.")
    String engine;

    @Option(names = "--config", paramLabel = "FILE", description = "A HOCON file of settings (see conf/smoothkl.conf).")
    File config;

    @Override
    public Integer call() {
        AuditSpec spec = spec();
        return main.withSpark(spark -> run(spark, spec, main.out()));
    }

    AuditSpec spec() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("input", input);
        flags.put("format", format);
        flags.put("logits-col", logitsCol);
        flags.put("label-col", labelCol);
        flags.put("preset", preset);
        flags.put("epsilon", epsilon);
        flags.put("ignore-index", ignoreIndex);
        flags.put("group-by", groupBy);
        flags.put("bins", bins);
        flags.put("gap-range", gapRange);
        flags.put("output", output);
        flags.put("overwrite", overwrite);
        flags.put("write-rows", writeRows);
        flags.put("engine", engine);
        Settings s = Settings.load("run", config, flags);
        Preset p;
        try {
            p = Preset.fromName(s.string("preset"));
        } catch (IllegalArgumentException e) {
            throw new AuditInputException("--preset: " + e.getMessage());
        }
        Long ignore = s.has("ignore-index") ? s.longValue("ignore-index") : null;
        return new AuditSpec(s.string("input"), s.string("format"), s.string("logits-col"), s.string("label-col"), p,
                p.with(s.number("epsilon"), ignore), s.strings("group-by"),
                GapHistogramSpec.parse(s.integer("bins"), s.string("gap-range")),
                s.string("output"), s.flag("overwrite"), s.flag("write-rows"), s.string("engine"));
    }

    static int run(SparkSession spark, AuditSpec spec, java.io.PrintWriter console) {
        Instant started = Instant.now();
        try (AtomicOutput out = AtomicOutput.begin(spark.sparkContext().hadoopConfiguration(), spec.output(), spec.overwrite())) {
            MetricsEngine engine = MetricsEngines.choose(spark, spec.engine());
            AuditResult result = AuditJob.run(spark, spec, engine, out);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("started", started.toString());
            run.put("seconds", (System.currentTimeMillis() - started.toEpochMilli()) / 1000.0);
            run.put("spark_version", spark.version());
            run.put("engine", engine.name());
            run.put("kernel", MetricsEngines.kernel(spark, engine));
            out.writeText("summary.json", SummaryJson.render(result, run));
            out.writeText("histograms.csv", HistogramCsv.render(result));
            out.commit();
            console.print(SummaryTable.render(result));
            console.println("wrote " + spec.output());
            return ExitCodes.OK;
        }
    }
}
