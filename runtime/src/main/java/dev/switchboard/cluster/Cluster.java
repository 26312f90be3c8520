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

    /** Asks whichever instance executes {@code runId} to relay its events (from the start) to the others. */
    void follow(UUID runId);

    /** Relays one event of a run executing here; {@code event} is {@link dev.switchboard.event.RunEventCodec} JSON. */
    void relay(UUID runId, long sequence, String event);

    /**
     * Tells every instance that {@code runId} ended here (or was deleted), so a {@code /wait} or {@code /join} on
     * another instance returns as soon as it does, pushed rather than polled.
     */
    default void ended(UUID runId) {
    }

    /**
     * Asks whichever instance executes {@code operationId} to cancel it and answer {@link #answerCancel} with
     * {@code requestId}: only that instance knows whether the operation passed its point of no return.
     */
    default void cancelOperation(UUID requestId, UUID operationId) {
    }

    /** The executing instance's answer to {@link #cancelOperation}: a {@code CancelOutcome.Result} wire name. */
    default void answerCancel(UUID requestId, String result) {
    }

    /** Starts delivering other instances' signals to {@code listener} (every listener gets every signal). */
    void listen(Listener listener);

    @Override
    void close();

    /** Receives signals on the cluster's own thread; must hand off quickly. */
    interface Listener {
        default void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
        }

        default void wake(UUID threadId) {
        }

        /** Another instance wants the events of {@code runId}, if it executes here. */
        default void follow(UUID runId) {
        }

        /** One relayed event of a run executing on another instance. */
        default void relayed(UUID runId, long sequence, String event) {
        }

        /** A run ended on another instance. */
        default void ended(UUID runId) {
        }

        /** Another instance asks whoever executes {@code operationId} to cancel it and answer. */
        default void cancelOperation(UUID requestId, UUID operationId) {
        }

        /** The answer to a {@link Cluster#cancelOperation} this instance (or another) asked. */
        default void cancelAnswered(UUID requestId, String result) {
        }
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
        public void follow(UUID runId) {
        }

        @Override
        public void relay(UUID runId, long sequence, String event) {
        }

        @Override
        public void listen(Listener listener) {
        }

        @Override
        public void close() {
        }
    };
}
