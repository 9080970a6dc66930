package org.smoothkl.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.junit.jupiter.api.Test;
import org.smoothkl.SparkTestSession;

/** {@link SparkInternals#collect}: a frame of internal rows collected from its RDD gives what Spark's collect gives. */
class SparkInternalsCollectTest {
    private static final String QUERY = "SELECT id, CAST(id AS STRING) AS s, DATE'2026-12-01' + CAST(id AS INT) AS d,"
            + " CAST(id / 3 AS DECIMAL(12, 4)) AS m, IF(id = 2, NULL, id * 0.5D) AS x, ARRAY(id, id + 1) AS a"
            + " FROM range(5)";

    @Test
    void heldRowsCollectAsSparksCollect() throws Exception {
        SparkSession spark = SparkTestSession.get();
        Dataset<Row> source = spark.sql(QUERY);
        Dataset<Row> held = held(spark, source);

        long queries = sqlExecutions(spark);
        List<Row> collected = SparkInternals.collect(held);
        assertThat(sqlExecutions(spark)).as("SQL queries run to collect").isEqualTo(queries);

        assertThat(collected).isEqualTo(held.collectAsList()).hasSize(5);
        assertThat(collected.get(1).getString(1)).isEqualTo("1");
        assertThat(collected.get(2).isNullAt(4)).isTrue();
        assertThat(collected.get(3).getDecimal(3)).isEqualByComparingTo(new BigDecimal("1.0000"));
        assertThat(SparkInternals.partitions(held)).isEqualTo(SparkInternals.internalRows(source).getNumPartitions());
    }

    @Test
    void java8DatesAsSparksCollectGivesThem() {
        SparkTestSession.withConf("spark.sql.datetime.java8API.enabled", true, () -> {
            SparkSession spark = SparkTestSession.get();
            Dataset<Row> source = spark.sql(QUERY);
            Dataset<Row> held = held(spark, source);

            List<Row> collected = SparkInternals.collect(held);

            assertThat(collected).isEqualTo(held.collectAsList());
            assertThat(collected.get(0).get(2)).isEqualTo(LocalDate.of(2026, 12, 1));
        });
    }

    /** SQL executions so far (each Dataset action is one; an RDD's collect is none). */
    private static long sqlExecutions(SparkSession spark) throws java.util.concurrent.TimeoutException {
        spark.sparkContext().listenerBus().waitUntilEmpty();
        return ((org.apache.spark.sql.classic.SparkSession) spark).sharedState().statusStore().executionsCount();
    }

    /** A frame holding the source's rows in an RDD, as the CPU engine makes its partition-level rows. */
    private static Dataset<Row> held(SparkSession spark, Dataset<Row> source) {
        return SparkInternals.frameOf(spark, SparkInternals.internalRows(source).toJavaRDD().map(InternalRow::copy).rdd(),
                source.schema());
    }

    @Test
    void anyOtherFrameIsSparksCollect() {
        Dataset<Row> planned = SparkTestSession.get().sql(QUERY).where("id > 1");
        assertThat(SparkInternals.collect(planned)).isEqualTo(planned.collectAsList()).hasSize(3);
    }
}
