package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.CheckpointStore;
import dev.switchboard.checkpoint.InMemoryCheckpointStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code PATCH /threads/{id}/state} racing a rollback (found by R2 over HTTP at full size, seed 49897657467771,
 * docs/reliability.md): the patch read the latest checkpoint, a rollback deleted it, and the patch's write (an
 * insert-or-replace) put it back, with a parent the rollback had deleted too: a broken checkpoint chain.
 */
class PatchStateRaceHttpTest {
    /** When set, the next read of a thread's latest checkpoint is followed at once by the deletion of its run's. */
    private final AtomicBoolean rollBackAfterRead = new AtomicBoolean();
    private final TestServer t = TestServer.startWith(null, b -> b.checkpointStore(racing(new InMemoryCheckpointStore())));

    @AfterEach
    void stop() {
        t.close();
    }

    private CheckpointStore racing(CheckpointStore store) {
        return (CheckpointStore) Proxy.newProxyInstance(CheckpointStore.class.getClassLoader(),
                new Class<?>[] {CheckpointStore.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("latest") && result instanceof Optional<?> found && found.isPresent()
                            && found.get() instanceof Checkpoint c && c.runId() != null
                            && rollBackAfterRead.compareAndSet(true, false)) {
                        store.deleteRunAndLater(c.threadId(), c.runId());
                    }
                    return result;
                });
    }

    @Test
    void patchState_racingARollback_neverBringsBackADeletedCheckpoint() {
        String thread = t.newThread();
        t.http.post("/threads/" + thread + "/runs/wait", TestServer.lanesRun("hello there"));
        String first = t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText();
        t.http.post("/threads/" + thread + "/runs/wait", TestServer.lanesRun("and again"));

        rollBackAfterRead.set(true);
        int status = t.http.patch("/threads/" + thread + "/state", Http.obj("metadata", Map.of("note", "x"))).status();

        assertThat(status).isIn(204, 409);
        JsonNode history = t.http.get("/threads/" + thread + "/history?limit=100").json();
        Set<String> ids = new HashSet<>();
        history.forEach(e -> ids.add(e.at("/checkpoint/checkpoint_id").asText()));
        for (JsonNode e : history) {
            JsonNode parent = e.path("parent_checkpoint");
            if (!parent.isNull()) {
                assertThat(ids).as("the parent of %s", e.at("/checkpoint/checkpoint_id").asText())
                        .contains(parent.path("checkpoint_id").asText());
            }
        }
        assertThat(t.http.get("/threads/" + thread + "/state").json().at("/checkpoint/checkpoint_id").asText())
                .as("the latest is the first run's again").isEqualTo(first);
    }
}
