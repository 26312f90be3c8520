package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.run.CancelAction;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationThread;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /runs/batch} (several stateless runs in one request, all or none) and {@code POST /runs/cancel}
 * (cancel many: by run ids, by thread, by status), as the Agent Server and its SDKs' {@code runs.createBatch} and
 * {@code runs.cancelMany} have them.
 */
final class RunsBulkApi {
    /** A batch is one request's worth of runs; more is a loop on the client's side. */
    static final int MAX_BATCH = 100;

    private final Api api;
    private final RunsApi runs;

    RunsBulkApi(Api api, RunsApi runs) {
        this.api = api;
        this.runs = runs;
    }

    void register(RoutesConfig r) {
        r.post("/runs/batch", this::batch);
        r.post("/runs/cancel", this::cancelMany);
    }

    /**
     * Every item is checked before any starts, and a refused item is named by its index (code of the item's own
     * error, message prefixed {@code runs[i]:}). Should a start still fail (a check that needs the stores), the runs
     * already started are rolled back and their threads removed, so a refused batch leaves nothing behind.
     */
    private void batch(Context ctx) throws InterruptedException {
        JsonNode parsed = parseArray(ctx.body());
        if (parsed.isEmpty()) {
            throw new InvalidRequest("invalid_body", "a batch needs at least one run");
        }
        if (parsed.size() > MAX_BATCH) {
            throw new InvalidRequest("invalid_body", "a batch holds at most " + MAX_BATCH + " runs; got " + parsed.size());
        }
        List<Body> items = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            JsonNode item = parsed.get(i);
            if (!item.isObject()) {
                throw new InvalidRequest("invalid_body", "runs[" + i + "]: each run must be a JSON object");
            }
            ObjectNode fields = (ObjectNode) item;
            // The JavaScript SDK's createBatch sends each payload as given plus assistant_id, so assistantId comes
            // along: the same value twice is one field; two different values are a mistake.
            if (fields.has("assistantId")) {
                if (!fields.get("assistantId").equals(fields.get("assistant_id"))) {
                    throw new InvalidRequest("invalid_field", "runs[" + i + "]: assistantId and assistant_id differ");
                }
                fields.remove("assistantId");
            }
            Body body = Body.of(fields);
            try {
                runs.validate(body, true);
            } catch (SwitchboardException e) {
                throw atIndex(i, e);
            }
            items.add(body);
        }
        List<RunsApi.Started> started = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            try {
                started.add(runs.start(ctx, items.get(i), null));
            } catch (SwitchboardException e) {
                started.reversed().forEach(runs::undo);
                throw atIndex(i, e);
            }
        }
        ArrayNode out = Json.array();
        for (RunsApi.Started s : started) {
            runs.afterBatchRun(s);
            out.add(Wire.run(s.run()));
        }
        ctx.json(out);
    }

    private static JsonNode parseArray(String text) {
        JsonNode parsed = text == null || text.isBlank() ? null : Json.parse(text);
        if (parsed == null || !parsed.isArray()) {
            throw new InvalidRequest("invalid_body", "the request body must be a JSON array of runs");
        }
        return parsed;
    }

    /** The item's own error, its status and code kept, its message saying which item. */
    private static SwitchboardException atIndex(int index, SwitchboardException e) {
        String message = "runs[" + index + "]: " + e.getMessage();
        return switch (e) {
            case SwitchboardException.NotFound nf -> new SwitchboardException.NotFound(message);
            case SwitchboardException.Conflict c -> new SwitchboardException.Conflict(c.code(), message);
            default -> new InvalidRequest(e.code(), message);
        };
    }

    /**
     * Cancels the runs named by {@code run_ids} (each checked to exist and to be the caller's before any is
     * cancelled; with {@code thread_id}, each on that thread), or the active runs of {@code thread_id}, or every
     * active run the caller may see with {@code status} ({@code pending}, {@code running} or {@code all}), with
     * {@code ?action=interrupt|rollback}. Runs that already ended are left as they are. Answers 204.
     */
    private void cancelMany(Context ctx) throws InterruptedException {
        Body body = Api.body(ctx).allowOnly(Set.of("thread_id", "run_ids", "status"));
        String action = ctx.queryParam("action");
        CancelAction cancelAction = action == null ? CancelAction.INTERRUPT : CancelAction.fromWire(action);
        UUID threadId = body.uuid("thread_id");
        String status = body.has("status") ? body.oneOf("status", "all", Set.of("pending", "running", "all")) : null;
        JsonNode rawIds = body.any("run_ids");
        boolean byIds = rawIds != null && !rawIds.isNull();
        if (!byIds && threadId == null && status == null) {
            throw new InvalidRequest("missing_field", "name the runs to cancel: run_ids, thread_id or status");
        }
        if (byIds && status != null) {
            throw new InvalidRequest("invalid_field", "give run_ids or status, not both");
        }
        Caller caller = Api.caller(ctx);
        Map<UUID, Run> targets = new LinkedHashMap<>();
        if (byIds) {
            if (!rawIds.isArray() || rawIds.isEmpty()) {
                throw new InvalidRequest("invalid_field", "run_ids must be a non-empty list of run ids");
            }
            for (JsonNode n : rawIds) {
                UUID runId = Ids.parse("run_ids[]", n.asText());
                Run run = api.switchboard().findRun(runId)
                        .filter(r -> threadId == null || r.threadId().equals(threadId))
                        .orElseThrow(() -> SwitchboardException.NotFound.of("Run", runId));
                // Another user's run is answered as a missing one.
                if (!visible(caller, run)) {
                    throw SwitchboardException.NotFound.of("Run", runId);
                }
                targets.put(runId, run);
            }
        } else if (threadId != null) {
            api.thread(ctx, threadId);
            for (Run r : api.switchboard().runs(threadId, new RunQuery(null, 1000, 0))) {
                if (r.status().isActive() && matches(r, status)) {
                    targets.put(r.runId(), r);
                }
            }
        } else {
            for (Run r : api.switchboard().activeRuns()) {
                if (matches(r, status) && visible(caller, r)) {
                    targets.put(r.runId(), r);
                }
            }
        }
        for (Run r : targets.values()) {
            if (!r.status().isTerminal()) {
                api.switchboard().cancel(r.threadId(), r.runId(), cancelAction, false);
            }
        }
        ctx.status(204);
    }

    private static boolean matches(Run r, String status) {
        return status == null || "all".equals(status) || r.status() == RunStatus.fromWire(status);
    }

    private boolean visible(Caller caller, Run r) {
        try {
            ConversationThread t = api.switchboard().thread(r.threadId());
            return caller.owns(t);
        } catch (SwitchboardException.NotFound gone) {
            return false;
        }
    }
}
