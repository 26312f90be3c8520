package dev.switchboard.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ManySubscribersTest {
    private static final int SUBSCRIBERS = 64;
    private static final int EVENTS = 5_000;

    /** What one reader saw: sequences in order, payloads, its loss count. */
    private record Seen(List<Long> sequences, List<Integer> payloads, long lost, boolean endedWithEnd) {
    }

    private static Seen read(Subscription sub) throws InterruptedException {
        List<Long> sequences = new ArrayList<>();
        List<Integer> payloads = new ArrayList<>();
        boolean end = false;
        while (!sub.isFinished()) {
            var next = sub.next(Duration.ofSeconds(30));
            if (next.isPresent()) {
                sequences.add(next.get().sequence());
                end = next.get().event() instanceof RunEvent.End;
                if (next.get().event() instanceof RunEvent.Custom c) {
                    payloads.add(c.payload().intValue());
                }
            }
        }
        return new Seen(sequences, payloads, sub.lostEvents(), end);
    }

    private static boolean isStrictlyIncreasing(List<Long> sequences) {
        for (int i = 1; i < sequences.size(); i++) {
            if (sequences.get(i) <= sequences.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    private static List<Seen> runConcurrently(EventLog log) throws Exception {
        CountDownLatch subscribed = new CountDownLatch(SUBSCRIBERS);
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Seen>> futures = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                futures.add(readers.submit(() -> {
                    Subscription sub = log.subscribe(-1);
                    subscribed.countDown();
                    return read(sub);
                }));
            }
            subscribed.await();
            for (int i = 0; i < EVENTS; i++) {
                log.publish(new RunEvent.Custom(IntNode.valueOf(i)));
            }
            log.close();
            List<Seen> all = new ArrayList<>();
            for (Future<Seen> f : futures) {
                all.add(f.get());
            }
            return all;
        }
    }

    @Test
    void manyConcurrentSubscribersEachGetEveryEventInOrder() throws Exception {
        EventLog log = new EventLog(UUID.randomUUID(), null, EVENTS + 1);

        for (Seen seen : runConcurrently(log)) {
            assertThat(seen.lost()).isZero();
            assertThat(seen.sequences().size()).isEqualTo(EVENTS + 1);
            for (int i = 0; i <= EVENTS; i++) {
                assertThat(seen.sequences().get(i)).isEqualTo(i);
            }
            for (int i = 0; i < EVENTS; i++) {
                assertThat(seen.payloads().get(i)).isEqualTo(i);
            }
            assertThat(seen.endedWithEnd()).isTrue();
        }
    }

    @Test
    void manyConcurrentSubscribersOnATinyBufferSeeIncreasingSequencesAndAccountForEveryLoss() throws Exception {
        EventLog log = new EventLog(UUID.randomUUID(), null, 8);

        for (Seen seen : runConcurrently(log)) {
            assertThat(isStrictlyIncreasing(seen.sequences())).isTrue();
            assertThat(seen.sequences().size() + seen.lost()).isEqualTo(EVENTS + 1);
            assertThat(seen.endedWithEnd()).isTrue();
        }
    }

    @Test
    void subscribersJoiningMidStreamFromTheStartMissNothing() throws Exception {
        EventLog log = new EventLog(UUID.randomUUID(), null, EVENTS + 1);
        ConcurrentLinkedQueue<Seen> results = new ConcurrentLinkedQueue<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < EVENTS; i++) {
                log.publish(new RunEvent.Custom(IntNode.valueOf(i)));
                if (i % (EVENTS / 20) == 0) {
                    readers.submit(() -> {
                        results.add(read(log.subscribe(-1)));
                        return null;
                    });
                }
            }
            log.close();
        }

        assertThat(results.size()).isEqualTo(20);
        for (Seen seen : results) {
            assertThat(seen.lost()).isZero();
            assertThat(seen.sequences().size()).isEqualTo(EVENTS + 1);
            assertThat(isStrictlyIncreasing(seen.sequences())).isTrue();
        }
    }
}
