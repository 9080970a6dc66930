package org.smoothkl.engine;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.smoothkl.input.AuditInput;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.Preset;
import org.smoothkl.loss.RowKernels;
import org.smoothkl.loss.SingleRow;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.loss.SyntheticLogits;

/**
 * The GPU self-check: before the RAPIDS engine scores a run, it scores a small built-in batch on
 * an executor (one Spark task; on a GPU cluster through the cuDF kernel) and the result is
 * compared with the CPU kernel's ({@link RowKernels} through {@link SingleRow}, on the driver).
 * The batch holds the golden edge cases: every status and every reason the kernel finds, each
 * target convention (and ε = 0, ε = 1, the run's own settings), ties, logits near ±3e38 and ±1e4,
 * K from 0 to 1000 ({@link #ROWS} × {@link #smoothings}).
 *
 * <p>Tolerance ({@link #compare}): status, reason, pred, correct and classes must be equal; a
 * double within {@value #TOLERANCE}·max(1, |cpu|), and a non-finite one (gap_opt at ε = 0 or 1)
 * identical. The cuDF kernel evaluates the CPU kernel's formulas in double with other summation
 * orders (segmented reductions) and CUDA's exp/log (≤ 2 ulp): ≈1e-15 relative per operation, at
 * most K·1e-16 ≈ 1e-13 for K = 1000 on a sum of positive terms; the losses, sums of such terms
 * with a max(1, ·) floor, stay far below 1e-9, while a wrong formula, convention or index moves
 * them by 1e-3 or more.
 */
public final class GpuSelfCheck {
    /** Largest accepted |gpu − cpu| / max(1, |cpu|) for a double field. */
    public static final double TOLERANCE = 1e-9;
    /** summary.json's run.gpu_self_check when the CPU engine scores the run. */
    public static final String NOT_RUN = "not run (cpu engine)";

    private static final String ROW = "check_row";
    private static final String CASE = "check_case";
    private static final String LOGITS = "logits";
    private static final String LABEL = "label";
    private static final String INPUT_ERROR = "input_error";

    /** One built-in row: its logits (null: a null array; a null element: a null logit), label and reader problem. */
    record CheckRow(String what, Float[] logits, Long label, String inputError) {
    }

    /** The built-in rows; labels 100000, -100, 1 and 7 are the presets' ignore indices (and a pad class). */
    static final List<CheckRow> ROWS = List.of(
            row("valid", 0L, 1f, 2f, 3f),
            row("valid K=10", 7L, 0.5f, -1.25f, 3f, 2.75f, 0f, -4f, 1.5f, 2f, -0.5f, 0.25f),
            synthetic("valid K=1000", 1000, 11),
            synthetic("valid K=50", 50, 12),
            row("tied maximum", 2L, 9f, 9f, 1f),
            row("label 1, the maximum", 1L, 0f, 5f, 1f, -2f),
            row("K=2", 1L, 1f, 2f),
            row("logits near ±3e38", 0L, 3.0e38f, -3.0e38f, 0f, 1f),
            row("logits ±1e4", 1L, 1e4f, -1e4f, 5e3f),
            row("large negative logits", 2L, -1000f, -1001f, -999.5f),
            row("label 100000", 100000L, 1f, 5f, 3f),
            row("label -100", -100L, 1f, 5f, 3f),
            row("label 1", 1L, 4f, 2f, 3f, 0f),
            row("label = K", 3L, 1f, 2f, 3f),
            row("label -1", -1L, 1f, 2f, 3f),
            row("one class", 0L, 1f),
            row("no logits", 0L),
            row("NaN before +Inf", 0L, 1f, Float.NaN, Float.POSITIVE_INFINITY),
            row("-Inf before NaN", 0L, 1f, Float.NEGATIVE_INFINITY, Float.NaN),
            row("NaN, label 100000", 100000L, Float.NaN, 1f, 2f),
            new CheckRow("null label", new Float[] {1f, 2f}, null, null),
            new CheckRow("null logits", null, 0L, null),
            new CheckRow("a null logit", new Float[] {1f, null, 3f}, 0L, null),
            new CheckRow("malformed record", null, null, InvalidReason.MALFORMED_RECORD.code()));

    private GpuSelfCheck() {
    }

    private static CheckRow row(String what, Long label, Float... logits) {
        return new CheckRow(what, logits, label, null);
    }

    private static CheckRow synthetic(String what, int classes, long seed) {
        SyntheticLogits g = new SyntheticLogits(classes, 0.1);
        float[] z = new float[classes];
        g.logits(seed, 0, 0.8, z);
        Float[] boxed = new Float[classes];
        for (int j = 0; j < classes; j++) {
            boxed[j] = z[j];
        }
        return new CheckRow(what, boxed, (long) g.label(seed, 0), null);
    }

    /** The settings the batch is scored under: each convention, ε = 0 and 1, a pad class beyond K, and the run's own. */
    static Map<String, Smoothing> smoothings(Smoothing run) {
        Map<String, Smoothing> m = new LinkedHashMap<>();
        m.put("seed ε=0.1", Preset.SEED.with(0.1, null));
        m.put("seed ε=0", Preset.SEED.with(0, null));
        m.put("seed ε=1", Preset.SEED.with(1, null));
        m.put("pytorch ε=0.1", Preset.PYTORCH.with(0.1, null));
        m.put("pytorch ε=1", Preset.PYTORCH.with(1, null));
        m.put("fairseq ε=0.2", Preset.FAIRSEQ.with(0.2, null));
        m.put("onmt ε=0.1", Preset.ONMT.with(0.1, null));
        m.put("onmt ε=0.1 pad 7", Preset.ONMT.with(0.1, 7L));
        m.put(String.format(Locale.ROOT, "this run (%s ε=%s ignore %d)", run.convention().code(), run.epsilon(),
                run.ignoreIndex()), run);
        return m;
    }

    /**
     * What the check found: rows compared, whether all agreed, the largest relative difference of
     * a double, and the first difference (null when none), e.g. "kl of row 'valid' under seed ε=0.1: …".
     */
    public record Outcome(int rows, boolean passed, double maxRelDiff, String firstDifference) {
        /** summary.json's run.gpu_self_check. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rows", rows);
            m.put("passed", passed);
            m.put("max_rel_diff", maxRelDiff);
            m.put("first_difference", firstDifference);
            return m;
        }

        /** The failure as one sentence for the job's user: what differs and how to run without the GPU. */
        public String failure() {
            return failure("run on the CPU engine with --engine cpu");
        }

        /** What differs, then {@code consequence}: what happens or what to do instead. */
        public String failure(String consequence) {
            return "GPU self-check failed: the RAPIDS engine disagrees with the CPU kernel on its built-in batch ("
                    + firstDifference + "); " + consequence;
        }
    }

    /**
     * Scores the built-in batch with {@code gpu} (one task on an executor) and compares it with the
     * CPU kernel. A failure to run at all (a cuDF error, a missing native library) is a failed check.
     */
    public static Outcome run(SparkSession spark, MetricsEngine gpu, Smoothing runSettings) {
        Map<String, Smoothing> settings = smoothings(runSettings);
        List<String> where = new ArrayList<>();
        settings.keySet().forEach(name -> ROWS.forEach(r -> where.add("row '" + r.what() + "' under " + name)));
        List<Object[]> cpu = cpu(settings.values());
        List<Row> rows;
        try {
            rows = new ArrayList<>(query(spark, gpu, runSettings).collectAsList());
        } catch (Exception e) { // Spark rethrows task failures undeclared
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return new Outcome(cpu.size(), false, Double.NaN, "the batch could not be scored: " + root);
        }
        rows.sort(java.util.Comparator.<Row>comparingInt(r -> r.getInt(0)).thenComparingInt(r -> r.getInt(1)));
        List<Object[]> actual = new ArrayList<>();
        for (Row r : rows) {
            Object[] f = new Object[MetricField.values().length];
            for (int j = 0; j < f.length; j++) {
                f[j] = r.get(2 + j);
            }
            actual.add(f);
        }
        return compare(where, cpu, actual);
    }

    /** The CPU kernel's fields for each built-in row under each setting, in {@link #run}'s order. */
    static List<Object[]> cpu(java.util.Collection<Smoothing> settings) {
        List<Object[]> cpu = new ArrayList<>();
        for (Smoothing s : settings) {
            for (CheckRow r : ROWS) {
                cpu.add(SingleRow.score(RowKernels.create(s), r.logits() == null ? null : Arrays.asList(r.logits()).iterator(),
                        r.logits() == null ? 0 : r.logits().length, r.label(), r.inputError()));
            }
        }
        return cpu;
    }

    /**
     * The self-check's query, unexecuted: the batch scored by {@code engine} under each setting
     * (check_case, check_row, then the {@link MetricField}s); for checking where it runs (the
     * GPU-plan tests) as for {@link #run}.
     */
    public static Dataset<Row> query(SparkSession spark, MetricsEngine engine, Smoothing runSettings) {
        AuditInput input = batch(spark);
        Dataset<Row> all = null;
        int i = 0;
        for (Smoothing s : smoothings(runSettings).values()) {
            List<Column> out = new ArrayList<>(List.of(lit(i++).as(CASE), col(ROW)));
            for (MetricField f : MetricField.values()) {
                out.add(col(f.code()));
            }
            Dataset<Row> one = engine.withMetrics(input, s).select(out.toArray(Column[]::new));
            all = all == null ? one : all.union(one);
        }
        return all;
    }

    /**
     * The built-in rows as an input of one partition. Built from spark.range and literal arrays
     * (not a local relation, which Spark would score on the driver, nor an RDD, which the GPU
     * cannot scan), so on a GPU cluster the whole query runs on the GPU.
     */
    static AuditInput batch(SparkSession spark) {
        List<Column> logits = new ArrayList<>();
        List<Column> labels = new ArrayList<>();
        List<Column> errors = new ArrayList<>();
        for (CheckRow r : ROWS) {
            if (r.logits() == null) {
                logits.add(lit(null).cast(DataTypes.createArrayType(DataTypes.FloatType, true)));
            } else {
                List<Column> values = new ArrayList<>();
                for (Float v : r.logits()) {
                    values.add(v == null ? lit(null).cast(DataTypes.FloatType) : lit(v));
                }
                logits.add(array(values.toArray(Column[]::new)).cast(DataTypes.createArrayType(DataTypes.FloatType, true)));
            }
            labels.add(lit(r.label()).cast(DataTypes.LongType));
            errors.add(lit(r.inputError()).cast(DataTypes.StringType));
        }
        Column index = col("id").cast(DataTypes.IntegerType).plus(1);
        Dataset<Row> frame = spark.range(0, ROWS.size(), 1, 1).select(
                col("id").cast(DataTypes.IntegerType).as(ROW),
                element_at(array(logits.toArray(Column[]::new)), index).as(LOGITS),
                element_at(array(labels.toArray(Column[]::new)), index).as(LABEL),
                element_at(array(errors.toArray(Column[]::new)), index).as(INPUT_ERROR));
        return new AuditInput(frame, LOGITS, LABEL, INPUT_ERROR, List.of(), List.of(frame.columns()), List.of(), false);
    }

    /**
     * Compares the engine's fields with the CPU kernel's, row by row ({@code where} names each row),
     * in {@link MetricField} order, under the tolerance of this class's comment.
     */
    static Outcome compare(List<String> where, List<Object[]> cpu, List<Object[]> gpu) {
        if (gpu.size() != cpu.size()) {
            return new Outcome(cpu.size(), false, Double.NaN,
                    "the engine returned " + gpu.size() + " rows for " + cpu.size());
        }
        double maxRel = 0;
        String first = null;
        for (int i = 0; i < cpu.size(); i++) {
            for (MetricField f : MetricField.values()) {
                Object expected = cpu.get(i)[f.ordinal()];
                Object got = gpu.get(i)[f.ordinal()];
                boolean same;
                if (f.kind() == MetricField.Kind.DOUBLE && expected instanceof Double e && got instanceof Double g) {
                    if (Double.isFinite(e) && Double.isFinite(g)) {
                        double rel = Math.abs(g - e) / Math.max(1, Math.abs(e));
                        maxRel = Math.max(maxRel, rel);
                        same = rel <= TOLERANCE;
                    } else {
                        same = Double.compare(e, g) == 0;
                    }
                } else {
                    same = Objects.equals(expected, got);
                }
                if (!same && first == null) {
                    first = f.code() + " of " + where.get(i) + ": gpu " + got + ", cpu " + expected;
                }
            }
        }
        return new Outcome(cpu.size(), first == null, maxRel, first);
    }
}
