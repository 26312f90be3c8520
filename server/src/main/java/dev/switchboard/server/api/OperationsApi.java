package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.operation.CancelOutcome;
import dev.switchboard.operation.Operation;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.UUID;

/** Extensions: {@code GET /threads/{id}/operations}, {@code GET /operations/{id}}, {@code POST /operations/{id}/cancel}. */
public final class OperationsApi {
    private final Api api;

    public OperationsApi(Api api) {
        this.api = api;
    }

    public void register(RoutesConfig r) {
        r.get("/threads/{thread_id}/operations", this::list);
        r.get("/operations/{operation_id}", ctx -> ctx.json(Wire.operation(operation(ctx))));
        r.post("/operations/{operation_id}/cancel", this::cancel);
    }

    private void list(Context ctx) {
        UUID threadId = Api.pathId(ctx, "thread_id");
        api.thread(ctx, threadId);
        ArrayNode out = Json.array();
        api.switchboard().operations(threadId).forEach(o -> out.add(Wire.operation(o)));
        ctx.json(out);
    }

    private Operation operation(Context ctx) {
        Operation op = api.switchboard().operation(Api.pathId(ctx, "operation_id"));
        api.thread(ctx, op.threadId());
        return op;
    }

    private void cancel(Context ctx) {
        Operation op = operation(ctx);
        CancelOutcome outcome = api.switchboard().cancelOperation(op.operationId());
        ObjectNode body = Wire.operation(outcome.operation());
        body.put("cancel", outcome.result().wireName());
        body.put("explanation", outcome.explanation());
        if (outcome.result() == CancelOutcome.Result.REFUSED_POINT_OF_NO_RETURN) {
            // A 409 is an error answer: it carries {detail, code} like every other one, plus the operation.
            body.put("detail", outcome.explanation());
            body.put("code", outcome.result().wireName());
            ctx.status(409).json(body);
            return;
        }
        // Unknown: the executing instance did not answer in time; the request is recorded, not yet accepted.
        ctx.status(outcome.result() == CancelOutcome.Result.UNKNOWN ? 202 : 200).json(body);
    }
}
