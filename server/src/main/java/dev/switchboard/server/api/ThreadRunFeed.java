package dev.switchboard.server.api;

import dev.switchboard.run.Run;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Tells open thread streams ({@code GET /threads/{id}/stream}) about runs admitted on their thread, so a stream
 * blocks on a queue instead of polling the run store. Fed by the scheduler's run listener on this instance.
 */
public final class ThreadRunFeed {
    private final Map<UUID, Set<LinkedBlockingQueue<Run>>> byThread = new ConcurrentHashMap<>();

    /** One stream's subscription: its queue of admitted runs, removed on close. */
    public final class Subscription implements AutoCloseable {
        private final UUID threadId;
        final LinkedBlockingQueue<Run> runs = new LinkedBlockingQueue<>();

        private Subscription(UUID threadId) {
            this.threadId = threadId;
        }

        @Override
        public void close() {
            byThread.computeIfPresent(threadId, (id, set) -> {
                set.remove(runs);
                return set.isEmpty() ? null : set;
            });
        }
    }

    Subscription subscribe(UUID threadId) {
        Subscription s = new Subscription(threadId);
        byThread.computeIfAbsent(threadId, id -> ConcurrentHashMap.newKeySet()).add(s.runs);
        return s;
    }

    /** Called under the scheduler's thread lock: only hands the run to queues, never blocks. */
    void admitted(Run run) {
        Set<LinkedBlockingQueue<Run>> queues = byThread.get(run.threadId());
        if (queues != null) {
            queues.forEach(q -> q.offer(run));
        }
    }
}
