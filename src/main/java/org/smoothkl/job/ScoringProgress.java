package org.smoothkl.job;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple4;

/**
 * The scoring phase's progress line every {@value #INTERVAL_KEY} (default {@value #DEFAULT_INTERVAL}):
 * the rows the input scan has read so far, counted by a SparkListener from the tasks' input
 * metrics (records read): finished tasks' totals, and running tasks' counts as the executors'
 * heartbeats report them (every spark.executor.heartbeatInterval, 10 s by default), so a long
 * task shows progress before it ends. A Spark conf, so a scheduler's run sets it like any other.
 * Only the audit's own jobs count (those this thread submits while it runs, marked by a local
 * property), not other work sharing the session, as in a notebook; the user's job group is left
 * alone, since notebooks cancel cells by it.
 */
final class ScoringProgress extends SparkListener implements AutoCloseable {
    static final String INTERVAL_KEY = "spark.smoothkl.progress.interval";
    static final String DEFAULT_INTERVAL = "30s";
    private static final String RECORDS_READ = "internal.metrics.input.recordsRead";
    /** The local property that marks the audit's jobs. */
    static final String RUN_PROPERTY = "smoothkl.run.id";

    private final SparkContext sc;
    private final String runId = UUID.randomUUID().toString();
    private final String previousRunId;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final long startedNanos = System.nanoTime();
    private final AtomicLong finished = new AtomicLong();
    private final Map<Long, Long> running = new ConcurrentHashMap<>();
    private final Set<Long> ended = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    private ScoringProgress(SparkContext sc) {
        this.sc = sc;
        previousRunId = sc.getLocalProperty(RUN_PROPERTY);
        sc.setLocalProperty(RUN_PROPERTY, runId);
        long intervalMs = sc.getConf().getTimeAsMs(INTERVAL_KEY, DEFAULT_INTERVAL);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "smoothkl-scoring-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::report, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        sc.addSparkListener(this);
    }

    /** Starts counting; {@link #close} stops. */
    static ScoringProgress start(SparkContext sc) {
        return new ScoringProgress(sc);
    }

    /** Rows read so far by the scans that ran since {@link #start}. */
    long rowsRead() {
        long sum = finished.get();
        for (long v : running.values()) {
            sum += v;
        }
        return sum;
    }

    private void report() {
        PhaseLog.scoringProgress(rowsRead(), (System.nanoTime() - startedNanos) / 1e9);
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        if (start.properties() != null && runId.equals(start.properties().getProperty(RUN_PROPERTY))) {
            scala.collection.Iterator<Object> ids = start.stageIds().iterator();
            while (ids.hasNext()) {
                stages.add((Integer) ids.next());
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (!stages.contains(end.stageId())) {
            return;
        }
        long task = end.taskInfo().taskId();
        ended.add(task);
        running.remove(task);
        if (end.taskMetrics() != null && end.taskInfo().successful()) { // a failed attempt's rows are read again
            finished.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
        }
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        scala.collection.Iterator<Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>>> tasks =
                update.accumUpdates().iterator();
        while (tasks.hasNext()) {
            Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t = tasks.next();
            long task = (Long) t._1();
            if (!stages.contains((Integer) t._2())) {
                continue;
            }
            scala.collection.Iterator<AccumulableInfo> infos = t._4().iterator();
            while (infos.hasNext()) {
                AccumulableInfo info = infos.next();
                if (info.name().contains(RECORDS_READ) && info.update().isDefined()
                        && info.update().get() instanceof Long v && !ended.contains(task)) {
                    running.put(task, v);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        sc.removeSparkListener(this);
        sc.setLocalProperty(RUN_PROPERTY, previousRunId);
    }
}
