package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.operation.Operation;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.store.Namespace;
import dev.switchboard.run.SupersededInput;
import dev.switchboard.server.auth.Caller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The seed's simple API. {@code POST /api/agent/run {user_id, task}} runs {@code task} on the user's one
 * thread; a message sent while the agent answers double-texts with {@code rollback} and carries the earlier
 * message over, so the agent answers both at once. {@code GET /api/agent/events?user_id=…} is the user's SSE
 * channel across runs, resumable with {@code Last-Event-ID} ({@code -1} replays what the channel retains; without
 * it a listener gets what happens next). Every {@code data} also carries {@code "type"}, the event's name:
 * <pre>
 *   event: AGENT_STARTED    data: {"run_id","thread_id","task"}
 *   event: TOKEN            data: {"run_id","text"}
 *   event: OPERATION        data: {"run_id","operation_id","tool","status","percent","step"}
 *   event: AGENT_CANCELLED  data: {"run_id","reason","superseded_by"}
 *   event: AGENT_COMPLETED  data: {"run_id","status","answer"}
 * </pre>
 */
public final class AgentRunApi {
    private static final Logger LOG = Logger.getLogger(AgentRunApi.class.getName());
    static final UUID USER_THREADS = UUID.fromString("3f0d7f2e-6a53-4bb2-9b8e-0c1a1c1b5f11");
    /** The thread metadata key that marks a user's {@code /api/agent/run} thread. */
    static final String AGENT_RUN_USER = "agent_run_user";
    /** The store namespace's first label under which each user's thread is registered. */
    static final String REGISTRY = "agent_run_users";

    private static final int LOCK_STRIPES = 256;

    private final Api api;
    private final UserChannels channels;
    // Per user (by stripe, so their number is bounded whatever user ids clients send): a lock around submit +
    // relay registration. Per user while a relay runs: the relay of the latest main-lane run, which a newer
    // main-lane run (its rollback successor) waits for, so that no event of a cancelled run reaches the channel
    // after the first event of the run that replaced it; removed when that relay ends.
    private final ReentrantLock[] submitLocks = new ReentrantLock[LOCK_STRIPES];
    private final ConcurrentHashMap<String, CompletableFuture<Void>> mainRelays = new ConcurrentHashMap<>();

    public AgentRunApi(Api api) {
        this(api, UserChannels.DEFAULT_IDLE_CHANNELS);
    }

    /** With at most {@code idleChannels} channels kept for users nobody is listening to. */
    public AgentRunApi(Api api, int idleChannels) {
        this.api = api;
        this.channels = new UserChannels(idleChannels);
        for (int i = 0; i < LOCK_STRIPES; i++) {
            submitLocks[i] = new ReentrantLock();
        }
    }

    /** Per-user state held in memory now: channels kept, relays running. Bounded whatever user ids arrive. */
    public int retainedUserState() {
        return channels.size() + mainRelays.size();
    }

    public void register(RoutesConfig r) {
        r.post("/api/agent/run", this::run);
        r.get("/api/agent/events", this::events);
    }

    private static String userOf(Caller caller, String given) {
        if (!caller.isAnonymous()) {
            if (given != null && !given.equals(caller.user())) {
                // Not ignored, refused: the body cannot choose whose thread and account this is.
                throw new SwitchboardException.InvalidRequest("forbidden", "user_id must be your own user id or "
                        + "left out: signed in, /api/agent/run works on the caller's own thread and account");
            }
            return caller.user();
        }
        if (given == null || !given.matches("[A-Za-z0-9._@:-]{1,128}")) {
            throw new SwitchboardException.InvalidRequest("invalid_field",
                    "user_id is required: 1-128 letters, digits or . _ @ : -");
        }
        return given;
    }


    private void run(Context ctx) {
        Body body = Api.body(ctx).allowOnly(Set.of("user_id", "task", "assistant_id"));
        Caller caller = Api.caller(ctx);
        String user = userOf(caller, body.string("user_id", null));
        String task = body.requiredString("task");
        String assistant = body.string("assistant_id", defaultAssistant());
        api.assistant(ctx, assistant); // an unknown assistant is a 404 before the user's thread is made
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", task);
        ReentrantLock lock = submitLocks[Math.floorMod(user.hashCode(), LOCK_STRIPES)];
        Run run;
        UUID threadId;
        lock.lock();
        try {
            threadId = userThread(caller, user);
            ObjectNode configurable = Json.object();
            // The tools act for the signed-in user, or for this visitor's own demo account without sign-in.
            configurable.put(Operation.USER_KEY, caller.isAnonymous() ? Caller.VISITOR_PREFIX + user : caller.user());
            if (!caller.isAnonymous()) {
                var ns = configurable.putArray("namespace_for_memory");
                Caller.ownedNamespace(caller.user(), CoordinationKeys.defaultNamespace(threadId)).forEach(ns::add);
            }
            ObjectNode config = Json.object();
            config.set("configurable", configurable);
            run = api.switchboard().submit(RunRequest.of(threadId, assistant, input)
                    .withStrategy(MultitaskStrategy.ROLLBACK).withSupersededInput(SupersededInput.CARRY)
                    .withConfig(config));
            forward(user, channels.acquire(user), run, task);
        } finally {
            lock.unlock();
        }
        ObjectNode out = Json.object();
        out.put("run_id", run.runId().toString());
        out.put("thread_id", threadId.toString());
        out.put("status", run.status().wireName());
        ctx.status(202).json(out);
    }

    /**
     * The user's one thread, made with a random id the first time (a derived id could be taken first by another
     * user, who would then lock the owner out). It is found again through a registry entry in the store, one
     * indexed read, not a search over every thread: namespace {@code ("agent_run_users", owner)} (a root
     * namespace no signed-in user can write: theirs are under their own label), key the user id. An entry is
     * trusted only if the thread it names still exists and is that user's; otherwise a new thread is made.
     * Called under the user's submit lock, so two first messages at once make one thread.
     */
    private UUID userThread(Caller caller, String user) {
        // The owner's label is a name-based id: user names may hold characters a namespace label may not (".").
        Namespace registry = new Namespace(List.of(REGISTRY, caller.isAnonymous() ? "anonymous"
                : Ids.nameBased(USER_THREADS, "owner:" + caller.user()).toString()));
        Optional<UUID> known = api.switchboard().store().get(registry, user)
                .map(item -> item.value().path("thread_id").asText(null))
                .flatMap(AgentRunApi::parseId)
                .filter(id -> isUsersThread(caller, user, id));
        if (known.isPresent()) {
            return known.get();
        }
        ObjectNode metadata = Json.object();
        metadata.put(AGENT_RUN_USER, user);
        if (!caller.isAnonymous()) {
            metadata.put("owner", caller.user());
        }
        metadata.put("user_id", user);
        UUID threadId = api.switchboard().createThread(null, metadata, false).threadId();
        api.switchboard().store().put(registry, user, Json.object().put("thread_id", threadId.toString()), null);
        return threadId;
    }

    private boolean isUsersThread(Caller caller, String user, UUID threadId) {
        try {
            var thread = api.switchboard().thread(threadId);
            return user.equals(thread.metadata().path(AGENT_RUN_USER).asText(null))
                    && (caller.isAnonymous() || caller.user().equals(thread.metadata().path("owner").asText(null)));
        } catch (SwitchboardException.NotFound gone) {
            return false;
        }
    }

    private static Optional<UUID> parseId(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(dev.switchboard.Ids.parse("thread_id", text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String defaultAssistant() {
        return api.switchboard().defaultGraphId();
    }

    /** Relays one run's stream into the user's channel, on a virtual thread that blocks on the run's log. */
    private void forward(String user, UserChannels.Channel held, Run run, String task) {
        EventLog channel = held.log();
        Subscription sub = api.switchboard().subscribe(run.runId(), -1);
        CompletableFuture<Void> relayed = new CompletableFuture<>();
        CompletableFuture<Void> previous = run.lane() == Lane.MAIN ? mainRelays.put(user, relayed) : null;
        Thread.ofVirtual().name("agent-run-" + run.runId()).start(() -> {
            StringBuilder answer = new StringBuilder();
            String lastAnswerId = null;
            boolean started = false;
            try (sub) {
                if (previous != null) {
                    try {
                        previous.get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException | TimeoutException e) {
                        LOG.warning("the previous relay for " + user + " did not finish: " + e);
                    }
                }
                while (!sub.isFinished()) {
                    Optional<SequencedEvent> next = sub.next(Duration.ofMinutes(10));
                    if (next.isEmpty()) {
                        continue;
                    }
                    switch (next.get().event()) {
                        case RunEvent.Metadata m -> {
                            started = true;
                            channel.publish(new RunEvent.Custom(custom("AGENT_STARTED", run)
                                    .put("thread_id", run.threadId().toString()).put("task", task)));
                        }
                        case RunEvent.MessageChunk c -> {
                            String id = c.chunk().path("id").asText();
                            if (!id.equals(lastAnswerId)) {
                                answer.setLength(0);
                                lastAnswerId = id;
                            }
                            String text = c.chunk().path("content").asText();
                            answer.append(text);
                            if (!text.isEmpty()) {
                                channel.publish(new RunEvent.Custom(custom("TOKEN", run).put("text", text)));
                            }
                        }
                        case RunEvent.RunCancelled c ->
                                channel.publish(new RunEvent.Custom(custom("AGENT_CANCELLED", run)
                                        .put("reason", c.payload().path("reason").asText())
                                        .put("superseded_by", c.supersededBy() == null ? null
                                                : c.supersededBy().toString())));
                        case RunEvent.OperationUpdate u -> {
                            // Only the documented fields, under this channel's own event name.
                            ObjectNode op = custom("OPERATION", run);
                            for (String field : new String[] {"operation_id", "tool", "status", "percent", "step"}) {
                                JsonNode value = u.operation().get(field);
                                op.set(field, value == null ? NullNode.getInstance() : value.deepCopy());
                            }
                            channel.publish(new RunEvent.Custom(op));
                        }
                        case RunEvent.End e -> {
                            Optional<Run> ended = api.switchboard().await(run.runId(), Duration.ofSeconds(30));
                            String status = ended.map(r -> r.status().wireName()).orElse("rolled_back");
                            if (started && (ended.isEmpty() || !status.equals("interrupted"))) {
                                if (ended.isPresent()) {
                                    channel.publish(new RunEvent.Custom(custom("AGENT_COMPLETED", run)
                                            .put("status", status).put("answer", answer.toString())));
                                }
                            }
                        }
                        default -> {
                        }
                    }
                }
            } catch (Exception e) {
                LOG.warning("relaying run " + run.runId() + " stopped: " + e);
            } finally {
                relayed.complete(null);
                mainRelays.remove(user, relayed);
                channels.release(held);
            }
        });
    }

    private static ObjectNode custom(String type, Run run) {
        ObjectNode n = Json.object();
        n.put("type", type);
        n.put("run_id", run.runId().toString());
        return n;
    }

    private void events(Context ctx) throws Exception {
        String user = userOf(Api.caller(ctx), ctx.queryParam("user_id"));
        UserChannels.Channel held = channels.acquire(user);
        try {
            stream(ctx, held.log());
        } finally {
            channels.release(held);
        }
    }

    private void stream(Context ctx, EventLog channel) throws Exception {
        String last = ctx.header("Last-Event-ID");
        long after;
        try {
            after = last == null || last.isBlank() ? channel.lastSequence() : Long.parseLong(last.trim());
        } catch (NumberFormatException e) {
            throw new SwitchboardException.InvalidRequest("invalid_header", "Last-Event-ID must be an event id");
        }
        ctx.status(200).header("Content-Type", "text/event-stream; charset=utf-8").header("Cache-Control", "no-cache");
        OutputStream out = ctx.res().getOutputStream();
        out.flush();
        try (Subscription sub = channel.subscribe(Math.max(-1, after))) {
            while (true) {
                Optional<SequencedEvent> next = sub.next(api.settings().heartbeat());
                String frame;
                if (next.isEmpty()) {
                    frame = ": heartbeat\n\n";
                } else if (next.get().event() instanceof RunEvent.Custom c) {
                    frame = "event: " + c.payload().path("type").asText() + "\ndata: " + Json.write(c.payload())
                            + "\nid: " + next.get().sequence() + "\n\n";
                } else {
                    continue;
                }
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException clientGone) {
            // the user closed the page; the channel keeps the events for a later Last-Event-ID
        }
    }
}
