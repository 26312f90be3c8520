package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The two lanes of each conversation (one coordination namespace). The secondary lane's state, written once:
 * <pre>
 *   closed  ──a main run starts awaiting an operation──► open
 *   open    ──the operation ends──► closing: no new "auto" message routes here and no secondary run starts here
 *             (the scheduler folds its question into the interim exchange instead); the main run waits for the
 *             processing secondary run at most the configured wait (15 s), then aborts it
 *   closing ──the main run wrote its synthesis, or ended──► closed
 *   open    ──the awaiting main run is cancelled──► closed (the operation goes on; a report run answers later)
 * </pre>
 * A secondary run becomes the processing run when the scheduler claims it, not when its code first runs, so
 * a lane that starts closing can never miss a run that was already started. A conversation is forgotten once it
 * is closed with nothing processing, so the map holds only live conversations.
 * The in-process state lives here, on the instance executing the awaiting main run; the store keys of
 * {@link CoordinationKeys} mirror it for clients that watch the store (the seed's) and say the same thing.
 * Several instances share one database (DESIGN.md §5): while a lane is open its {@link #LANE_KEY} item names
 * the awaiting run and the instance, so a message that reaches another instance is routed the same way
 * ({@link #route}), and its secondary run is left to the lane's instance ({@link #openElsewhere}), which alone
 * knows what its lane is processing. Methods ending in {@code Locked} need the conversation's lock.
 *
 * <p>Over ~400 lines on purpose: it owns the lane's state machine above, and every transition, the routing that
 * reads it and its mirror in the store are written here next to the lock they need: one owner per transition.
 */
final class Lanes {
    /** The open lane of a conversation, as every instance reads it: thread, awaiting run, operation, instance. */
    static final String LANE_KEY = "switchboard_open_lane";

    private final ConcurrentHashMap<String, Conversation> conversations = new ConcurrentHashMap<>();
    private final ItemStore store;
    private final Clock clock;
    private final String instance;

    Lanes(ItemStore store, Clock clock, String instance) {
        this.store = store;
        this.clock = clock;
        this.instance = instance;
    }

    static final class Conversation {
        final List<String> namespace;
        final ReentrantLock lock = new ReentrantLock();
        final Condition changed = lock.newCondition();
        UUID mainThreadId;
        UUID awaitingRunId;
        UUID operationId;
        UUID processingRunId;
        UUID processingThreadId;
        /** The main run that closed the lane and has not yet written its synthesis; null when not closing. */
        UUID closingRunId;

        Conversation(List<String> namespace) {
            this.namespace = List.copyOf(namespace);
        }
    }

    Conversation conversation(List<String> namespace) {
        return conversations.computeIfAbsent(key(namespace), k -> new Conversation(namespace));
    }

    /** Where a message goes: {@code auto} picks the secondary lane while this thread's main run awaits an operation. */
    Lane route(UUID threadId, List<String> namespace, String threadType) {
        if ("main".equals(threadType)) {
            return Lane.MAIN;
        }
        if ("secondary".equals(threadType)) {
            return Lane.SECONDARY;
        }
        Conversation c = conversations.get(key(namespace));
        if (c == null) {
            boolean open = openElsewhere(namespace, threadId).isPresent();
            LaneLog.step("route", "thread", threadId, "lane", open ? "secondary" : "main", "lane_instance", "other");
            return open ? Lane.SECONDARY : Lane.MAIN;
        }
        c.lock.lock();
        try {
            boolean open = c.awaitingRunId != null && c.closingRunId == null && threadId.equals(c.mainThreadId);
            LaneLog.step("route", "thread", threadId, "lane", open ? "secondary" : "main", "operation", c.operationId);
            return open ? Lane.SECONDARY : Lane.MAIN;
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * The instance on which {@code threadId}'s lane in {@code namespace} is open, if that is another instance (as
     * the shared store says). Empty when it is closed, or open here (this instance's memory is the truth then), or
     * left over from an earlier life of this instance.
     */
    Optional<String> openElsewhere(List<String> namespace, UUID threadId) {
        Conversation c = conversations.get(key(namespace));
        if (c != null) {
            c.lock.lock();
            try {
                if (c.awaitingRunId != null || c.closingRunId != null) {
                    return Optional.empty();
                }
            } finally {
                c.lock.unlock();
            }
        }
        Optional<dev.switchboard.store.Item> item;
        try {
            item = store.get(new Namespace(namespace), LANE_KEY);
        } catch (RuntimeException unreachable) {
            return Optional.empty(); // routed as one instance would route it
        }
        return item.map(found -> found.value())
                .filter(v -> threadId.toString().equals(v.path("thread_id").asText()))
                .map(v -> v.path("instance").asText())
                .filter(owner -> !owner.isEmpty() && !owner.equals(instance));
    }

    /** True while {@code threadId}'s lane in {@code namespace} is open on this instance. */
    boolean isOpenHere(List<String> namespace, UUID threadId) {
        Conversation c = conversations.get(key(namespace));
        if (c == null) {
            return false;
        }
        c.lock.lock();
        try {
            return c.awaitingRunId != null && c.closingRunId == null && threadId.equals(c.mainThreadId);
        } finally {
            c.lock.unlock();
        }
    }

    private void publishOpen(Conversation c) {
        ObjectNode value = Json.object();
        value.put("thread_id", c.mainThreadId.toString());
        value.put("run_id", c.awaitingRunId.toString());
        value.put("operation_id", c.operationId == null ? null : c.operationId.toString());
        value.put("instance", instance);
        try {
            store.put(new Namespace(c.namespace), LANE_KEY, value, null);
        } catch (RuntimeException unreachable) {
            // Only other instances read it: they route this lane's messages to the main lane meanwhile, as
            // before lanes were shared. The operation must not fail for it.
            LaneLog.step("lane-publish-failed", "run", c.awaitingRunId, "error", unreachable.getMessage());
        }
    }

    /** The lane {@code runId} opened is no longer open to new messages (closing, abandoned, or its run ended). */
    private void unpublishOpen(List<String> namespace, UUID runId) {
        Namespace ns = new Namespace(namespace);
        try {
            boolean ours = store.get(ns, LANE_KEY)
                    .map(item -> runId == null || runId.toString().equals(item.value().path("run_id").asText()))
                    .orElse(false);
            if (ours) {
                store.delete(ns, LANE_KEY);
            }
        } catch (RuntimeException unreachable) {
            // A stale item only delays another instance's secondary message: the lane's instance, woken, finds
            // its lane closed and the run is started by the stranded-run sweep (RunStarter).
            LaneLog.step("lane-unpublish-failed", "run", runId, "error", unreachable.getMessage());
        }
    }

    /**
     * The conversation of {@code namespace}, locked, and still the one in the map (a conversation is dropped under
     * its own lock, so checking membership under it is race-free).
     */
    private Conversation liveLocked(List<String> namespace) {
        while (true) {
            Conversation c = conversation(namespace);
            c.lock.lock();
            if (conversations.get(key(namespace)) == c) {
                return c;
            }
            c.lock.unlock();
        }
    }

    Conversation open(List<String> namespace, UUID threadId, UUID runId, UUID operationId) {
        Conversation c = liveLocked(namespace);
        try {
            c.mainThreadId = threadId;
            c.awaitingRunId = runId;
            c.closingRunId = null;
            c.operationId = operationId;
            publishOpen(c);
            LaneLog.step("lane-open", "thread", threadId, "run", runId, "operation", operationId);
            return c;
        } finally {
            c.lock.unlock();
        }
    }

    /** The awaiting main run stopped awaiting (cancelled). True if it was still registered. */
    boolean abandon(Conversation c, UUID runId) {
        c.lock.lock();
        try {
            if (!runId.equals(c.awaitingRunId)) {
                return false;
            }
            c.awaitingRunId = null;
            unpublishOpen(c.namespace, runId);
            LaneLog.step("lane-abandoned", "run", runId, "operation", c.operationId);
            forgetIfIdleLocked(c);
            return true;
        } finally {
            c.lock.unlock();
        }
    }

    boolean isAwaiting(Conversation c, UUID operationId) {
        c.lock.lock();
        try {
            return c.awaitingRunId != null && operationId.equals(c.operationId);
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * Closes the lane to new messages and waits at most {@code wait} for the processing secondary run.
     * Returns the run (thread id, run id) still processing after the wait, which the caller aborts.
     */
    Optional<UUID[]> close(Conversation c, UUID runId, Duration wait) throws InterruptedException {
        c.lock.lock();
        try {
            if (runId.equals(c.awaitingRunId)) {
                c.awaitingRunId = null;
                c.closingRunId = runId;
                unpublishOpen(c.namespace, runId);
            }
            return awaitProcessingLocked(c, runId, wait);
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * A report run is about to read the interim exchange: the lane closes as it does for an awaiting main run
     * (no secondary run starts, a processing one is awaited at most {@code wait}), so nothing said meanwhile
     * commits after the report read it. Returns the run still processing after the wait, which the caller aborts.
     */
    Optional<UUID[]> closeForReport(List<String> namespace, UUID runId, Duration wait) throws InterruptedException {
        Conversation c = liveLocked(namespace);
        try {
            c.awaitingRunId = null;
            c.closingRunId = runId;
            unpublishOpen(namespace, null);
            return awaitProcessingLocked(c, runId, wait);
        } finally {
            c.lock.unlock();
        }
    }

    private Optional<UUID[]> awaitProcessingLocked(Conversation c, UUID runId, Duration wait) throws InterruptedException {
        {
            LaneLog.step("lane-closing", "run", runId, "operation", c.operationId, "processing", c.processingRunId);
            long nanos = wait.toNanos();
            while (c.processingRunId != null && nanos > 0) {
                nanos = c.changed.awaitNanos(nanos);
            }
            if (c.processingRunId == null) {
                LaneLog.step("lane-closed", "run", runId, "waited_ms",
                        TimeUnit.NANOSECONDS.toMillis(wait.toNanos() - Math.max(0, nanos)));
                return Optional.empty();
            }
            ObjectNode abort = Json.object();
            abort.put("abort", true);
            abort.put("reason", "main_operation_complete");
            abort.put("run_id", c.processingRunId.toString());
            abort.put("timestamp", clock.instant().toString());
            store.put(new Namespace(c.namespace), CoordinationKeys.SECONDARY_ABORT, abort, null);
            LaneLog.step("secondary-abort", "run", c.processingRunId, "after_ms", wait.toMillis());
            return Optional.of(new UUID[] {c.processingThreadId, c.processingRunId});
        }
    }

    /**
     * A secondary run was claimed: it becomes the processing run and holds the lock ({@code secondary_status}).
     * False while the lane is closing: the run must not start, its question goes to the synthesis instead.
     */
    boolean beginSecondary(List<String> namespace, Run run) {
        Conversation c = liveLocked(namespace);
        try {
            if (c.closingRunId != null) {
                LaneLog.step("secondary-refused-closing", "run", run.runId(), "closing_run", c.closingRunId);
                return false;
            }
            c.processingRunId = run.runId();
            c.processingThreadId = run.threadId();
            ObjectNode status = Json.object();
            status.put("processing", true);
            status.put("run_id", run.runId().toString());
            status.put("started_at", clock.instant().toString());
            store.put(new Namespace(c.namespace), CoordinationKeys.SECONDARY_STATUS, status, null);
            LaneLog.step("secondary-lock-taken", "run", run.runId(), "thread", run.threadId());
            return true;
        } finally {
            c.lock.unlock();
        }
    }

    void endSecondary(Conversation c, Run run, boolean aborted) {
        c.lock.lock();
        try {
            if (run.runId().equals(c.processingRunId)) {
                c.processingRunId = null;
                c.processingThreadId = null;
            }
            ObjectNode status = Json.object();
            status.put("processing", false);
            status.put("completed_at", clock.instant().toString());
            if (aborted) {
                status.put("aborted", true);
                store.delete(new Namespace(c.namespace), CoordinationKeys.SECONDARY_ABORT);
            }
            store.put(new Namespace(c.namespace), CoordinationKeys.SECONDARY_STATUS, status, null);
            LaneLog.step("secondary-lock-released", "run", run.runId(), "aborted", aborted);
            c.changed.signalAll();
            forgetIfIdleLocked(c);
        } finally {
            c.lock.unlock();
        }
    }

    /** Runs {@code commit} and appends {@code exchange} to the interim key in one step under the conversation lock. */
    void appendInterim(Conversation c, List<? extends Message> exchange, Runnable commit) {
        c.lock.lock();
        try {
            List<Message> all = new ArrayList<>(interim(c.namespace));
            all.addAll(exchange);
            ObjectNode value = Json.object();
            value.set("messages", MessageJson.toJson(all));
            store.put(new Namespace(c.namespace), CoordinationKeys.SECONDARY_INTERIM_MESSAGES, value, null);
            commit.run();
            forgetIfIdleLocked(c);
        } finally {
            c.lock.unlock();
        }
    }

    /**
     * A rolled-back synthesis gives back the exchange it had consumed: it goes before whatever was said since,
     * each message once.
     */
    void restoreInterim(List<String> namespace, List<? extends Message> exchange) {
        Conversation c = liveLocked(namespace);
        try {
            List<Message> all = new ArrayList<>(exchange);
            java.util.Set<String> ids = new java.util.HashSet<>();
            exchange.forEach(m -> ids.add(m.id()));
            interim(namespace).stream().filter(m -> !ids.contains(m.id())).forEach(all::add);
            ObjectNode value = Json.object();
            value.set("messages", MessageJson.toJson(all));
            store.put(new Namespace(namespace), CoordinationKeys.SECONDARY_INTERIM_MESSAGES, value, null);
            LaneLog.step("interim-restored", "messages", exchange.size());
            forgetIfIdleLocked(c);
        } finally {
            c.lock.unlock();
        }
    }

    /** The interim exchange so far. */
    List<Message> interim(List<String> namespace) {
        return store.get(new Namespace(namespace), CoordinationKeys.SECONDARY_INTERIM_MESSAGES)
                .map(item -> {
                    JsonNode messages = item.value().get("messages");
                    return messages == null || messages.isNull() ? List.<Message>of() : MessageJson.fromJsonList(messages);
                })
                .orElse(List.of());
    }

    /** A main run ended: a lane it left closing is closed (its synthesis was written, or never will be). */
    void mainEnded(List<String> namespace, UUID runId) {
        // Also where the run is recovered on another instance than the one it opened its lane on.
        unpublishOpen(namespace, runId);
        Conversation c = conversations.get(key(namespace));
        if (c == null) {
            return;
        }
        c.lock.lock();
        try {
            if (runId.equals(c.closingRunId)) {
                c.closingRunId = null;
            }
            if (runId.equals(c.awaitingRunId)) {
                c.awaitingRunId = null;
            }
            forgetIfIdleLocked(c);
        } finally {
            c.lock.unlock();
        }
    }

    /** A closed conversation with nothing processing is dropped; whoever asks next gets a fresh one. */
    private void forgetIfIdleLocked(Conversation c) {
        if (c.awaitingRunId == null && c.closingRunId == null && c.processingRunId == null) {
            conversations.remove(key(c.namespace), c);
        }
    }

    /** How many conversations are tracked (bounded by the live ones). */
    int size() {
        return conversations.size();
    }

    private static String key(List<String> namespace) {
        return String.join("\u0000", namespace);
    }

    /** After a synthesis: the exchange is consumed and the coordination keys are reset. */
    void synthesized(List<String> namespace, UUID runId) {
        Conversation c = conversations.get(key(namespace));
        if (c != null) {
            c.lock.lock();
            try {
                if (runId.equals(c.closingRunId)) {
                    c.closingRunId = null;
                }
                forgetIfIdleLocked(c);
            } finally {
                c.lock.unlock();
            }
        }
        Namespace ns = new Namespace(namespace);
        store.delete(ns, CoordinationKeys.SECONDARY_INTERIM_MESSAGES);
        store.delete(ns, CoordinationKeys.SECONDARY_STATUS);
        store.delete(ns, CoordinationKeys.SECONDARY_ABORT);
        ObjectNode done = Json.object();
        done.put("completed", true);
        done.put("run_id", runId.toString());
        done.put("timestamp", clock.instant().toString());
        done.put("ready_for_new_operation", true);
        store.put(ns, CoordinationKeys.MAIN_OPERATION_COMPLETE, done, null);
        LaneLog.step("synthesis-written", "run", runId);
    }
}
