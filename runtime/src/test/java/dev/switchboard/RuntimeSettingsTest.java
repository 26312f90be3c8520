package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings are read once, at the edge; a malformed one is refused by name, never replaced by its default. */
class RuntimeSettingsTest {

    @Test
    void unsetVariables_keepTheDefaults() {
        RuntimeSettings s = RuntimeSettings.fromEnvironment(Map.of());
        assertThat(s).isEqualTo(RuntimeSettings.defaults());
        assertThat(s.maxHistory()).isEqualTo(40);
        assertThat(s.secondaryWait()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.laneDebug()).isFalse();
    }

    @Test
    void theSeedsNamesAndOurs_areRead() {
        RuntimeSettings s = RuntimeSettings.fromEnvironment(Map.of("RBC_FEES_MAX_MSGS", " 12 ", "TELCO_DEBUG", "1",
                "SWITCHBOARD_SECONDARY_WAIT_MS", "0", "SWITCHBOARD_LEASE_MS", "900", "SWITCHBOARD_INSTANCE_ID", "a",
                "SWITCHBOARD_EVENT_RETENTION_MS", "5000"));
        assertThat(s).isEqualTo(new RuntimeSettings("a", Duration.ofMillis(900), Duration.ZERO, Duration.ofSeconds(5),
                12, true));
        assertThat(RuntimeSettings.fromEnvironment(Map.of("TELCO_DEBUG", "false")).laneDebug()).isFalse();
        assertThat(RuntimeSettings.fromEnvironment(Map.of("SWITCHBOARD_DEBUG", "true")).laneDebug()).isTrue();
    }

    @Test
    void malformedValues_areRefusedNamingTheVariable() {
        for (var bad : Map.of("RBC_FEES_MAX_MSGS", "many", "SWITCHBOARD_LEASE_MS", "2",
                "SWITCHBOARD_SECONDARY_WAIT_MS", "-1", "SWITCHBOARD_EVENT_RETENTION_MS", "1e3").entrySet()) {
            assertThatThrownBy(() -> RuntimeSettings.fromEnvironment(Map.of(bad.getKey(), bad.getValue())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> RuntimeSettings.fromEnvironment(Map.of("RBC_FEES_MAX_MSGS", "0")))
                .hasMessageContaining("RBC_FEES_MAX_MSGS");
    }
}
