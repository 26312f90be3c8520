package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.agent.Idempotent;
import dev.switchboard.agent.LongRunning;
import dev.switchboard.agent.PointOfNoReturn;
import dev.switchboard.agent.SideEffects;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.testkit.ScriptedLaneModel;
import dev.switchboard.tool.ToolContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A LangChain4j {@code @Tool} method with a {@link ToolContext} parameter runs as an operation and reports progress. */
class AnnotatedToolOperationTest {

    /** A side-effecting booking in three named steps, deduplicated on the idempotency key. */
    public static final class Bookings {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Tool(name = "book_room", value = "Books a hotel room; takes a few seconds.")
        @LongRunning(seconds = 3)
        @SideEffects
        @Idempotent
        @PointOfNoReturn(50)
        public String bookRoom(@P("what to book") String target, ToolContext context) throws Exception {
            context.progress(10, "finding a room");
            context.progress(50, "charging the card");
            if (!applied.contains(context.idempotencyKey())) {
                applied.add(context.idempotencyKey());
            }
            context.progress(90, "sending the confirmation");
            return "booked: " + target;
        }
    }

    private final Bookings bookings = new Bookings();
    private final Switchboard switchboard = Switchboard.builder()
            .graph(LangChain4jAgent.builder("hotel")
                    .model(new ScriptedLaneModel(List.<String[]>of(new String[] {"book", "book_room"})))
                    .systemPrompt("You book rooms.")
                    .tools(bookings)
                    .build())
            .build();

    @AfterEach
    void close() {
        switchboard.close();
    }

    @Test
    void toolContextParameter_reportsProgressAsAnOperation_andTheRunEndsWithTheSynthesis() throws Exception {
        UUID thread = switchboard.createThread(null, null, false).threadId();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "book a room in Oslo");
        Run run = switchboard.submit(RunRequest.of(thread, "hotel", input));
        List<Integer> percents = new ArrayList<>();
        List<String> steps = new ArrayList<>();
        try (Subscription sub = switchboard.subscribe(run.runId(), -1)) {
            while (!sub.isFinished()) {
                Optional<SequencedEvent> next = sub.next(Duration.ofSeconds(10));
                if (next.isEmpty()) {
                    break;
                }
                if (next.get().event() instanceof RunEvent.OperationUpdate u
                        && u.phase() == RunEvent.OperationUpdate.Phase.PROGRESS) {
                    percents.add(u.operation().path("percent").asInt());
                    steps.add(u.operation().path("step").asText());
                }
            }
        }
        assertThat(switchboard.await(run.runId(), Duration.ofSeconds(10))).get().extracting(Run::status)
                .isEqualTo(RunStatus.SUCCESS);
        assertThat(percents).containsSubsequence(10, 50, 90);
        assertThat(steps).contains("finding a room", "charging the card", "sending the confirmation");
        Operation op = switchboard.operations(thread).getFirst();
        assertThat(op.toolName()).isEqualTo("book_room");
        assertThat(op.status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(op.result()).isEqualTo("booked: book a room in oslo");
        assertThat(bookings.applied).containsExactly(op.idempotencyKey());
        assertThat(switchboard.state(thread, null).orElseThrow().values().path("messages").toString())
                .contains("SYNTHESIS: book_room succeeded");
    }
}
