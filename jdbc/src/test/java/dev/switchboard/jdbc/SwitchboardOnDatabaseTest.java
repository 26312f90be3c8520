package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.jdbc.TestDatabase.Engine;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.thread.ThreadStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The runtime on durable stores: runs go through admission, claiming, checkpoints and thread updates on a
 * real database, and what they wrote is there for a runtime started afterwards on the same database.
 */
class SwitchboardOnDatabaseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runsOnDatabase_finishInOrderAndSurviveARestart(Engine engine) throws Exception {
        TestDatabase database = engine == Engine.SQLITE ? sqlite : postgres;
        UUID thread;
        Run first;
        Run second;
        try (Switchboard switchboard = runtime(database.open(Clock.systemUTC()))) {
            thread = switchboard.createThread(null, (ObjectNode) Json.parse("{\"owner\":\"ada\"}"), false).threadId();
            first = switchboard.submit(request(thread, "hello", MultitaskStrategy.ENQUEUE));
            second = switchboard.submit(request(thread, "use the tool", MultitaskStrategy.ENQUEUE));

            assertThat(switchboard.await(first.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(switchboard.await(second.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        }

        try (Switchboard restarted = runtime(database.open(Clock.systemUTC()))) {
            assertThat(restarted.thread(thread).status()).isEqualTo(ThreadStatus.IDLE);
            assertThat(restarted.thread(thread).owner()).isEqualTo("ada");
            assertThat(restarted.run(thread, first.runId()).status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(restarted.history(thread, 100, null)).extracting(Checkpoint::runId)
                    .contains(first.runId(), second.runId());
            var messages = restarted.state(thread, null).orElseThrow().values().get("messages");
            assertThat(messages.get(0).get("content").asText()).isEqualTo("hello");
            assertThat(messages.size()).isGreaterThanOrEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void rollbackDoubleText_onDatabase_deletesTheCancelledRun(Engine engine) throws Exception {
        TestDatabase database = engine == Engine.SQLITE ? sqlite : postgres;
        try (Switchboard switchboard = runtime(database.open(Clock.systemUTC()))) {
            UUID thread = switchboard.createThread(null, null, false).threadId();
            Run slow = switchboard.submit(request(thread, "take your time", MultitaskStrategy.ENQUEUE, 10_000, 5));
            Run rollback = switchboard.submit(request(thread, "actually, this", MultitaskStrategy.ROLLBACK, 3, 0));

            assertThat(switchboard.await(rollback.runId(), WAIT)).get().extracting(Run::status)
                    .isEqualTo(RunStatus.SUCCESS);
            assertThat(switchboard.await(slow.runId(), WAIT)).as("rolled back").isEmpty();
            assertThat(switchboard.runs(thread, RunQuery.all())).extracting(Run::runId)
                    .containsExactly(rollback.runId());
            assertThat(switchboard.history(thread, 100, null)).allSatisfy(c ->
                    assertThat(c.runId()).isNotEqualTo(slow.runId()));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anApprovalPause_survivesARestart_andResumesOnTheNewRuntime(Engine engine) throws Exception {
        TestDatabase database = engine == Engine.SQLITE ? sqlite : postgres;
        UUID thread;
        ObjectNode approvals = Json.object();
        approvals.putObject("configurable").putObject("interrupt_on").put("slow_tool", true);
        try (Switchboard switchboard = runtime(database.open(Clock.systemUTC()))) {
            thread = switchboard.createThread(null, null, false).threadId();
            RunRequest ask = request(thread, "use the tool", MultitaskStrategy.ENQUEUE);
            ObjectNode config = ask.config().deepCopy();
            config.with("configurable").setAll((ObjectNode) approvals.get("configurable"));
            Run paused = switchboard.submit(ask.withConfig(config));
            assertThat(switchboard.await(paused.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(switchboard.thread(thread).status()).isEqualTo(ThreadStatus.INTERRUPTED);
        }

        try (Switchboard restarted = runtime(database.open(Clock.systemUTC()))) {
            assertThat(restarted.thread(thread).status()).isEqualTo(ThreadStatus.INTERRUPTED);
            assertThat(restarted.state(thread, null).flatMap(Checkpoint::pause)).get()
                    .extracting(p -> p.interrupts().getFirst().value().at("/action_requests/0/name").asText())
                    .isEqualTo("slow_tool");
            Run resumed = restarted.submit(RunRequest.of(thread, ScriptedAgent.GRAPH_ID, null)
                    .withCommand(new dev.switchboard.run.Command(Json.parse("{\"decisions\": [{\"type\": \"approve\"}]}"), null, null)));
            assertThat(restarted.await(resumed.runId(), WAIT)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
            assertThat(restarted.thread(thread).status()).isEqualTo(ThreadStatus.IDLE);
            var messages = dev.switchboard.thread.ConversationState.fromJson(restarted.state(thread, null).orElseThrow().values()).messages();
            assertThat(dev.switchboard.message.History.violations(messages)).isEmpty();
            assertThat(messages).anySatisfy(m -> assertThat(m.type().wireName()).isEqualTo("tool"));
        }
    }

    private static Switchboard runtime(Database db) {
        return Switchboard.builder()
                .graph(ScriptedAgent.graph(5, 0, 0))
                .threadStore(db.threads())
                .runStore(db.runs())
                .checkpointStore(db.checkpoints())
                .operationStore(db.operations())
                .itemStore(db.items())
                .assistantStore(db.assistants())
                .build();
    }

    private static RunRequest request(UUID thread, String text, MultitaskStrategy strategy) {
        return request(thread, text, strategy, 3, 0);
    }

    private static RunRequest request(UUID thread, String text, MultitaskStrategy strategy, int tokens, int delayMs) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        ObjectNode configurable = config.putObject("configurable");
        configurable.put("tokens", tokens);
        configurable.put("delay_ms", delayMs);
        configurable.put("tool_sleep_ms", 1);
        return RunRequest.of(thread, ScriptedAgent.GRAPH_ID, input).withStrategy(strategy).withConfig(config);
    }
}
