package org.smoothkl.cli;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.api.AuditReport;
import org.smoothkl.api.AuditSettings;
import org.smoothkl.api.Smoothkl;
import org.smoothkl.api.Verdict;
import org.smoothkl.output.AuditOutput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code run}: audit a prediction dataset. Each flag overrides the config key of the same name. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        // The required settings, which a --config file may give instead (so picocli does not enforce them: the
        // settings' resolver names every missing one at once).
        customSynopsis = {"smoothkl run (--input PATH | --table NAME) --preset NAME --epsilon E",
            "                    --output DIR [OPTIONS]"},
        description = {"Audit a prediction dataset: per-row label-smoothed losses and logit gaps, summarised per slice.",
            "Each option is also a key of smoothkl.run in a --config file; a required one may be given there."},
        footerHeading = "%nExamples:%n",
        footer = {"  smoothkl run --input preds.parquet --preset seed --epsilon 0.1 \\",
            "      --group-by slice --output audits/today",
            "  smoothkl run --table db.preds --where \"day = '2026-12-01'\" --keep id \\",
            "      --preset pytorch --epsilon 0.1 --baseline audits/yesterday \\",
            "      --check 'mean_kl <= 0.5' --check 'delta(accuracy) >= -0.02' \\",
            "      --output audits/today",
            "Exit codes: 0 done, 2 bad usage or input, 3 a check failed (every output",
            "written), 1 unexpected."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    private Main main;

    @Option(names = "--input", paramLabel = "PATH", description = "Required, or --table. Input file, directory or glob.")
    String input;

    @Option(names = "--table", paramLabel = "NAME",
            description = "Required, or --input. A table of the session's catalog (db.table or catalog.db.table).")
    String table;

    @Option(names = "--format", paramLabel = "FMT",
            description = "parquet, orc, json, csv, npz (a directory of NumPy .npz shards), or any Spark data source (delta, iceberg, avro, a class name). Default: the extension of --input (.parquet, .orc, .json, .jsonl, .csv, .npz), else parquet.")
    String format;

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "A reader option of the source, repeatable (e.g. versionAsOf=3); also the config's option { KEY = VALUE }.")
    List<String> option;

    @Option(names = "--where", paramLabel = "PREDICATE", description = "Audit only the rows this Spark SQL predicate keeps (pushed down to the source).")
    String where;

    @Option(names = "--keep", paramLabel = "COLS", split = ",",
            description = "Source columns carried into rows/ and invalid/ (e.g. an example id), comma separated.")
    List<String> keep;

    @Option(names = "--meta", paramLabel = "KEY=VALUE",
            description = "A pair stored with the run in summary.json and the history, repeatable (e.g. model=v7).")
    List<String> meta;

    @Option(names = "--logits-col", paramLabel = "COL", description = "Logits column (default logits); for npz, the logits array's name in each shard.")
    String logitsCol;

    @Option(names = "--label-col", paramLabel = "COL", description = "Label column (default label); for npz, the labels array's name in each shard.")
    String labelCol;

    @Option(names = "--input-kind", paramLabel = "KIND",
            description = "What the logits column holds: logits (default), probs or log_probs.")
    String inputKind;

    @Option(names = "--prob-tolerance", paramLabel = "T",
            description = "probs/log_probs: largest |sum of p - 1| of a valid row (default 1e-3).")
    Double probTolerance;

    @Option(names = "--preset", paramLabel = "NAME", description = "Required. Training criterion: seed, pytorch, fairseq or onmt.")
    String preset;

    @Option(names = "--epsilon", paramLabel = "E", description = "Required. Label smoothing epsilon, in [0, 1].")
    Double epsilon;

    @Option(names = "--ignore-index", paramLabel = "N", description = "Label to ignore (default: the preset's).")
    Long ignoreIndex;

    @Option(names = "--group-by", paramLabel = "COLS", split = ",", description = "Slice columns, comma separated.")
    List<String> groupBy;

    @Option(names = "--bins", paramLabel = "N", description = "Gap histogram bins (default 50).")
    Integer bins;

    @Option(names = "--gap-range", paramLabel = "LO:HI", description = "Gap histogram range (default 0:20).")
    String gapRange;

    @Option(names = "--calibration-bins", paramLabel = "N",
            description = "Equal-width confidence bins over [0, 1] for ECE and the reliability table (default 15).")
    Integer calibrationBins;

    @Option(names = "--max-slices", paramLabel = "N",
            description = "Most slices a run may have (default 1000); more stop it with exit 2, naming the --group-by columns.")
    Integer maxSlices;

    @Option(names = "--check", paramLabel = "CHECK",
            description = {"A threshold, repeatable (replaces the config file's list); any failing verdict: exit 3.",
                "Examples: mean_kl<=0.5   overall.mean_gap in [5, 8]   slice[slice=a].accuracy>=0.6",
                "With --baseline: delta(accuracy)>=-0.02 (run - baseline)   ratio(mean_kl)<=1.1 (run / baseline)"
                        + "   gap_psi<0.25. Grammar: src/site/markdown/outputs.md, \"Checks\"."})
    List<String> check;

    @Option(names = "--baseline", paramLabel = "DIR", description = "An earlier run's output to compare with.")
    String baseline;

    @Option(names = "--history", paramLabel = "DIR", description = "Append this run's summary rows to this Parquet table.")
    String history;

    @Option(names = "--run-tag", paramLabel = "TAG", description = "This run's tag in summary.json and the history (default: the output's name).")
    String runTag;

    @Option(names = "--output", paramLabel = "DIR", description = "Required. Output directory; must not exist unless --overwrite.")
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
        spec(); // every settings error is exit 2 before Spark starts; write() resolves the same flags again
        return main.withSpark(spark -> report(
                Smoothkl.audit(spark).settings(flags()).config(config == null ? null : config.getPath()).write(), main.out()));
    }

    /** The flags by their config keys (null: not given); --option and --meta as their KEY=VALUE lists. */
    Map<String, Object> flags() {
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("input", input);
        flags.put("table", table);
        flags.put("format", format);
        flags.put("option", option);
        flags.put("where", where);
        flags.put("keep", keep);
        flags.put("meta", meta);
        flags.put("logits-col", logitsCol);
        flags.put("label-col", labelCol);
        flags.put("input-kind", inputKind);
        flags.put("prob-tolerance", probTolerance);
        flags.put("preset", preset);
        flags.put("epsilon", epsilon);
        flags.put("ignore-index", ignoreIndex);
        flags.put("group-by", groupBy);
        flags.put("bins", bins);
        flags.put("gap-range", gapRange);
        flags.put("calibration-bins", calibrationBins);
        flags.put("max-slices", maxSlices);
        flags.put("check", check);
        flags.put("baseline", baseline);
        flags.put("history", history);
        flags.put("run-tag", runTag);
        flags.put("output", output);
        flags.put("overwrite", overwrite);
        flags.put("write-rows", writeRows);
        flags.put("engine", engine);
        return flags;
    }

    /** The flags over --config over the bundled defaults, resolved as the library resolves its settings. */
    AuditSpec spec() {
        return AuditSettings.resolve(flags(), config);
    }

    /**
     * Prints a written run ({@link org.smoothkl.api.Audit#write}: the parts, the commit, then the
     * history rows): the table, then the failed verdicts. Exit 3 when one failed.
     */
    static int report(AuditReport report, java.io.PrintWriter console) {
        AuditSpec spec = report.spec();
        console.print(report.table());
        console.println("wrote " + spec.output() + (spec.history() != null ? " and appended to " + spec.history() : ""));
        if (report.checks().isEmpty()) {
            return ExitCodes.OK;
        }
        for (Verdict v : report.checks()) {
            if (!v.passed()) {
                console.println(v.describe());
            }
        }
        if (report.passed()) {
            console.println("checks: all " + report.checks().size() + " verdicts passed");
            return ExitCodes.OK;
        }
        console.println("checks: " + report.failed() + " of " + report.checks().size()
                + " verdicts FAILED (exit code " + ExitCodes.CHECKS_FAILED + "; see " + AuditOutput.SUMMARY + " \"checks\")");
        return ExitCodes.CHECKS_FAILED;
    }
}
