package dev.switchboard.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.event.RunEvent;
import dev.switchboard.event.SequencedEvent;
import dev.switchboard.event.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checkpoints per step, history, update_state forks, and what a run's stream carries. */
class StateAndStreamTest {
    private final RuntimeHarness h = new RuntimeHarness();

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void run_withToolCall_writesACheckpointPerStepChainedByParent() throws Exception {
        UUID thread = h.newThread();
        Run run = h.start(thread, "use the tool", MultitaskStrategy.ENQUEUE, 3, 0, 1);
        h.awaitEnd(run);

        List<Checkpoint> history = h.switchboard.history(thread, 100, null);
        assertThat(history).extracting(Checkpoint::step).containsExactly(2, 1, 0, -1);
        assertThat(history).extracting(c -> c.source().wireName()).containsExactly("loop", "loop", "loop", "input");
        assertThat(history).allMatch(c -> run.runId().equals(c.runId()));
        assertThat(history.get(0).next()).isEmpty();
        assertThat(history.get(1).next()).containsExactly("agent");
        assertThat(history.get(2).next()).containsExactly("tools");
        for (int i = 0; i < history.size() - 1; i++) {
            assertThat(history.get(i).parentId()).isEqualTo(history.get(i + 1).checkpointId());
        }
        assertThat(h.switchboard.history(thread, 2, history.get(1).checkpointId()))
                .extracting(Checkpoint::checkpointId)
                .containsExactly(history.get(2).checkpointId(), history.get(3).checkpointId());
        assertThat(h.switchboard.thread(thread).values()).isEqualTo(history.get(0).values());
    }

    @Test
    void updateState_fromAnOlderCheckpoint_forksANewLatestCheckpoint() throws Exception {
        UUID thread = h.newThread();
        h.awaitEnd(h.startQuick(thread, "one", MultitaskStrategy.ENQUEUE));
        Checkpoint afterFirst = h.switchboard.state(thread, null).orElseThrow();
        h.awaitEnd(h.startQuick(thread, "two", MultitaskStrategy.ENQUEUE));

        ObjectNode values = Json.object();
        values.putArray("messages").addObject().put("type", "human").put("content", "edited");
        values.put("mood", "curious");
        Checkpoint fork = h.switchboard.updateState(thread, values, "agent", afterFirst.checkpointId());

        assertThat(fork.parentId()).isEqualTo(afterFirst.checkpointId());
        assertThat(h.switchboard.state(thread, null)).get().extracting(Checkpoint::checkpointId)
                .isEqualTo(fork.checkpointId());
        assertThat(h.transcript(thread)).containsExactly("human:one", "ai:reply to \"one\": t1 t2", "human:edited");
        assertThat(fork.values().path("mood").asText()).isEqualTo("curious");
        assertThat(h.switchboard.state(thread, afterFirst.checkpointId())).get()
                .extracting(c -> c.values().path("messages").size()).isEqualTo(2);

        Run next = h.startQuick(thread, "three", MultitaskStrategy.ENQUEUE);
        h.awaitEnd(next);
        assertThat(h.transcript(thread)).hasSize(5).endsWith("human:three", "ai:reply to \"three\": t1 t2");
    }

    @Test
    void updateState_whileARunIsActive_isAConflict() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startLong(thread, "busy", MultitaskStrategy.ENQUEUE);
        h.awaitFirstToken(run);
        assertThatThrownBy(() -> h.switchboard.updateState(thread, Json.object(), null, null))
                .isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("thread_busy"));
        h.switchboard.cancel(thread, run.runId(), CancelAction.INTERRUPT, true);
    }

    @Test
    void stream_ofARun_carriesMetadataValuesTokensUpdatesAndEndInOrder() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, "hi", MultitaskStrategy.ENQUEUE);
        List<RunEvent> events = h.events(run.runId());

        assertThat(events.getFirst()).isInstanceOfSatisfying(RunEvent.Metadata.class,
                m -> assertThat(m.runId()).isEqualTo(run.runId()));
        assertThat(events.get(1)).isInstanceOf(RunEvent.MessageComplete.class);
        assertThat(events.get(2)).isInstanceOfSatisfying(RunEvent.Values.class,
                v -> assertThat(v.values().path("messages").size()).isEqualTo(1));
        List<String> tokens = events.stream().filter(e -> e instanceof RunEvent.MessageChunk)
                .map(e -> ((RunEvent.MessageChunk) e).chunk().path("content").asText()).toList();
        assertThat(tokens).containsExactly("reply to \"hi\":", " t1", " t2");
        assertThat(events).filteredOn(e -> e instanceof RunEvent.Updates).singleElement()
                .satisfies(e -> assertThat(((RunEvent.Updates) e).node()).isEqualTo("agent"));
        assertThat(events.getLast()).isInstanceOf(RunEvent.End.class);
        assertThat(events.get(events.size() - 2)).isInstanceOfSatisfying(RunEvent.Values.class,
                v -> assertThat(v.values().path("messages").size()).isEqualTo(2));
    }

    @Test
    void stream_resumedAfterASequence_missesNothingAndRepeatsNothing() throws Exception {
        UUID thread = h.newThread();
        Run run = h.start(thread, "resume me", MultitaskStrategy.ENQUEUE, 20, 1, 0);
        List<SequencedEvent> firstPart = new ArrayList<>();
        try (Subscription sub = h.switchboard.subscribe(run.runId(), -1)) {
            while (firstPart.size() < 6) {
                sub.next(Duration.ofSeconds(10)).ifPresent(firstPart::add);
            }
        }
        long lastSeen = firstPart.getLast().sequence();
        List<SequencedEvent> rest = new ArrayList<>();
        try (Subscription sub = h.switchboard.subscribe(run.runId(), lastSeen)) {
            while (!sub.isFinished()) {
                Optional<SequencedEvent> e = sub.next(Duration.ofSeconds(10));
                e.ifPresent(rest::add);
            }
        }
        List<Long> sequences = new ArrayList<>();
        firstPart.forEach(e -> sequences.add(e.sequence()));
        rest.forEach(e -> sequences.add(e.sequence()));
        for (int i = 0; i < sequences.size(); i++) {
            assertThat(sequences.get(i)).isEqualTo(i);
        }
        assertThat(rest.getLast().event()).isInstanceOf(RunEvent.End.class);
    }

    @Test
    void submit_unknownThreadOrAssistantOrBadInput_isRefusedAndCreatesNothing() {
        UUID missing = UUID.randomUUID();
        assertThatThrownBy(() -> h.startQuick(missing, "x", MultitaskStrategy.ENQUEUE))
                .isInstanceOf(SwitchboardException.NotFound.class);
        UUID thread = h.newThread();
        assertThatThrownBy(() -> h.switchboard.submit(RunRequest.of(thread, "nope", Json.object())))
                .isInstanceOf(SwitchboardException.NotFound.class);
        ObjectNode bad = Json.object();
        bad.putArray("messages").addObject().put("type", "martian").put("content", "x");
        assertThatThrownBy(() -> h.switchboard.submit(RunRequest.of(thread, "scripted", bad)))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThat(h.runs(thread)).isEmpty();
    }

    @Test
    void submit_withCreateIfMissing_createsTheThreadAndRecordsTheGraph() throws Exception {
        UUID thread = UUID.randomUUID();
        Run run = h.switchboard.submit(RuntimeHarness.request(thread, "hello", MultitaskStrategy.ENQUEUE, 2, 0, 0)
                .withCreateThreadIfMissing(true));
        h.awaitEnd(run);
        assertThat(h.switchboard.thread(thread).metadata().path("graph_id").asText()).isEqualTo("scripted");
    }

    @Test
    void deleteThread_withARunningRun_cancelsItAndRemovesEverything() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startLong(thread, "busy", MultitaskStrategy.ENQUEUE);
        h.awaitFirstToken(run);
        h.switchboard.deleteThread(thread);
        assertThatThrownBy(() -> h.switchboard.thread(thread)).isInstanceOf(SwitchboardException.NotFound.class);
        assertThat(h.switchboard.eventLog(run.runId())).get().extracting(l -> l.isClosed()).isEqualTo(true);
    }
}
