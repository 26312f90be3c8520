package dev.switchboard.langchain4j;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Everything that can close one model call's HTTP stream. A call learns of its stream piecemeal: the pending
 * exchange when the request is sent, the response body when headers arrive, LangChain4j's {@code StreamingHandle}
 * with the first streamed part. Each registers here; {@link #cancel()} runs them all, and one registered after
 * the cancel runs at once, so a stream that surfaces late is still closed.
 */
final class StreamCloser {
    private static final Logger LOG = Logger.getLogger(StreamCloser.class.getName());

    /**
     * The call whose request the current thread is sending. LangChain4j sends a streaming request on the thread
     * that calls {@code StreamingChatModel.chat}, so the transport finds its call here without any provider
     * having to pass it along.
     */
    private static final ThreadLocal<StreamCloser> SENDING = new ThreadLocal<>();

    private final Lock lock = new ReentrantLock();
    private final List<Runnable> closers = new ArrayList<>();
    private boolean cancelled;

    /** Runs {@code send} with this closer as the one {@link #sending()} returns on this thread. */
    <T> T whileSending(Supplier<T> send) {
        StreamCloser outer = SENDING.get();
        SENDING.set(this);
        try {
            return send.get();
        } finally {
            if (outer == null) {
                SENDING.remove();
            } else {
                SENDING.set(outer);
            }
        }
    }

    /** The call whose request this thread is sending, or null outside {@link #whileSending}. */
    static StreamCloser sending() {
        return SENDING.get();
    }

    /** Registers a way to close the stream; runs it now if the call was already cancelled. */
    void onCancel(Runnable closer) {
        lock.lock();
        try {
            if (!cancelled) {
                closers.add(closer);
                return;
            }
        } finally {
            lock.unlock();
        }
        runQuietly(closer);
    }

    /** Closes the stream every way known so far (and, through {@link #onCancel}, every way learnt later). */
    void cancel() {
        List<Runnable> toRun;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(closers);
            closers.clear();
        } finally {
            lock.unlock();
        }
        // Outside the lock: closing a stream can block briefly and may call back into onCancel.
        toRun.forEach(StreamCloser::runQuietly);
    }

    boolean isCancelled() {
        lock.lock();
        try {
            return cancelled;
        } finally {
            lock.unlock();
        }
    }

    private static void runQuietly(Runnable closer) {
        try {
            closer.run();
        } catch (RuntimeException e) {
            // One way failing (a handle that does not support cancel) must not stop the others.
            LOG.log(Level.FINE, "closing a model stream failed", e);
        }
    }
}
