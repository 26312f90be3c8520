package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.cron.Cron;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crons on a shared PostgreSQL (the test): two instances firing on one manual clock launch each due
 * time exactly once between them, and an instance started after a downtime fires a cron that fell due several
 * times while down exactly once (the catch-up rule).
 */
class CronFiringOnDatabaseTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private final ManualClock clock = new ManualClock(START);

    private Switchboard instance(String id) {
        Database database = db.open(clock);
        Switchboard sb = Switchboard.builder().instanceId(id).clock(clock).cluster(database::cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items())
                .assistantStore(database.assistants()).cronStore(database.crons())
                .graph(ScriptedAgent.graph(2, 0, 0)).build();
        sb.startCrons();
        return sb;
    }

    private static Cron everyFiveMinutes(Switchboard sb, UUID threadId) {
        ObjectNode payload = Json.object();
        payload.putObject("input").putArray("messages").addObject().put("type", "human").put("content", "tick");
        Instant now = sb.clock().instant();
        return new Cron(Ids.newId(), sb.assistant("scripted").assistantId(), threadId, null, "*/5 * * * *", null,
                null, null, true, payload, null, null, now, now);
    }

    private static List<Run> finishedRuns(Switchboard sb, UUID threadId, int expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> sb.runs(threadId, RunQuery.all()).stream()
                .filter(r -> r.status() == RunStatus.SUCCESS).count() >= expected);
        return sb.runs(threadId, RunQuery.all());
    }

    @Test
    void twoInstances_eachDueTimeFiresExactlyOnce() throws Exception {
        try (Switchboard a = instance("instance-a"); Switchboard b = instance("instance-b")) {
            UUID thread = a.createThread(null, null, false).threadId();
            Cron cron = a.createCron(everyFiveMinutes(a, thread));
            assertThat(cron.nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(5)));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int tick = 1; tick <= 4; tick++) {
                    clock.advance(Duration.ofMinutes(5));
                    List<Future<Integer>> fired = new ArrayList<>();
                    for (Switchboard sb : List.of(a, b, a, b)) {
                        Callable<Integer> fire = sb::fireDueCrons;
                        fired.add(pool.submit(fire));
                    }
                    for (Future<Integer> f : fired) {
                        f.get();
                    }
                    // The loops may have fired it too; what counts is how many runs exist.
                    List<Run> runs = finishedRuns(a, thread, tick);
                    assertThat(runs).as("runs after due time %d", tick).hasSize(tick);
                    assertThat(a.cron(cron.cronId()).nextRunAt())
                            .isEqualTo(START.plus(Duration.ofMinutes(5L * (tick + 1))));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(a.runs(thread, RunQuery.all())).allSatisfy(r ->
                    assertThat(r.metadata().path("cron_id").asText()).isEqualTo(cron.cronId().toString()));
        }
    }

    @Test
    void restart_afterMissingSeveralDueTimes_catchesUpWithOneRun() {
        UUID thread;
        UUID cronId;
        try (Switchboard first = instance("instance-a")) {
            thread = first.createThread(null, null, false).threadId();
            cronId = first.createCron(everyFiveMinutes(first, thread)).cronId();
        }
        // Down for an hour: twelve due times pass with no instance running.
        clock.advance(Duration.ofMinutes(61));
        try (Switchboard restarted = instance("instance-a")) {
            List<Run> runs = finishedRuns(restarted, thread, 1);
            // The loop fires on start without being asked; fire again by hand: nothing more is due.
            assertThat(restarted.fireDueCrons()).isZero();
            assertThat(restarted.runs(thread, RunQuery.all())).hasSize(1);
            assertThat(runs).hasSize(1);
            assertThat(restarted.cron(cronId).nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(65)));
        }
    }
}
