package dev.switchboard.operation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The runtime's own quick tools for the secondary lane: {@code check_status} reads the conversation's
 * operation, {@code cancel_operation} cancels it if it has not passed its point of no return. Both find the
 * operation through the coordination namespace's {@code working-tool-status-update} key unless the model
 * names one.
 */
public final class OperationTools {
    public static final String CHECK_STATUS = "check_status";
    public static final String CANCEL_OPERATION = "cancel_operation";

    private final OperationStore operations;
    private final OperationRunner runner;
    private final ItemStore store;
    private final Clock clock;

    public OperationTools(OperationStore operations, OperationRunner runner, ItemStore store, Clock clock) {
        this.operations = operations;
        this.runner = runner;
        this.store = store;
        this.clock = clock;
    }

    private static ObjectNode operationIdSchema() {
        ObjectNode schema = ToolSpec.emptySchema();
        schema.with("properties").putObject("operation_id").put("type", "string")
                .put("description", "optional; defaults to the conversation's current operation");
        return schema;
    }

    public Tool checkStatus() {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick(CHECK_STATUS,
                        "Reports the progress of the long-running operation in this conversation: tool, status, "
                                + "percent and current step.", operationIdSchema());
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) {
                return find(arguments, context).map(op -> Json.write(describe(op)))
                        .orElse("{\"status\":\"idle\",\"message\":\"No operation is in progress.\"}");
            }
        };
    }

    public Tool cancelOperation() {
        return new Tool() {
            @Override
            public ToolSpec spec() {
                return ToolSpec.quick(CANCEL_OPERATION,
                        "Cancels the long-running operation in this conversation if it has not passed its point "
                                + "of no return.", operationIdSchema());
            }

            @Override
            public String call(ObjectNode arguments, ToolContext context) throws ToolException {
                Operation op = find(arguments, context)
                        .orElseThrow(() -> new ToolException("there is no operation in progress to cancel"));
                CancelOutcome outcome = runner.cancel(op.operationId());
                ObjectNode answer = describe(outcome.operation());
                answer.put("cancel", outcome.result().wireName());
                answer.put("explanation", outcome.explanation());
                return Json.write(answer);
            }
        };
    }

    /** The status a model (and a person) reads: what, how far, which step, since when. */
    public ObjectNode describe(Operation op) {
        ObjectNode node = Json.object();
        node.put("operation_id", op.operationId().toString());
        node.put("tool", op.toolName());
        node.put("status", op.status().wireName());
        node.put("percent", op.percent());
        node.put("step", op.message());
        node.put("elapsed_seconds", Duration.between(op.createdAt(), clock.instant()).toSeconds());
        if (op.result() != null) {
            node.put("result", op.result());
        }
        if (op.error() != null) {
            node.put("error", op.error());
        }
        node.put("cancel_requested", op.cancelRequested());
        return node;
    }

    /**
     * The operation a status tool acts on: the one the model names, or the one the coordination namespace's
     * status key points at. Either way it must belong to this conversation (same coordination namespace, same
     * user): the status key lives in a namespace the caller can write, so a planted pointer to another user's
     * operation finds nothing, exactly as an unknown id does.
     */
    private Optional<Operation> find(ObjectNode arguments, ToolContext context) {
        JsonNode named = arguments.get("operation_id");
        String text;
        if (named != null && named.isTextual() && !named.asText().isBlank()) {
            text = named.asText();
        } else {
            text = store.get(new Namespace(context.namespace()), CoordinationKeys.WORKING_TOOL_STATUS)
                    .map(item -> item.value().path("operation_id").asText(""))
                    .orElse("");
        }
        if (text.isEmpty()) {
            return Optional.empty();
        }
        UUID id;
        try {
            id = Ids.parse("operation_id", text);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        String user = userOf(context.configurable());
        return operations.get(id).filter(op -> op.namespace().equals(context.namespace())
                && Objects.equals(op.userId(), user));
    }

    private static String userOf(ObjectNode configurable) {
        JsonNode user = configurable == null ? null : configurable.get(Operation.USER_KEY);
        return user != null && user.isTextual() && !user.asText().isBlank() ? user.asText() : null;
    }
}
