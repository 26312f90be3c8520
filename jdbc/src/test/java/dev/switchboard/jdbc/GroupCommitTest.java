package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SQLite's group commit: writes that wait together share a transaction, yet each behaves as if it had its own —
 * its result or its exception reaches its caller, a failed work leaves nothing behind, and the others commit.
 */
class GroupCommitTest {

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    @Test
    void concurrentWrites_eachGetsItsOwnResult_andAFailedOneLeavesNothing() throws Exception {
        Transactions tx = sqlite.open(Clock.systemUTC()).transactions();
        tx.write(c -> execute(c, "CREATE TABLE probe (n INTEGER PRIMARY KEY)"));
        int writers = 200;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                int n = i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return tx.write(c -> {
                        execute(c, "INSERT INTO probe (n) VALUES (" + n + ")");
                        if (n % 3 == 0) {
                            throw new Refused("refused " + n);
                        }
                        return n * 2;
                    });
                }));
            }
            go.countDown();
            for (int i = 0; i < writers; i++) {
                int n = i;
                if (n % 3 == 0) {
                    assertThatThrownBy(answers.get(i)::get).hasCauseInstanceOf(Refused.class)
                            .cause().hasMessage("refused " + n);
                } else {
                    assertThat(answers.get(i).get()).isEqualTo(n * 2);
                }
            }
        }
        Set<Integer> stored = tx.read(c -> {
            Set<Integer> rows = new HashSet<>();
            try (var rs = c.createStatement().executeQuery("SELECT n FROM probe")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1));
                }
            }
            return rows;
        });
        Set<Integer> expected = new HashSet<>();
        for (int n = 0; n < writers; n++) {
            if (n % 3 != 0) {
                expected.add(n);
            }
        }
        assertThat(stored).isEqualTo(expected);
    }

    @Test
    void aWriteThatFailsAlone_isRolledBack_andItsExceptionIsTheOneThrown() {
        Transactions tx = sqlite.open(Clock.systemUTC()).transactions();
        tx.write(c -> execute(c, "CREATE TABLE probe (n INTEGER PRIMARY KEY)"));
        assertThatThrownBy(() -> tx.write(c -> {
            execute(c, "INSERT INTO probe (n) VALUES (1)");
            throw new Refused("no");
        })).isInstanceOf(Refused.class);
        assertThat(tx.<Integer>read(GroupCommitTest::count)).isZero();
    }

    @Test
    void anInterruptedWriter_stillCommits_andKeepsItsInterrupt() {
        Transactions tx = sqlite.open(Clock.systemUTC()).transactions();
        tx.write(c -> execute(c, "CREATE TABLE probe (n INTEGER PRIMARY KEY)"));
        java.lang.Thread.currentThread().interrupt();
        try {
            tx.write(c -> execute(c, "INSERT INTO probe (n) VALUES (7)"));
            assertThat(java.lang.Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            java.lang.Thread.interrupted();
        }
        assertThat(tx.<Integer>read(GroupCommitTest::count)).isEqualTo(1);
    }

    private static Object execute(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(sql);
        }
        return null;
    }

    private static int count(Connection c) throws SQLException {
        try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM probe")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
