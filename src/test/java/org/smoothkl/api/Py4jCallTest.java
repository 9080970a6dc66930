package org.smoothkl.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.SparkTestSession;
import py4j.reflection.MethodInvoker;
import py4j.reflection.ReflectionEngine;

/**
 * The API called as PySpark calls it: the class by name, each method found from the arguments'
 * runtime types and invoked reflectively. Once with plain reflection (getMethod with the types the
 * arguments are declared as) and once with py4j's own ReflectionEngine, the resolver behind
 * {@code spark._jvm}, which sees what a Python value becomes: a str a String, a float a Double, an
 * int an Integer, a list an ArrayList, a dict a HashMap, {@code df._jdf} Spark's classic Dataset.
 * Every call of the README's snippet, and no public method the API offers takes varargs or a lambda.
 */
class Py4jCallTest {
    private static final SparkSession spark = SparkTestSession.get();
    private static final ReflectionEngine PY4J = new ReflectionEngine();

    @TempDir
    java.nio.file.Path tmp;

    private static Dataset<Row> frame() {
        return spark.sql("""
                SELECT * FROM VALUES
                  ('a', 0, array(2.0D, 0.0D, 0.0D)), ('a', 1, array(0.0D, 1.0D, 3.0D)), ('b', 2, array(0.0D, 0.0D, 1.0D))
                  AS t(slice, label, logits)
                """);
    }

    /** {@code target.name(args)} as py4j calls it: resolved from the arguments' runtime classes. */
    private static Object py4j(Object target, String name, Object... args) {
        MethodInvoker m = target instanceof Class<?> c ? PY4J.getMethod(c, name, classes(args))
                : PY4J.getMethod(target, name, args);
        assertThat(m).as("py4j finds %s%s", name, Arrays.toString(classes(args))).isNotSameAs(MethodInvoker.INVALID_INVOKER);
        return PY4J.invoke(target instanceof Class<?> ? null : target, m, args);
    }

    private static Class<?>[] classes(Object... args) {
        return Arrays.stream(args).map(Object::getClass).toArray(Class<?>[]::new);
    }

    /** {@code target.name(args)} through java.lang.reflect, the parameters declared as {@code types}. */
    private static Object reflect(Object target, String name, Class<?>[] types, Object... args) throws Exception {
        Method m = target.getClass().getMethod(name, types);
        return m.invoke(target, args);
    }

    @Test
    void theReadmeSnippetThroughPlainReflection() throws Exception {
        Class<?> api = Class.forName("org.smoothkl.api.Smoothkl");
        Object audit = api.getMethod("audit", Dataset.class).invoke(null, frame());
        audit = reflect(audit, "preset", new Class<?>[] {String.class}, "seed");
        audit = reflect(audit, "epsilon", new Class<?>[] {Number.class}, Double.valueOf(0.1));
        audit = reflect(audit, "groupBy", new Class<?>[] {String.class}, "slice");
        audit = reflect(audit, "check", new Class<?>[] {String.class}, "mean_kl <= 5");
        audit = reflect(audit, "meta", new Class<?>[] {String.class, String.class}, "model", "v7");
        Object report = reflect(audit, "run", new Class<?>[0]);
        String json = (String) reflect(report, "toJson", new Class<?>[0]);
        JsonNode tree = new ObjectMapper().readTree(json);
        assertThat(tree.at("/overall/rows").asLong()).isEqualTo(3);
        assertThat(tree.at("/config/meta/model").asText()).isEqualTo("v7");
        Object overall = reflect(report, "overall", new Class<?>[0]);
        assertThat((Double) reflect(overall, "meanKl", new Class<?>[0])).isEqualTo(tree.at("/overall/mean_kl").asDouble());
        assertThat((Boolean) reflect(report, "passed", new Class<?>[0])).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theReadmeSnippetThroughPy4jsResolver() throws Exception {
        Object jdf = frame(); // df._jdf
        assertThat(jdf.getClass()).as("py4j sees the runtime class, not the declared one").isNotEqualTo(Dataset.class);
        Class<?> api = Class.forName("org.smoothkl.api.Smoothkl");
        Object audit = py4j(api, "audit", jdf);
        audit = py4j(audit, "preset", "seed");
        audit = py4j(audit, "epsilon", 0.1);                  // a Python float: a Double
        audit = py4j(audit, "groupBy", "slice");
        audit = py4j(audit, "check", "mean_kl <= 5");
        audit = py4j(audit, "meta", "model", "v7");
        Object report = py4j(audit, "run");
        JsonNode tree = new ObjectMapper().readTree((String) py4j(report, "toJson"));
        assertThat(tree.at("/overall/rows").asLong()).isEqualTo(3);
        assertThat((Double) py4j(py4j(report, "overall"), "meanKl")).isEqualTo(tree.at("/overall/mean_kl").asDouble());
        assertThat((Boolean) py4j(report, "passed")).isTrue();

        // dict and list arguments, as auto_convert passes them
        Map<String, Object> key = new HashMap<>(Map.of("slice", "a"));
        Object sliceA = py4j(report, "slice", key);
        assertThat((Double) py4j(sliceA, "accuracy")).isEqualTo(0.5);
        assertThat((Long) py4j(sliceA, "rows")).isEqualTo(2L);
        List<Verdict> checks = (List<Verdict>) py4j(report, "checks");
        assertThat(checks).hasSize(3);
    }

    @Test
    void pythonIntsListsAndWriteResolveToo() throws Exception {
        Object audit = py4j(Smoothkl.class, "audit", frame());
        audit = py4j(audit, "preset", "pytorch");
        audit = py4j(audit, "epsilon", 0);                    // a Python int: an Integer
        audit = py4j(audit, "ignoreIndex", -100);
        audit = py4j(audit, "bins", 10);
        audit = py4j(audit, "groupBy", new ArrayList<>(List.of("slice")));
        audit = py4j(audit, "checks", new ArrayList<>(List.of("accuracy >= 0.5")));
        audit = py4j(audit, "overwrite", Boolean.TRUE);
        audit = py4j(audit, "set", "max-slices", 100);
        audit = py4j(audit, "output", tmp.resolve("out").toString());
        Object report = py4j(audit, "write");
        assertThat(py4j(report, "output")).isEqualTo(tmp.resolve("out").toString());
        JsonNode tree = new ObjectMapper().readTree(tmp.resolve("out/summary.json").toFile());
        assertThat(tree.at("/config/epsilon").asDouble()).isZero();
        assertThat(tree.at("/config/ignore_index").asLong()).isEqualTo(-100);
        assertThat(tree.at("/config/bins").asInt()).isEqualTo(10);
        assertThat(tree.at("/config/max_slices").asInt()).isEqualTo(100);
        assertThat(tree.at("/slices").size()).isEqualTo(2);

        Object fromSession = py4j(Smoothkl.class, "audit", spark); // spark._jsparkSession
        assertThat(fromSession).isInstanceOf(Audit.class);
    }

    @Test
    void noPublicMethodTakesVarargsOrALambda() {
        for (Class<?> c : List.of(Smoothkl.class, Audit.class, AuditReport.class, Summary.class, Histogram.class, Verdict.class,
                AuditSettings.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                assertThat(m.isVarArgs()).as("%s.%s takes varargs", c.getSimpleName(), m.getName()).isFalse();
                for (Class<?> p : m.getParameterTypes()) {
                    assertThat(p.isAnnotationPresent(FunctionalInterface.class) || p.getPackageName().equals("java.util.function"))
                            .as("%s.%s takes a %s", c.getSimpleName(), m.getName(), p.getName()).isFalse();
                }
            }
        }
    }
}
