package org.smoothkl.gpu;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.ColumnView;
import ai.rapids.cudf.DType;
import ai.rapids.cudf.NullPolicy;
import ai.rapids.cudf.Scalar;
import ai.rapids.cudf.SegmentedReductionAggregation;
import ai.rapids.cudf.Table;
import java.util.ArrayList;
import java.util.List;
import org.smoothkl.loss.InvalidReason;
import org.smoothkl.loss.MetricField;
import org.smoothkl.loss.ReaderCheck;
import org.smoothkl.loss.RowStatus;
import org.smoothkl.loss.ScalarKernel;
import org.smoothkl.loss.Smoothing;
import org.smoothkl.loss.TargetConvention;

/**
 * {@link ScalarKernel}'s formulas on a GPU batch, with cuDF column operations. Per row, with
 * the logits z of K classes flattened in the list column's child:
 *
 * <pre>
 *   M = list max z,   d_j = M − z_j (per element, ≥ 0),   L = log list Σ exp(−d_j)
 *   nll = L + d_y            gap = list Σ d_j / (K − 1)            conf = exp(−L)
 *   H(q,p) = q_y·nll + q_o·(n_o·L + Σ_{j∉{y,pad}} d_j)
 *   KL     = q_y(log q_y + nll) + q_o(n_o·log q_o + n_o·L + Σ_{j∉{y,pad}} d_j)     (0·log 0 = 0)
 *   pred = least j with z_j = M
 * </pre>
 *
 * Per-row values reach the elements through {@code Table.repeat(K)}; per-element values come
 * back per row through {@code listReduce} on the list column with its child replaced. Both need
 * the list's child to hold exactly the batch's elements from offset 0, so the batch is first
 * copied ({@code copyToColumnVector} copies a sliced list column's rows only, offsets from 0;
 * {@link Rows#of} checks it). Every intermediate is closed by try-with-resources.
 *
 * <p>Statuses and reasons follow the CPU engine's order: the {@link ReaderCheck}s, then too few
 * classes, NaN or ±∞ (whichever comes first in the row), then the ignore index, label out of
 * range, pad class out of range. The target q is what {@link TargetConvention} says it is. Invalid rows get null metrics; ignored rows
 * zero losses but their gap, prediction and confidence. Sums run in cuDF's order, not the CPU
 * loop's, so results agree with the CPU kernel to rounding (≈1e-15 relative), not bit for bit.
 */
final class CudfKernel {
    private static final SegmentedReductionAggregation MAX = SegmentedReductionAggregation.max();
    private static final SegmentedReductionAggregation MIN = SegmentedReductionAggregation.min();
    private static final SegmentedReductionAggregation SUM = SegmentedReductionAggregation.sum();
    private static final SegmentedReductionAggregation ANY = SegmentedReductionAggregation.any();

    private final Smoothing smoothing;
    private final TargetConvention convention;
    private final double eps;

    CudfKernel(Smoothing smoothing) {
        this.smoothing = smoothing;
        this.convention = smoothing.convention();
        this.eps = smoothing.epsilon();
    }

    /** The struct column of the {@link MetricField}s for one batch. */
    ColumnVector score(int n, ColumnVector logits, ColumnVector label, ColumnVector inputError) {
        try (Rows rows = Rows.of(logits);
             Checks checks = checks(rows, logits, label, inputError);
             Losses losses = losses(rows, label)) {
            return assemble(n, rows, label, checks, losses);
        }
    }

    // ---- statuses and reasons ----------------------------------------------------------------

    /** Per row: the reason (null unless invalid), and BOOL8 invalid / ignored flags without nulls. */
    private record Checks(ColumnVector reason, ColumnVector invalid, ColumnVector ignored) implements AutoCloseable {
        @Override
        public void close() {
            try (reason; invalid; ignored) {
                // closes all three
            }
        }
    }

    private Checks checks(Rows rows, ColumnVector logits, ColumnVector label, ColumnVector inputError) {
        if (!smoothing.epsilonInRange()) { // the CLI refuses such runs; the kernel still says why
            try (Scalar code = Scalar.fromString(InvalidReason.EPSILON_OUT_OF_RANGE.code());
                 Scalar yes = Scalar.fromBool(true);
                 Scalar no = Scalar.fromBool(false)) {
                return new Checks(ColumnVector.fromScalar(code, rows.n), ColumnVector.fromScalar(yes, rows.n),
                        ColumnVector.fromScalar(no, rows.n));
            }
        }
        try (ColumnVector readerProblem = inputError.isNotNull();
             ColumnVector nullLogits = logits.isNull();
             ColumnVector nullLabel = label.isNull();
             ColumnVector nullElement = anyElement(rows, rows.values.isNull());
             ColumnVector tooFew = tooFewClasses(rows);
             ColumnVector firstNan = firstPosition(rows, rows.values.isNan());
             ColumnVector firstInf = firstPosition(rows, isInfinite(rows.values));
             ColumnVector nan = before(firstNan, firstInf);
             ColumnVector inf = before(firstInf, firstNan);
             ColumnVector ignored = ignored(label);
             ColumnVector labelOut = labelOutOfRange(rows, label);
             ColumnVector labelOutNotIgnored = andNot(labelOut, ignored);
             ColumnVector padOut = padOutOfRange(rows);
             ColumnVector padOutNotIgnored = andNot(padOut, ignored)) {
            List<Cause> chain = new ArrayList<>();
            for (ReaderCheck c : ReaderCheck.values()) {
                chain.add(switch (c) {
                    // the reader's own reason (malformed JSON/CSV) is already a reason code
                    case READER_PROBLEM -> new Cause(readerProblem, null, inputError);
                    case NULL_LOGITS -> new Cause(nullLogits, c.reason());
                    case NULL_LABEL -> new Cause(nullLabel, c.reason());
                    case NULL_LOGIT -> new Cause(nullElement, c.reason());
                });
            }
            chain.add(new Cause(tooFew, InvalidReason.TOO_FEW_CLASSES));
            chain.add(new Cause(nan, InvalidReason.NAN_LOGIT));
            chain.add(new Cause(inf, InvalidReason.INF_LOGIT));
            chain.add(new Cause(labelOutNotIgnored, InvalidReason.LABEL_OUT_OF_RANGE));
            chain.add(new Cause(padOutNotIgnored, InvalidReason.PAD_INDEX_OUT_OF_RANGE));
            try (ColumnVector reason = firstReason(rows.n, chain)) {
                ColumnVector invalid = reason.isNotNull();
                return new Checks(reason.incRefCount(), invalid, ignored.incRefCount());
            }
        }
    }

    /** Where {@code holds}, the row's reason is {@code code}, or (the reader's problem) the row's value of {@code codes}. */
    private record Cause(ColumnView holds, InvalidReason code, ColumnView codes) {
        Cause(ColumnView holds, InvalidReason code) {
            this(holds, code, null);
        }
    }

    /**
     * Per row, the reason of the first cause that holds, or null. Folded from the last cause to
     * the first so the first wins; each step closes the column it replaces.
     */
    private static ColumnVector firstReason(int n, List<Cause> chain) {
        ColumnVector reason;
        try (Scalar none = Scalar.fromNull(DType.STRING)) {
            reason = ColumnVector.fromScalar(none, n);
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            Cause cause = chain.get(i);
            try (ColumnVector previous = reason) {
                if (cause.codes() != null) {
                    reason = cause.holds().ifElse(cause.codes(), previous);
                } else {
                    try (Scalar code = Scalar.fromString(cause.code().code())) {
                        reason = cause.holds().ifElse(code, previous);
                    }
                }
            }
        }
        return reason;
    }

    private ColumnVector ignored(ColumnView label) {
        try (Scalar ignoreIndex = Scalar.fromLong(smoothing.ignoreIndex());
             Scalar no = Scalar.fromBool(false);
             ColumnVector equal = label.equalTo(ignoreIndex)) {
            return equal.replaceNulls(no);
        }
    }

    private ColumnVector tooFewClasses(Rows rows) {
        try (Scalar min = Scalar.fromInt(convention.minClasses())) {
            return rows.classes.lessThan(min);
        }
    }

    /** a ∧ ¬b for BOOL8 columns without nulls. */
    private static ColumnVector andNot(ColumnView a, ColumnView b) {
        try (ColumnVector notB = b.not()) {
            return a.and(notB);
        }
    }

    /** label < 0 or label ≥ K (a null label: false; it is reported as null_label first). */
    private static ColumnVector labelOutOfRange(Rows rows, ColumnView label) {
        try (Scalar zero = Scalar.fromLong(0);
             Scalar no = Scalar.fromBool(false);
             ColumnVector k = rows.classes.castTo(DType.INT64);
             ColumnVector below = label.lessThan(zero);
             ColumnVector above = label.greaterOrEqualTo(k);
             ColumnVector either = below.or(above)) {
            return either.replaceNulls(no);
        }
    }

    /** onmt only: the pad class (the ignore index) is not one of the row's K classes. */
    private ColumnVector padOutOfRange(Rows rows) {
        long pad = smoothing.ignoreIndex();
        boolean never = !convention.excludesPadClass();
        if (never || pad < 0 || pad >= Integer.MAX_VALUE) {
            try (Scalar constant = Scalar.fromBool(!never)) {
                return ColumnVector.fromScalar(constant, rows.n);
            }
        }
        try (Scalar p = Scalar.fromInt((int) pad)) {
            return rows.classes.lessOrEqualTo(p);
        }
    }

    /** |z| = ∞ per element. */
    private static ColumnVector isInfinite(ColumnView values) {
        try (Scalar inf = Scalar.fromDouble(Double.POSITIVE_INFINITY);
             ColumnVector abs = values.abs()) {
            return abs.equalTo(inf);
        }
    }

    /** Per row, whether {@code flags} holds for any element; closes {@code flags}. */
    private static ColumnVector anyElement(Rows rows, ColumnVector flags) {
        try (ColumnVector f = flags;
             Scalar no = Scalar.fromBool(false);
             ColumnVector any = rows.reduce(f, ANY, DType.BOOL8)) {
            return any.replaceNulls(no);
        }
    }

    /** Per row, the least position where {@code flags} holds, or null; closes {@code flags}. */
    private static ColumnVector firstPosition(Rows rows, ColumnVector flags) {
        try (ColumnVector f = flags;
             Scalar no = Scalar.fromBool(false);
             Scalar none = Scalar.fromNull(DType.INT32);
             ColumnVector holds = f.replaceNulls(no);
             ColumnVector positions = holds.ifElse(rows.position, none)) {
            return rows.reduce(positions, MIN, DType.INT32);
        }
    }

    /** a is non-null and comes before b (or b is null): the CPU loop meets a first. */
    private static ColumnVector before(ColumnView a, ColumnView b) {
        try (Scalar never = Scalar.fromInt(Integer.MAX_VALUE);
             Scalar no = Scalar.fromBool(false);
             ColumnVector bOrNever = b.replaceNulls(never);
             ColumnVector less = a.lessThan(bOrNever)) {
            return less.replaceNulls(no);
        }
    }

    // ---- losses --------------------------------------------------------------------------------

    /** Per-row FLOAT64 columns (INT32 for pred), meaningful where the row is not invalid. */
    private record Losses(ColumnVector kl, ColumnVector ce, ColumnVector nll, ColumnVector gap, ColumnVector gapOpt,
                          ColumnVector confidence, ColumnVector pred) implements AutoCloseable {
        @Override
        public void close() {
            try (kl; ce; nll; gap; gapOpt; confidence; pred) {
                // closes all seven
            }
        }
    }

    private Losses losses(Rows rows, ColumnVector label) {
        try (ColumnVector max = rows.reduce(rows.values, MAX, DType.FLOAT64);
             ColumnVector maxAtElement = rows.perElement(max);
             ColumnVector below = maxAtElement.sub(rows.values);               // d_j = M − z_j ≥ 0
             ColumnVector lse = logSumExp(rows, below);                       // L
             ColumnVector k = rows.classes.castTo(DType.FLOAT64);
             ColumnVector position = rows.position.castTo(DType.INT64);
             ColumnVector labelAtElement = rows.perElement(label);
             ColumnVector atLabel = position.equalTo(labelAtElement);         // j = y (null where y is null)
             ColumnVector labelBelow = valueWhere(rows, atLabel, below);      // d_y, null when y ∉ [0, K)
             ColumnVector otherBelow = otherBelowSum(rows, atLabel, position, below);
             ColumnVector nll = lse.add(labelBelow)) {
            ColumnVector[] out = new ColumnVector[6];
            try {
                out[0] = gap(rows, below, k);
                out[1] = gapOpt(rows, k);
                out[2] = confidence(lse);
                out[3] = pred(rows, maxAtElement);
                try (ColumnVector others = otherCount(k);
                     ColumnVector othersL = others.mul(lse);
                     ColumnVector otherNegLogP = othersL.add(otherBelow);     // Σ_{j∉{y,pad}} −lp_j
                     ColumnVector qy = labelProbability(rows, k);
                     ColumnVector qo = otherProbability(k, others)) {
                    out[4] = smoothedCe(qy, qo, nll, otherNegLogP);
                    out[5] = kl(qy, qo, others, nll, otherNegLogP);
                }
                return new Losses(out[5], out[4], nll.incRefCount(), out[0], out[1], out[2], out[3]);
            } catch (RuntimeException | Error e) {
                for (ColumnVector c : out) {
                    if (c != null) {
                        c.close();
                    }
                }
                throw e;
            }
        }
    }

    /** L = log Σ_j exp(−d_j). */
    private static ColumnVector logSumExp(Rows rows, ColumnView below) {
        try (Scalar minusOne = Scalar.fromDouble(-1);
             ColumnVector negBelow = below.mul(minusOne);
             ColumnVector expNegBelow = negBelow.exp();
             ColumnVector sumExp = rows.reduce(expNegBelow, SUM, DType.FLOAT64)) {
            return sumExp.log();
        }
    }

    /** Per row, the one element where {@code where} holds (null if none). */
    private static ColumnVector valueWhere(Rows rows, ColumnView where, ColumnView values) {
        try (Scalar none = Scalar.fromNull(DType.FLOAT64);
             Scalar no = Scalar.fromBool(false);
             ColumnVector w = where.replaceNulls(no);
             ColumnVector picked = w.ifElse(values, none)) {
            return rows.reduce(picked, MAX, DType.FLOAT64);
        }
    }

    /** Σ d_j over the classes that carry q_o: every class but the label (and, for onmt, the pad class). */
    private ColumnVector otherBelowSum(Rows rows, ColumnView atLabel, ColumnView position, ColumnView below) {
        try (Scalar zero = Scalar.fromDouble(0);
             Scalar no = Scalar.fromBool(false);
             ColumnVector label = atLabel.replaceNulls(no);
             ColumnVector excluded = convention.excludesPadClass() ? orPad(label, position) : label.incRefCount();
             ColumnVector kept = excluded.ifElse(zero, below)) {
            return rows.reduce(kept, SUM, DType.FLOAT64);
        }
    }

    private ColumnVector orPad(ColumnView atLabel, ColumnView position) {
        try (Scalar pad = Scalar.fromLong(smoothing.ignoreIndex());
             ColumnVector atPad = position.equalTo(pad)) {
            return atLabel.or(atPad);
        }
    }

    /** gap = Σ_j d_j / (K − 1). */
    private static ColumnVector gap(Rows rows, ColumnView below, ColumnView k) {
        try (Scalar one = Scalar.fromDouble(1);
             ColumnVector sumBelow = rows.reduce(below, SUM, DType.FLOAT64);
             ColumnVector kMinusOne = k.sub(one)) {
            return sumBelow.div(kMinusOne);
        }
    }

    /** conf = exp(−L), the top-1 probability. */
    private static ColumnVector confidence(ColumnView lse) {
        try (Scalar minusOne = Scalar.fromDouble(-1);
             ColumnVector negLse = lse.mul(minusOne)) {
            return negLse.exp();
        }
    }

    /** The first argmax: the least position j with z_j = M. */
    private static ColumnVector pred(Rows rows, ColumnView maxAtElement) {
        try (Scalar none = Scalar.fromNull(DType.INT32);
             Scalar no = Scalar.fromBool(false);
             ColumnVector equal = rows.values.equalTo(maxAtElement);
             ColumnVector isMax = equal.replaceNulls(no);
             ColumnVector positions = isMax.ifElse(rows.position, none)) {
            return rows.reduce(positions, MIN, DType.INT32);
        }
    }

    /** n_o: K − 1, or K − 2 without the pad class. */
    private ColumnVector otherCount(ColumnView k) {
        try (Scalar taken = Scalar.fromDouble(convention.classesWithoutOtherProbability())) {
            return k.sub(taken);
        }
    }

    /** q_y: 1 − ε + ε/K where the label shares ε (pytorch), else 1 − ε. */
    private ColumnVector labelProbability(Rows rows, ColumnView k) {
        try (Scalar oneMinusEps = Scalar.fromDouble(1 - eps)) {
            if (!convention.labelSharesSmoothing()) {
                return ColumnVector.fromScalar(oneMinusEps, rows.n);
            }
            try (Scalar e = Scalar.fromDouble(eps);
                 ColumnVector epsOverK = e.div(k)) {
                return oneMinusEps.add(epsOverK);
            }
        }
    }

    /** q_o: ε/K where the label shares ε (pytorch), else ε/n_o. */
    private ColumnVector otherProbability(ColumnView k, ColumnView others) {
        try (Scalar e = Scalar.fromDouble(eps)) {
            return e.div(convention.labelSharesSmoothing() ? k : others);
        }
    }

    /** H(q,p) = q_y·nll + q_o·otherNegLogP; the second term is 0 at ε = 0 (q_o = 0). */
    private ColumnVector smoothedCe(ColumnView qy, ColumnView qo, ColumnView nll, ColumnView otherNegLogP) {
        try (ColumnVector labelTerm = qy.mul(nll)) {
            if (eps == 0) {
                return labelTerm.incRefCount();
            }
            try (ColumnVector otherTerm = qo.mul(otherNegLogP)) {
                return labelTerm.add(otherTerm);
            }
        }
    }

    /**
     * KL = q_y(log q_y + nll) + q_o(n_o·log q_o + otherNegLogP), each term 0 where its q is 0
     * (0·log 0 = 0): q_o = 0 only at ε = 0, q_y = 0 only at ε = 1 where the label has no share
     * of ε ({@link TargetConvention#labelProbabilityIsZero}).
     */
    private ColumnVector kl(ColumnView qy, ColumnView qo, ColumnView others, ColumnView nll, ColumnView otherNegLogP) {
        boolean labelTermZero = convention.labelProbabilityIsZero(eps);
        boolean otherTermZero = eps == 0;
        try (Scalar zero = Scalar.fromDouble(0);
             ColumnVector labelTerm = labelTermZero ? zeros(nll, zero) : xLogXPlus(qy, nll);
             ColumnVector otherTerm = otherTermZero ? zeros(nll, zero) : otherKlTerm(qo, others, otherNegLogP)) {
            return labelTerm.add(otherTerm);
        }
    }

    private static ColumnVector zeros(ColumnView like, Scalar zero) {
        return ColumnVector.fromScalar(zero, (int) like.getRowCount());
    }

    /** q·(log q + v). */
    private static ColumnVector xLogXPlus(ColumnView q, ColumnView v) {
        try (ColumnVector logQ = q.log();
             ColumnVector sum = logQ.add(v)) {
            return q.mul(sum);
        }
    }

    /** q_o·(n_o·log q_o + otherNegLogP). */
    private static ColumnVector otherKlTerm(ColumnView qo, ColumnView others, ColumnView otherNegLogP) {
        try (ColumnVector logQo = qo.log();
             ColumnVector scaled = others.mul(logQo);
             ColumnVector sum = scaled.add(otherNegLogP)) {
            return qo.mul(sum);
        }
    }

    /**
     * gap* = log(q_y/q_o): log1p(K(1−ε)/ε) where the label shares ε (pytorch), log(n_o(1−ε)/ε)
     * otherwise; +∞ at ε = 0.
     * cuDF has no log1p: log1p(x) = log(u)·x/(u − 1) with u = 1 + x (exact to a few ulps; x where u = 1).
     */
    private ColumnVector gapOpt(Rows rows, ColumnView k) {
        if (eps == 0) {
            try (Scalar inf = Scalar.fromDouble(Double.POSITIVE_INFINITY)) {
                return ColumnVector.fromScalar(inf, rows.n);
            }
        }
        try (Scalar oneMinusEps = Scalar.fromDouble(1 - eps);
             Scalar e = Scalar.fromDouble(eps);
             Scalar one = Scalar.fromDouble(1)) {
            if (!convention.labelSharesSmoothing()) {
                try (ColumnVector others = otherCount(k);
                     ColumnVector scaled = others.mul(oneMinusEps);
                     ColumnVector ratio = scaled.div(e)) {
                    return ratio.log();
                }
            }
            try (ColumnVector scaled = k.mul(oneMinusEps);
                 ColumnVector x = scaled.div(e);
                 ColumnVector u = x.add(one);
                 ColumnVector uMinusOne = u.sub(one);
                 ColumnVector logU = u.log();
                 ColumnVector logUx = logU.mul(x);
                 ColumnVector corrected = logUx.div(uMinusOne);
                 ColumnVector tiny = u.equalTo(one)) {
                return tiny.ifElse(x, corrected);
            }
        }
    }

    // ---- the struct ----------------------------------------------------------------------------

    private ColumnVector assemble(int n, Rows rows, ColumnView label, Checks checks, Losses losses) {
        try (Scalar invalidCode = Scalar.fromString(RowStatus.INVALID.code());
             Scalar ignoredCode = Scalar.fromString(RowStatus.IGNORED.code());
             Scalar validCode = Scalar.fromString(RowStatus.VALID.code());
             Scalar zero = Scalar.fromDouble(0);
             Scalar no = Scalar.fromBool(false);
             ColumnVector ignoredOrValid = checks.ignored.ifElse(ignoredCode, validCode);
             ColumnVector status = checks.invalid.ifElse(invalidCode, ignoredOrValid);
             ColumnVector kl = scored(checks, losses.kl, zero);
             ColumnVector ce = scored(checks, losses.ce, zero);
             ColumnVector nll = scored(checks, losses.nll, zero);
             ColumnVector gap = nullWhereInvalid(checks, losses.gap);
             ColumnVector gapOpt = nullWhereInvalid(checks, losses.gapOpt);
             ColumnVector confidence = nullWhereInvalid(checks, losses.confidence);
             ColumnVector pred = nullWhereInvalid(checks, losses.pred);
             ColumnVector classes = nullWhereInvalid(checks, rows.classes);
             ColumnVector correct = correct(checks, losses.pred, label, no)) {
            ColumnView[] fields = new ColumnView[MetricField.values().length]; // the struct's children by ordinal
            fields[MetricField.STATUS.ordinal()] = status;
            fields[MetricField.REASON.ordinal()] = checks.reason;
            fields[MetricField.KL.ordinal()] = kl;
            fields[MetricField.SMOOTHED_CE.ordinal()] = ce;
            fields[MetricField.NLL.ordinal()] = nll;
            fields[MetricField.GAP.ordinal()] = gap;
            fields[MetricField.GAP_OPT.ordinal()] = gapOpt;
            fields[MetricField.CONFIDENCE.ordinal()] = confidence;
            fields[MetricField.PRED.ordinal()] = pred;
            fields[MetricField.CORRECT.ordinal()] = correct;
            fields[MetricField.CLASSES.ordinal()] = classes;
            return ColumnVector.makeStruct(n, fields);
        }
    }

    /** A loss: null for invalid rows, 0 for ignored rows. */
    private static ColumnVector scored(Checks checks, ColumnView loss, Scalar zero) {
        try (ColumnVector zeroIfIgnored = checks.ignored.ifElse(zero, loss)) {
            return nullWhereInvalid(checks, zeroIfIgnored);
        }
    }

    private static ColumnVector nullWhereInvalid(Checks checks, ColumnView values) {
        try (Scalar none = Scalar.fromNull(values.getType())) {
            return checks.invalid.ifElse(none, values);
        }
    }

    /** pred = y on valid rows; false on ignored and invalid rows. */
    private static ColumnVector correct(Checks checks, ColumnView pred, ColumnView label, Scalar no) {
        try (ColumnVector predLong = pred.castTo(DType.INT64);
             ColumnVector hit = predLong.equalTo(label);
             ColumnVector scoredRow = checks.invalid.or(checks.ignored);
             ColumnVector hitOnValid = scoredRow.ifElse(no, hit)) {
            return hitOnValid.replaceNulls(no);
        }
    }

    // ---- the batch's layout --------------------------------------------------------------------

    /**
     * The batch's lists with a child that holds exactly the batch's elements, offsets from 0;
     * their values widened to FLOAT64, K per row, and each element's position j within its row.
     */
    static final class Rows implements AutoCloseable {
        final int n;
        final ColumnVector lists;
        final ColumnVector values;
        final ColumnVector classes;
        final ColumnVector position;

        private Rows(int n, ColumnVector lists, ColumnVector values, ColumnVector classes, ColumnVector position) {
            this.n = n;
            this.lists = lists;
            this.values = values;
            this.classes = classes;
            this.position = position;
        }

        static Rows of(ColumnView logits) {
            int n = (int) logits.getRowCount();
            ColumnVector[] parts = new ColumnVector[4];
            try {
                parts[0] = logits.copyToColumnVector(); // a sliced batch's rows only, offsets from 0
                try (ColumnView child = parts[0].getChildColumnView(0);
                     ColumnView offsets = parts[0].getListOffsetsView();
                     ColumnVector counts = parts[0].countElements();
                     Scalar zero = Scalar.fromInt(0)) {
                    int elements = (int) child.getRowCount();
                    checkCompact(offsets, n, elements);
                    parts[1] = child.castTo(DType.FLOAT64);         // float → double is exact
                    parts[2] = counts.replaceNulls(zero);            // a null list is empty (cuDF asserts it)
                    parts[3] = positions(offsets, parts[2], n, elements);
                }
                return new Rows(n, parts[0], parts[1], parts[2], parts[3]);
            } catch (RuntimeException | Error e) {
                for (ColumnVector c : parts) {
                    if (c != null) {
                        c.close();
                    }
                }
                throw e;
            }
        }

        /** The repeat and the list reductions below rely on offsets[0] = 0 and offsets[n] = elements. */
        private static void checkCompact(ColumnView offsets, int n, int elements) {
            if (elements == 0) {
                return;
            }
            try (Scalar first = offsets.getScalarElement(0);
                 Scalar last = offsets.getScalarElement(n)) {
                if (first.getInt() != 0 || last.getInt() != elements) {
                    throw new IllegalStateException("list copy is not compact: offsets " + first.getInt() + ".."
                            + last.getInt() + " over " + elements + " elements");
                }
            }
        }

        /** j = (element index) − (its row's first offset). */
        private static ColumnVector positions(ColumnView offsets, ColumnVector classes, int n, int elements) {
            if (elements == 0) {
                return ColumnVector.fromInts();
            }
            ColumnView[] split = offsets.splitAsViews(n); // [0, n) are the row starts, [n] the end
            try (ColumnView starts = split[0];
                 ColumnView end = split[1];
                 ColumnVector rowStart = starts.copyToColumnVector();
                 ColumnVector startAtElement = broadcast(rowStart, classes);
                 Scalar zero = Scalar.fromInt(0);
                 ColumnVector index = ColumnVector.sequence(zero, elements)) {
                return index.sub(startAtElement);
            }
        }

        private static ColumnVector broadcast(ColumnVector perRow, ColumnView classes) {
            try (Table rowsTable = new Table(perRow);
                 Table repeated = rowsTable.repeat(classes)) {
                return repeated.getColumn(0).incRefCount();
            }
        }

        /** A per-row value repeated for each of the row's K elements. */
        ColumnVector perElement(ColumnVector perRow) {
            return broadcast(perRow, classes);
        }

        /** A per-element column reduced per row (nulls skipped; an empty or null row gives null). */
        ColumnVector reduce(ColumnView perElement, SegmentedReductionAggregation aggregation, DType type) {
            try (ColumnView asLists = lists.replaceListChild(perElement)) {
                return asLists.listReduce(aggregation, NullPolicy.EXCLUDE, type);
            }
        }

        @Override
        public void close() {
            try (lists; values; classes; position) {
                // closes all four
            }
        }
    }
}
