package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import dev.switchboard.message.History;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.ConversationState;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md §5: with PostgreSQL, a double-text reaches the run on whichever instance executes it, and the
 * new run is executed (and streamed) by the instance that admitted it.
 */
class TwoInstanceDoubleTextTest {
    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private Switchboard instance(String id) {
        Database database = db.open(Clock.systemUTC());
        return Switchboard.builder().instanceId(id).cluster(database::cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items()).assistantStore(database.assistants())
                .graph(ScriptedAgent.graph()).build();
    }

    private static RunRequest say(UUID thread, String text, MultitaskStrategy strategy, int tokens, int delayMs) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", tokens).put("delay_ms", delayMs);
        return RunRequest.of(thread, "scripted", input).withStrategy(strategy).withConfig(config);
    }

    @Test
    void interrupt_admittedOnAnotherInstance_cancelsTheRunWhereItExecutes() throws Exception {
        try (Switchboard a = instance("instance-a"); Switchboard b = instance("instance-b")) {
            UUID thread = a.createThread(null, null, false).threadId();
            Run first = a.submit(say(thread, "first", MultitaskStrategy.ENQUEUE, 100_000, 5));
            try (Subscription sub = a.subscribe(first.runId(), -1)) {
                Optional<SequencedEvent> e;
                do {
                    e = sub.next(Duration.ofSeconds(20));
                } while (e.isPresent() && !(e.get().event() instanceof RunEvent.MessageChunk));
            }
            // Both instances listen from construction on, so B's signal reaches A.
            Run second = b.submit(say(thread, "second", MultitaskStrategy.INTERRUPT, 3, 0));

            Optional<Run> firstEnded = a.await(first.runId(), Duration.ofSeconds(30));
            assertThat(firstEnded).get().extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
            Optional<Run> secondEnded = b.await(second.runId(), Duration.ofSeconds(30));
            assertThat(secondEnded).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(b.eventLog(second.runId())).as("the admitting instance executed and streamed it")
                    .get().extracting(l -> l.lastSequence()).matches(n -> n > 3);
            var messages = ConversationState.fromJson(b.state(thread, null).orElseThrow().values()).messages();
            assertThat(messages).extracting(m -> m.content()).containsExactly("first", "second",
                    "reply to \"second\": t1 t2");
            assertThat(History.violations(messages)).isEmpty();
        }
    }

    @Test
    void join_onAnotherInstance_streamsEveryEventOfTheRunInOrder() throws Exception {
        try (Switchboard a = instance("instance-a"); Switchboard b = instance("instance-b")) {
            UUID thread = a.createThread(null, null, false).threadId();
            Run run = a.submit(say(thread, "please use the tool", MultitaskStrategy.ENQUEUE, 30, 20));
            java.util.List<RunEvent> seenOnB = new java.util.ArrayList<>();
            java.util.List<Long> sequencesOnB = new java.util.ArrayList<>();
            try (Subscription sub = b.subscribe(run.runId(), -1)) {
                while (!sub.isFinished()) {
                    Optional<SequencedEvent> e = sub.next(Duration.ofSeconds(30));
                    assertThat(e).as("events keep arriving on B").isPresent();
                    seenOnB.add(e.get().event());
                    sequencesOnB.add(e.get().sequence());
                }
            }
            java.util.List<RunEvent> onA = new java.util.ArrayList<>();
            try (Subscription sub = a.subscribe(run.runId(), -1)) {
                while (!sub.isFinished()) {
                    sub.next(Duration.ofSeconds(5)).ifPresent(e -> onA.add(e.event()));
                }
            }
            assertThat(seenOnB).isEqualTo(onA);
            for (int i = 0; i < sequencesOnB.size(); i++) {
                assertThat(sequencesOnB.get(i)).isEqualTo(i);
            }
            assertThat(seenOnB).anyMatch(e -> e instanceof RunEvent.Custom c && c.payload().path("phase").asText().equals("start"));
            assertThat(seenOnB.getLast()).isInstanceOf(RunEvent.End.class);
        }
    }
}
