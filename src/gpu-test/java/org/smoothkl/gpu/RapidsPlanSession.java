package org.smoothkl.gpu;

import com.nvidia.spark.RapidsUDF;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.MutableURLClassLoader;

/**
 * The SparkSession of the GPU-plan tests: local[2] with the RAPIDS Accelerator in explainOnly
 * mode, which plans every query for the GPU, reports per operator and expression whether it
 * would run there, and then runs it on the CPU (no GPU needed). It cannot share a JVM with
 * {@link org.smoothkl.SparkTestSession} (one SparkContext per JVM), so these tests carry the
 * {@value #TAG} tag and surefire runs them in a JVM of their own (pom.xml, execution rapids-plan).
 *
 * <p>Two things the plugin needs outside spark-submit (src/site/markdown/gpu.md): the thread's context class
 * loader must be Spark's MutableURLClassLoader before the session is built, and the executor
 * plugin would extract 1.4 GB of native libraries (≈16 s) at every start unless
 * {@code ai.rapids.cudf.lib-native-dir} names an extracted copy; this fixture extracts them once
 * into {@code smoothkl.rapids.natives} (a cache directory set by the pom) and reuses them.
 */
public final class RapidsPlanSession {
    public static final String TAG = "rapids-plan";
    private static SparkSession session;

    private RapidsPlanSession() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            System.setProperty("ai.rapids.cudf.lib-native-dir", nativesDir().toString());
            Thread t = Thread.currentThread();
            if (!(t.getContextClassLoader() instanceof MutableURLClassLoader)) {
                t.setContextClassLoader(new MutableURLClassLoader(new URL[0], t.getContextClassLoader()));
            }
            SparkSession.Builder b = SparkSession.builder()
                    .master("local[2]")
                    .appName("smoothkl-rapids-plan-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.driver.host", "127.0.0.1");
            GpuConf.sqlSettings().forEach(b::config);
            b.config("spark.rapids.sql.mode", "explainOnly");
            session = b.getOrCreate();
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return session;
    }

    /** The RAPIDS jar's native libraries for this OS and architecture, extracted once into a cache directory. */
    static Path nativesDir() {
        Path jar = rapidsJar();
        String prefix = System.getProperty("os.arch") + "/" + System.getProperty("os.name") + "/";
        Path cache = Path.of(System.getProperty("smoothkl.rapids.natives",
                Path.of(System.getProperty("user.home"), ".cache", "smoothkl", "rapids-natives").toString()));
        Path dir = cache.resolve(jar.getFileName().toString().replaceAll("\\.jar$", "") + "-" + prefix.replace('/', '-')
                .replaceAll("-$", ""));
        if (Files.isRegularFile(dir.resolve(".complete"))) {
            return dir;
        }
        try {
            Files.createDirectories(cache);
            Path tmp = Files.createTempDirectory(cache, ".extract-");
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                Enumeration<? extends ZipEntry> entries = zip.entries();
                while (entries.hasMoreElements()) {
                    ZipEntry e = entries.nextElement();
                    if (!e.isDirectory() && e.getName().startsWith(prefix) && e.getName().indexOf('/', prefix.length()) < 0) {
                        try (InputStream in = zip.getInputStream(e)) {
                            Files.copy(in, tmp.resolve(e.getName().substring(prefix.length())));
                        }
                    }
                }
            }
            Files.createFile(tmp.resolve(".complete"));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                deleteTree(tmp); // another JVM extracted it meanwhile
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the RAPIDS natives from " + jar + " into " + cache, e);
        }
    }

    private static Path rapidsJar() {
        try {
            return Path.of(RapidsUDF.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
