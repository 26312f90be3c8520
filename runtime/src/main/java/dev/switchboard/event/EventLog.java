package dev.switchboard.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The ordered, retained event log of one run. Publishing never blocks on subscribers.
 *
 * <p>Policy: the log keeps at most {@code capacity} most recent events in a ring buffer. A subscriber
 * that falls behind by more than that skips forward to the oldest retained event and its
 * {@link Subscription#lostEvents()} counts what it missed; the run never waits for anyone. Any number of
 * subscribers may read, and each gets every event it did not lose, in order. {@link #close()} publishes
 * {@link RunEvent.End} as the last event; the {@link EventBus} then keeps the closed log for its
 * retention period so that late joins and {@code Last-Event-ID} resumes still work.
 *
 * <p>One publisher per run is expected, but publishing is thread-safe. One lock and one condition guard
 * the buffer: a publish appends and signals all waiting readers; readers hold the lock only to copy
 * out one event, never while waiting, so a reader can delay a publish by nanoseconds at most.
 */
public final class EventLog {
    // Small runs are the common case; the buffer grows by doubling up to the capacity.
    private static final int INITIAL_BUFFER = 64;

    private final UUID runId;
    private final UUID threadId;
    private final int capacity;
    private final Clock clock;
    private final Consumer<EventLog> onClose;
    private final PublishObserver observer;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock. While nothing has been dropped, event s sits at ring[s]; afterwards at ring[s % capacity].
    private SequencedEvent[] ring;
    private long next;
    private boolean closed;
    private volatile Instant closedAt;

    /** A stand-alone log (outside an {@link EventBus}). */
    public EventLog(UUID runId, UUID threadId, int capacity) {
        this(runId, threadId, capacity, Clock.systemUTC(), log -> { }, PublishObserver.NONE);
    }

    EventLog(UUID runId, UUID threadId, int capacity, Clock clock, Consumer<EventLog> onClose,
            PublishObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.runId = Objects.requireNonNull(runId, "runId");
        this.threadId = threadId;
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.ring = new SequencedEvent[Math.min(capacity, INITIAL_BUFFER)];
    }

    public UUID runId() {
        return runId;
    }

    /** The run's thread, or null for a run without one. */
    public UUID threadId() {
        return threadId;
    }

    /** How many of the most recent events this log keeps. */
    public int capacity() {
        return capacity;
    }

    /**
     * Appends {@code event} and wakes all waiting readers. Publishing {@link RunEvent.End} closes the log.
     *
     * @return the event's sequence number
     * @throws IllegalStateException if the log is closed
     */
    public long publish(RunEvent event) {
        Objects.requireNonNull(event, "event");
        boolean ends = event instanceof RunEvent.End;
        long sequence;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the event log of run " + runId + " is closed");
            }
            sequence = append(event);
            if (ends) {
                markClosed();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (ends) {
            notifyClosed();
        }
        return sequence;
    }

    /** Publishes {@link RunEvent.End} unless it already was, and marks the log closed; idempotent. */
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            append(new RunEvent.End());
            markClosed();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyClosed();
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** When the log was closed, by the clock it was given. */
    public Optional<Instant> closedAt() {
        return Optional.ofNullable(closedAt);
    }

    /** The sequence of the newest event, or -1 if none was published yet. */
    public long lastSequence() {
        lock.lock();
        try {
            return next - 1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replays from {@code afterSequence + 1} ({@code -1} = from the start), then follows live events. If
     * that is older than the oldest retained event, starts there and counts the gap in
     * {@link Subscription#lostEvents()}. Resuming at or past the end of a closed log yields a subscription
     * that is finished at once.
     */
    public Subscription subscribe(long afterSequence) {
        if (afterSequence < -1) {
            throw new IllegalArgumentException("afterSequence must be >= -1, got " + afterSequence);
        }
        lock.lock();
        try {
            Cursor cursor = new Cursor(afterSequence + 1);
            cursor.skipLost();
            return cursor;
        } finally {
            lock.unlock();
        }
    }

    /** Only events published after this call; on a closed log, a subscription that is finished at once. */
    public Subscription subscribeLive() {
        lock.lock();
        try {
            return new Cursor(next);
        } finally {
            lock.unlock();
        }
    }

    private long append(RunEvent event) {
        long sequence = next;
        if (sequence == ring.length && ring.length < capacity) {
            // Nothing was dropped yet, so positions equal sequences and a plain copy keeps them valid.
            ring = Arrays.copyOf(ring, (int) Math.min(capacity, 2L * ring.length));
        }
        SequencedEvent sequenced = new SequencedEvent(sequence, event);
        ring[(int) (sequence % ring.length)] = sequenced;
        next = sequence + 1;
        observer.published(this, sequenced);
        return sequence;
    }

    private long oldestRetained() {
        return Math.max(0, next - ring.length);
    }

    private void markClosed() {
        closed = true;
        closedAt = clock.instant();
    }

    // Outside the lock: the listener is foreign code (the bus schedules the log's removal).
    private void notifyClosed() {
        onClose.accept(this);
    }

    @Override
    public String toString() {
        return "EventLog[run=" + runId + ", last=" + lastSequence() + ", closed=" + isClosed() + "]";
    }

    private static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }

    /** A reader's position; the log keeps no list of readers, so an abandoned one costs nothing. */
    private final class Cursor implements Subscription {
        private long position; // guarded by lock
        private volatile long lost;
        private volatile boolean finished;
        private volatile boolean closedByReader;

        // Caller holds the lock.
        Cursor(long position) {
            this.position = position;
            this.finished = closed && position >= next;
        }

        @Override
        public Optional<SequencedEvent> next(Duration timeout) throws InterruptedException {
            Objects.requireNonNull(timeout, "timeout");
            if (finished) {
                return Optional.empty();
            }
            long remaining = nanos(timeout);
            lock.lock();
            try {
                while (true) {
                    if (closedByReader) {
                        return Optional.empty();
                    }
                    skipLost();
                    if (position < next) {
                        SequencedEvent event = ring[(int) (position % ring.length)];
                        position++;
                        if (event.event() instanceof RunEvent.End) {
                            finished = true;
                        }
                        return Optional.of(event);
                    }
                    if (closed) {
                        // Resumed past the end: the reader has already seen End.
                        finished = true;
                        return Optional.empty();
                    }
                    if (remaining <= 0) {
                        return Optional.empty();
                    }
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                lock.unlock();
            }
        }

        // Caller holds the lock.
        void skipLost() {
            long oldest = oldestRetained();
            if (position < oldest) {
                lost += oldest - position;
                position = oldest;
            }
        }

        @Override
        public boolean isFinished() {
            return finished || closedByReader;
        }

        @Override
        public long lostEvents() {
            return lost;
        }

        @Override
        public void close() {
            closedByReader = true;
            lock.lock();
            try {
                // Readers share the log's one condition; the others just re-check and wait again.
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
