package dev.switchboard.run;

import static dev.switchboard.run.MultitaskStrategy.ENQUEUE;
import static dev.switchboard.run.MultitaskStrategy.INTERRUPT;
import static dev.switchboard.run.MultitaskStrategy.REJECT;
import static dev.switchboard.run.MultitaskStrategy.ROLLBACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.SwitchboardException;
import dev.switchboard.event.RunEvent;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.thread.ThreadStatus;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** DESIGN.md §2's table, strategy by strategy, against an idle thread, a running run, pending runs and a run in a tool. */
class MultitaskStrategyTest {
    private final RuntimeHarness h = new RuntimeHarness();

    @AfterEach
    void close() {
        h.close();
    }

    private static final String FIRST = "first";
    private static final String SECOND = "second";

    private static String reply(String human, int tokens) {
        StringBuilder b = new StringBuilder("reply to \"" + human + "\":");
        for (int i = 1; i < tokens; i++) {
            b.append(" t").append(i);
        }
        return b.toString();
    }

    // ---- reject ----------------------------------------------------------------------------------------

    @Test
    void reject_idleThread_runsNormally() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, FIRST, REJECT);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "ai:" + reply(FIRST, 3));
    }

    @Test
    void reject_whileRunning_refusesWithThreadBusyAndChangesNothing() throws Exception {
        UUID thread = h.newThread();
        Run first = h.start(thread, FIRST, ENQUEUE, 200, 5, 0);
        h.awaitFirstToken(first);

        assertThatThrownBy(() -> h.startQuick(thread, SECOND, REJECT))
                .isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("thread_busy"));

        assertThat(h.runs(thread)).extracting(Run::runId).containsExactly(first.runId());
        assertThat(h.awaitEnd(first)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "ai:" + reply(FIRST, 200));
    }

    @Test
    void reject_withPendingRuns_refusesAndKeepsTheQueue() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        Run queued = h.startQuick(thread, "queued", ENQUEUE);
        assertThat(queued.status()).isEqualTo(RunStatus.PENDING);

        assertThatThrownBy(() -> h.startQuick(thread, SECOND, REJECT)).isInstanceOf(SwitchboardException.Conflict.class);

        assertThat(h.runs(thread)).extracting(Run::runId).containsExactlyInAnyOrder(first.runId(), queued.runId());
        h.switchboard.cancel(thread, first.runId(), CancelAction.INTERRUPT, true);
        assertThat(h.awaitEnd(queued)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    @Test
    void reject_whileBlockedInTool_refusesAndTheToolKeepsRunning() throws Exception {
        UUID thread = h.newThread();
        Run first = h.start(thread, "use the tool", ENQUEUE, 3, 0, 300);
        h.awaitToolStarted(first);

        assertThatThrownBy(() -> h.startQuick(thread, SECOND, REJECT)).isInstanceOf(SwitchboardException.Conflict.class);

        assertThat(h.awaitEnd(first)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.messages(thread)).hasSize(4);
        assertThat(h.messages(thread).get(2)).isInstanceOfSatisfying(ToolMessage.class,
                t -> assertThat(t.content()).isEqualTo("slept 300 ms"));
        h.assertHistoryValid(thread);
    }

    // ---- enqueue ---------------------------------------------------------------------------------------

    @Test
    void enqueue_idleThread_startsAtOnce() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, FIRST, ENQUEUE);
        assertThat(run.status()).isIn(RunStatus.RUNNING, RunStatus.SUCCESS);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    @Test
    void enqueue_whileRunning_waitsThenAnswersAfterTheFirst() throws Exception {
        UUID thread = h.newThread();
        Run first = h.start(thread, FIRST, ENQUEUE, 100, 2, 0);
        h.awaitFirstToken(first);
        Run second = h.startQuick(thread, SECOND, ENQUEUE);
        assertThat(second.status()).isEqualTo(RunStatus.PENDING);
        assertThat(h.switchboard.thread(thread).status()).isEqualTo(ThreadStatus.BUSY);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.switchboard.run(thread, first.runId()).status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "ai:" + reply(FIRST, 100),
                "human:" + SECOND, "ai:" + reply(SECOND, 3));
        assertThat(h.switchboard.thread(thread).status()).isEqualTo(ThreadStatus.IDLE);
    }

    @Test
    void enqueue_withPendingRuns_runsEveryRunInArrivalOrder() throws Exception {
        UUID thread = h.newThread();
        Run first = h.start(thread, "m0", ENQUEUE, 50, 2, 0);
        h.awaitFirstToken(first);
        List<Run> queued = List.of(h.startQuick(thread, "m1", ENQUEUE), h.startQuick(thread, "m2", ENQUEUE),
                h.startQuick(thread, "m3", ENQUEUE));
        for (Run r : queued) {
            assertThat(h.awaitEnd(r)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        }
        assertThat(h.transcript(thread)).filteredOn(s -> s.startsWith("human:"))
                .containsExactly("human:m0", "human:m1", "human:m2", "human:m3");
        assertThat(h.transcript(thread)).hasSize(8);
    }

    @Test
    void enqueue_whileBlockedInTool_waitsForTheToolAndTheAnswer() throws Exception {
        UUID thread = h.newThread();
        Run first = h.start(thread, "use the tool", ENQUEUE, 3, 0, 200);
        h.awaitToolStarted(first);
        Run second = h.startQuick(thread, SECOND, ENQUEUE);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:use the tool", "ai:", "tool:slept 200 ms",
                "ai:" + reply("use the tool", 3), "human:" + SECOND, "ai:" + reply(SECOND, 3));
        h.assertHistoryValid(thread);
    }

    // ---- interrupt -------------------------------------------------------------------------------------

    @Test
    void interrupt_idleThread_startsAtOnce() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, FIRST, INTERRUPT);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "ai:" + reply(FIRST, 3));
    }

    @Test
    void interrupt_whileRunning_keepsFirstRunAsInterruptedAndDropsItsPartialAnswer() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);

        Run second = h.startQuick(thread, SECOND, INTERRUPT);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.switchboard.run(thread, first.runId()).status()).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "human:" + SECOND,
                "ai:" + reply(SECOND, 3));
        List<RunEvent> firstEvents = h.events(first.runId());
        assertThat(firstEvents).noneMatch(e -> e instanceof RunEvent.Error);
        assertThat(firstEvents.get(firstEvents.size() - 2)).isInstanceOfSatisfying(RunEvent.RunCancelled.class,
                c -> assertThat(c.supersededBy()).isEqualTo(second.runId()));
        assertThat(firstEvents.getLast()).isInstanceOf(RunEvent.End.class);
        h.assertHistoryValid(thread);
    }

    @Test
    void interrupt_withPendingRuns_interruptsRunningAndPendingRuns() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);
        Run pending1 = h.startQuick(thread, "p1", ENQUEUE);
        Run pending2 = h.startQuick(thread, "p2", ENQUEUE);

        Run last = h.startQuick(thread, SECOND, INTERRUPT);

        assertThat(h.awaitEnd(last)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        for (Run r : List.of(first, pending1, pending2)) {
            assertThat(h.switchboard.run(thread, r.runId()).status()).as(r.runId().toString())
                    .isEqualTo(RunStatus.INTERRUPTED);
        }
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "human:" + SECOND, "ai:" + reply(SECOND, 3));
        assertThat(h.events(pending1.runId())).last().isInstanceOf(RunEvent.End.class);
    }

    @Test
    void interrupt_whileBlockedInTool_answersTheToolCallWithCancelled() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startBlockedInTool(thread, ENQUEUE);
        h.awaitToolStarted(first);

        Run second = h.startQuick(thread, SECOND, INTERRUPT);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.switchboard.run(thread, first.runId()).status()).isEqualTo(RunStatus.INTERRUPTED);
        var messages = h.messages(thread);
        assertThat(messages).hasSize(5);
        assertThat(messages.get(2)).isInstanceOfSatisfying(ToolMessage.class, t -> {
            assertThat(t.isError()).isTrue();
            assertThat(t.content()).startsWith("cancelled");
        });
        assertThat(h.transcript(thread).subList(3, 5)).containsExactly("human:" + SECOND, "ai:" + reply(SECOND, 3));
        h.assertHistoryValid(thread);
    }

    // ---- rollback --------------------------------------------------------------------------------------

    @Test
    void rollback_idleThread_startsAtOnce() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, FIRST, ROLLBACK);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "ai:" + reply(FIRST, 3));
    }

    @Test
    void rollback_whileRunning_deletesRunAndRestoresState() throws Exception {
        UUID thread = h.newThread();
        Run earlier = h.startQuick(thread, "earlier", ENQUEUE);
        h.awaitEnd(earlier);
        var stateBefore = h.switchboard.state(thread, null).orElseThrow();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);

        Run second = h.startQuick(thread, SECOND, ROLLBACK);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThatThrownBy(() -> h.switchboard.run(thread, first.runId())).isInstanceOf(SwitchboardException.NotFound.class);
        assertThat(h.switchboard.history(thread, 1000, null)).noneMatch(c -> first.runId().equals(c.runId()));
        assertThat(h.switchboard.history(thread, 1000, null))
                .filteredOn(c -> second.runId().equals(c.runId()) && c.step() == -1)
                .singleElement()
                .as("the new run continues from the state before the rolled-back one")
                .extracting(c -> c.parentId()).isEqualTo(stateBefore.checkpointId());
        assertThat(h.transcript(thread)).containsExactly("human:earlier", "ai:" + reply("earlier", 3),
                "human:" + SECOND, "ai:" + reply(SECOND, 3));
        assertThat(h.runs(thread)).extracting(Run::runId).containsExactly(second.runId(), earlier.runId());
    }

    @Test
    void rollback_withPendingRuns_deletesEveryActiveRun() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);
        Run pending = h.startQuick(thread, "pending", ENQUEUE);

        Run last = h.startQuick(thread, SECOND, ROLLBACK);

        assertThat(h.awaitEnd(last)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.runs(thread)).extracting(Run::runId).containsExactly(last.runId());
        assertThat(h.transcript(thread)).containsExactly("human:" + SECOND, "ai:" + reply(SECOND, 3));
    }

    @Test
    void rollback_whileBlockedInTool_deletesTheRunWithItsToolCall() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startBlockedInTool(thread, ENQUEUE);
        h.awaitToolStarted(first);

        Run second = h.startQuick(thread, SECOND, ROLLBACK);

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + SECOND, "ai:" + reply(SECOND, 3));
        List<RunEvent> firstEvents = h.events(first.runId());
        assertThat(firstEvents).noneMatch(e -> e instanceof RunEvent.Error);
        assertThat(firstEvents.getLast()).isInstanceOf(RunEvent.End.class);
        h.assertHistoryValid(thread);
    }

    @Test
    void rollback_withCarry_answersBothMessagesInOrder() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);

        Run second = h.switchboard.submit(RuntimeHarness.request(thread, SECOND, ROLLBACK, 3, 0, 0)
                .withSupersededInput(SupersededInput.CARRY));

        assertThat(h.awaitEnd(second)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST, "human:" + SECOND, "ai:" + reply(SECOND, 3));
        assertThat(h.runs(thread)).extracting(Run::runId).containsExactly(second.runId());
    }

    // ---- explicit cancel -------------------------------------------------------------------------------

    @Test
    void cancel_interruptWithWait_returnsInterruptedRunAndFreesTheThread() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);

        var after = h.switchboard.cancel(thread, first.runId(), CancelAction.INTERRUPT, true);

        assertThat(after).get().extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(h.switchboard.thread(thread).status()).isEqualTo(ThreadStatus.IDLE);
        assertThat(h.transcript(thread)).containsExactly("human:" + FIRST);
    }

    @Test
    void cancel_rollbackWithWait_deletesTheRun() throws Exception {
        UUID thread = h.newThread();
        Run first = h.startLong(thread, FIRST, ENQUEUE);
        h.awaitFirstToken(first);

        assertThat(h.switchboard.cancel(thread, first.runId(), CancelAction.ROLLBACK, true)).isEmpty();
        assertThat(h.runs(thread)).isEmpty();
        assertThat(h.switchboard.state(thread, null)).isEmpty();
    }

    @Test
    void failure_midStream_marksRunErrorWithErrorEventAndKeepsHistoryValid() throws Exception {
        UUID thread = h.newThread();
        Run run = h.startQuick(thread, "please fail", ENQUEUE);
        assertThat(h.awaitEnd(run)).get().extracting(Run::status).isEqualTo(RunStatus.ERROR);
        assertThat(h.events(run.runId())).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEvent.Error.class,
                err -> assertThat(err.message()).contains("requested failure")));
        assertThat(h.switchboard.thread(thread).status()).isEqualTo(ThreadStatus.ERROR);
        assertThat(h.transcript(thread)).containsExactly("human:please fail");
        Run next = h.startQuick(thread, "again", ENQUEUE);
        assertThat(h.awaitEnd(next)).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
        assertThat(h.switchboard.thread(thread).status()).isEqualTo(ThreadStatus.IDLE);
    }
}
