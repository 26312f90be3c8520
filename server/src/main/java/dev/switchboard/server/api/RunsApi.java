package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.event.Subscription;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.Command;
import dev.switchboard.run.Breakpoints;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.SupersededInput;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.server.stream.SseStream;
import dev.switchboard.server.stream.StreamModes;
import dev.switchboard.server.webhook.WebhookSender;
import dev.switchboard.thread.ConversationThread;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code /threads/{id}/runs…} and the stateless {@code /runs…} endpoints (AGENT-PROTOCOL.md §4, §7, §8). *
 * <p>Why this class is longer than ~400 lines: it is the run resource of the protocol, every route of it (create
 * in three modes, batch, cancel-many, list, get, delete, cancel, join and the stream endpoints) over one shared
 * validation and one start path; splitting the validation of a run-create body into a class of its own is the
 * next step when it grows again.
 */
public final class RunsApi {
    private static final Logger LOG = Logger.getLogger(RunsApi.class.getName());
    private static final Set<String> CREATE_FIELDS = Set.of("assistant_id", "input", "command", "metadata", "config",
            "context", "checkpoint_id", "checkpoint", "interrupt_before", "interrupt_after", "stream_mode",
            "stream_subgraphs", "stream_resumable", "on_disconnect", "multitask_strategy", "if_not_exists",
            "after_seconds", "webhook", "on_completion", "feedback_keys", "durability", "checkpoint_during",
            "langsmith_tracer", "superseded_input", "signal", "thread_id");
    /**
     * Fields of the Agent Server's run create that Switchboard does not implement: named in a 422 rather than
     * accepted and ignored. ({@code signal} stays accepted: some JavaScript SDK versions serialise their abort
     * signal into the body, an empty object that asks for nothing.)
     */
    static final List<String> UNSUPPORTED_CREATE_FIELDS = List.of("feedback_keys", "durability", "checkpoint_during",
            "langsmith_tracer");
    /** What a run list may {@code select}: the fields of a run as Switchboard answers it. */
    static final Set<String> RUN_SELECTABLE = Set.of("run_id", "thread_id", "assistant_id", "created_at", "updated_at",
            "status", "metadata", "kwargs", "multitask_strategy", "lane");
    private static final Duration WAIT_LIMIT = Duration.ofHours(1);

    private final Api api;
    private final WebhookSender webhooks;

    public RunsApi(Api api) {
        this.api = api;
        this.webhooks = new WebhookSender(api.settings().webhooks());
    }

    /** Which webhook URLs a request may give (crons check theirs with it too). */
    dev.switchboard.server.webhook.WebhookPolicy webhookPolicy() {
        return webhooks.policy();
    }

    public void register(RoutesConfig r) {
        r.post("/threads/{thread_id}/runs", ctx -> create(ctx, threadIdOf(ctx), Mode.BACKGROUND));
        r.post("/threads/{thread_id}/runs/stream", ctx -> create(ctx, threadIdOf(ctx), Mode.STREAM));
        r.post("/threads/{thread_id}/runs/wait", ctx -> create(ctx, threadIdOf(ctx), Mode.WAIT));
        r.post("/runs", ctx -> create(ctx, null, Mode.BACKGROUND));
        r.post("/runs/stream", ctx -> create(ctx, null, Mode.STREAM));
        r.post("/runs/wait", ctx -> create(ctx, null, Mode.WAIT));
        r.get("/threads/{thread_id}/runs", this::list);
        r.get("/threads/{thread_id}/runs/{run_id}", ctx -> ctx.json(Wire.run(run(ctx))));
        r.delete("/threads/{thread_id}/runs/{run_id}", this::delete);
        r.post("/threads/{thread_id}/runs/{run_id}/cancel", this::cancel);
        r.get("/threads/{thread_id}/runs/{run_id}/join", this::join);
        r.get("/threads/{thread_id}/runs/{run_id}/stream", this::joinStream);
        r.get("/runs/{run_id}/stream", this::joinStatelessStream);
        new RunsBulkApi(api, this).register(r);
    }

    private enum Mode { BACKGROUND, STREAM, WAIT }

    private static UUID threadIdOf(Context ctx) {
        return Api.pathId(ctx, "thread_id");
    }

    private Run run(Context ctx) {
        UUID threadId = threadIdOf(ctx);
        api.thread(ctx, threadId);
        return api.switchboard().run(threadId, Api.pathId(ctx, "run_id"));
    }

    /** What {@link #start} made: the run and what the response needs to know about it. */
    record Started(Run run, StreamModes modes, boolean cancelOnDisconnect, boolean temporary, String webhook,
            boolean stateless) {
    }

    private void create(Context ctx, UUID pathThreadId, Mode mode) throws Exception {
        Body body = Api.body(ctx);
        validate(body, pathThreadId == null);
        Started started = start(ctx, body, pathThreadId);
        Run run = started.run();
        boolean stateless = started.stateless();
        UUID threadId = run.threadId();
        boolean temporary = started.temporary();
        String webhook = started.webhook();
        String location = stateless ? "/runs/" + run.runId() : "/threads/" + threadId + "/runs/" + run.runId();
        ctx.header("Content-Location", location);
        afterRun(run, webhook, temporary && mode != Mode.WAIT);
        switch (mode) {
            case BACKGROUND -> ctx.json(Wire.run(run));
            case WAIT -> {
                Optional<Optional<Run>> ended = awaitWritingKeepAlives(ctx, run, started.cancelOnDisconnect());
                JsonNode values = ended.map(e -> valuesOnceReachable(ctx, run.threadId(), e)).orElse(null);
                if (temporary) {
                    api.switchboard().deleteThread(run.threadId());
                }
                if (values != null) {
                    writeJson(ctx, values);
                }
            }
            case STREAM -> stream(ctx, run, -1, started.modes(), started.cancelOnDisconnect());
        }
    }

    /**
     * Every check of a run-create body that needs nothing but the body and the hosted graphs: what
     * {@code /runs/batch} runs over all its items before it starts any. Changes nothing.
     */
    void validate(Body body, boolean stateless) {
        body.allowOnly(CREATE_FIELDS);
        Command command = command(body);
        if (command != null && body.has("input") && !body.any("input").isNull()) {
            throw new InvalidRequest("invalid_command", "give either input (a new message) or command (to resume a "
                    + "paused thread), not both");
        }
        Breakpoints.nodes(Breakpoints.BEFORE_KEY, body.any(Breakpoints.BEFORE_KEY));
        Breakpoints.nodes(Breakpoints.AFTER_KEY, body.any(Breakpoints.AFTER_KEY));
        body.oneOf("on_completion", "delete", Set.of("delete", "keep"));
        body.oneOf("on_disconnect", "continue", Set.of("cancel", "continue"));
        body.oneOf("if_not_exists", "reject", Set.of("create", "reject"));
        MultitaskStrategy.fromWire(body.string("multitask_strategy", "enqueue"));
        SupersededInput.fromWire(body.string("superseded_input", "drop"));
        StreamModes.of(body.strings("stream_mode"));
        body.number("after_seconds", 0, 0, 86_400);
        String webhook = body.string("webhook", null);
        if (webhook != null) {
            webhooks.policy().checkSubmitted(webhook);
        }
        body.uuid("checkpoint_id");
        ObjectNode checkpoint = body.object("checkpoint");
        if (checkpoint != null && checkpoint.hasNonNull("checkpoint_id")) {
            Body.of(checkpoint).uuid("checkpoint_id");
        }
        api.switchboard().assistant(body.requiredString("assistant_id"));
        ObjectNode rawConfig = body.object("config");
        if (rawConfig != null && rawConfig.has("configurable") && !rawConfig.get("configurable").isObject()) {
            throw new InvalidRequest("invalid_field", "config.configurable must be a JSON object");
        }
        body.object("context");
        body.object("metadata");
        body.bool("stream_resumable");
        body.bool("stream_subgraphs");
        if (stateless && body.has("thread_id")) {
            throw new InvalidRequest("unsupported_field", "thread_id is not taken by a stateless run: "
                    + "POST /threads/{thread_id}/runs runs on a thread");
        }
        for (String field : UNSUPPORTED_CREATE_FIELDS) {
            body.refuse(field, "Switchboard does not implement it, and does not accept what it would ignore");
        }
    }

    /** The body's {@code command}, null when it has none. */
    private static Command command(Body body) {
        return body.has("command") && !body.any("command").isNull() ? Command.fromJson(body.any("command")) : null;
    }

    /** Creates the run of a body {@link #validate} passed; a thread made for it is removed again if it is refused. */
    Started start(Context ctx, Body body, UUID pathThreadId) throws InterruptedException {
        Caller caller = Api.caller(ctx);
        boolean stateless = pathThreadId == null;
        String onCompletion = body.oneOf("on_completion", "delete", Set.of("delete", "keep"));
        String onDisconnect = body.oneOf("on_disconnect", "continue", Set.of("cancel", "continue"));
        String ifNotExists = body.oneOf("if_not_exists", "reject", Set.of("create", "reject"));
        MultitaskStrategy strategy = MultitaskStrategy.fromWire(body.string("multitask_strategy", "enqueue"));
        SupersededInput superseded = SupersededInput.fromWire(body.string("superseded_input", "drop"));
        StreamModes modes = StreamModes.of(body.strings("stream_mode"));
        double afterSeconds = body.number("after_seconds", 0, 0, 86_400);
        String webhook = body.string("webhook", null);
        UUID checkpointId = body.uuid("checkpoint_id");
        ObjectNode checkpoint = body.object("checkpoint");
        if (checkpointId == null && checkpoint != null && checkpoint.hasNonNull("checkpoint_id")) {
            checkpointId = Body.of(checkpoint).uuid("checkpoint_id");
        }
        String assistantId = body.requiredString("assistant_id");
        Command command = command(body);
        Assistant assistant = api.assistant(ctx, assistantId);
        // interrupt_before/after from the request, else from the assistant's config.
        Breakpoints breakpoints = new Breakpoints(
                Breakpoints.nodes(Breakpoints.BEFORE_KEY, body.has(Breakpoints.BEFORE_KEY) ? body.any(Breakpoints.BEFORE_KEY)
                        : assistant.config().get(Breakpoints.BEFORE_KEY)),
                Breakpoints.nodes(Breakpoints.AFTER_KEY, body.has(Breakpoints.AFTER_KEY) ? body.any(Breakpoints.AFTER_KEY)
                        : assistant.config().get(Breakpoints.AFTER_KEY)));

        UUID threadId = pathThreadId;
        // A thread made for this request (stateless, or if_not_exists=create) is removed again if the run is
        // refused, so a bad request changes nothing.
        boolean createdHere = false;
        ConversationThread thread;
        if (stateless) {
            thread = api.switchboard().createThread(null, ownerMetadata(caller, true), false);
            threadId = thread.threadId();
            createdHere = true;
        } else {
            Optional<ConversationThread> existing = existing(threadId);
            if (existing.isEmpty()) {
                if (!"create".equals(ifNotExists)) {
                    throw SwitchboardException.NotFound.of("Thread", threadId);
                }
                thread = caller.check(api.switchboard().createThread(threadId, ownerMetadata(caller, false), true));
                createdHere = true;
            } else {
                thread = caller.check(existing.get());
            }
        }

        Run run;
        try {
            ObjectNode config = body.object("config") == null ? Json.object() : body.object("config").deepCopy();
            if (config.has("configurable") && !config.get("configurable").isObject()) {
                throw new InvalidRequest("invalid_field", "config.configurable must be a JSON object");
            }
            ObjectNode configurable = config.has("configurable") ? (ObjectNode) config.get("configurable") : config.putObject("configurable");
            ObjectNode context = body.object("context");
            // Whose account the tools act on is the server's to say, from the caller, before context merges in.
            String account = Accounts.resolve(caller, thread, configurable, context);
            if (context != null) {
                context.fields().forEachRemaining(e -> {
                    if (!configurable.has(e.getKey())) {
                        configurable.set(e.getKey(), e.getValue());
                    }
                });
            }
            Accounts.apply(configurable, account);
            if (!caller.isAnonymous()) {
                JsonNode ns = configurable.get("namespace_for_memory");
                List<String> visible = ns != null && ns.isArray() && !ns.isEmpty()
                        ? Json.mapper().convertValue(ns, Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class))
                        : CoordinationKeys.defaultNamespace(threadId);
                // The conversation's owner's namespace, also when an admin runs on it.
                String owner = thread.owner() != null ? thread.owner() : caller.user();
                ArrayNode stored = configurable.putArray("namespace_for_memory");
                Caller.ownedNamespace(owner, visible).forEach(stored::add);
            }
            String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
            ObjectNode extra = Json.object();
            extra.put("stream_resumable", Boolean.TRUE.equals(body.bool("stream_resumable")));
            extra.put("subgraphs", Boolean.TRUE.equals(body.bool("stream_subgraphs")));
            extra.put("on_disconnect", onDisconnect);
            extra.put("temporary", stateless && "delete".equals(onCompletion));
            if (webhook != null) {
                extra.put("webhook", webhook);
            }
            if (afterSeconds > 0) {
                extra.put("after_seconds", afterSeconds);
            }
            ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
            metadata.put("request_id", requestId);
            RunRequest request = new RunRequest(threadId, assistantId, body.any("input"), config, metadata, strategy,
                    superseded, List.copyOf(modes.modes()), checkpointId, false, extra);
            if (command != null) {
                request = request.withCommand(command);
            }
            if (!breakpoints.isEmpty()) {
                request = request.withBreakpoints(breakpoints);
            }
            run = api.switchboard().submit(request);
        } catch (RuntimeException e) {
            if (createdHere) {
                api.switchboard().deleteThread(threadId);
            }
            throw e;
        }
        boolean temporary = stateless && "delete".equals(onCompletion);
        return new Started(run, modes, "cancel".equals(onDisconnect), temporary, webhook, stateless);
    }

    /**
     * Undoes a started run as far as it can be undone: what {@code /runs/batch} does to the items it had started
     * when a later one is refused. The run is rolled back (cancelled and deleted) and its stateless thread removed.
     */
    void undo(Started started) {
        Run run = started.run();
        try {
            api.switchboard().deleteRun(run.threadId(), run.runId());
            if (started.stateless()) {
                api.switchboard().deleteThread(run.threadId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not undo run " + run.runId() + " of a refused batch", e);
        }
    }

    /** Starts the after-run work (webhook, temporary thread) of a run {@code /runs/batch} created. */
    void afterBatchRun(Started started) {
        afterRun(started.run(), started.webhook(), started.temporary());
    }

    private Optional<ConversationThread> existing(UUID threadId) {
        try {
            return Optional.of(api.switchboard().thread(threadId));
        } catch (SwitchboardException.NotFound e) {
            return Optional.empty();
        }
    }

    private static ObjectNode ownerMetadata(Caller caller, boolean temporary) {
        ObjectNode metadata = Json.object();
        if (!caller.isAnonymous()) {
            metadata.put("owner", caller.user());
        }
        if (temporary) {
            metadata.put("temporary", true);
        }
        return metadata;
    }

    /** Webhook and temporary-thread clean-up happen on a virtual thread that waits for the run to end. */
    void afterRun(Run run, String webhook, boolean deleteThread) {
        if (webhook == null && !deleteThread) {
            return;
        }
        Thread.ofVirtual().name("after-run-" + run.runId()).start(() -> {
            try {
                Optional<Run> ended = api.switchboard().await(run.runId(), WAIT_LIMIT);
                if (webhook != null) {
                    postWebhook(webhook, run, ended);
                }
                if (deleteThread) {
                    api.switchboard().deleteThread(run.threadId());
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "after-run work for " + run.runId() + " failed", e);
            }
        });
    }

    private void postWebhook(String url, Run created, Optional<Run> ended) throws InterruptedException {
        Run r = ended.orElse(created);
        ObjectNode payload = Wire.run(r);
        payload.put("run_started_at", Wire.time(created.createdAt()));
        payload.put("run_ended_at", Wire.time(r.updatedAt()));
        payload.put("webhook_sent_at", Wire.time(api.switchboard().clock().instant()));
        payload.set("values", finalValues(r.threadId(), ended));
        if (ended.isEmpty()) {
            payload.put("status", "rolled_back");
        }
        WebhookSender.Delivery delivery = webhooks.deliver(URI.create(url), Json.write(payload));
        LOG.fine("webhook for run " + r.runId() + ": " + delivery);
    }

    /** What {@code /wait} and {@code /join} answer: the final state values, or {@code __error__}. */
    private JsonNode finalValues(UUID threadId, Optional<Run> ended) {
        if (ended.isPresent() && ended.get().status() == RunStatus.ERROR) {
            ObjectNode error = Json.object();
            ObjectNode inner = error.putObject("__error__");
            inner.put("error", "RunError");
            inner.put("message", "run " + ended.get().runId() + " failed");
            return error;
        }
        try {
            // A paused run's answer is its state plus LangGraph's __interrupt__ (what the client must answer).
            return api.switchboard().state(threadId, null).map(c -> {
                ObjectNode values = c.values().deepCopy();
                c.pause().ifPresent(p -> values.set("__interrupt__", p.interruptsJson()));
                return (JsonNode) values;
            }).orElse(Json.object());
        } catch (SwitchboardException.NotFound gone) {
            return Json.object();
        }
    }

    private void stream(Context ctx, Run run, long afterSequence, StreamModes modes, boolean cancelOnDisconnect)
            throws Exception {
        if (api.switchboard().eventLog(run.runId()).isEmpty() && run.status().isTerminal()) {
            finishedStream(ctx, run, modes);
            return;
        }
        Subscription subscription = api.switchboard().subscribe(run.runId(), -1);
        api.metrics().subscriberOpened();
        try (subscription) {
            SseStream sse = SseStream.open(ctx, modes, api.settings().heartbeat(), afterSequence)
                    .withGraph(graphIdOf(run), this::checkpointAt, api.switchboard().clock());
            sse.pump(subscription);
        } catch (SseStream.ClientGone gone) {
            if (cancelOnDisconnect) {
                LOG.fine("client left the stream of run " + run.runId() + "; cancelling it");
                api.switchboard().cancel(run.threadId(), run.runId(), CancelAction.INTERRUPT, false);
            }
        } finally {
            api.metrics().subscriberClosed();
        }
    }

    private String graphIdOf(Run run) {
        try {
            return api.switchboard().assistant(run.assistantId().toString()).graphId();
        } catch (SwitchboardException.NotFound gone) {
            return null;
        }
    }

    /** The checkpoint a run wrote at a step, among the thread's recent ones: what the {@code debug} mode names. */
    private Optional<dev.switchboard.checkpoint.Checkpoint> checkpointAt(UUID threadId, UUID runId, int step) {
        try {
            return api.switchboard().history(threadId, 50, null).stream()
                    .filter(c -> runId.equals(c.runId()) && c.step() == step).findFirst();
        } catch (SwitchboardException.NotFound gone) {
            return Optional.empty();
        }
    }

    /**
     * A finished run whose events are no longer kept (retention passed, or the server restarted) still joins:
     * its metadata, the thread's final values, then {@code end}.
     */
    private void finishedStream(Context ctx, Run run, StreamModes modes) throws IOException {
        try (Subscription sub = api.switchboard().replayFinished(run)) {
            SseStream.open(ctx, modes, api.settings().heartbeat()).pump(sub);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void list(Context ctx) {
        UUID threadId = threadIdOf(ctx);
        api.thread(ctx, threadId);
        int limit = intParam(ctx, "limit", 10, 1, 1000);
        int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        String status = ctx.queryParam("status");
        RunQuery query = new RunQuery(status == null ? null : RunStatus.fromWire(status), limit, offset);
        Selection selection = Selection.ofQuery(ctx.queryParams("select"), RUN_SELECTABLE);
        ArrayNode out = Json.array();
        api.switchboard().runs(threadId, query).forEach(r -> out.add(selection.apply(Wire.run(r))));
        ctx.json(out);
    }

    static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min || v > max) {
                throw new InvalidRequest("invalid_query", name + " must be between " + min + " and " + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new InvalidRequest("invalid_query", name + " must be an integer, got '" + raw + "'");
        }
    }

    static boolean boolParam(Context ctx, String name) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.toLowerCase()) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw new InvalidRequest("invalid_query", name + " must be true/false or 1/0, got '" + raw + "'");
        };
    }

    private void delete(Context ctx) throws InterruptedException {
        Run run = run(ctx);
        api.switchboard().deleteRun(run.threadId(), run.runId());
        ctx.status(204);
    }

    private void cancel(Context ctx) throws InterruptedException {
        Run run = run(ctx);
        boolean wait = boolParam(ctx, "wait");
        String action = ctx.queryParam("action");
        CancelAction cancelAction = action == null ? CancelAction.INTERRUPT : CancelAction.fromWire(action);
        Optional<Run> after = api.switchboard().cancel(run.threadId(), run.runId(), cancelAction, wait);
        if (after.isEmpty()) {
            ctx.status(204);
            return;
        }
        ctx.status(wait ? 200 : 202).json(Wire.run(after.get()));
    }

    private void join(Context ctx) throws Exception {
        Run run = run(ctx);
        awaitWritingKeepAlives(ctx, run, boolParam(ctx, "cancel_on_disconnect"))
                .map(ended -> valuesOnceReachable(ctx, run.threadId(), ended))
                .ifPresent(values -> writeJson(ctx, values));
    }

    /**
     * {@link #finalValues}, waiting out a database outage once the answer has begun: keep-alives have committed a
     * 200, so a 503 can no longer be sent, and an error body would be read as the run's values. The keep-alives go
     * on and the read is retried every second, up to the wait limit. Null when the client left meanwhile.
     */
    private JsonNode valuesOnceReachable(Context ctx, UUID threadId, Optional<Run> ended) {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        while (true) {
            try {
                return finalValues(threadId, ended);
            } catch (SwitchboardException.Unavailable away) {
                if (!ctx.res().isCommitted() || System.nanoTime() > deadline) {
                    throw away;
                }
                try {
                    ctx.res().getOutputStream().write('\n');
                    ctx.res().getOutputStream().flush();
                    java.lang.Thread.sleep(1_000);
                } catch (IOException clientGone) {
                    return null;
                } catch (InterruptedException e) {
                    java.lang.Thread.currentThread().interrupt();
                    throw away;
                }
            }
        }
    }

    /**
     * Waits for the run, writing a newline (JSON whitespace, as the LangGraph servers do) every second once it
     * has taken that long: proxies keep the connection open, and a failed write is how a departed client is
     * noticed, which cancels the run when asked to. Empty when the client left.
     */
    private Optional<Optional<Run>> awaitWritingKeepAlives(Context ctx, Run run, boolean cancelOnDisconnect)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                return Optional.of(api.switchboard().await(run.runId(), Duration.ofSeconds(1)));
            } catch (TimeoutException stillRunning) {
                try {
                    if (!ctx.res().isCommitted()) {
                        ctx.status(200).contentType("application/json");
                    }
                    ctx.res().getOutputStream().write('\n');
                    ctx.res().getOutputStream().flush();
                } catch (IOException clientGone) {
                    if (cancelOnDisconnect) {
                        LOG.fine("client left the wait for run " + run.runId() + "; cancelling it");
                        api.switchboard().cancel(run.threadId(), run.runId(), CancelAction.INTERRUPT, false);
                    }
                    return Optional.empty();
                }
            }
        }
        throw new SwitchboardException.Unavailable("the run did not finish within " + WAIT_LIMIT);
    }

    private static void writeJson(Context ctx, JsonNode body) {
        if (!ctx.res().isCommitted()) {
            ctx.json(body);
            return;
        }
        try {
            ctx.res().getOutputStream().write(Json.write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ctx.res().getOutputStream().flush();
        } catch (IOException clientGone) {
            LOG.fine("client left before the answer was written");
        }
    }

    private void joinStream(Context ctx) throws Exception {
        Run run = run(ctx);
        long after = lastEventId(ctx);
        List<String> requested = ctx.queryParams("stream_mode");
        StreamModes modes = StreamModes.of(requested.isEmpty() ? runModes(run) : requested);
        stream(ctx, run, after, modes, boolParam(ctx, "cancel_on_disconnect"));
    }

    private void joinStatelessStream(Context ctx) throws Exception {
        UUID runId = Api.pathId(ctx, "run_id");
        var log = api.switchboard().eventLog(runId)
                .orElseThrow(() -> SwitchboardException.NotFound.of("Run", runId));
        Run run = api.switchboard().run(log.threadId(), runId);
        api.thread(ctx, run.threadId());
        stream(ctx, run, lastEventId(ctx), StreamModes.of(runModes(run)), boolParam(ctx, "cancel_on_disconnect"));
    }

    private static List<String> runModes(Run run) {
        JsonNode modes = run.kwargs().get("stream_mode");
        return modes == null ? List.of() : Json.mapper().convertValue(modes,
                Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** {@code Last-Event-ID}: the last event the client saw; {@code -1} or absent replays from the start. */
    private static long lastEventId(Context ctx) {
        String raw = ctx.header("Last-Event-ID");
        if (raw == null || raw.isBlank() || raw.equals("-")) {
            return -1;
        }
        try {
            long id = Long.parseLong(raw.trim());
            if (id < -1) {
                throw new InvalidRequest("invalid_header", "Last-Event-ID must be an event id or -1");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new InvalidRequest("invalid_header", "Last-Event-ID must be an event id or -1, got '" + raw + "'");
        }
    }
}
