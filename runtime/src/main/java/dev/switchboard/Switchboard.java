package dev.switchboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.assistant.AssistantStore;
import dev.switchboard.assistant.InMemoryAssistantStore;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import dev.switchboard.cron.Cron;
import dev.switchboard.cron.CronLauncher;
import dev.switchboard.cron.CronQuery;
import dev.switchboard.cron.CronStore;
import dev.switchboard.cron.InMemoryCronStore;
import dev.switchboard.cron.OnRunCompleted;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.Subscription;
import dev.switchboard.message.MessageJson;
import dev.switchboard.operation.CancelOutcome;
import dev.switchboard.operation.InMemoryOperationStore;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationRunner;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.InMemoryRunStore;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunRequest;
import dev.switchboard.scheduling.RunScheduler;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import dev.switchboard.store.InMemoryItemStore;
import dev.switchboard.store.ItemStore;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.InMemoryThreadStore;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The runtime's entry point: threads, state, runs under the multitask strategies, their event streams, and
 * the store, over whichever storage implementations it was built with. Every method may block (it is meant
 * for virtual threads) and reports bad input with a {@link SwitchboardException}.
 *
 * <p>Why this class is longer than ~400 lines: it is the whole public API in one place, one short method per
 * operation of the Agent Protocol (most delegate to a store or to the run engine in one line) plus its builder, so
 * that an application sees one type. The rules live elsewhere: admission, runs, lanes and recovery in
 * {@code dev.switchboard.scheduling}, which the module does not export; state reads and updates in
 * {@link ThreadStates}; cron definitions and this instance's firing loop in {@link Crons} (schedule, store and claim
 * in {@code dev.switchboard.cron}); request checks in {@link RunInputs}. What stays here is a run's submission and
 * a thread's deletion, which join several of them.
 */
public final class Switchboard implements AutoCloseable {
    /** The cron loop re-reads the store at least this often (a cron made on another instance does not wake it). */
    static final Duration CRON_MAX_SLEEP = Duration.ofSeconds(30);
    private final Clock clock;
    private final ThreadStore threads;
    private final RunStore runs;
    private final CheckpointStore checkpoints;
    private final ItemStore store;
    private final AssistantStore assistants;
    private final EventBus events;
    private final Map<String, AgentGraph> graphs;
    private final String defaultGraphId;
    private final RunScheduler scheduler;
    private final OperationStore operations;
    private final OperationRunner operationRunner;
    private final String instanceId;
    private final dev.switchboard.cluster.Cluster cluster;
    private final CronStore crons;
    private final dev.switchboard.store.StoreIndex storeIndex;
    private final Crons cronDefinitions;
    private final ThreadStates states;
    private final ThreadExpiry expiry;

    private Switchboard(Builder b) {
        this.clock = b.clock;
        this.threads = b.threads != null ? b.threads : new InMemoryThreadStore();
        this.runs = b.runs != null ? b.runs : new InMemoryRunStore(clock);
        this.checkpoints = b.checkpoints != null ? b.checkpoints : new InMemoryCheckpointStore();
        this.store = b.store != null ? b.store : new InMemoryItemStore(clock);
        this.assistants = b.assistants != null ? b.assistants : new InMemoryAssistantStore();
        this.events = b.events != null ? b.events : new EventBus(clock, EventBus.DEFAULT_CAPACITY_PER_RUN,
                b.eventRetention);
        this.graphs = Map.copyOf(b.graphs);
        if (graphs.isEmpty()) {
            throw new IllegalStateException("register at least one graph");
        }
        this.defaultGraphId = b.defaultGraphId != null ? b.defaultGraphId : b.graphs.keySet().iterator().next();
        for (AgentGraph graph : b.graphs.values()) {
            registerSystemAssistant(graph, b.systemConfigs.get(graph.graphId()));
        }
        this.operations = b.operations != null ? b.operations : new InMemoryOperationStore();
        this.crons = b.crons != null ? b.crons : new InMemoryCronStore();
        this.storeIndex = b.storeIndex;
        this.instanceId = b.instanceId != null ? b.instanceId : "switchboard-" + Ids.newId();
        this.operationRunner = new OperationRunner(operations, store, clock, instanceId, b.lease);
        OperationTools operationTools = new OperationTools(operations, operationRunner, store, clock);
        this.scheduler = new RunScheduler(runs, threads, checkpoints, events, clock, this::graphOf, b.maxHistory,
                operations, operationRunner, operationTools, store, b.secondaryWait, instanceId, b.lease,
                new dev.switchboard.scheduling.StepLimits(b.modelTimeout, b.toolTimeout));
        // Crash recovery, then pending runs, then the heartbeat (RunScheduler#start).
        this.cluster = b.clusterFactory == null ? dev.switchboard.cluster.Cluster.LOCAL : b.clusterFactory.apply(instanceId);
        scheduler.joinCluster(cluster);
        operationRunner.joinCluster(cluster);
        scheduler.start();
        this.expiry = new ThreadExpiry(clock, threads, runs, checkpoints, operations, crons, store,
                scheduler::forgetThread, b.expirySettings);
        this.cronDefinitions = new Crons(crons, assistants, threads, clock, CRON_MAX_SLEEP);
        this.states = new ThreadStates(threads, runs, checkpoints, scheduler, clock);
    }

    /** Thread expiry: the sweep (tests call it on a manual clock) and its timer (the server starts it). */
    public ThreadExpiry expiry() {
        return expiry;
    }

    /** Sets or (null) clears a thread's ttl; its clock is the thread's {@code updated_at}. */
    public void setThreadTtl(UUID threadId, dev.switchboard.thread.ThreadTtl ttl) {
        threads.setTtl(threadId, ttl);
    }

    public Optional<dev.switchboard.thread.ThreadTtl> threadTtl(UUID threadId) {
        return threads.ttl(threadId);
    }

    /**
     * {@code prune} with keep-latest for one thread: older checkpoints and finished runs go. A thread with a run
     * pending or running, or an operation in flight, is refused (409): its run may still build on those.
     */
    public void pruneKeepLatest(UUID threadId) {
        thread(threadId);
        if (expiry.busy(threadId)) {
            throw new SwitchboardException.Conflict("thread_busy", "Thread " + threadId
                    + " has a run or an operation in flight; nothing was pruned");
        }
        expiry.keepLatest(threadId);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Assembles a runtime; every store defaults to its in-memory implementation. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private ExpirySettings expirySettings = ExpirySettings.defaults();
        private ThreadStore threads;
        private RunStore runs;
        private CheckpointStore checkpoints;
        private ItemStore store;
        private AssistantStore assistants;
        private EventBus events;
        private final Map<String, AgentGraph> graphs = new LinkedHashMap<>();
        private final Map<String, ObjectNode> systemConfigs = new LinkedHashMap<>();
        private String defaultGraphId;
        private int maxHistory = RuntimeSettings.defaults().maxHistory();
        private Duration modelTimeout = RuntimeSettings.defaults().modelTimeout();
        private Duration toolTimeout = RuntimeSettings.defaults().toolTimeout();
        private OperationStore operations;
        private Duration secondaryWait = RuntimeSettings.defaults().secondaryWait();
        private Duration eventRetention = RuntimeSettings.defaults().eventRetention();
        private String instanceId;
        private java.util.function.Function<String, dev.switchboard.cluster.Cluster> clusterFactory;

        /**
         * How this instance signals the others sharing its database (given its instance id); none by default,
         * which is right for one instance.
         */
        public Builder cluster(java.util.function.Function<String, dev.switchboard.cluster.Cluster> factory) {
            this.clusterFactory = factory;
            return this;
        }
        private Duration lease = RuntimeSettings.defaults().lease();
        private CronStore crons;
        private dev.switchboard.store.StoreIndex storeIndex;

        /** The store's semantic index ({@code SWITCHBOARD_STORE_INDEX}); none by default. */
        public Builder storeIndex(dev.switchboard.store.StoreIndex index) {
            this.storeIndex = index;
            return this;
        }

        /** Where crons are kept (default: in memory); they fire once {@link Switchboard#startCrons} is called. */
        public Builder cronStore(CronStore s) {
            this.crons = s;
            return this;
        }

        /** Thread and store-item expiry: the sweep interval and a default thread ttl (docs/expiry.md). */
        public Builder expiry(ExpirySettings settings) {
            this.expirySettings = java.util.Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Every setting at once, as read at the edge ({@link RuntimeSettings#fromEnvironment}); a later call of a
         * single setter overrides it.
         */
        public Builder settings(RuntimeSettings settings) {
            if (settings.instanceId() != null) {
                this.instanceId = settings.instanceId();
            }
            this.lease = settings.lease();
            this.secondaryWait = settings.secondaryWait();
            this.eventRetention = settings.eventRetention();
            this.maxHistory = settings.maxHistory();
            this.modelTimeout = settings.modelTimeout();
            this.toolTimeout = settings.toolTimeout();
            dev.switchboard.operation.LaneLog.enable(settings.laneDebug());
            return this;
        }

        /**
         * This server instance's id, the owner written on every run and operation it executes
         * ({@code SWITCHBOARD_INSTANCE_ID}; default: random per process). Two live instances must never share one.
         * A stable id lets a restarted process recover its own unfinished work at once instead of after its
         * lease expires: give one where a single process serves the database (the SQLite default).
         */
        public Builder instanceId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("instanceId must not be blank");
            }
            this.instanceId = id;
            return this;
        }

        /**
         * How long this instance's claim on a run or operation holds without a heartbeat (renewed every third of
         * it); after that another instance may recover the work ({@code SWITCHBOARD_LEASE_MS}, default 30 s).
         * Leases are compared on the runtime's clock, so instances sharing a database need clocks in step to well
         * under a lease.
         */
        public Builder lease(Duration duration) {
            if (duration.toMillis() < 3) {
                throw new IllegalArgumentException("lease must be at least 3 ms, got " + duration);
            }
            this.lease = duration;
            return this;
        }

        public Builder operationStore(OperationStore s) {
            this.operations = s;
            return this;
        }

        /**
         * How long a main run whose operation ended waits for a processing secondary run before aborting it
         * (DESIGN.md §3: 15 s; {@code SWITCHBOARD_SECONDARY_WAIT_MS}).
         */
        public Builder secondaryWait(Duration wait) {
            if (wait.isNegative()) {
                throw new IllegalArgumentException("secondaryWait must not be negative");
            }
            this.secondaryWait = wait;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Builder threadStore(ThreadStore s) {
            this.threads = s;
            return this;
        }

        public Builder runStore(RunStore s) {
            this.runs = s;
            return this;
        }

        public Builder checkpointStore(CheckpointStore s) {
            this.checkpoints = s;
            return this;
        }

        public Builder itemStore(ItemStore s) {
            this.store = s;
            return this;
        }

        public Builder assistantStore(AssistantStore s) {
            this.assistants = s;
            return this;
        }

        public Builder eventBus(EventBus b) {
            this.events = b;
            return this;
        }

        public Builder graph(AgentGraph graph) {
            graphs.put(graph.graphId(), graph);
            return this;
        }

        /**
         * A graph whose system assistant (id uuidv5(graph id)) starts every run from {@code assistantConfig} (a
         * manifest's per-agent config defaults); a stored system assistant whose config differs is brought in line.
         */
        public Builder graph(AgentGraph graph, ObjectNode assistantConfig) {
            graph(graph);
            if (assistantConfig != null && !assistantConfig.isEmpty()) {
                systemConfigs.put(graph.graphId(), assistantConfig.deepCopy());
            }
            return this;
        }

        /** The graph used when a caller names no assistant (the seed-compatible {@link #invoke}). */
        public Builder defaultGraph(String graphId) {
            this.defaultGraphId = graphId;
            return this;
        }

        /**
         * How long a model call may stay silent (no token, no answer) and a quick tool call may run before the run
         * stops it and ends in error ({@code SWITCHBOARD_MODEL_TIMEOUT_MS}, default 120 s;
         * {@code SWITCHBOARD_TOOL_TIMEOUT_MS}, default 60 s). Long-running tools are operations and have no such limit.
         */
        public Builder stepTimeouts(Duration model, Duration tool) {
            if (model == null || tool == null || model.toMillis() < 1 || tool.toMillis() < 1) {
                throw new IllegalArgumentException("step timeouts must be at least 1 ms");
            }
            this.modelTimeout = model;
            this.toolTimeout = tool;
            return this;
        }

        /** How many recent messages a model sees at most ({@code RBC_FEES_MAX_MSGS}, default 40). */
        public Builder maxHistory(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxHistory must be positive");
            }
            this.maxHistory = max;
            return this;
        }

        public Switchboard build() {
            return new Switchboard(this);
        }
    }

    // ---- assistants ---------------------------------------------------------------------------------

    private void registerSystemAssistant(AgentGraph graph, ObjectNode config) {
        UUID id = Ids.nameBased(Ids.ASSISTANT_NAMESPACE, graph.graphId());
        Optional<Assistant> stored = assistants.get(id);
        ObjectNode wanted = config == null ? Json.object() : config;
        if (stored.isPresent() && !stored.get().config().equals(wanted)) {
            // The manifest's defaults changed since the last start: the system assistant follows the manifest.
            Assistant a = stored.get();
            assistants.update(new Assistant(a.assistantId(), a.graphId(), wanted, a.context(), a.metadata(),
                    a.version(), a.name(), a.description(), a.createdAt(), clock.instant()));
        }
        if (stored.isEmpty()) {
            ObjectNode metadata = Json.object();
            metadata.put("created_by", "system");
            var now = clock.instant();
            try {
                assistants.create(new Assistant(id, graph.graphId(), config, null, metadata, 1, graph.graphId(), null,
                        now, now));
            } catch (SwitchboardException.Conflict raced) {
                // another instance registered it first: same id, same content
            }
        }
    }

    /** Resolves an assistant by id or by graph id. */
    public Assistant assistant(String idOrGraphId) {
        if (idOrGraphId == null || idOrGraphId.isBlank()) {
            throw new SwitchboardException.InvalidRequest("assistant_id is required");
        }
        UUID id;
        if (graphs.containsKey(idOrGraphId)) {
            id = Ids.nameBased(Ids.ASSISTANT_NAMESPACE, idOrGraphId);
        } else {
            try {
                id = UUID.fromString(idOrGraphId);
            } catch (IllegalArgumentException e) {
                throw new SwitchboardException.NotFound("Assistant '" + idOrGraphId + "' not found");
            }
        }
        return assistants.get(id).orElseThrow(() -> new SwitchboardException.NotFound("Assistant '" + idOrGraphId
                + "' not found"));
    }

    private AgentGraph graphOf(UUID assistantId) {
        Assistant a = assistants.get(assistantId).orElseThrow(() -> SwitchboardException.NotFound.of("Assistant", assistantId));
        return graph(a.graphId());
    }

    public AgentGraph graph(String graphId) {
        AgentGraph g = graphs.get(graphId);
        if (g == null) {
            throw new SwitchboardException.NotFound("Graph '" + graphId + "' not found");
        }
        return g;
    }

    /** The graph used when a caller names no assistant. */
    public String defaultGraphId() {
        return defaultGraphId;
    }

    public Map<String, AgentGraph> graphs() {
        return graphs;
    }

    public AssistantStore assistants() {
        return assistants;
    }

    // ---- threads ------------------------------------------------------------------------------------

    /**
     * Creates a thread. With {@code ifExistsDoNothing} an existing thread is returned as it is; otherwise an
     * existing id is a conflict.
     */
    public ConversationThread createThread(UUID threadId, ObjectNode metadata, boolean ifExistsDoNothing) {
        return createThread(threadId, metadata, ifExistsDoNothing, null);
    }

    /**
     * A new thread with {@code ttl}, or the server's default ttl when null (docs/expiry.md). An existing thread
     * returned by {@code ifExistsDoNothing} is left exactly as it was, ttl included.
     */
    public ConversationThread createThread(UUID threadId, ObjectNode metadata, boolean ifExistsDoNothing,
            dev.switchboard.thread.ThreadTtl ttl) {
        UUID id = threadId != null ? threadId : Ids.newId();
        if (ifExistsDoNothing) {
            Optional<ConversationThread> existing = threads.get(id);
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        try {
            ConversationThread created = threads.create(ConversationThread.create(id, clock.instant(), metadata));
            dev.switchboard.thread.ThreadTtl effective = ttl != null ? ttl : expiry.defaultTtl().orElse(null);
            if (effective != null) {
                threads.setTtl(id, effective);
            }
            return created;
        } catch (SwitchboardException.Conflict e) {
            if (ifExistsDoNothing) {
                return thread(id);
            }
            throw e;
        }
    }

    public ConversationThread thread(UUID threadId) {
        return threads.get(threadId).orElseThrow(() -> SwitchboardException.NotFound.of("Thread", threadId));
    }

    /** Merges {@code metadata} into the thread's metadata. */
    public ConversationThread patchThread(UUID threadId, ObjectNode metadata) {
        return scheduler.serialized(threadId, () -> {
            ConversationThread t = thread(threadId);
            ObjectNode merged = t.metadata();
            merged.setAll(Json.copyObject(metadata));
            return threads.update(t.withMetadata(merged, clock.instant()));
        });
    }

    /**
     * Deletes a thread with its runs, checkpoints, operations and crons. Refused (409) while an operation is in
     * flight: no side effect may go on without a record. Its active runs are cancelled first; the rows are then
     * deleted holding the thread (its slot here, its lock in the database), the same hold a run's admission
     * takes, so a message arriving meanwhile is either admitted before (its run is cancelled in turn) or refused
     * after as for any missing thread, never admitted onto a thread being deleted.
     */
    public void deleteThread(UUID threadId) throws InterruptedException {
        thread(threadId);
        refuseOperationInFlight(threadId);
        java.util.Set<UUID> cancelled = new java.util.HashSet<>();
        for (int pass = 1; ; pass++) {
            if (pass > DELETE_THREAD_PASSES) {
                throw new SwitchboardException.Conflict("thread_busy", "Thread " + threadId + " kept receiving new"
                        + " runs while it was being deleted (each was cancelled); nothing was deleted, try again");
            }
            cancelled.addAll(scheduler.cancelAll(threadId, CancelAction.INTERRUPT, Duration.ofSeconds(30)));
            boolean deleted = scheduler.serialized(threadId, () -> checkpoints.holdingThread(threadId, () -> {
                if (threads.get(threadId).isEmpty()) {
                    throw SwitchboardException.NotFound.of("Thread", threadId);
                }
                refuseOperationInFlight(threadId);
                for (Lane lane : Lane.values()) {
                    if (runs.active(threadId, lane).stream().anyMatch(r -> !cancelled.contains(r.runId()))) {
                        return false; // admitted since the cancel: cancelled by the next pass
                    }
                }
                // A cancelled run that did not stop within the wait is deleted with the thread; its writes are
                // fenced (they need its run and their parent).
                runs.deleteByThread(threadId);
                checkpoints.deleteByThread(threadId);
                operations.deleteByThread(threadId);
                crons.deleteByThread(threadId);
                threads.delete(threadId);
                return true;
            }));
            if (deleted) {
                return;
            }
        }
    }

    /** Cancel passes a deletion makes while new runs keep arriving, before it gives up (409, nothing deleted). */
    private static final int DELETE_THREAD_PASSES = 5;

    private void refuseOperationInFlight(UUID threadId) {
        Optional<Operation> inFlight = operations.listByThread(threadId).stream()
                .filter(op -> !op.status().isTerminal()).findFirst();
        if (inFlight.isPresent()) {
            throw new SwitchboardException.Conflict("operation_in_flight", "Thread " + threadId + " has operation "
                    + inFlight.get().operationId() + " (" + inFlight.get().toolName() + ") in flight; cancel it or wait"
                    + " for it to end, then delete the thread");
        }
    }

    public List<ConversationThread> searchThreads(ThreadQuery query) {
        return threads.search(query);
    }

    public long countThreads(ThreadQuery query) {
        return threads.count(query);
    }

    /**
     * A new thread with the same metadata, the same ttl (or the default one when the source has none) and a copy
     * of every checkpoint (same ids, new thread).
     */
    public ConversationThread copyThread(UUID threadId) {
        ConversationThread source = thread(threadId);
        UUID newId = Ids.newId();
        ObjectNode metadata = source.metadata();
        metadata.put("thread_id", newId.toString());
        var now = clock.instant();
        ConversationThread copy = threads.create(new ConversationThread(newId, now, now, metadata, ThreadStatus.IDLE,
                source.config(), source.values()));
        threads.ttl(threadId).or(expiry::defaultTtl).ifPresent(ttl -> threads.setTtl(newId, ttl));
        List<Checkpoint> all = new ArrayList<>(checkpoints.list(threadId, Integer.MAX_VALUE, null));
        java.util.Collections.reverse(all);
        for (Checkpoint c : all) {
            checkpoints.put(new Checkpoint(c.checkpointId(), newId, c.parentId(), c.runId(), c.step(), c.source(),
                    c.values(), c.next(), c.metadata(), c.createdAt()));
        }
        return copy;
    }

    // ---- state --------------------------------------------------------------------------------------

    /** The thread's state at a checkpoint (the latest when {@code checkpointId} is null); empty before any. */
    public Optional<Checkpoint> state(UUID threadId, UUID checkpointId) {
        return states.state(threadId, checkpointId);
    }

    /** Checkpoints newest first ({@code limit} 1 to 1000), older than {@code before} when given. */
    public List<Checkpoint> history(UUID threadId, int limit, UUID before) {
        return states.history(threadId, limit, before);
    }

    /**
     * Writes a new checkpoint: the state at {@code checkpointId} (or the latest) with {@code values} applied,
     * messages through the add-messages reducer and other keys replaced. Refused while a run is active.
     */
    public Checkpoint updateState(UUID threadId, JsonNode values, String asNode, UUID checkpointId) {
        return states.updateState(threadId, values, asNode, checkpointId);
    }

    /**
     * Merges {@code metadata} into the metadata of the thread's latest checkpoint (the Agent Server's
     * {@code PATCH /threads/{id}/state}); values and lineage are untouched. A thread without a checkpoint is a
     * {@code Conflict} ({@code no_state}).
     */
    public Checkpoint patchStateMetadata(UUID threadId, ObjectNode metadata) {
        return states.patchStateMetadata(threadId, metadata);
    }

    // ---- runs ---------------------------------------------------------------------------------------

    public Run submit(RunRequest request) {
        if (request.threadId() == null) {
            throw new SwitchboardException.InvalidRequest("thread_id is required for a run on a thread");
        }
        Assistant assistant = assistant(request.assistantId());
        RunInputs.validateInput(request.input());
        // Before any thread is made: a prompt or tool subset the agent cannot honour changes nothing.
        dev.switchboard.agent.RunProfile.of(RunInputs.mergeConfig(assistant.config(), null, request.config())
                .get("configurable") instanceof ObjectNode c ? c : null, graph(assistant.graphId()));
        ConversationThread thread = threads.get(request.threadId()).orElse(null);
        if (thread == null) {
            if (!request.createThreadIfMissing()) {
                throw SwitchboardException.NotFound.of("Thread", request.threadId());
            }
            thread = createThread(request.threadId(), null, true);
        }
        if (request.checkpointId() != null && checkpoints.get(thread.threadId(), request.checkpointId()).isEmpty()) {
            throw SwitchboardException.NotFound.of("Checkpoint", request.checkpointId());
        }
        ObjectNode config = RunInputs.mergeConfig(assistant.config(), thread.config(), request.config());
        // The thread's config takes part too: checked again with it, still before anything is stored.
        dev.switchboard.agent.RunProfile.of(config.get("configurable") instanceof ObjectNode c ? c : null,
                graph(assistant.graphId()));
        ObjectNode kwargs = request.extraKwargs();
        kwargs.set("input", request.input());
        kwargs.set("config", config);
        var modes = kwargs.putArray("stream_mode");
        request.streamModes().forEach(modes::add);
        if (request.checkpointId() != null) {
            kwargs.put("checkpoint_id", request.checkpointId().toString());
        }
        kwargs.put("superseded_input", request.supersededInput().wireName());
        JsonNode after = kwargs.get("after_seconds");
        if (after != null && after.isNumber() && after.asDouble() > 0) {
            kwargs.put("not_before", clock.instant().plusMillis((long) (after.asDouble() * 1000)).toString());
        }
        ObjectNode metadata = request.metadata();
        metadata.put("assistant_id", assistant.assistantId().toString());
        JsonNode threadType = request.input().path("thread_type");
        String type = threadType.isTextual() ? threadType.asText() : "auto";
        // "auto" is routed by the scheduler under the thread's slot lock (RunScheduler#admit).
        boolean autoRoute = type.equals("auto");
        Lane lane = type.equals("secondary") ? Lane.SECONDARY : Lane.MAIN;
        metadata.put("lane", lane.wireName());
        var now = clock.instant();
        Run candidate = new Run(Ids.newId(), thread.threadId(), assistant.assistantId(), now, now, RunStatus.PENDING,
                metadata, kwargs, request.multitaskStrategy(), lane);
        RunInputs.validateAtAdmission(candidate);
        return scheduler.admit(candidate, request.supersededInput(), autoRoute, assistant.graphId());
    }

    public Run run(UUID threadId, UUID runId) {
        return runs.get(runId).filter(r -> r.threadId().equals(threadId))
                .orElseThrow(() -> SwitchboardException.NotFound.of("Run", runId));
    }

    /** A run by its id alone, whatever thread it is on; empty when there is none. */
    public Optional<Run> findRun(UUID runId) {
        return runs.get(runId);
    }

    /** Every pending and running run of every thread, oldest first: what a cancel by status looks at. */
    public List<Run> activeRuns() {
        List<Run> all = new java.util.ArrayList<>(runs.running());
        all.addAll(runs.pending());
        all.sort(java.util.Comparator.comparing(Run::createdAt));
        return all;
    }

    public List<Run> runs(UUID threadId, RunQuery query) {
        thread(threadId);
        return runs.list(threadId, query);
    }

    /** Cancels a run; with {@code wait} blocks until it has ended. Empty when the run was deleted (rollback). */
    public Optional<Run> cancel(UUID threadId, UUID runId, CancelAction action, boolean wait)
            throws InterruptedException {
        try {
            return scheduler.cancel(threadId, runId, action, wait ? Duration.ofSeconds(60) : null);
        } catch (TimeoutException e) {
            return runs.get(runId);
        }
    }

    /** Installs the scheduler's run listener (metrics). */
    public void listen(dev.switchboard.run.RunListener listener) {
        scheduler.listen(listener);
    }

    /** Blocks until the run ends; empty if it was rolled back. */
    public Optional<Run> await(UUID runId, Duration timeout) throws InterruptedException, TimeoutException {
        return scheduler.await(runId, timeout);
    }

    /** Deletes a finished (or cancels and deletes an active) run with its checkpoints. */
    public void deleteRun(UUID threadId, UUID runId) throws InterruptedException {
        Run run = run(threadId, runId);
        if (run.status().isActive()) {
            try {
                scheduler.cancel(threadId, runId, CancelAction.ROLLBACK, Duration.ofSeconds(30));
            } catch (TimeoutException e) {
                throw new SwitchboardException.Unavailable("run " + runId + " did not stop within 30 s; try again");
            }
        }
        checkpoints.deleteByRun(threadId, runId);
        runs.delete(runId);
        events.forget(runId);
    }

    /**
     * Subscribes to a run's events after {@code afterSequence} (-1 for all retained). The run's log exists
     * from admission until its retention ends.
     */
    public Subscription subscribe(UUID runId, long afterSequence) {
        Optional<EventLog> local = events.find(runId);
        if (local.isPresent()) {
            return local.get().subscribe(afterSequence);
        }
        // Executing on another instance of this deployment: follow it through a mirror of its log.
        Run run = runs.get(runId).filter(r -> r.status() == RunStatus.RUNNING)
                .orElseThrow(() -> SwitchboardException.NotFound.of("Run stream", runId));
        return scheduler.followRemote(run).subscribe(afterSequence);
    }

    /**
     * A run's stream as it can still be told after its events are gone (retention passed, or a restart): its
     * metadata, the thread's latest values, then its end. What a join on such a run answers.
     */
    public Subscription replayFinished(Run run) {
        EventLog replay = new EventLog(run.runId(), run.threadId(), 16);
        replay.publish(new dev.switchboard.event.RunEvent.Metadata(run.runId(), run.threadId(), 1));
        checkpoints.latest(run.threadId())
                .ifPresent(c -> replay.publish(new dev.switchboard.event.RunEvent.Values(c.values())));
        replay.close();
        return replay.subscribe(-1);
    }

    public Optional<EventLog> eventLog(UUID runId) {
        return events.find(runId);
    }

    // ---- operations ---------------------------------------------------------------------------------

    public List<Operation> operations(UUID threadId) {
        thread(threadId);
        return operations.listByThread(threadId);
    }

    public Operation operation(UUID operationId) {
        return operations.get(operationId).orElseThrow(() -> SwitchboardException.NotFound.of("Operation", operationId));
    }

    /** Cancels an operation unless it passed its point of no return; the outcome says which. */
    public CancelOutcome cancelOperation(UUID operationId) {
        operation(operationId);
        return operationRunner.cancel(operationId);
    }

    public OperationStore operationStore() {
        return operations;
    }

    // ---- store --------------------------------------------------------------------------------------

    public ItemStore store() {
        return store;
    }

    /** The store's semantic index, if one is configured. */
    public Optional<dev.switchboard.store.StoreIndex> storeIndex() {
        return Optional.ofNullable(storeIndex);
    }

    public Clock clock() {
        return clock;
    }

    /** This server instance's id: the owner of the runs and operations it executes. */
    public String instanceId() {
        return instanceId;
    }

    // ---- crons -------------------------------------------------------------------------------------

    /**
     * Creates a cron from a draft whose {@code nextRunAt} is ignored: the assistant (and the thread, for a thread
     * cron) must exist, the schedule and time zone must parse, and the schedule must have a due time before the
     * cron's end; the first due time is the first after now.
     */
    public Cron createCron(Cron draft) {
        return cronDefinitions.create(draft);
    }

    /**
     * Replaces a cron's definition; the next due time is recomputed from now when the schedule, the time zone,
     * the end time or {@code enabled} changed, and kept otherwise.
     */
    public Cron updateCron(Cron changed) {
        return cronDefinitions.update(changed);
    }

    public Cron cron(UUID cronId) {
        return cronDefinitions.get(cronId);
    }

    public boolean deleteCron(UUID cronId) {
        return cronDefinitions.delete(cronId);
    }

    public List<Cron> searchCrons(CronQuery query) {
        return cronDefinitions.search(query);
    }

    public long countCrons(CronQuery query) {
        return cronDefinitions.count(query);
    }

    /**
     * Starts firing crons with {@code launcher} (the server's adds webhooks and sign-in ownership); once per
     * runtime. Not started by {@link Builder#build} so that a server can install its launcher before anything
     * fires, catch-up runs included.
     */
    public void startCrons(CronLauncher launcher) {
        cronDefinitions.start(launcher);
    }

    /** True once {@link #startCrons} was called. */
    public boolean cronsStarted() {
        return cronDefinitions.started();
    }

    /** {@link #startCrons(CronLauncher)} with the plain launcher: {@link #launchCron}, then the thread clean-up. */
    public void startCrons() {
        startCrons(cron -> {
            Run run = launchCron(cron, java.util.function.UnaryOperator.identity());
            if (cron.stateless() && cron.onRunCompleted() == OnRunCompleted.DELETE) {
                deleteThreadAfter(run);
            }
            return run;
        });
    }

    /** Fires what is due now on this instance's claim; for tests on a manual clock and for operators. */
    public int fireDueCrons() {
        return cronDefinitions.fireDue();
    }

    /**
     * One firing's run: on the cron's thread, or on a new thread owned by the cron's owner (a stateless cron),
     * submitted through {@link #submit} like any run, after {@code adjust} (the server's sign-in rules). The new
     * thread is removed again if the run is refused. Deleting a stateless firing's thread afterwards is the
     * launcher's part.
     */
    public Run launchCron(Cron cron, java.util.function.UnaryOperator<RunRequest> adjust) {
        UUID threadId = cron.threadId();
        boolean created = false;
        if (threadId == null) {
            ObjectNode metadata = Json.object();
            if (cron.userId() != null) {
                metadata.put("owner", cron.userId());
            }
            metadata.put("cron_id", cron.cronId().toString());
            threadId = createThread(null, metadata, false).threadId();
            created = true;
        }
        try {
            return submit(adjust.apply(CronPayloads.request(cron, threadId)));
        } catch (RuntimeException e) {
            if (created) {
                try {
                    deleteThread(threadId);
                } catch (InterruptedException ie) {
                    java.lang.Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
    }

    private void deleteThreadAfter(Run run) {
        java.lang.Thread.ofVirtual().name("cron-cleanup-" + run.runId()).start(() -> {
            try {
                await(run.runId(), Duration.ofHours(1));
                deleteThread(run.threadId());
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(Switchboard.class.getName())
                        .warning("could not delete cron thread " + run.threadId() + ": " + e);
            }
        });
    }

    // ---- the seed's API -----------------------------------------------------------------------------

    /**
     * The seed's {@code agent.invoke(input, config, store)}: {@code input} carries {@code messages},
     * {@code thread_type} and {@code interim_messages_reset}; {@code config.configurable} carries
     * {@code thread_id} (any string; non-UUIDs map to a stable UUID) and {@code namespace_for_memory}.
     * Blocks until the run ends and returns the thread's {@code messages} and {@code interim_messages}
     * (plus {@code __error__} if the run failed). {@code coordinationStore} must be this runtime's store or
     * null: lanes coordinate through the store the runtime was built with.
     */
    public ObjectNode invoke(JsonNode input, JsonNode config, ItemStore coordinationStore)
            throws InterruptedException, TimeoutException {
        if (coordinationStore != null && coordinationStore != store) {
            throw new IllegalArgumentException("lanes coordinate through the runtime's own store; pass it or null");
        }
        ObjectNode cfg = Json.copyObject(config);
        JsonNode configurable = cfg.get("configurable");
        JsonNode rawThread = configurable == null ? null : configurable.get("thread_id");
        if (rawThread == null || rawThread.asText().isBlank()) {
            throw new SwitchboardException.InvalidRequest("config.configurable.thread_id is required");
        }
        UUID threadId = threadIdFor(rawThread.asText());
        JsonNode assistantNode = configurable.get("assistant_id");
        String assistantId = assistantNode == null ? defaultGraphId : assistantNode.asText();
        Run run = submit(new RunRequest(threadId, assistantId, input, cfg, null, MultitaskStrategy.ENQUEUE, null,
                null, null, true, null));
        Optional<Run> ended = await(run.runId(), Duration.ofMinutes(10));
        ObjectNode result = Json.object();
        ConversationState state = checkpoints.latest(threadId).map(c -> ConversationState.fromJson(c.values()))
                .orElse(ConversationState.EMPTY);
        result.set(ConversationState.MESSAGES, MessageJson.toJson(state.messages()));
        result.set(ConversationState.INTERIM_MESSAGES, MessageJson.toJson(state.interimMessages()));
        if (ended.isPresent() && ended.get().status() == RunStatus.ERROR) {
            ObjectNode error = result.putObject("__error__");
            error.put("error", "RunError");
            error.put("message", "run " + run.runId() + " failed");
        }
        return result;
    }

    /** A thread id as the seed's clients give it: a UUID, or any other string mapped to a stable UUID. */
    public static UUID threadIdFor(String text) {
        try {
            if (text.length() == 36) {
                return UUID.fromString(text);
            }
        } catch (IllegalArgumentException e) {
            // not a UUID: fall through to the name-based id
        }
        return Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "thread:" + text);
    }

    /**
     * Stops gracefully: admits nothing more, lets executing runs finish for up to {@code grace}, then closes
     * (what is left is interrupted; queued runs and in-flight operations stay in the store for the next start).
     */
    public void shutdown(Duration grace) throws InterruptedException {
        scheduler.drain(grace);
        close();
    }

    @Override
    public void close() {
        expiry.close();
        cronDefinitions.close();
        scheduler.close();
        cluster.close();
        operationRunner.close();
        events.close();
    }
}
