package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.server.Version;

/**
 * The OpenAPI 3.1 description served at {@code /openapi.json}: every route with its parameters, request body
 * and answers, and the wire objects as schemas. Written as a table next to the routes it describes.
 */
public final class OpenApi {
    private final ObjectNode doc = Json.object();
    private final ObjectNode paths;
    private final ObjectNode schemas;

    private OpenApi() {
        doc.put("openapi", "3.1.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Switchboard");
        info.put("version", Version.VERSION);
        info.put("description", "The LangGraph Agent Protocol with Switchboard's extensions: operations, "
                + "superseded_input, lanes and /api/agent/run. Errors are {detail, code} with a 4xx status.");
        doc.putArray("servers").addObject().put("url", "/");
        ObjectNode security = doc.putObject("components").putObject("securitySchemes");
        security.putObject("apiKey").put("type", "apiKey").put("in", "header").put("name", "x-api-key");
        security.putObject("bearer").put("type", "http").put("scheme", "bearer")
                .put("description", "an API key, or a JWT from the configured OIDC issuer");
        security.putObject("visitor").put("type", "apiKey").put("in", "header").put("name", "X-Switchboard-Visitor")
                .put("description", "without sign-in only: the visitor id whose demo account the tools act on");
        schemas = ((ObjectNode) doc.get("components")).putObject("schemas");
        paths = doc.putObject("paths");
    }

    public static ObjectNode document() {
        OpenApi o = new OpenApi();
        o.defineSchemas();
        o.defineRoutes();
        return o.doc;
    }

    private static ObjectNode ref(String name) {
        return Json.object().put("$ref", "#/components/schemas/" + name);
    }

    private static ObjectNode arrayOf(String name) {
        ObjectNode a = Json.object().put("type", "array");
        a.set("items", ref(name));
        return a;
    }

    private ObjectNode object(String name, String description, String... props) {
        ObjectNode s = schemas.putObject(name);
        s.put("type", "object");
        s.put("description", description);
        ObjectNode p = s.putObject("properties");
        for (int i = 0; i + 1 < props.length; i += 2) {
            String type = props[i + 1];
            ObjectNode prop = type.startsWith("#") ? ref(type.substring(1)) : Json.object().put("type", type);
            p.set(props[i], prop);
        }
        return s;
    }

    private void defineSchemas() {
        object("Error", "Every 4xx answer.", "detail", "string", "code", "string");
        object("Cron", "A scheduled run. next_run_date is null once it fires no more (disabled or past end_time).",
                "cron_id", "string", "assistant_id", "string", "thread_id", "string", "user_id", "string",
                "schedule", "string", "timezone", "string", "end_time", "string", "next_run_date", "string",
                "enabled", "boolean", "on_run_completed", "string", "payload", "object", "metadata", "object",
                "created_at", "string", "updated_at", "string");
        object("CronCreate", "Five-field cron schedule (minute hour day-of-month month day-of-week, or @daily…) in "
                + "an IANA timezone (UTC by default), plus the run-create fields each firing submits.",
                "schedule", "string", "timezone", "string", "end_time", "string", "enabled", "boolean",
                "on_run_completed", "string", "assistant_id", "string", "input", "object", "config", "object",
                "context", "object", "metadata", "object", "multitask_strategy", "string", "stream_mode", "array",
                "webhook", "string");
        object("Assistant", "A configured agent.", "assistant_id", "string", "graph_id", "string", "config", "object",
                "context", "object", "metadata", "object", "version", "integer", "name", "string", "description",
                "string", "created_at", "string", "updated_at", "string");
        object("Thread", "One conversation.", "thread_id", "string", "created_at", "string", "updated_at", "string",
                "metadata", "object", "status", "string", "config", "object", "values", "object", "interrupts", "object");
        object("ThreadState", "A thread's state at a checkpoint.", "values", "object", "next", "array", "tasks", "array",
                "checkpoint", "object", "parent_checkpoint", "object", "metadata", "object", "created_at", "string");
        object("Run", "One invocation of an assistant on a thread.", "run_id", "string", "thread_id", "string",
                "assistant_id", "string", "created_at", "string", "updated_at", "string", "status", "string",
                "metadata", "object", "kwargs", "object", "multitask_strategy", "string", "lane", "string");
        ObjectNode create = object("RunCreate", "Run creation body.", "assistant_id", "string", "input", "object",
                "metadata", "object", "config", "object", "context", "object", "checkpoint_id", "string",
                "stream_mode", "array", "stream_resumable", "boolean", "on_disconnect", "string",
                "multitask_strategy", "string", "if_not_exists", "string", "after_seconds", "number", "webhook",
                "string", "on_completion", "string", "superseded_input", "string", "stream_subgraphs", "boolean");
        create.putArray("required").add("assistant_id");
        ObjectNode strategy = (ObjectNode) create.get("properties").get("multitask_strategy");
        strategy.putArray("enum").add("reject").add("enqueue").add("interrupt").add("rollback");
        strategy.put("default", "enqueue");
        ((ObjectNode) create.get("properties").get("superseded_input")).putArray("enum").add("drop").add("carry");
        object("Item", "A store item.", "namespace", "array", "key", "string", "value", "object", "created_at", "string",
                "updated_at", "string");
        object("Operation", "One execution of a long-running tool.", "operation_id", "string", "thread_id", "string",
                "run_id", "string", "tool_call_id", "string", "tool", "string", "arguments", "object",
                "idempotency_key", "string", "status", "string", "percent", "integer", "message", "string", "result",
                "string", "error", "string", "cancel_requested", "boolean", "reported", "boolean");
        object("AgentRun", "The seed's simple run body.", "user_id", "string", "task", "string", "assistant_id", "string");
    }

    private ObjectNode op(String method, String path, String summary, String tag) {
        ObjectNode item = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
        ObjectNode o = item.putObject(method);
        o.put("summary", summary);
        o.putArray("tags").add(tag);
        ArrayNode params = o.putArray("parameters");
        var m = java.util.regex.Pattern.compile("\\{([a-z_]+)}").matcher(path);
        while (m.find()) {
            params.addObject().put("name", m.group(1)).put("in", "path").put("required", true)
                    .putObject("schema").put("type", "string");
        }
        ObjectNode responses = o.putObject("responses");
        for (String code : new String[] {"400", "401", "404", "409", "413", "422"}) {
            responses.putObject(code).put("description", "error")
                    .putObject("content").putObject("application/json").set("schema", ref("Error"));
        }
        // Conditions that pass by themselves; both carry Retry-After, and nothing of the request was kept.
        unavailable(responses, "503", "the database is busy or unreachable (code store_unavailable); retry after Retry-After");
        unavailable(responses, "507", "the database cannot write, its disk is full (code store_full); retry after Retry-After");
        return o;
    }

    private static void unavailable(ObjectNode responses, String code, String description) {
        ObjectNode r = responses.putObject(code);
        r.put("description", description);
        r.putObject("headers").putObject("Retry-After").putObject("schema").put("type", "integer");
        r.putObject("content").putObject("application/json").set("schema", ref("Error"));
    }

    private static void body(ObjectNode op, ObjectNode schema) {
        op.putObject("requestBody").putObject("content").putObject("application/json").set("schema", schema);
    }

    private static void ok(ObjectNode op, String code, ObjectNode schema, String contentType) {
        ObjectNode r = ((ObjectNode) op.get("responses")).putObject(code);
        r.put("description", "success");
        if (schema != null) {
            r.putObject("content").putObject(contentType).set("schema", schema);
        }
    }

    private static void ok(ObjectNode op, ObjectNode schema) {
        ok(op, "200", schema, "application/json");
    }

    private static void query(ObjectNode op, String name, String type) {
        ((ArrayNode) op.get("parameters")).addObject().put("name", name).put("in", "query")
                .putObject("schema").put("type", type);
    }

    private void defineRoutes() {
        ok(op("get", "/ok", "Health", "meta"), Json.object().put("type", "object"));
        ok(op("get", "/info", "Server info", "meta"), Json.object().put("type", "object"));
        ok(op("get", "/metrics", "Prometheus metrics", "meta"), "200", Json.object().put("type", "string"), "text/plain");
        ObjectNode createAssistant = op("post", "/assistants", "Create an assistant of a served graph (version 1; "
                + "with sign-in, the caller's own); config.configurable may set system_prompt and tools (a subset of "
                + "the graph's tool names)", "assistants");
        body(createAssistant, object("AssistantCreate", "A new assistant.", "graph_id", "string", "assistant_id",
                "string", "config", "object", "context", "object", "metadata", "object", "if_exists", "string",
                "name", "string", "description", "string"));
        ok(createAssistant, ref("Assistant"));
        ObjectNode patchAssistant = op("patch", "/assistants/{assistant_id}", "Make a new version: config and "
                + "context replaced, metadata merged (409 builtin_assistant for a built-in one)", "assistants");
        body(patchAssistant, object("AssistantPatch", "What changes.", "graph_id", "string", "config", "object",
                "context", "object", "metadata", "object", "name", "string", "description", "string"));
        ok(patchAssistant, ref("Assistant"));
        ObjectNode deleteAssistant = op("delete", "/assistants/{assistant_id}", "Delete an assistant and its "
                + "versions; delete_threads=true also deletes its threads (409, nothing deleted, if one is busy)",
                "assistants");
        query(deleteAssistant, "delete_threads", "boolean");
        ok(deleteAssistant, Json.object().put("type", "array"));
        ObjectNode assistantVersions = op("post", "/assistants/{assistant_id}/versions", "An assistant's versions, "
                + "newest first", "assistants");
        body(assistantVersions, object("AssistantVersionSearch", "A page of versions.", "limit", "integer",
                "offset", "integer", "metadata", "object"));
        ok(assistantVersions, Json.object().put("type", "array"));
        ObjectNode latest = op("post", "/assistants/{assistant_id}/latest", "Make a stored version the live one "
                + "(body {version} or query version)", "assistants");
        query(latest, "version", "integer");
        body(latest, object("AssistantLatestVersion", "The version to make live.", "version", "integer"));
        ok(latest, ref("Assistant"));
        ok(op("post", "/assistants/search", "Search assistants", "assistants"), arrayOf("Assistant"));
        ok(op("post", "/assistants/count", "Count assistants", "assistants"), Json.object().put("type", "integer"));
        ok(op("get", "/assistants/{assistant_id}", "Get an assistant (id or graph id)", "assistants"), ref("Assistant"));
        ok(op("get", "/assistants/{assistant_id}/schemas", "Assistant schemas", "assistants"), Json.object().put("type", "object"));
        ok(op("get", "/assistants/{assistant_id}/graph", "Assistant graph", "assistants"), Json.object().put("type", "object"));
        ok(op("get", "/assistants/{assistant_id}/subgraphs", "Assistant subgraphs (none)", "assistants"),
                Json.object().put("type", "object"));

        ObjectNode create = op("post", "/threads", "Create a thread (if_exists raise|do_nothing; ttl "
                + "{strategy: delete|keep_latest, ttl: minutes}, counted from the thread's last update)", "threads");
        body(create, object("ThreadCreate", "A new thread.", "thread_id", "string", "metadata", "object",
                "if_exists", "string", "graph_id", "string", "ttl", "object"));
        ok(create, ref("Thread"));
        ok(op("post", "/threads/search", "Search threads (select: fields to return; extract: "
                + "name → path such as values.messages[-1].content, answered under extracted)", "threads"), arrayOf("Thread"));
        ok(op("post", "/threads/count", "Count threads", "threads"), Json.object().put("type", "integer"));
        ObjectNode getThread = op("get", "/threads/{thread_id}", "Get a thread (include=ttl adds its ttl and "
                + "expires_at)", "threads");
        query(getThread, "include", "string");
        ok(getThread, ref("Thread"));
        ObjectNode patchThread = op("patch", "/threads/{thread_id}", "Merge thread metadata; set its ttl "
                + "(null clears it)", "threads");
        body(patchThread, object("ThreadPatch", "What to change.", "metadata", "object", "ttl", "object"));
        ok(patchThread, ref("Thread"));
        ok(op("delete", "/threads/{thread_id}", "Delete a thread, its runs, checkpoints and operations", "threads"), "204", null, "");
        ok(op("post", "/threads/{thread_id}/copy", "Copy a thread", "threads"), ref("Thread"));
        ok(op("get", "/threads/{thread_id}/state", "Latest state", "threads"), ref("ThreadState"));
        ok(op("get", "/threads/{thread_id}/state/{checkpoint_id}", "State at a checkpoint", "threads"), ref("ThreadState"));
        ok(op("post", "/threads/{thread_id}/state/checkpoint", "State at a checkpoint", "threads"), ref("ThreadState"));
        ok(op("post", "/threads/{thread_id}/state", "Update state (forks a checkpoint)", "threads"), Json.object().put("type", "object"));
        ObjectNode history = op("get", "/threads/{thread_id}/history", "History, newest first", "threads");
        query(history, "limit", "integer");
        query(history, "before", "string");
        ok(history, arrayOf("ThreadState"));
        ok(op("post", "/threads/{thread_id}/history", "History, newest first", "threads"), arrayOf("ThreadState"));

        for (String base : new String[] {"/threads/{thread_id}/runs", "/runs"}) {
            ObjectNode bg = op("post", base, "Create a background run", "runs");
            body(bg, ref("RunCreate"));
            ok(bg, ref("Run"));
            ObjectNode stream = op("post", base + "/stream", "Create a run and stream its events (SSE)", "runs");
            body(stream, ref("RunCreate"));
            ok(stream, "200", Json.object().put("type", "string"), "text/event-stream");
            ObjectNode wait = op("post", base + "/wait", "Create a run and wait for its final values", "runs");
            body(wait, ref("RunCreate"));
            ok(wait, Json.object().put("type", "object"));
        }
        ObjectNode batch = op("post", "/runs/batch", "Create several stateless runs; every item is checked first, "
                + "a refused item is named by index (runs[i]) and nothing is started", "runs");
        ObjectNode batchBody = Json.object().put("type", "array");
        batchBody.set("items", ref("RunCreate"));
        body(batch, batchBody);
        ok(batch, arrayOf("Run"));
        ObjectNode cancelMany = op("post", "/runs/cancel", "Cancel runs by run_ids (with thread_id), by thread_id, or "
                + "by status (pending, running, all)", "runs");
        query(cancelMany, "action", "string");
        body(cancelMany, object("RunsCancel", "Which runs to cancel.", "thread_id", "string", "run_ids", "array",
                "status", "string"));
        ok(cancelMany, "204", null, "");
        ObjectNode prune = op("post", "/threads/prune", "Prune the named threads the caller owns: strategy delete "
                + "deletes them, keep_latest keeps only each one's latest checkpoint (older ones and finished runs go); "
                + "409 and nothing pruned when one has an operation (or, for keep_latest, a run) in flight", "threads");
        body(prune, object("ThreadsPrune", "Threads to prune.", "thread_ids", "array", "strategy", "string"));
        ok(prune, Json.object().put("type", "object"));
        ObjectNode threadStream = op("get", "/threads/{thread_id}/stream", "Every run of the thread as it runs (SSE; "
                + "ids <run_id>_<n>, resumable with Last-Event-ID)", "threads");
        query(threadStream, "stream_mode", "string");
        ok(threadStream, "200", Json.object().put("type", "string"), "text/event-stream");
        ObjectNode patchState = op("patch", "/threads/{thread_id}/state", "Merge metadata into the latest "
                + "checkpoint's metadata", "threads");
        body(patchState, object("ThreadStatePatch", "Metadata to merge.", "metadata", "object"));
        ok(patchState, "204", null, "");
        ObjectNode list = op("get", "/threads/{thread_id}/runs", "List runs, newest first", "runs");
        query(list, "limit", "integer");
        query(list, "offset", "integer");
        query(list, "status", "string");
        query(list, "select", "string");
        ok(list, arrayOf("Run"));
        ok(op("get", "/threads/{thread_id}/runs/{run_id}", "Get a run", "runs"), ref("Run"));
        ok(op("delete", "/threads/{thread_id}/runs/{run_id}", "Delete a run and its checkpoints", "runs"), "204", null, "");
        ObjectNode cancel = op("post", "/threads/{thread_id}/runs/{run_id}/cancel", "Cancel a run", "runs");
        query(cancel, "wait", "boolean");
        query(cancel, "action", "string");
        ok(cancel, ref("Run"));
        ok(op("get", "/threads/{thread_id}/runs/{run_id}/join", "Wait for a run's final values", "runs"), Json.object().put("type", "object"));
        ObjectNode join = op("get", "/threads/{thread_id}/runs/{run_id}/stream", "Join a run's stream (Last-Event-ID)", "runs");
        query(join, "stream_mode", "string");
        query(join, "cancel_on_disconnect", "boolean");
        ok(join, "200", Json.object().put("type", "string"), "text/event-stream");
        ok(op("get", "/runs/{run_id}/stream", "Join a stateless run's stream", "runs"), "200", Json.object().put("type", "string"), "text/event-stream");

        for (String base : new String[] {"/threads/{thread_id}/runs/crons", "/runs/crons"}) {
            ObjectNode cron = op("post", base, base.startsWith("/threads") ? "Schedule runs on a thread"
                    : "Schedule runs, each on a new thread (on_run_completed delete|keep)", "crons");
            body(cron, ref("CronCreate"));
            ok(cron, ref("Cron"));
        }
        ObjectNode cronSearch = op("post", "/runs/crons/search", "Search your crons (sort_by, sort_order, select)", "crons");
        body(cronSearch, Json.object().put("type", "object"));
        ok(cronSearch, arrayOf("Cron"));
        ok(op("post", "/runs/crons/count", "Count your crons", "crons"), Json.object().put("type", "integer"));
        ok(op("get", "/runs/crons/{cron_id}", "Get a cron", "crons"), ref("Cron"));
        ObjectNode cronPatch = op("patch", "/runs/crons/{cron_id}", "Update a cron (end_time null clears it)", "crons");
        body(cronPatch, Json.object().put("type", "object"));
        ok(cronPatch, ref("Cron"));
        ok(op("delete", "/runs/crons/{cron_id}", "Delete a cron", "crons"), "204", null, "");

        ObjectNode mcp = op("post", "/mcp", "MCP (streamable HTTP, stateless): every assistant as a tool", "mcp");
        body(mcp, Json.object().put("type", "object"));
        ok(mcp, Json.object().put("type", "object"));
        ObjectNode card = op("get", "/.well-known/agent-card.json", "An assistant's A2A agent card", "a2a");
        query(card, "assistant_id", "string");
        ok(card, Json.object().put("type", "object"));
        ok(op("get", "/a2a/{assistant_id}", "The assistant's A2A agent card", "a2a"), Json.object().put("type", "object"));
        ObjectNode a2a = op("post", "/a2a/{assistant_id}", "A2A JSON-RPC 2.0: message/send, message/stream (SSE), tasks/get", "a2a");
        body(a2a, Json.object().put("type", "object"));
        ok(a2a, Json.object().put("type", "object"));

        ok(op("put", "/store/items", "Put an item (index: false or field paths, with SWITCHBOARD_STORE_INDEX)", "store"), "204", null, "");
        ObjectNode get = op("get", "/store/items", "Get an item (namespace dot-joined)", "store");
        query(get, "namespace", "string");
        query(get, "key", "string");
        query(get, "refresh_ttl", "boolean");
        ok(get, ref("Item"));
        ok(op("delete", "/store/items", "Delete an item", "store"), "204", null, "");
        ok(op("post", "/store/items/search", "Search items by namespace prefix and filter ($eq $ne $gt $gte $lt $lte); with query, by meaning, with scores; refresh_ttl pushes each found item's expiry back by its ttl", "store"), Json.object().put("type", "object"));
        ok(op("post", "/store/namespaces", "List namespaces", "store"), Json.object().put("type", "object"));

        ok(op("get", "/threads/{thread_id}/operations", "A thread's operations", "operations"), arrayOf("Operation"));
        ok(op("get", "/operations/{operation_id}", "Get an operation", "operations"), ref("Operation"));
        ok(op("post", "/operations/{operation_id}/cancel", "Cancel an operation before its point of no return (200 accepted or already finished; 409 past its point of no return; 202 unknown: the instance executing it did not answer in time, the request is recorded)", "operations"), ref("Operation"));

        ObjectNode agentRun = op("post", "/api/agent/run", "Run a task on the user's thread (double-texts roll back and carry over)", "agent");
        body(agentRun, ref("AgentRun"));
        ok(agentRun, "202", Json.object().put("type", "object"), "application/json");
        ObjectNode events = op("get", "/api/agent/events", "The user's event channel (SSE)", "agent");
        query(events, "user_id", "string");
        ok(events, "200", Json.object().put("type", "string"), "text/event-stream");
    }
}
