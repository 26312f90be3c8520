package dev.switchboard.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventLogTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private final EventLog log = new EventLog(UUID.randomUUID(), UUID.randomUUID(), 1_000);

    private static RunEvent custom(int n) {
        return new RunEvent.Custom(IntNode.valueOf(n));
    }

    private static List<SequencedEvent> drain(Subscription sub) throws InterruptedException {
        List<SequencedEvent> out = new ArrayList<>();
        while (!sub.isFinished()) {
            sub.next(LONG).ifPresent(out::add);
        }
        return out;
    }

    private static List<Long> sequences(List<SequencedEvent> events) {
        return events.stream().map(SequencedEvent::sequence).toList();
    }

    @Test
    void sequenceNumbersStartAtZeroAndIncreaseByOne() {
        assertThat(log.lastSequence()).isEqualTo(-1);
        assertThat(log.publish(new RunEvent.Metadata(log.runId(), log.threadId(), 1))).isZero();
        assertThat(log.publish(custom(1))).isEqualTo(1);
        assertThat(log.publish(custom(2))).isEqualTo(2);
        assertThat(log.lastSequence()).isEqualTo(2);
    }

    @Test
    void everySubscriberGetsAllEventsInOrder() throws Exception {
        Subscription first = log.subscribe(-1);
        Subscription second = log.subscribe(-1);
        for (int i = 0; i < 200; i++) {
            log.publish(custom(i));
        }
        log.close();

        for (Subscription sub : List.of(first, second)) {
            List<SequencedEvent> events = drain(sub);
            assertThat(events).hasSize(201);
            for (int i = 0; i < 200; i++) {
                assertThat(events.get(i).sequence()).isEqualTo(i);
                assertThat(((RunEvent.Custom) events.get(i).event()).payload().intValue()).isEqualTo(i);
            }
            assertThat(events.get(200).event()).isInstanceOf(RunEvent.End.class);
            assertThat(sub.lostEvents()).isZero();
        }
    }

    @Test
    void resumingFromASequenceReplaysTheRestWithoutGapOrDuplicate() throws Exception {
        for (int i = 0; i < 10; i++) {
            log.publish(custom(i));
        }
        Subscription resumed = log.subscribe(4);
        log.publish(custom(10));
        log.close();

        assertThat(sequences(drain(resumed))).containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(resumed.lostEvents()).isZero();
    }

    @Test
    void resumingFromMinusOneReplaysAFinishedLogInFull() throws Exception {
        log.publish(custom(0));
        log.publish(custom(1));
        log.close();

        assertThat(sequences(drain(log.subscribe(-1)))).containsExactly(0L, 1L, 2L);
    }

    @Test
    void resumingAfterTheEndOfAClosedLogIsFinishedAtOnce() throws Exception {
        log.publish(custom(0));
        log.close();

        Subscription afterEnd = log.subscribe(log.lastSequence());
        assertThat(afterEnd.isFinished()).isTrue();
        assertThat(afterEnd.next(LONG)).isEmpty();
    }

    @Test
    void resumingBeforeTheOldestRetainedEventStartsThereAndReportsTheGap() throws Exception {
        EventLog small = new EventLog(UUID.randomUUID(), null, 5);
        for (int i = 0; i < 20; i++) {
            small.publish(custom(i));
        }
        small.close(); // End is 20; 16..20 retained

        Subscription sub = small.subscribe(2);
        assertThat(sub.lostEvents()).isEqualTo(13); // 3..15

        assertThat(sequences(drain(sub))).containsExactly(16L, 17L, 18L, 19L, 20L);
        assertThat(sub.lostEvents()).isEqualTo(13);
    }

    @Test
    void aNegativeResumePointOtherThanMinusOneIsRejected() {
        assertThatThrownBy(() -> log.subscribe(-2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLiveSubscriptionSeesOnlyLaterEvents() throws Exception {
        log.publish(custom(0));
        log.publish(custom(1));
        Subscription live = log.subscribeLive();
        log.publish(custom(2));
        log.close();

        assertThat(sequences(drain(live))).containsExactly(2L, 3L);
    }

    @Test
    void aLiveSubscriptionOnAClosedLogIsFinishedAtOnce() throws Exception {
        log.close();
        Subscription live = log.subscribeLive();

        assertThat(live.isFinished()).isTrue();
        assertThat(live.next(LONG)).isEmpty();
    }

    @Test
    void aBlockedNextWakesWhenAnEventIsPublished() throws Exception {
        Subscription sub = log.subscribeLive();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Optional<SequencedEvent>> got = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                got.set(sub.next(LONG));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.countDown();
        });
        waiting.await();

        log.publish(custom(42));

        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get()).hasValueSatisfying(e -> assertThat(e.sequence()).isZero());
        reader.join();
    }

    @Test
    void aBlockedNextWakesWhenTheSubscriptionIsClosed() throws Exception {
        Subscription sub = log.subscribeLive();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Optional<SequencedEvent>> got = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                got.set(sub.next(LONG));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.countDown();
        });
        waiting.await();

        sub.close();

        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get()).isEmpty();
        assertThat(sub.isFinished()).isTrue();
        assertThat(sub.next(LONG)).isEmpty();
    }

    @Test
    void aBlockedNextWakesWithEndWhenTheLogIsClosed() throws Exception {
        Subscription sub = log.subscribeLive();
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch returned = new CountDownLatch(1);
        AtomicReference<Optional<SequencedEvent>> got = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                got.set(sub.next(LONG));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.countDown();
        });
        waiting.await();

        log.close();

        assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(got.get()).hasValueSatisfying(e -> assertThat(e.event()).isInstanceOf(RunEvent.End.class));
        assertThat(sub.isFinished()).isTrue();
    }

    @Test
    void aBlockedNextIsInterruptible() throws Exception {
        Subscription sub = log.subscribeLive();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                sub.next(LONG);
            } catch (InterruptedException e) {
                thrown.set(e);
            }
        });
        reader.interrupt();
        reader.join();

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void nextReturnsEmptyOnTimeout() throws Exception {
        Subscription sub = log.subscribe(-1);

        assertThat(sub.next(Duration.ZERO)).isEmpty();
        assertThat(sub.next(Duration.ofMillis(20))).isEmpty();
        assertThat(sub.isFinished()).isFalse();
        log.publish(custom(0));
        assertThat(sub.next(Duration.ZERO)).isPresent();
    }

    @Test
    void aLaggingSubscriberReportsLostEventsAndNeverHoldsUpThePublisher() throws Exception {
        EventLog small = new EventLog(UUID.randomUUID(), null, 100);
        Subscription idle = small.subscribe(-1);

        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            small.publish(custom(i));
        }
        small.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        List<SequencedEvent> events = drain(idle);
        // 100,001 events (with End), the last 100 retained.
        assertThat(idle.lostEvents()).isEqualTo(99_901);
        assertThat(events).hasSize(100);
        assertThat(events.getFirst().sequence()).isEqualTo(99_901);
        assertThat(events.getLast().event()).isInstanceOf(RunEvent.End.class);
        assertThat(events.getLast().sequence()).isEqualTo(100_000);
    }

    @Test
    void aSubscriberThatFallsBehindMidStreamSkipsForwardWithoutDuplicates() throws Exception {
        EventLog small = new EventLog(UUID.randomUUID(), null, 10);
        Subscription sub = small.subscribe(-1);
        for (int i = 0; i < 5; i++) {
            small.publish(custom(i));
        }
        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.sequence()).isZero());
        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.sequence()).isEqualTo(1));
        for (int i = 5; i < 30; i++) {
            small.publish(custom(i));
        }

        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.sequence()).isEqualTo(20));
        assertThat(sub.lostEvents()).isEqualTo(18); // 2..19
        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.sequence()).isEqualTo(21));
    }

    @Test
    void endIsDeliveredLastAndThenTheSubscriptionIsFinished() throws Exception {
        Subscription sub = log.subscribe(-1);
        log.publish(custom(0));
        log.close();

        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.event()).isInstanceOf(RunEvent.Custom.class));
        assertThat(sub.isFinished()).isFalse();
        assertThat(sub.next(LONG)).hasValueSatisfying(e -> assertThat(e.event()).isInstanceOf(RunEvent.End.class));
        assertThat(sub.isFinished()).isTrue();
        assertThat(sub.next(LONG)).isEmpty();
    }

    @Test
    void closeIsIdempotentAndPublishesEndOnce() throws Exception {
        log.publish(custom(0));
        log.close();
        log.close();

        assertThat(log.isClosed()).isTrue();
        assertThat(log.closedAt()).isPresent();
        assertThat(log.lastSequence()).isEqualTo(1);
        assertThat(sequences(drain(log.subscribe(-1)))).containsExactly(0L, 1L);
    }

    @Test
    void publishingEndClosesTheLog() {
        log.publish(custom(0));
        assertThat(log.publish(new RunEvent.End())).isEqualTo(1);

        assertThat(log.isClosed()).isTrue();
        log.close();
        assertThat(log.lastSequence()).isEqualTo(1);
    }

    @Test
    void publishAfterCloseThrows() {
        log.close();

        assertThatThrownBy(() -> log.publish(custom(0))).isInstanceOf(IllegalStateException.class);
        assertThat(log.lastSequence()).isZero();
    }

    @Test
    void retentionBeyondTheInitialBufferKeepsEveryEventUpToCapacity() throws Exception {
        EventLog grown = new EventLog(UUID.randomUUID(), null, 1_000);
        for (int i = 0; i < 999; i++) {
            grown.publish(custom(i));
        }
        grown.close();
        Subscription sub = grown.subscribe(-1);

        List<SequencedEvent> events = drain(sub);
        assertThat(sub.lostEvents()).isZero();
        assertThat(events).hasSize(1_000);
        for (int i = 0; i < 999; i++) {
            assertThat(((RunEvent.Custom) events.get(i).event()).payload().intValue()).isEqualTo(i);
        }
    }
}
