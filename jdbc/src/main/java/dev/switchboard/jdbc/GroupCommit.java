package dev.switchboard.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Group commit for an engine with one writer (SQLite): the write transactions that queue while one commits are
 * run together, each in its own savepoint, as one transaction with one fsync. A caller returns only once the
 * transaction holding its work has committed, so "acknowledged means durable" holds exactly as with a
 * transaction per write; what changes is that forty waiting writers share one fsync instead of paying forty.
 *
 * <p>There is no writer thread: whoever takes the lock first leads, running every queued work (its own among
 * them) on its connection; the callers whose works it ran find them done when they get the lock, and return. A
 * lone writer therefore pays nothing over a plain transaction: its batch is itself, without a savepoint.
 *
 * <p>A work that throws is rolled back to its savepoint, alone; the others commit. A commit that fails fails
 * every work of its batch, which is what a failed single commit would have done to each; so does a work that
 * finds the disk full, since SQLite may then have rolled back the whole transaction.
 */
final class GroupCommit {

    /** Works per transaction at most: bounds how long one transaction holds the file's write lock. */
    static final int MAX_BATCH = 64;

    private final DataSource pool;
    private final Function<SQLException, RuntimeException> translate;
    // Fair, so a steady stream of writers cannot starve one; its holder is the batch's leader.
    private final ReentrantLock leader = new ReentrantLock(true);
    private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

    GroupCommit(DataSource pool, Function<SQLException, RuntimeException> translate) {
        this.pool = pool;
        this.translate = translate;
    }

    /** Runs {@code work} in a committed transaction, possibly shared; its exception reaches the caller as thrown. */
    <T> T write(Transactions.Work<T> work) {
        Pending<T> mine = new Pending<>(work);
        queue.add(mine);
        leader.lock();
        try {
            if (!mine.done) {
                runBatchesUntilDoneLocked(mine);
            }
        } finally {
            leader.unlock();
        }
        return mine.outcome();
    }

    private void runBatchesUntilDoneLocked(Pending<?> mine) {
        // A leader's thread may be a run being cancelled: the interrupt is its own, not its batch's, so the
        // batch is not failed by it; the flag is restored for the run to see once the batch is done.
        boolean interrupted = java.lang.Thread.interrupted();
        try {
            while (!mine.done) {
                List<Pending<?>> batch = new ArrayList<>();
                Pending<?> next;
                while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                    batch.add(next);
                }
                runLocked(batch);
            }
        } finally {
            if (interrupted) {
                java.lang.Thread.currentThread().interrupt();
            }
        }
    }

    private void runLocked(List<Pending<?>> batch) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                boolean alone = batch.size() == 1;
                for (Pending<?> p : batch) {
                    p.runIn(c, alone);
                }
                if (alone && batch.getFirst().failure != null) {
                    c.rollback();
                } else {
                    c.commit();
                }
                committed = true;
            } finally {
                if (!committed) {
                    Transactions.rollbackOrDiscard(pool, c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // Nothing of this batch committed: every work fails, the ones that had succeeded too.
            RuntimeException failure = e instanceof SQLException sql ? translate.apply(sql) : (RuntimeException) e;
            for (Pending<?> p : batch) {
                p.failAll(failure);
            }
        } finally {
            for (Pending<?> p : batch) {
                p.done = true;
            }
        }
    }

    /** One caller's work and, once its batch has ended, what it returned or threw. */
    private final class Pending<T> {
        private final Transactions.Work<T> work;
        // Written by the leader under the lock, read by the caller after taking the same lock.
        private boolean done;
        private T result;
        private Throwable failure;

        Pending(Transactions.Work<T> work) {
            this.work = work;
        }

        void runIn(Connection c, boolean alone) throws SQLException {
            Savepoint savepoint = alone ? null : c.setSavepoint();
            try {
                result = work.run(c);
                if (savepoint != null) {
                    c.releaseSavepoint(savepoint);
                }
            } catch (SQLException | RuntimeException | Error e) {
                if (e instanceof SQLException sql && Dialect.isFull(sql)) {
                    // SQLite may have rolled back the whole transaction on SQLITE_FULL, savepoints and the
                    // other works' writes with it: the batch fails as a whole, each work with store_full.
                    throw sql;
                }
                failure = e;
                if (savepoint != null) {
                    c.rollback(savepoint);
                    c.releaseSavepoint(savepoint);
                }
            }
        }

        void failAll(RuntimeException commitFailure) {
            if (failure == null) {
                failure = commitFailure;
                result = null;
            }
        }

        T outcome() {
            return switch (failure) {
                case null -> result;
                case SQLException sql -> throw translate.apply(sql);
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new IllegalStateException(failure);
            };
        }
    }
}
