package dev.switchboard.telco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.run.Lane;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import dev.switchboard.thread.ConversationState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's three flows end to end: the telco graph with the offline model on the runtime, in-memory
 * stores, tools at 1/100 of their durations. Where a flow needs the operation to be in flight, its steps
 * wait on a gate the test opens, so nothing races the clock.
 */
class TelcoFlowsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InMemoryTelcoBackend backend = new InMemoryTelcoBackend();
    private final Semaphore gate = new Semaphore(0);
    private Switchboard switchboard;

    private Switchboard start(TelcoSettings settings) {
        OfflineTelcoModel model = new OfflineTelcoModel(Duration.ZERO);
        switchboard = Switchboard.builder().graph(TelcoAgent.graph(backend, model, model, settings))
                .secondaryWait(Duration.ofSeconds(10)).build();
        return switchboard;
    }

    /** Steps at 1/100 of their duration, each waiting for a permit first. */
    private Switchboard startGated() {
        return start(new TelcoSettings(0.01, pause -> {
            gate.acquire();
            TelcoSettings.Pacer.SLEEP.pause(pause);
        }));
    }

    @AfterEach
    void stop() {
        gate.release(10_000);
        if (switchboard != null) {
            switchboard.close();
        }
    }

    private UUID newThread() {
        return switchboard.createThread(null, null, false).threadId();
    }

    private Run send(UUID thread, String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        // The server sets the conversation owner; these flows are the seeded demo customer's.
        config.putObject("configurable").put("user_id", "demo").put(OfflineTelcoModel.TOKEN_DELAY_KEY, 0);
        return switchboard.submit(RunRequest.of(thread, TelcoAgent.GRAPH_ID, input).withConfig(config));
    }

    private Run finished(Run run) throws Exception {
        Run done = switchboard.await(run.runId(), WAIT).orElseThrow();
        assertThat(done.status()).as("run %s", run.runId()).isEqualTo(RunStatus.SUCCESS);
        return done;
    }

    private ConversationState state(UUID thread) {
        return switchboard.state(thread, null).map(c -> ConversationState.fromJson(c.values())).orElseThrow();
    }

    private String lastAnswer(UUID thread) {
        return state(thread).messages().getLast().content();
    }

    private Operation operation(UUID thread) {
        List<Operation> ops = switchboard.operations(thread);
        assertThat(ops).hasSize(1);
        return ops.getFirst();
    }

    private void awaitPercent(UUID thread, int percent) {
        await().atMost(WAIT).until(() -> !switchboard.operations(thread).isEmpty()
                && switchboard.operations(thread).getFirst().percent() >= percent);
    }

    @Test
    void changePackage_withoutInterruption_changesIt_andTheSynthesisSaysSo() throws Exception {
        start(TelcoSettings.ofScale(0.01));
        UUID thread = newThread();

        finished(send(thread, "change my package to premium"));

        assertThat(backend.subscription("demo").mobilePackage().name()).isEqualTo("Premium");
        assertThat(operation(thread).status()).isEqualTo(OperationStatus.SUCCEEDED);
        assertThat(operation(thread).reported()).isTrue();
        List<Message> messages = state(thread).messages();
        assertThat(messages).extracting(m -> m.type().wireName()).containsExactly("human", "ai", "tool", "ai");
        assertThat(messages.get(1).content()).startsWith("Sure — I'm changing your package to Premium now.");
        assertThat(lastAnswer(thread)).startsWith("Done — you're now on the Premium package (£30.00/month, 100 GB data, "
                + "unlimited minutes)");
        assertThat(History.violations(messages)).isEmpty();
    }

    @Test
    void askingHowFarAlong_duringTheChange_answersWithItsPercentAndStep() throws Exception {
        startGated();
        UUID thread = newThread();
        Run main = send(thread, "change my package to premium");
        awaitPercent(thread, 10);
        gate.release(1);
        awaitPercent(thread, 30);

        Run question = send(thread, "how far along is it?");
        assertThat(question.lane()).isEqualTo(Lane.SECONDARY);
        finished(question);

        assertThat(state(thread).interimMessages()).last().extracting(Message::content)
                .isEqualTo("It's 30% done — reserving the new package.");
        assertThat(backend.subscription("demo").mobilePackage().name()).as("not yet past the point of no return")
                .isEqualTo("Standard");
        gate.release(10_000);
        finished(main);
        assertThat(lastAnswer(thread)).startsWith("Done — you're now on the Premium package")
                // The 30% was true when asked; the final answer does not repeat it as if it still were.
                .contains("• “how far along is it?” — it has finished since: the result is above.")
                .doesNotContain("30% done");
        assertThat(History.violations(state(thread).messages())).isEmpty();
    }

    @Test
    void severalQuestions_duringOneOperation_areEachCoveredByTheSynthesis() throws Exception {
        startGated();
        UUID thread = newThread();
        Run main = send(thread, "change my package to premium");
        awaitPercent(thread, 10);

        for (String q : List.of("what's my data balance?", "what roaming passes are there for Spain?", "thanks!")) {
            Run r = send(thread, q);
            assertThat(r.lane()).as(q).isEqualTo(Lane.SECONDARY);
            finished(r);
        }
        gate.release(10_000);
        finished(main);

        assertThat(backend.subscription("demo").mobilePackage().name()).isEqualTo("Premium");
        assertThat(lastAnswer(thread)).startsWith("Done — you're now on the Premium package").contains("""
                While that was running, you asked:
                • “what's my data balance?” — You have 16.9 GB of data left this month (you've used 8.1 GB of 25 GB).
                • “what roaming passes are there for Spain?” — Spain is in our Europe zone.
                • “thanks!” — You're welcome!""");
        assertThat(History.violations(state(thread).messages())).isEmpty();
    }

    @Test
    void aQuickAndASlowRequestInOneMessage_theQuickAnswerArrivesWhileTheSlowOneRunsInTheBackground() throws Exception {
        startGated();
        UUID thread = newThread();
        Run main = send(thread, "switch me to premium and tell me my data balance");
        awaitPercent(thread, 10);

        // The operation is held at its first step, and the data balance has already been answered.
        assertThat(operation(thread).toolName()).isEqualTo("change_package");
        assertThat(state(thread).messages()).extracting(Message::content)
                .anySatisfy(text -> assertThat(text).startsWith("You have 16.9 GB of data left this month")
                        .contains("I'm changing your package to Premium now"));
        gate.release(10_000);
        finished(main);

        assertThat(backend.subscription("demo").mobilePackage().name()).isEqualTo("Premium");
        assertThat(lastAnswer(thread)).startsWith("Done — you're now on the Premium package");
        assertThat(History.violations(state(thread).messages())).isEmpty();
    }

    @Test
    void closeMyContract_onTheSecondaryLane_isHeldBack_nothingRuns_andYesAfterwardsDoesIt() throws Exception {
        startGated();
        UUID thread = newThread();
        Run main = send(thread, "change my package to premium");
        awaitPercent(thread, 10);

        finished(send(thread, "close my contract"));

        assertThat(state(thread).interimMessages()).last().extracting(Message::content)
                .isEqualTo("I can't close your contract while your package change is still in progress — I'll pick "
                        + "that up once it has finished. Nothing has been changed yet.");
        assertThat(switchboard.operations(thread)).extracting(Operation::toolName).containsExactly("change_package");
        gate.release(10_000);
        finished(main);
        assertThat(backend.contract("demo").isActive()).isTrue();
        assertThat(switchboard.operations(thread)).extracting(Operation::toolName).containsExactly("change_package");
        assertThat(lastAnswer(thread)).endsWith("You also asked me to close your contract — shall I do that now?");

        finished(send(thread, "yes please"));
        // Closing waits for the customer's approval, which states the fee; a plain yes gives it.
        assertThat(switchboard.thread(thread).status()).isEqualTo(dev.switchboard.thread.ThreadStatus.INTERRUPTED);
        assertThat(backend.contract("demo").isActive()).isTrue();
        assertThat(switchboard.state(thread, null).flatMap(dev.switchboard.checkpoint.Checkpoint::pause).orElseThrow()
                .interrupts().getFirst().value().at("/action_requests/0/description").asText())
                .contains("early termination fee of £");
        finished(send(thread, "yes"));

        assertThat(backend.contract("demo").isActive()).isFalse();
        assertThat(lastAnswer(thread)).startsWith("Your contract is now closed");
        assertThat(History.violations(state(thread).messages())).isEmpty();
    }

    @Test
    void cancelBeforeThePointOfNoReturn_leavesThePackageAlone() throws Exception {
        startGated();
        UUID thread = newThread();
        Run main = send(thread, "change my package to premium");
        awaitPercent(thread, 10);

        finished(send(thread, "cancel that"));
        assertThat(state(thread).interimMessages()).last().extracting(Message::content).asString()
                .startsWith("OK — I've cancelled your package change.");
        gate.release(10_000);
        finished(main);

        assertThat(operation(thread).status()).isEqualTo(OperationStatus.CANCELLED);
        assertThat(backend.subscription("demo").mobilePackage().name()).isEqualTo("Standard");
        assertThat(lastAnswer(thread)).startsWith("Your package change was cancelled before anything was changed.");
    }

    @Test
    void theConfiguredCustomer_isTheOneWhosePackageChanges() throws Exception {
        start(TelcoSettings.ofScale(0.01));
        UUID thread = newThread();
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", "switch me to unlimited");
        ObjectNode config = Json.object();
        config.putObject("configurable").put("user_id", "alice").put(OfflineTelcoModel.TOKEN_DELAY_KEY, 0);

        finished(switchboard.submit(RunRequest.of(thread, TelcoAgent.GRAPH_ID, input).withConfig(config)));

        assertThat(backend.subscription("alice").mobilePackage().name()).isEqualTo("Unlimited");
        assertThat(backend.subscription("demo").mobilePackage().name()).isEqualTo("Standard");
    }

    @Test
    void theGraph_isNamedTelco_withPromptsForBothLanesAndTheSynthesis() {
        var graph = TelcoAgent.graph(backend, new OfflineTelcoModel(), new OfflineTelcoModel(), TelcoSettings.defaults());
        assertThat(graph.graphId()).isEqualTo("telco");
        assertThat(graph.systemPrompt()).contains("operation", "second lane", "ask instead of guessing");
        assertThat(graph.secondarySystemPrompt()).contains("check_status", "cancel_operation", "after the current operation finishes");
        assertThat(graph.synthesisPrompt()).contains("outcome", "every question");
        assertThat(graph.quickTools()).extracting(t -> t.spec().name()).containsExactlyInAnyOrder("get_current_package",
                "get_data_balance", "list_available_packages", "get_roaming_info", "list_addons");
    }
}
