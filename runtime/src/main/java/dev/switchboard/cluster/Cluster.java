package dev.switchboard.cluster;

import dev.switchboard.run.CancelAction;
import java.util.UUID;

/**
 * How the instances of one deployment tell each other what their shared database cannot push: a run they do
 * not execute must be cancelled, or a thread may have a run to start. One instance ({@link #LOCAL}) needs
 * none of it; with PostgreSQL the signals travel as {@code NOTIFY}s. Signals are hints on top of the
 * database, which stays the truth: a lost signal delays, it never corrupts.
 */
public interface Cluster extends AutoCloseable {

    /** Asks whichever instance executes {@code runId} to cancel it. */
    void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy);

    /** Tells every instance that {@code threadId} may have a pending run to start. */
    void wake(UUID threadId);

    /** Starts delivering other instances' signals to {@code listener}. */
    void listen(Listener listener);

    @Override
    void close();

    /** Receives signals on the cluster's own thread; must hand off quickly. */
    interface Listener {
        void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy);

        void wake(UUID threadId);
    }

    /** A deployment of one instance: every signal would be for itself, and it already knows. */
    Cluster LOCAL = new Cluster() {
        @Override
        public void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
        }

        @Override
        public void wake(UUID threadId) {
        }

        @Override
        public void listen(Listener listener) {
        }

        @Override
        public void close() {
        }
    };
}
