package org.smoothkl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smoothkl.CliRun;
import org.smoothkl.SparkTestSession;

/**
 * --engine on a session without the RAPIDS plugin: auto picks the CPU engine and summary.json
 * says so; a bad name is a usage error. (With the plugin, RapidsPlanTest checks auto → rapids.)
 */
class EngineChoiceTest {
    @TempDir
    Path tmp;

    @Test
    void autoIsCpuWithoutThePlugin() throws IOException {
        assertThat(MetricsEngines.rapidsActive(SparkTestSession.get())).isFalse();
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "200", "--classes", "5", "--output", data.toString()).exitCode()).isZero();
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--output", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.at("/run/engine").asText()).isEqualTo("cpu");
        assertThat(summary.at("/run/kernel").asText()).isEqualTo(org.smoothkl.loss.RowKernels.name());
        assertThat(summary.at("/config/engine").asText()).isEqualTo("auto");
        assertThat(summary.at("/run/gpu_self_check").asText()).isEqualTo(GpuSelfCheck.NOT_RUN);
    }

    @Test
    void theRapidsEngineRefusesProbabilities() throws IOException {
        Path data = tmp.resolve("data");
        assertThat(CliRun.of("generate", "--rows", "50", "--classes", "5", "--output", data.toString()).exitCode()).isZero();
        CliRun run = CliRun.of("run", "--input", data.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--input-kind", "probs", "--engine", "rapids", "--output", tmp.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--engine rapids scores logits only").contains("probs");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void anUnknownEngineIsAUsageError() {
        CliRun run = CliRun.of("run", "--input", tmp.toString(), "--preset", "seed", "--epsilon", "0.1",
                "--engine", "gpu", "--output", tmp.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--engine").contains("gpu");
    }
}
