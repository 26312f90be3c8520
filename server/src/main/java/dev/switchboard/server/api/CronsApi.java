package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.cron.Cron;
import dev.switchboard.cron.CronLauncher;
import dev.switchboard.cron.CronQuery;
import dev.switchboard.cron.OnRunCompleted;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.SupersededInput;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.server.stream.StreamModes;
import dev.switchboard.thread.ConversationThread;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /threads/{id}/runs/crons} and {@code /runs/crons…}: scheduled runs as the LangGraph SDKs' crons client
 * calls them. A cron belongs to the signed-in user who made it ({@code user_id}); another user's cron is a 404,
 * searches see only one's own (an admin sees all). Each firing submits the stored payload as a run through the
 * runtime's admission, on the cron's thread or on a new thread owned by the cron's owner, with the account and
 * memory namespace of that owner, as a run created over HTTP would have.
 */
public final class CronsApi {
    /** Run-create fields a cron keeps in its payload. */
    private static final Set<String> PAYLOAD_FIELDS = Set.of("assistant_id", "input", "config", "context", "metadata",
            "multitask_strategy", "superseded_input", "stream_mode", "stream_subgraphs", "stream_resumable",
            "webhook", "durability", "checkpoint_during", "interrupt_before", "interrupt_after");
    private static final Set<String> CRON_FIELDS = Set.of("schedule", "timezone", "end_time", "enabled",
            "on_run_completed");
    private static final Set<String> UPDATE_FIELDS = Set.of("schedule", "timezone", "end_time", "enabled",
            "on_run_completed", "input", "metadata", "config", "context", "webhook", "interrupt_before",
            "interrupt_after", "stream_mode", "stream_subgraphs", "stream_resumable", "durability");
    private static final Set<String> SEARCH_FIELDS = Set.of("assistant_id", "thread_id", "enabled", "limit", "offset",
            "sort_by", "sort_order", "select", "metadata");
    private static final Set<String> COUNT_FIELDS = Set.of("assistant_id", "thread_id", "enabled", "metadata");
    private static final Set<String> SELECT_FIELDS = Set.of("cron_id", "assistant_id", "thread_id", "end_time",
            "schedule", "created_at", "updated_at", "user_id", "payload", "next_run_date", "metadata", "now",
            "timezone", "enabled", "on_run_completed");

    private final Api api;
    private final RunsApi runs;

    public CronsApi(Api api, RunsApi runs) {
        this.api = api;
        this.runs = runs;
    }

    public void register(RoutesConfig r) {
        r.post("/threads/{thread_id}/runs/crons", ctx -> create(ctx, Api.pathId(ctx, "thread_id")));
        r.post("/runs/crons", ctx -> create(ctx, null));
        r.post("/runs/crons/search", this::search);
        r.post("/runs/crons/count", this::count);
        r.get("/runs/crons/{cron_id}", ctx -> ctx.json(wire(owned(ctx))));
        r.patch("/runs/crons/{cron_id}", this::update);
        r.delete("/runs/crons/{cron_id}", this::delete);
    }

    // ---- firing -------------------------------------------------------------------------------------

    /**
     * What the server fires a cron with: the runtime's launch plus what the HTTP layer adds to any run, the
     * owner's memory namespace (with sign-in on), the webhook, and the clean-up of a stateless firing's thread.
     */
    public CronLauncher launcher() {
        return cron -> {
            Run run = api.switchboard().launchCron(cron, request -> withOwnerNamespace(cron, request));
            String webhook = cron.payload().path("webhook").isTextual() ? cron.payload().get("webhook").asText() : null;
            runs.afterRun(run, webhook, cron.stateless() && cron.onRunCompleted() == OnRunCompleted.DELETE);
            return run;
        };
    }

    private RunRequest withOwnerNamespace(Cron cron, RunRequest request) {
        if (cron.userId() == null) {
            return request;
        }
        ConversationThread thread = api.switchboard().thread(request.threadId());
        String owner = thread.owner() != null ? thread.owner() : cron.userId();
        JsonNode given = request.config().path("configurable").get("namespace_for_memory");
        List<String> visible = given != null && given.isArray() && !given.isEmpty() ? strings(given)
                : CoordinationKeys.defaultNamespace(request.threadId());
        ArrayNode stored = Json.array();
        Caller.ownedNamespace(owner, visible).forEach(stored::add);
        return request.withConfigurable("namespace_for_memory", stored);
    }

    private static List<String> strings(JsonNode array) {
        return Json.mapper().convertValue(array, Json.mapper().getTypeFactory().constructCollectionType(List.class,
                String.class));
    }

    // ---- create -------------------------------------------------------------------------------------

    private void create(Context ctx, UUID threadId) {
        Set<String> allowed = new HashSet<>(PAYLOAD_FIELDS);
        allowed.addAll(CRON_FIELDS);
        Body body = Api.body(ctx).allowOnly(allowed);
        Caller caller = Api.caller(ctx);
        ConversationThread thread = threadId == null ? null : api.thread(ctx, threadId);
        String schedule = body.requiredString("schedule");
        String timezone = body.string("timezone", null);
        Instant endTime = endTime(body);
        boolean enabled = !Boolean.FALSE.equals(body.bool("enabled"));
        OnRunCompleted completed = onRunCompleted(body, thread == null);
        if (thread == null && completed == null) {
            completed = OnRunCompleted.DELETE;
        }
        UUID assistantId = api.assistant(ctx, body.requiredString("assistant_id")).assistantId();
        ObjectNode payload = payload(body, caller, thread, null);
        ObjectNode metadata = body.object("metadata") == null ? Json.object() : body.object("metadata").deepCopy();
        Instant now = api.switchboard().clock().instant();
        Cron cron = api.switchboard().createCron(new Cron(dev.switchboard.Ids.newId(), assistantId, threadId,
                caller.user(), schedule.strip(), blankToNull(timezone), endTime, completed, enabled, payload, metadata,
                null, now, now));
        ctx.json(wire(cron));
    }

    /**
     * The run-create part of a body as the cron keeps it: validated as a run's would be, {@code context} folded
     * into {@code config.configurable}, and the account the runs act on resolved now, from the caller, so that a
     * firing acts as the owner whoever's clock fires it. {@code base} is the payload an update starts from.
     */
    private ObjectNode payload(Body body, Caller caller, ConversationThread thread, ObjectNode base) {
        if (body.has("interrupt_before") || body.has("interrupt_after")) {
            throw new InvalidRequest("unsupported", "interrupt_before/interrupt_after are not supported");
        }
        ObjectNode p = base == null ? Json.object() : base.deepCopy();
        if (base == null) {
            p.put("assistant_id", body.requiredString("assistant_id"));
        }
        if (body.node().has("input")) {
            p.set("input", body.any("input").deepCopy());
        }
        if (body.has("metadata")) {
            p.set("metadata", body.object("metadata").deepCopy());
        }
        if (body.has("multitask_strategy")) {
            p.put("multitask_strategy", MultitaskStrategy.fromWire(body.string("multitask_strategy", null)).wireName());
        }
        if (body.has("superseded_input")) {
            p.put("superseded_input", SupersededInput.fromWire(body.string("superseded_input", null)).wireName());
        }
        if (body.has("stream_mode")) {
            ArrayNode modes = p.putArray("stream_mode");
            StreamModes.of(body.strings("stream_mode")).modes().forEach(modes::add);
        }
        for (String flag : List.of("stream_subgraphs", "stream_resumable", "checkpoint_during")) {
            if (body.has(flag)) {
                p.put(flag, body.bool(flag));
            }
        }
        if (body.has("durability")) {
            p.put("durability", body.oneOf("durability", null, Set.of("sync", "async", "exit")));
        }
        if (body.has("webhook")) {
            String webhook = body.string("webhook", null);
            runs.webhookPolicy().checkSubmitted(webhook);
            p.put("webhook", webhook);
        }
        if (body.has("config") || body.has("context") || base == null) {
            ObjectNode config = body.object("config") != null ? body.object("config").deepCopy()
                    : p.has("config") ? (ObjectNode) p.get("config").deepCopy() : Json.object();
            if (config.has("configurable") && !config.get("configurable").isObject()) {
                throw new InvalidRequest("invalid_field", "config.configurable must be a JSON object");
            }
            ObjectNode configurable = config.has("configurable") ? (ObjectNode) config.get("configurable")
                    : config.putObject("configurable");
            ObjectNode context = body.object("context");
            String account = Accounts.resolve(caller, thread, configurable, context);
            if (context != null) {
                context.fields().forEachRemaining(e -> {
                    if (!configurable.has(e.getKey())) {
                        configurable.set(e.getKey(), e.getValue());
                    }
                });
            }
            Accounts.apply(configurable, account);
            JsonNode ns = configurable.get("namespace_for_memory");
            if (ns != null && !ns.isNull() && (!ns.isArray() || !allText(ns))) {
                throw new InvalidRequest("invalid_field", "namespace_for_memory must be a list of labels");
            }
            p.set("config", config);
        }
        return p;
    }

    private static boolean allText(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static Instant endTime(Body body) {
        String raw = body.string("end_time", null);
        if (raw == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(raw).toInstant();
        } catch (DateTimeParseException e) {
            try {
                // Python's isoformat() of a naive datetime has no offset: read it as UTC, as the schedule is.
                return java.time.LocalDateTime.parse(raw).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new InvalidRequest("invalid_field", "end_time must be an ISO 8601 date-time such as "
                        + "2026-12-31T23:59:00Z, got '" + raw + "'");
            }
        }
    }

    private static OnRunCompleted onRunCompleted(Body body, boolean stateless) {
        String raw = body.string("on_run_completed", null);
        if (raw == null) {
            return null;
        }
        if (!stateless) {
            throw new InvalidRequest("invalid_field", "on_run_completed applies to stateless crons (POST /runs/crons) "
                    + "only: a thread cron runs on its thread, which stays");
        }
        return OnRunCompleted.fromWire(raw);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    // ---- read, update, delete -----------------------------------------------------------------------

    /** The cron, if the caller may see it; 404 otherwise (another user's cron is not confirmed to exist). */
    private Cron owned(Context ctx) {
        UUID cronId = Api.pathId(ctx, "cron_id");
        Cron cron = api.switchboard().cron(cronId);
        Caller caller = Api.caller(ctx);
        if (!caller.isAnonymous() && !caller.isAdmin() && !caller.user().equals(cron.userId())) {
            throw SwitchboardException.NotFound.of("Cron", cronId);
        }
        return cron;
    }

    private void update(Context ctx) {
        Cron current = owned(ctx);
        Body body = Api.body(ctx).allowOnly(UPDATE_FIELDS);
        Caller caller = Api.caller(ctx);
        ConversationThread thread = current.threadId() == null ? null : api.switchboard().thread(current.threadId());
        String schedule = body.has("schedule") ? body.requiredString("schedule").strip() : current.schedule();
        String timezone = body.has("timezone") ? blankToNull(body.string("timezone", null)) : current.timezone();
        Instant endTime = body.node().has("end_time") ? endTime(body) : current.endTime();
        boolean enabled = body.has("enabled") ? body.bool("enabled") : current.enabled();
        OnRunCompleted completed = onRunCompleted(body, current.stateless());
        ObjectNode payload = payload(body, caller, thread, current.payload());
        ObjectNode metadata = body.has("metadata") ? body.object("metadata").deepCopy() : current.metadata();
        Cron changed = new Cron(current.cronId(), current.assistantId(), current.threadId(), current.userId(), schedule,
                timezone, endTime, completed != null ? completed : current.onRunCompleted(), enabled, payload,
                metadata, current.nextRunAt(), current.createdAt(), api.switchboard().clock().instant());
        ctx.json(wire(api.switchboard().updateCron(changed)));
    }

    private void delete(Context ctx) {
        Cron cron = owned(ctx);
        api.switchboard().deleteCron(cron.cronId());
        ctx.status(204);
    }

    // ---- search and count ---------------------------------------------------------------------------

    private CronQuery query(Body body, Caller caller, int limit, int offset, CronQuery.SortBy sortBy,
            boolean descending) {
        String assistant = body.string("assistant_id", null);
        UUID assistantId = assistant == null ? null : api.switchboard().assistant(assistant).assistantId();
        String owner = caller.isAnonymous() || caller.isAdmin() ? null : caller.user();
        return new CronQuery(assistantId, body.uuid("thread_id"), body.bool("enabled"), body.object("metadata"), owner,
                sortBy, descending, limit, offset);
    }

    private void search(Context ctx) {
        Body body = Api.body(ctx).allowOnly(SEARCH_FIELDS);
        CronQuery.SortBy sortBy = CronQuery.SortBy.fromWire(body.string("sort_by", "created_at"));
        boolean descending = "desc".equals(body.oneOf("sort_order", "desc", Set.of("asc", "desc")));
        CronQuery q = query(body, Api.caller(ctx), body.integer("limit", 10, 1, 1000),
                body.integer("offset", 0, 0, Integer.MAX_VALUE), sortBy, descending);
        Set<String> select = new LinkedHashSet<>(body.strings("select"));
        for (String field : select) {
            if (!SELECT_FIELDS.contains(field)) {
                throw new InvalidRequest("invalid_field", "select: unknown field '" + field + "'; allowed: "
                        + String.join(", ", SELECT_FIELDS.stream().sorted().toList()));
            }
        }
        ArrayNode out = Json.array();
        for (Cron c : api.switchboard().searchCrons(q)) {
            ObjectNode n = wire(c);
            if (!select.isEmpty()) {
                n.put("now", Wire.time(api.switchboard().clock().instant()));
                n.retain(select);
            }
            out.add(n);
        }
        ctx.json(out);
    }

    private void count(Context ctx) {
        Body body = Api.body(ctx).allowOnly(COUNT_FIELDS);
        ctx.json(api.switchboard().countCrons(query(body, Api.caller(ctx), Integer.MAX_VALUE, 0,
                CronQuery.SortBy.CREATED_AT, false)));
    }

    static ObjectNode wire(Cron c) {
        ObjectNode n = Json.object();
        n.put("cron_id", c.cronId().toString());
        n.put("assistant_id", c.assistantId().toString());
        n.put("thread_id", c.threadId() == null ? null : c.threadId().toString());
        n.put("user_id", c.userId());
        n.put("schedule", c.schedule());
        n.put("timezone", c.timezone());
        n.put("end_time", Wire.time(c.endTime()));
        n.put("next_run_date", Wire.time(c.nextRunAt()));
        n.put("enabled", c.enabled());
        n.put("on_run_completed", c.onRunCompleted() == null ? null : c.onRunCompleted().wireName());
        n.set("payload", c.payload());
        n.set("metadata", c.metadata());
        n.put("created_at", Wire.time(c.createdAt()));
        n.put("updated_at", Wire.time(c.updatedAt()));
        return n;
    }
}
