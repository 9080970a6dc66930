package org.smoothkl.audit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An earlier run as its summary.json recorded it, for use as a baseline.
 *
 * @param calibrationBins null when that run predates calibration
 * @param sliceTypes each group-by column's type in that run (null for a column it saw only nulls in);
 *                   null when its summary.json predates "slice_columns"
 * @param slices by key, {@link SliceKey#OVERALL} included
 */
public record RunSnapshot(String path, String started, String tag, GapHistogramSpec histogram, Integer calibrationBins,
                          Map<String, SliceType> sliceTypes, Map<SliceKey, SliceSnapshot> slices) {

    public RunSnapshot {
        sliceTypes = sliceTypes == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(sliceTypes));
        slices = Collections.unmodifiableMap(new LinkedHashMap<>(slices));
    }

    /**
     * Refuses a baseline whose histograms cannot be compared bin by bin with this run's: PSI
     * and the overlays need the same gap bins, the reliability overlay the same confidence bins.
     */
    public void requireComparableWith(AuditSpec spec) {
        if (!histogram.equals(spec.histogram())) {
            throw new AuditInputException("--baseline " + path + " has a gap histogram of " + histogram.bins() + " bins over "
                    + histogram.lo() + ":" + histogram.hi() + ", this run " + spec.histogram().bins() + " over "
                    + spec.histogram().lo() + ":" + spec.histogram().hi() + "; give the same --bins and --gap-range");
        }
        if (calibrationBins != null && calibrationBins != spec.calibration().bins()) {
            throw new AuditInputException("--baseline " + path + " has " + calibrationBins + " calibration bins, this run "
                    + spec.calibration().bins() + "; give the same --calibration-bins");
        }
    }
}
