package org.smoothkl.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress-bar rule of {@link ConsoleProgress}: a terminal only, never under CI or TERM=dumb, and an explicit false wins. */
class ConsoleProgressTest {
    @Test
    void aTerminalGetsTheBar() {
        assertThat(ConsoleProgress.showBar(Map.of(), true, null)).isTrue();
        assertThat(ConsoleProgress.showBar(Map.of("CI", "false"), true, null)).isTrue();
        assertThat(ConsoleProgress.showBar(Map.of("CI", ""), true, "true")).isTrue();
    }

    @Test
    void aFileNeverDoesWhateverTheConfSays() {
        assertThat(ConsoleProgress.showBar(Map.of(), false, null)).isFalse();
        assertThat(ConsoleProgress.showBar(Map.of(), false, "true")).isFalse();
    }

    @Test
    void ciAndDumbTerminalsDoNot() {
        assertThat(ConsoleProgress.showBar(Map.of("CI", "true"), true, null)).isFalse();
        assertThat(ConsoleProgress.showBar(Map.of("CI", "1"), true, "true")).isFalse();
        assertThat(ConsoleProgress.showBar(Map.of("TERM", "dumb"), true, null)).isFalse();
    }

    @Test
    void anExplicitFalseHidesItOnATerminal() {
        assertThat(ConsoleProgress.showBar(Map.of(), true, "false")).isFalse();
        assertThat(ConsoleProgress.showBar(Map.of(), true, " FALSE ")).isFalse();
    }

    /** Under surefire stderr is a pipe to the plugin, not a terminal. */
    @Test
    void theTestJvmsStderrIsNoTerminal() {
        assertThat(ConsoleProgress.stderrIsTerminal()).isFalse();
        assertThat(ConsoleProgress.sessionConf()).containsEntry(ConsoleProgress.SPARK_KEY, "false");
    }
}
