package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Switchboard;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadTtl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The expiry sweeper on embedded PostgreSQL, and two instances sweeping the same expired threads at once: each
 * thread is deleted exactly once between them and neither fails.
 */
class PostgresThreadExpiryTest extends ThreadExpiryOnDatabase {
    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    @Override
    TestDatabase db() {
        return db;
    }

    @Test
    void twoInstances_sweepingTheSameExpiredThreads_deleteEachOnce() throws Exception {
        Switchboard a = instance("instance-a");
        Switchboard b = instance("instance-b");
        int count = 250;
        for (int i = 0; i < count; i++) {
            a.createThread(null, null, false, new ThreadTtl(i % 2 == 0 ? ThreadTtl.Strategy.DELETE
                    : ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(10)));
        }
        clock.advance(Duration.ofMinutes(10));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<Integer>> swept = new ArrayList<>();
            for (Switchboard sb : List.of(a, b)) {
                swept.add(pool.submit(() -> {
                    together.await();
                    return sb.expiry().sweep();
                }));
            }
            int total = 0;
            for (Future<Integer> f : swept) {
                total += f.get();
            }
            assertThat(total).as("each thread handled by exactly one instance").isEqualTo(count);
        } finally {
            pool.shutdownNow();
        }
        assertThat(database.threads().count(ThreadQuery.all())).isEqualTo(count / 2);
        assertThat(a.expiry().sweep() + b.expiry().sweep()).as("nothing left to do").isZero();
    }
}
