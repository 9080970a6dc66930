package org.smoothkl.audit;

import org.smoothkl.loss.WireCode;

/** How --input is read: one of Spark's file formats, a directory of NumPy .npz shards, or any other Spark data source. */
public enum InputFormat implements WireCode {
    PARQUET,
    ORC,
    JSON,
    CSV,
    NPZ,
    /** Any other Spark data source, by the name --format gave ({@link InputSource#sourceName}). */
    SOURCE;

    /** The format of a --format value: one of these by code, else {@link #SOURCE}. */
    public static InputFormat of(String name) {
        for (InputFormat f : values()) {
            if (f != SOURCE && f.code().equalsIgnoreCase(name.trim())) {
                return f;
            }
        }
        return SOURCE;
    }

    /** Whether logits and labels may arrive as text, parsed per row (bad text is quarantined). */
    public boolean text() {
        return this == JSON || this == CSV;
    }
}
