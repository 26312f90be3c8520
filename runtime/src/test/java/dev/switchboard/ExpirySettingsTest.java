package dev.switchboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.ThreadTtl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expiry's settings: read by name, refused by name when malformed; the default ttl reaches new threads. */
class ExpirySettingsTest {

    @Test
    void unset_meansAFiveMinuteSweepAndNoDefaultTtl() {
        assertThat(ExpirySettings.fromEnvironment(Map.of())).isEqualTo(ExpirySettings.defaults());
        assertThat(ExpirySettings.defaults().sweepEvery()).isEqualTo(Duration.ofMinutes(5));
        assertThat(ExpirySettings.defaults().defaultThreadTtl()).isNull();
        assertThat(ExpirySettings.defaults().storeRefreshOnRead()).as("as LangGraph's refresh_on_read").isTrue();
    }

    @Test
    void variables_areRead() {
        ExpirySettings s = ExpirySettings.fromEnvironment(Map.of("SWITCHBOARD_TTL_SWEEP_SECONDS", "30",
                "SWITCHBOARD_THREAD_TTL_MINUTES", "43200", "SWITCHBOARD_THREAD_TTL_STRATEGY", "keep_latest"));
        assertThat(s).isEqualTo(new ExpirySettings(Duration.ofSeconds(30),
                new ThreadTtl(ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(43200)), true));
        assertThat(ExpirySettings.fromEnvironment(Map.of("SWITCHBOARD_STORE_REFRESH_ON_READ", "false"))
                .storeRefreshOnRead()).isFalse();
        assertThat(ExpirySettings.fromEnvironment(Map.of("SWITCHBOARD_THREAD_TTL_MINUTES", "5")).defaultThreadTtl()
                .strategy()).isEqualTo(ThreadTtl.Strategy.DELETE);
    }

    @Test
    void malformedValues_areRefusedNamingTheVariable() {
        for (var bad : Map.of("SWITCHBOARD_TTL_SWEEP_SECONDS", "0", "SWITCHBOARD_THREAD_TTL_MINUTES", "soon",
                "SWITCHBOARD_STORE_REFRESH_ON_READ", "sometimes")
                .entrySet()) {
            assertThatThrownBy(() -> ExpirySettings.fromEnvironment(Map.of(bad.getKey(), bad.getValue())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> ExpirySettings.fromEnvironment(Map.of("SWITCHBOARD_THREAD_TTL_MINUTES", "5",
                "SWITCHBOARD_THREAD_TTL_STRATEGY", "burn"))).hasMessageContaining("SWITCHBOARD_THREAD_TTL_STRATEGY");
        assertThatThrownBy(() -> ExpirySettings.fromEnvironment(Map.of("SWITCHBOARD_THREAD_TTL_STRATEGY",
                "delete"))).hasMessageContaining("SWITCHBOARD_THREAD_TTL_MINUTES");
    }

    @Test
    void defaultTtl_isGivenToNewThreadsWithoutOne_andAnExplicitOneWins() {
        ThreadTtl fallback = new ThreadTtl(ThreadTtl.Strategy.DELETE, Duration.ofMinutes(60));
        try (Switchboard sb = Switchboard.builder().graph(ScriptedAgent.graph(1, 0, 0))
                .expiry(new ExpirySettings(Duration.ofMinutes(5), fallback, true)).build()) {
            var plain = sb.createThread(null, null, false).threadId();
            ThreadTtl own = new ThreadTtl(ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(5));
            var explicit = sb.createThread(null, null, false, own).threadId();
            assertThat(sb.threadTtl(plain)).contains(fallback);
            assertThat(sb.threadTtl(explicit)).contains(own);
        }
    }
}
