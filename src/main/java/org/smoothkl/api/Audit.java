package org.smoothkl.api;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.smoothkl.audit.AuditInputException;
import org.smoothkl.audit.AuditSpec;
import org.smoothkl.audit.RunSnapshot;
import org.smoothkl.job.AuditJob;
import org.smoothkl.job.AuditRun;
import org.smoothkl.output.AuditOutput;
import org.smoothkl.output.PathOverlap.FlagPath;

/**
 * One audit to run ({@link Smoothkl#audit}): its settings, then {@link #run()} (objects only) or
 * {@link #write()} (the output directory too). Each setting is the command line's flag of the same
 * name, camel-cased ({@code --group-by} is {@link #groupBy(String)}), with the same defaults (the
 * bundled conf/smoothkl.conf, under a {@link #config(String) --config} file) and the same checks and
 * messages: the settings are resolved by {@link AuditSettings}, as {@code run}'s flags are. Nothing
 * is checked before {@link #spec()}, {@link #run()} or {@link #write()}.
 *
 * <p>Numbers are {@link Number}s (a Java int or double, a Python int or float: py4j resolves a
 * method by the arguments' runtime types, and passes a Python int as an Integer); flags are
 * {@link Boolean}s. Null unsets a setting (its default applies again).
 */
public final class Audit {
    private final SparkSession spark;
    private final Dataset<Row> frame;
    private final Map<String, Object> values = new LinkedHashMap<>();
    private String config;

    Audit(SparkSession spark, Dataset<Row> frame) {
        this.spark = spark;
        this.frame = frame;
    }

    /**
     * Sets a setting by its flag's name ({@code "group-by"}, {@code "epsilon"}; see
     * {@link AuditSettings#KEYS}) to what the config file would hold there: a String, Number,
     * Boolean or List of Strings (a String is one check, or comma-separated columns); for
     * {@code option} and {@code meta} a Map, or KEY=VALUE Strings. Null unsets it.
     *
     * @throws AuditInputException for a name no flag has (naming the nearest)
     */
    public Audit set(String key, Object value) {
        AuditSettings.requireKnown(key);
        if (value == null) {
            values.remove(key);
        } else if (value instanceof List<?> l) {
            values.put(key, new ArrayList<>(l)); // later changes to the caller's list change nothing
        } else if (value instanceof Map<?, ?> m) {
            values.put(key, new LinkedHashMap<>(m));
        } else {
            values.put(key, value);
        }
        return this;
    }

    /** {@link #set} for each entry: the command line passes its flags so. */
    public Audit settings(Map<String, ?> settings) {
        settings.forEach(this::set);
        return this;
    }

    /** --config: a HOCON file whose {@code smoothkl.run} keys lie under the settings given here. */
    public Audit config(String file) {
        this.config = file;
        return this;
    }

    /** --input: a file, directory or glob (an audit of a {@link Smoothkl#audit(SparkSession) session}). */
    public Audit input(String path) {
        return set("input", path);
    }

    /** --table: a table of the session's catalog instead of --input. */
    public Audit table(String name) {
        return set("table", name);
    }

    /** --format: parquet, orc, json, csv, npz, or any Spark data source (default: the extension of --input, else parquet). */
    public Audit format(String format) {
        return set("format", format);
    }

    /** --option KEY=VALUE: one reader option of the source (repeatable). */
    public Audit option(String key, String value) {
        return pair("option", key, value);
    }

    /** --where: audit only the rows this Spark SQL predicate keeps. */
    public Audit where(String predicate) {
        return set("where", predicate);
    }

    /** --keep: source columns carried into rows/ and invalid/, comma separated. */
    public Audit keep(String columns) {
        return set("keep", columns);
    }

    /** --keep as a list. */
    public Audit keep(List<String> columns) {
        return set("keep", columns);
    }

    /** --meta KEY=VALUE: one pair stored with the run in summary.json and the history (repeatable). */
    public Audit meta(String key, String value) {
        return pair("meta", key, value);
    }

    /** --logits-col (default logits). */
    public Audit logitsCol(String column) {
        return set("logits-col", column);
    }

    /** --label-col (default label). */
    public Audit labelCol(String column) {
        return set("label-col", column);
    }

    /** --input-kind: logits (default), probs or log_probs. */
    public Audit inputKind(String kind) {
        return set("input-kind", kind);
    }

    /** --prob-tolerance (default 1e-3). */
    public Audit probTolerance(Number tolerance) {
        return set("prob-tolerance", tolerance);
    }

    /** --preset: the training criterion, seed, pytorch, fairseq or onmt (no default). */
    public Audit preset(String preset) {
        return set("preset", preset);
    }

    /** --epsilon: the label smoothing, in [0, 1] (no default). */
    public Audit epsilon(Number epsilon) {
        return set("epsilon", epsilon);
    }

    /** --ignore-index (default: the preset's). */
    public Audit ignoreIndex(Number label) {
        return set("ignore-index", label);
    }

    /** --group-by: the slice columns, comma separated. */
    public Audit groupBy(String columns) {
        return set("group-by", columns);
    }

    /** --group-by as a list. */
    public Audit groupBy(List<String> columns) {
        return set("group-by", columns);
    }

    /** --bins: gap histogram bins (default 50). */
    public Audit bins(Number bins) {
        return set("bins", bins);
    }

    /** --gap-range LO:HI (default 0:20). */
    public Audit gapRange(String range) {
        return set("gap-range", range);
    }

    /** --calibration-bins (default 15). */
    public Audit calibrationBins(Number bins) {
        return set("calibration-bins", bins);
    }

    /** --max-slices (default 1000). */
    public Audit maxSlices(Number slices) {
        return set("max-slices", slices);
    }

    /**
     * --check: adds one threshold ({@code mean_kl <= 0.5}); the checks given here replace the
     * config file's list, as the flags do.
     */
    public Audit check(String check) {
        List<Object> checks = new ArrayList<>();
        if (values.get("check") instanceof List<?> l) {
            checks.addAll(l);
        } else if (values.get("check") != null) {
            checks.add(values.get("check"));
        }
        checks.add(check);
        return set("check", checks);
    }

    /** --check for each of {@code checks}, replacing the checks given before. */
    public Audit checks(List<String> checks) {
        return set("check", checks);
    }

    /** --baseline: an earlier run's output directory to compare with. */
    public Audit baseline(String dir) {
        return set("baseline", dir);
    }

    /** --history: the Parquet table {@link #write()} appends the run's summaries to. */
    public Audit history(String dir) {
        return set("history", dir);
    }

    /** --run-tag (default: the output's last name). */
    public Audit runTag(String tag) {
        return set("run-tag", tag);
    }

    /** --output: the directory {@link #write()} writes (must not exist unless --overwrite). */
    public Audit output(String dir) {
        return set("output", dir);
    }

    /** --overwrite: {@link #write()} replaces an existing output directory. */
    public Audit overwrite(Boolean overwrite) {
        return set("overwrite", overwrite);
    }

    /** --write-rows: {@link #write()} also writes the per-row metrics to rows/. */
    public Audit writeRows(Boolean writeRows) {
        return set("write-rows", writeRows);
    }

    /** --engine: auto (default), cpu or rapids. */
    public Audit engine(String engine) {
        return set("engine", engine);
    }

    private Audit pair(String key, String k, String v) {
        Map<Object, Object> pairs = new LinkedHashMap<>();
        if (values.get(key) instanceof Map<?, ?> m) {
            pairs.putAll(m);
        }
        pairs.put(k, v);
        return set(key, pairs);
    }

    /**
     * The settings resolved and checked, as {@link #run()} uses them; runs no Spark job.
     *
     * @throws AuditInputException naming the setting by its flag, with the command line's message
     */
    public AuditSpec spec() {
        return resolve(false);
    }

    /**
     * Audits the rows and returns what it found; writes nothing (--output, --history and
     * --write-rows only matter to {@link #write()}). Reads --baseline when given.
     *
     * @throws AuditInputException for bad settings or input (the command line's exit 2)
     */
    public AuditReport run() {
        AuditSpec spec = resolve(false);
        SparkSession session = session();
        RunSnapshot baseline = AuditOutput.baseline(session.sparkContext().hadoopConfiguration(), spec);
        return new AuditReport(audit(session, spec, baseline), null);
    }

    /**
     * What the command line's {@code run} does: claims --output (refused when it exists without
     * --overwrite, or overlaps what the run reads), audits, writes every part of the output directory
     * (summary.json, report.html, histograms, invalid/ and rows/), commits it, and appends the run to
     * --history; then returns what it found. A check that fails fails no call: see
     * {@link AuditReport#passed()}.
     *
     * @throws AuditInputException for bad settings or input (exit 2), with nothing left behind
     */
    public AuditReport write() {
        AuditSpec spec = resolve(true);
        SparkSession session = session();
        Configuration conf = session.sparkContext().hadoopConfiguration();
        RunSnapshot baseline = AuditOutput.baseline(conf, spec);
        AuditRun run;
        try (AuditOutput out = AuditOutput.claim(conf, spec, alsoRead())) {
            run = audit(session, spec, baseline);
            out.write(run); // (rows/ and invalid/ scan the input again)
        } catch (RuntimeException e) {
            throw AuditJob.asInputProblem(spec, e);
        }
        return new AuditReport(run, spec.output());
    }

    private AuditSpec resolve(boolean writes) {
        return AuditSettings.resolve(values, config == null ? null : new File(config), frame != null, writes);
    }

    private SparkSession session() {
        return frame != null ? frame.sparkSession() : spark;
    }

    private AuditRun audit(SparkSession session, AuditSpec spec, RunSnapshot baseline) {
        return frame == null ? AuditJob.run(session, spec, baseline) : AuditJob.run(session, spec, rows(spec), baseline);
    }

    /** The frame's rows that --where keeps. */
    private Dataset<Row> rows(AuditSpec spec) {
        String where = spec.source().where();
        if (where == null) {
            return frame;
        }
        try {
            return frame.where(where);
        } catch (Exception e) { // Spark's ParseException and AnalysisException, undeclared
            String message = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new AuditInputException("--where " + where + ": " + message, e);
        }
    }

    /**
     * What the run reads besides --input and --baseline, which no output may replace: the --config
     * file, and the directories of the frame's files.
     */
    private FlagPath[] alsoRead() {
        List<FlagPath> read = new ArrayList<>();
        read.add(FlagPath.literal("--config", config));
        if (frame != null) {
            Set<String> dirs = new LinkedHashSet<>();
            for (String file : frame.inputFiles()) {
                Path parent = new Path(file).getParent();
                if (parent != null) {
                    dirs.add(parent.toString());
                }
            }
            dirs.forEach(d -> read.add(FlagPath.literal("the DataFrame's input", d)));
        }
        return read.toArray(FlagPath[]::new);
    }
}
