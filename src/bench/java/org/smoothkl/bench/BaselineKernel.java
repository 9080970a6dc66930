package org.smoothkl.bench;

import java.io.File;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashMap;
import java.util.Map;

/**
 * The vector kernel of another build (--baseline-classes: a directory of org.smoothkl.loss
 * classes, e.g. an earlier commit's, compiled alone), loaded in a class loader of its own so it
 * runs beside this build's in the same JVM: before/after of a kernel change in one run. Batches
 * are that build's own SyntheticLogits, the same values as this build's.
 */
final class BaselineKernel {
    private final Object kernel;
    private final Method compute;
    private final Class<?> metricsBatch;
    private final Object syntheticEpsilon;
    private final Class<?> synthetic;
    private final Map<Integer, Object> batches = new HashMap<>();

    BaselineKernel(File classes, double epsilon) throws ReflectiveOperationException, MalformedURLException {
        // parent: the platform loader, so every org.smoothkl.loss class comes from `classes`
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toURI().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> preset = Class.forName("org.smoothkl.loss.Preset", true, loader);
        Object seed = preset.getField("SEED").get(null);
        Object smoothing = preset.getMethod("with", double.class, Long.class).invoke(seed, epsilon, null);
        Class<?> vector = Class.forName("org.smoothkl.loss.VectorKernel", true, loader);
        kernel = vector.getConstructor(smoothing.getClass()).newInstance(smoothing);
        Class<?> logitBatch = Class.forName("org.smoothkl.loss.LogitBatch", true, loader);
        metricsBatch = Class.forName("org.smoothkl.loss.MetricsBatch", true, loader);
        // through the public interface: the method is declared in a package-private class
        compute = Class.forName("org.smoothkl.loss.RowKernel", true, loader).getMethod("compute", logitBatch, metricsBatch);
        synthetic = Class.forName("org.smoothkl.loss.SyntheticLogits", true, loader);
        syntheticEpsilon = epsilon;
    }

    /** Scores this build's batch of {@code values} logits at K = k once. */
    void run(int k, int values) {
        try {
            Object batch = batches.get(k);
            if (batch == null) {
                Object gen = synthetic.getConstructor(int.class, double.class).newInstance(k, syntheticEpsilon);
                batch = synthetic.getMethod("batch", int.class).invoke(gen, values);
                batches.put(k, batch);
            }
            compute.invoke(kernel, batch, metricsBatch.getConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the baseline kernel failed", e);
        }
    }
}
