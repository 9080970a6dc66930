package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;

/**
 * A job jar built without -Pgpu has no org.smoothkl.gpu: --engine rapids (and auto under the
 * plugin, which takes the same way) is then exit 2, one line saying to build with -Pgpu. The
 * engine loads the UDF through the thread's context class loader; here one that hides the gpu
 * package stands for the default jar, whichever profile built the tests.
 */
class RapidsEngineMissingTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheGpuPackageTheRapidsEngineIsExitTwoSayingHowToBuildIt() {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "50", "--classes", "5", "--output", data.toString()).exitCode()).isZero();
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        thread.setContextClassLoader(new ClassLoader(original) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.smoothkl.gpu.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        });
        CliRun run;
        try {
            run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                    "--engine", "rapids", "--output", tmp.resolve("out").toString());
        } finally {
            thread.setContextClassLoader(original);
        }
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err().strip()).doesNotContain("\n").isEqualTo("smoothkl: error: " + RapidsMetricsEngine.MISSING_UDF)
                .contains("-Pgpu");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
