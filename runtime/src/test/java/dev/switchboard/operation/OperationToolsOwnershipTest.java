package dev.switchboard.operation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.store.InMemoryItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §6: {@code check_status} and {@code cancel_operation} act only on an operation of the calling
 * conversation. The status key they fall back to lives in a namespace the caller can write, so a pointer planted
 * there (or an id the model is talked into naming) to another user's operation finds nothing, as an unknown id.
 */
class OperationToolsOwnershipTest {
    private final Clock clock = Clock.systemUTC();
    private final InMemoryOperationStore operations = new InMemoryOperationStore();
    private final InMemoryItemStore store = new InMemoryItemStore(clock);
    private final OperationRunner runner = new OperationRunner(operations, store, clock, "node", Duration.ofSeconds(30));
    private final OperationTools tools = new OperationTools(operations, runner, store, clock);

    private final List<String> aliceNs = List.of("user:alice", "threads", Ids.newId().toString());
    private final List<String> bobNs = List.of("user:bob", "threads", Ids.newId().toString());
    private final Operation bobs = operations.create(operation(bobNs, "bob"));

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void checkStatus_withAPointerPlantedInTheCallersNamespace_toAnotherUsersOperation_findsNothing() throws Exception {
        plantPointer(aliceNs, bobs.operationId());

        String answer = tools.checkStatus().call(Json.object(), context(aliceNs, "alice"));

        assertThat(Json.parse(answer).path("status").asText()).isEqualTo("idle");
        assertThat(answer).doesNotContain(bobs.operationId().toString());
    }

    @Test
    void cancelOperation_withAPlantedPointer_toAnotherUsersOperation_isRefusedAndChangesNothing() {
        plantPointer(aliceNs, bobs.operationId());

        assertThatThrownBy(() -> tools.cancelOperation().call(Json.object(), context(aliceNs, "alice")))
                .isInstanceOf(ToolException.class);

        assertThat(operations.get(bobs.operationId()).orElseThrow().cancelRequested()).isFalse();
    }

    @Test
    void cancelOperation_namingAnotherUsersOperationId_isRefusedAndChangesNothing() {
        ObjectNode args = Json.object().put("operation_id", bobs.operationId().toString());

        assertThatThrownBy(() -> tools.cancelOperation().call(args, context(aliceNs, "alice")))
                .isInstanceOf(ToolException.class);

        assertThat(operations.get(bobs.operationId()).orElseThrow().cancelRequested()).isFalse();
    }

    @Test
    void checkStatus_sameNamespaceButAnotherUser_findsNothing() throws Exception {
        // Anonymous mode shares namespaces by name; the user on the operation still keeps it apart.
        plantPointer(bobNs, bobs.operationId());

        String answer = tools.checkStatus().call(Json.object(), context(bobNs, "mallory"));

        assertThat(Json.parse(answer).path("status").asText()).isEqualTo("idle");
    }

    @Test
    void checkStatus_andCancel_ofTheCallersOwnOperation_work() throws Exception {
        plantPointer(bobNs, bobs.operationId());

        String status = tools.checkStatus().call(Json.object(), context(bobNs, "bob"));
        String cancel = tools.cancelOperation().call(Json.object(), context(bobNs, "bob"));

        assertThat(Json.parse(status).path("operation_id").asText()).isEqualTo(bobs.operationId().toString());
        assertThat(Json.parse(cancel).path("cancel").asText()).isEqualTo("accepted");
        assertThat(operations.get(bobs.operationId()).orElseThrow().cancelRequested()).isTrue();
    }

    @Test
    void aMalformedPlantedPointer_findsNothing_ratherThanFailing() throws Exception {
        store.put(new Namespace(aliceNs), CoordinationKeys.WORKING_TOOL_STATUS,
                Json.object().put("operation_id", "not-a-uuid"), null);

        String answer = tools.checkStatus().call(Json.object(), context(aliceNs, "alice"));

        assertThat(Json.parse(answer).path("status").asText()).isEqualTo("idle");
    }

    private void plantPointer(List<String> namespace, UUID operationId) {
        store.put(new Namespace(namespace), CoordinationKeys.WORKING_TOOL_STATUS,
                Json.object().put("operation_id", operationId.toString()), null);
    }

    private Operation operation(List<String> namespace, String user) {
        Instant now = clock.instant();
        UUID thread = UUID.fromString(namespace.get(2));
        UUID run = Ids.newId();
        return new Operation(Ids.newId(), thread, run, "call_1", "change_package", Json.object(),
                Operation.idempotencyKey(thread, run, "call_1"), namespace, OperationStatus.RUNNING, 10, "checking",
                null, null, false, false, "other-node", now.plusSeconds(30), now, now, user);
    }

    private static ToolContext context(List<String> namespace, String user) {
        return new ToolContext() {
            @Override
            public UUID threadId() {
                return UUID.fromString(namespace.get(2));
            }

            @Override
            public UUID runId() {
                return Ids.newId();
            }

            @Override
            public String toolCallId() {
                return "call_status";
            }

            @Override
            public ObjectNode configurable() {
                return Json.object().put("user_id", user);
            }

            @Override
            public List<String> namespace() {
                return namespace;
            }

            @Override
            public void emit(JsonNode payload) {
            }

            @Override
            public void progress(int percent, String message) {
            }
        };
    }
}
