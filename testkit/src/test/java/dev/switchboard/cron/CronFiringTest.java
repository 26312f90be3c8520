package dev.switchboard.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Crons on the in-memory runtime with a manual clock: what fires, when, on which thread, and what stops it. */
class CronFiringTest {
    private static final Instant START = ManualClock.DEFAULT_START;
    private final ManualClock clock = new ManualClock(START);
    private final List<Run> launched = new ArrayList<>();
    private final Switchboard sb = Switchboard.builder().clock(clock).graph(ScriptedAgent.graph(2, 0, 0)).build();

    CronFiringTest() {
        sb.startCrons(cron -> {
            Run run = sb.launchCron(cron, r -> r);
            synchronized (launched) {
                launched.add(run);
            }
            return run;
        });
    }

    @AfterEach
    void close() {
        sb.close();
    }

    private Cron draft(UUID threadId, String user, String schedule, Instant end, OnRunCompleted completed,
            boolean enabled) {
        ObjectNode payload = Json.object();
        payload.putObject("input").putArray("messages").addObject().put("type", "human").put("content", "tick");
        return new Cron(Ids.newId(), sb.assistant("scripted").assistantId(), threadId, user, schedule, null, end,
                completed, enabled, payload, null, null, clock.instant(), clock.instant());
    }

    /**
     * Fires what is due and waits for the one launch. The runtime's own loop may win the claim (a cron's creation
     * wakes it, and it can read the clock after the test moved it), so the count is taken from the launcher.
     */
    private void fireOnce() {
        sb.fireDueCrons();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            synchronized (launched) {
                return !launched.isEmpty();
            }
        });
        synchronized (launched) {
            assertThat(launched).hasSize(1);
        }
    }

    private void awaitEnded(int n) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            synchronized (launched) {
                return launched.size() >= n && launched.stream().allMatch(r -> {
                    try {
                        return sb.await(r.runId(), Duration.ofSeconds(5)).map(x -> x.status() == RunStatus.SUCCESS)
                                .orElse(false);
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        });
    }

    @Test
    void threadCron_firesEachDueTime_untilItsEndTime() {
        UUID thread = sb.createThread(null, null, false).threadId();
        Cron cron = sb.createCron(draft(thread, null, "*/5 * * * *", START.plus(Duration.ofMinutes(12)), null, true));
        assertThat(cron.nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(5)));

        clock.advance(Duration.ofMinutes(5));
        sb.fireDueCrons();
        awaitEnded(1);
        clock.advance(Duration.ofMinutes(5));
        sb.fireDueCrons();
        awaitEnded(2);

        assertThat(sb.cron(cron.cronId()).nextRunAt()).as("15 min is past the end").isNull();
        clock.advance(Duration.ofMinutes(30));
        assertThat(sb.fireDueCrons()).isZero();
        assertThat(sb.runs(thread, RunQuery.all())).hasSize(2);
    }

    @Test
    void statelessCron_runsOnANewThreadOfItsOwner_deletedWhenTheRunEnds() {
        Cron cron = sb.createCron(draft(null, "alice", "0 * * * *", null, null, true));
        assertThat(cron.onRunCompleted()).isEqualTo(OnRunCompleted.DELETE);

        clock.advance(Duration.ofHours(1));
        fireOnce();
        UUID thread = launched.get(0).threadId();
        ConversationThread t = sb.thread(thread);
        assertThat(t.owner()).isEqualTo("alice");
        assertThat(t.metadata().path("cron_id").asText()).isEqualTo(cron.cronId().toString());
        // The test's launcher leaves the clean-up to the default launcher's rule; the run says it is temporary.
        assertThat(launched.get(0).kwargs().path("temporary").asBoolean()).isTrue();
    }

    @Test
    void defaultLauncher_deletesTheStatelessThreadAfterTheRun_unlessKeep() {
        try (Switchboard plain = Switchboard.builder().clock(clock).graph(ScriptedAgent.graph(2, 0, 0)).build()) {
            plain.startCrons();
            UUID assistant = plain.assistant("scripted").assistantId();
            Cron delete = plain.createCron(new Cron(Ids.newId(), assistant, null, "alice", "0 * * * *", null, null,
                    OnRunCompleted.DELETE, true, null, null, null, clock.instant(), clock.instant()));
            Cron keep = plain.createCron(new Cron(Ids.newId(), assistant, null, "alice", "0 * * * *", null, null,
                    OnRunCompleted.KEEP, true, null, null, null, clock.instant(), clock.instant()));
            clock.advance(Duration.ofHours(1));
            plain.fireDueCrons();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<ConversationThread> left = plain.searchThreads(ThreadQuery.all());
                assertThat(left).extracting(th -> th.metadata().path("cron_id").asText())
                        .containsExactly(keep.cronId().toString());
            });
            assertThat(delete.cronId()).isNotEqualTo(keep.cronId());
        }
    }

    @Test
    void disabledCron_firesNothing_andEnablingIt_schedulesFromNow() {
        UUID thread = sb.createThread(null, null, false).threadId();
        Cron off = sb.createCron(draft(thread, null, "*/5 * * * *", null, null, false));
        assertThat(off.nextRunAt()).isNull();
        clock.advance(Duration.ofMinutes(7));
        assertThat(sb.fireDueCrons()).isZero();

        Cron on = sb.updateCron(new Cron(off.cronId(), off.assistantId(), thread, null, off.schedule(), null, null,
                null, true, off.payload(), off.metadata(), null, off.createdAt(), clock.instant()));
        assertThat(on.nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(10)));
    }

    @Test
    void updateWithoutTimingChange_keepsTheNextDueTime() {
        UUID thread = sb.createThread(null, null, false).threadId();
        Cron cron = sb.createCron(draft(thread, null, "*/5 * * * *", null, null, true));
        clock.advance(Duration.ofMinutes(3));
        ObjectNode metadata = Json.object().put("label", "new");
        Cron updated = sb.updateCron(new Cron(cron.cronId(), cron.assistantId(), thread, null, cron.schedule(), null,
                null, null, true, cron.payload(), metadata, null, cron.createdAt(), clock.instant()));
        assertThat(updated.nextRunAt()).isEqualTo(cron.nextRunAt());
        assertThat(sb.cron(cron.cronId()).metadata()).isEqualTo(metadata);
    }

    @Test
    void scheduleWithNoDueTimeBeforeItsEnd_isRefused() {
        UUID thread = sb.createThread(null, null, false).threadId();
        assertThatThrownBy(() -> sb.createCron(draft(thread, null, "0 0 1 1 *", START.plus(Duration.ofDays(2)), null,
                true))).isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                e -> assertThat(e.code()).isEqualTo("invalid_cron"));
        assertThatThrownBy(() -> sb.createCron(draft(thread, null, "0 0 30 2 *", null, null, true)))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThat(sb.countCrons(CronQuery.all())).isZero();
    }

    @Test
    void deletingTheThread_deletesItsCrons() throws Exception {
        UUID thread = sb.createThread(null, null, false).threadId();
        Cron cron = sb.createCron(draft(thread, null, "*/5 * * * *", null, null, true));
        sb.deleteThread(thread);
        assertThatThrownBy(() -> sb.cron(cron.cronId())).isInstanceOf(SwitchboardException.NotFound.class);
    }

    @Test
    void aFiringThatCannotStart_spendsItsDueTime_andTheLoopGoesOn() throws Exception {
        UUID thread = sb.createThread(null, null, false).threadId();
        Cron cron = sb.createCron(draft(thread, null, "*/5 * * * *", null, null, true));
        sb.assistants().delete(cron.assistantId());
        clock.advance(Duration.ofMinutes(5));
        assertThat(sb.fireDueCrons()).isZero();
        assertThat(sb.cron(cron.cronId()).nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(10)));
    }
}
