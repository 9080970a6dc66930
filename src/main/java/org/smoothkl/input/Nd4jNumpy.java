package org.smoothkl.input;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ND4J's NumPy reader, the one class that touches ND4J (a provided dependency: loaded only for
 * --format npz). Callers have checked the .npy header ({@link NpyHeader}): only little-endian
 * C-order arrays of the expected dtype get here.
 *
 * <p>Loading ND4J happens once per JVM, on a thread of its own that the first npz task starts and
 * every task waits for: JavaCPP unpacks ≈400 MB of natives into ~/.javacpp/cache on a machine's
 * first use (≈2.5 s, then a load of the cached copy). Not in a task's own thread, because Spark
 * interrupts the other tasks of a failing stage: an interrupt during the unpack (measured: a bad
 * shard failing next to a good one) made JavaCPP's file lock throw, ND4J's static initialisation
 * failed, and ND4J was dead for the rest of the JVM. The loader also sets one OpenMP thread and one
 * ND4J thread (Spark already runs one task per core); set {@code OMP_NUM_THREADS=1} in the
 * executors' environment too, which the natives read when they load.
 */
final class Nd4jNumpy {
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jNumpy.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final CompletableFuture<Void> LOADED = new CompletableFuture<>();

    private Nd4jNumpy() {
    }

    /** Starts loading ND4J in this JVM (once) and waits until it is loaded. */
    static void awaitLoaded() {
        if (STARTED.compareAndSet(false, true)) {
            Thread loader = new Thread(Nd4jNumpy::load, "smoothkl-nd4j-loader");
            loader.setDaemon(true);
            loader.start();
        }
        try {
            LOADED.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ND4J to load", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("ND4J could not load its natives: " + e.getCause(), e.getCause());
        }
    }

    private static void load() {
        try {
            long started = System.nanoTime();
            Nd4j.getEnvironment().setMaxThreads(1);
            Nd4j.getEnvironment().setMaxMasterThreads(1);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
            LOG.info("ND4J loaded for .npz input in {} ms (backend {}, OpenMP threads {})",
                    (System.nanoTime() - started) / 1_000_000, Nd4j.getBackend().getClass().getSimpleName(),
                    NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
            LOADED.complete(null);
        } catch (Throwable t) {
            LOADED.completeExceptionally(t);
        }
    }

    /** The values of a float16/32/64 .npy array, in C order, as doubles (exact for all three). */
    static double[] doubles(byte[] npy) {
        awaitLoaded();
        INDArray a = Nd4j.createNpyFromByteArray(npy);
        try {
            return a.data().asDouble();
        } finally {
            a.close();
        }
    }

    /** The values of an int32/64 .npy array as longs. */
    static long[] longs(byte[] npy) {
        awaitLoaded();
        INDArray a = Nd4j.createNpyFromByteArray(npy);
        try {
            return a.data().asLong();
        } finally {
            a.close();
        }
    }
}
