package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flood of distinct {@code user_id}s through {@code /api/agent/run} (anonymous mode, where the client names
 * the user) leaves a bounded amount of per-user state in memory: every user gets a thread and a run, which are
 * stored, but the channels, locks and relays the endpoint keeps in memory stay within the idle-channel limit
 * plus the users active at the moment. Measured as retained objects, not time.
 */
class AgentRunMemoryTest {
    private static final int USERS = Integer.getInteger("switchboard.memory.users", 100_000);

    @Test
    void manyDistinctUserIds_leaveBoundedPerUserStateInMemory() throws Exception {
        try (TestServer t = TestServer.startScripted(1, 0);
                ExecutorService pool = Executors.newFixedThreadPool(16)) {
            AtomicInteger accepted = new AtomicInteger();
            List<Future<?>> sent = new ArrayList<>();
            int batch = USERS / 16;
            for (int w = 0; w < 16; w++) {
                int from = w * batch;
                int to = w == 15 ? USERS : from + batch;
                sent.add(pool.submit(() -> {
                    for (int i = from; i < to; i++) {
                        var r = t.http.post("/api/agent/run", obj("user_id", "flood-" + i, "task", "hi",
                                "assistant_id", "scripted"));
                        if (r.status() == 202) {
                            accepted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            assertThat(accepted.get()).isEqualTo(USERS);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2))
                    .until(() -> t.server.retainedAgentRunUsers() <= 10_000);
            assertThat(t.server.retainedAgentRunUsers()).as("channels and relays kept in memory")
                    .isLessThanOrEqualTo(10_000);
            System.gc();
            long heapMiB = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
            System.out.println("after " + USERS + " distinct user ids: " + t.server.retainedAgentRunUsers()
                    + " channels kept, heap " + heapMiB + " MiB");
        }
    }
}
