package org.smoothkl.spark;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Column;

/** Column references by name. */
public final class Columns {
    private Columns() {
    }

    /** The column named {@code name}, quoted so that any name (dots, spaces, backticks) is one column. */
    public static Column quoted(String name) {
        return col("`" + name.replace("`", "``") + "`");
    }
}
