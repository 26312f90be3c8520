package dev.switchboard.testkit;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManualClockTest {

    private static final Instant T0 = Instant.parse("2030-05-06T07:08:09.123Z");

    @Test
    void instant_withoutMoving_staysAtStart() {
        ManualClock clock = new ManualClock(T0);

        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void noArgConstructor_startsAtDefaultStart() {
        assertThat(new ManualClock().instant()).isEqualTo(ManualClock.DEFAULT_START);
    }

    @Test
    void advance_movesForwardAndAnswersNewTime() {
        ManualClock clock = new ManualClock(T0);

        assertThat(clock.advance(Duration.ofSeconds(5))).isEqualTo(T0.plusSeconds(5));
        clock.advance(Duration.ZERO);
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void advance_negative_isRefused() {
        ManualClock clock = new ManualClock(T0);

        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(clock.instant()).isEqualTo(T0);
    }

    @Test
    void set_jumpsEitherWay() {
        ManualClock clock = new ManualClock(T0);

        clock.set(T0.plusSeconds(60));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(60));
        clock.set(T0.minusSeconds(60));
        assertThat(clock.instant()).isEqualTo(T0.minusSeconds(60));
    }

    @Test
    void withZone_sharesTime() {
        ManualClock clock = new ManualClock(T0);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofHours(1));

        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(paris.instant()).isEqualTo(T0.plus(Duration.ofHours(1)));
    }

    @Test
    void advance_fromManyVirtualThreads_losesNoStep() throws Exception {
        ManualClock clock = new ManualClock(T0);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                futures.add(executor.submit(() -> {
                    for (int j = 0; j < 100; j++) {
                        clock.advance(Duration.ofMillis(1));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }

        assertThat(clock.instant()).isEqualTo(T0.plusMillis(10_000));
    }
}
