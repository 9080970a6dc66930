package org.smoothkl.loss;

import java.util.Locale;
import java.util.function.Function;

/**
 * Picks the row kernel for this JVM: the Vector API kernel when the {@code jdk.incubator.vector}
 * module is present (the JVM was started with {@code --add-modules jdk.incubator.vector}), else
 * the scalar reference. The system property {@code smoothkl.kernel} = scalar | vector | auto
 * (default) overrides; asking for vector where the module is absent falls back to scalar.
 */
public final class RowKernels {
    public static final String PROPERTY = "smoothkl.kernel";
    private static final Function<Smoothing, RowKernel> VECTOR = loadVector();

    private RowKernels() {
    }

    public static RowKernel create(Smoothing smoothing) {
        String wanted = System.getProperty(PROPERTY, "auto").toLowerCase(Locale.ROOT);
        if (wanted.equals("scalar") || VECTOR == null) {
            return new ScalarKernel(smoothing);
        }
        return VECTOR.apply(smoothing);
    }

    /** "vector" or "scalar": what {@link #create} returns in this JVM. */
    public static String name() {
        return create(Preset.SEED.with(0.1, null)) instanceof ScalarKernel ? "scalar" : "vector";
    }

    /** Whether the Vector API is usable here. */
    static boolean vectorAvailable() {
        return VECTOR != null;
    }

    private static Function<Smoothing, RowKernel> loadVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            // Loaded by name: VectorKernel links against the incubator module.
            Class<?> c = Class.forName("org.smoothkl.loss.VectorKernel");
            var constructor = c.getConstructor(Smoothing.class);
            return s -> {
                try {
                    return (RowKernel) constructor.newInstance(s);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            };
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}
