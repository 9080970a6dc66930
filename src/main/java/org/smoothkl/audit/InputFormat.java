package org.smoothkl.audit;

import org.smoothkl.loss.WireCode;

/** How --input is read: one of Spark's file formats, or a directory of NumPy .npz shards. */
public enum InputFormat implements WireCode {
    PARQUET,
    ORC,
    JSON,
    CSV,
    NPZ;

    /** Whether logits and labels may arrive as text, parsed per row (bad text is quarantined). */
    public boolean text() {
        return this == JSON || this == CSV;
    }
}
