package dev.switchboard.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventBusTest {
    private static final Duration RETENTION = Duration.ofMinutes(10);

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final EventBus bus = new EventBus(clock, 100, RETENTION);

    @AfterEach
    void closeBus() {
        bus.close();
    }

    @Test
    void openCreatesALogOnceAndReturnsItAfterwards() {
        UUID run = UUID.randomUUID();
        UUID thread = UUID.randomUUID();

        EventLog log = bus.open(run, thread);

        assertThat(log.runId()).isEqualTo(run);
        assertThat(log.threadId()).isEqualTo(thread);
        assertThat(log.capacity()).isEqualTo(100);
        assertThat(bus.open(run, thread)).isSameAs(log);
        assertThat(bus.find(run)).containsSame(log);
        assertThat(bus.find(UUID.randomUUID())).isEmpty();
        assertThat(bus.openLogs()).isEqualTo(1);
    }

    @Test
    void aClosedLogIsRetainedUntilTheRetentionHasPassedByTheClock() {
        UUID run = UUID.randomUUID();
        EventLog log = bus.open(run, UUID.randomUUID());
        log.publish(new RunEvent.Metadata(run, log.threadId(), 1));
        log.close();

        clock.advance(RETENTION.minusSeconds(1));
        assertThat(bus.find(run)).containsSame(log);
        assertThat(bus.openLogs()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(bus.find(run)).isEmpty();
        assertThat(bus.openLogs()).isZero();
    }

    @Test
    void anOpenLogIsNeverExpiredByTheClock() {
        UUID run = UUID.randomUUID();
        EventLog log = bus.open(run, null);

        clock.advance(RETENTION.multipliedBy(100));

        assertThat(bus.find(run)).containsSame(log);
    }

    @Test
    void openingAnExpiredRunGivesAFreshLog() {
        UUID run = UUID.randomUUID();
        EventLog old = bus.open(run, null);
        old.close();
        clock.advance(RETENTION);

        EventLog fresh = bus.open(run, null);

        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.isClosed()).isFalse();
        assertThat(fresh.lastSequence()).isEqualTo(-1);
    }

    @Test
    void theSchedulerRemovesAClosedLogAfterTheRetention() throws Exception {
        try (EventBus quick = new EventBus(Clock.systemUTC(), 10, Duration.ofMillis(5))) {
            UUID run = UUID.randomUUID();
            quick.open(run, null).close();
            CountDownLatch later = new CountDownLatch(1);
            // Same single scheduler thread, later trigger time: runs after the removal.
            quick.scheduler().schedule(later::countDown, 10, TimeUnit.MILLISECONDS);

            assertThat(later.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(quick.openLogs()).isZero();
            assertThat(quick.find(run)).isEmpty();
        }
    }

    @Test
    void forgetDropsTheLogAndItsSubscribersStillFinishWithEnd() throws Exception {
        UUID run = UUID.randomUUID();
        EventLog log = bus.open(run, null);
        log.publish(new RunEvent.Custom(null));
        Subscription sub = log.subscribe(-1);

        bus.forget(run);

        assertThat(bus.find(run)).isEmpty();
        assertThat(bus.openLogs()).isZero();
        assertThat(log.isClosed()).isTrue();
        assertThat(sub.next(Duration.ofSeconds(5))).isPresent();
        assertThat(sub.next(Duration.ofSeconds(5)))
                .hasValueSatisfying(e -> assertThat(e.event()).isInstanceOf(RunEvent.End.class));
        assertThat(sub.isFinished()).isTrue();
        bus.forget(run); // already gone: no-op
    }

    @Test
    void closingTheBusClosesEveryLogAndRefusesNewOnes() {
        EventLog a = bus.open(UUID.randomUUID(), null);
        EventLog b = bus.open(UUID.randomUUID(), null);

        bus.close();
        bus.close();

        assertThat(a.isClosed()).isTrue();
        assertThat(b.isClosed()).isTrue();
        assertThat(bus.openLogs()).isZero();
        assertThatThrownBy(() -> bus.open(UUID.randomUUID(), null)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new EventBus(clock, 0, RETENTION)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventBus(clock, 10, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
