package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.cron.CronStore;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunRequest;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.Faults;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A thread deleted on one instance while a message for it is admitted on another: the deletion holds the thread
 * in the database as admission does, so the message is refused (404) once the row is gone, and nothing is left
 * on the deleted thread.
 */
class ThreadDeletionAcrossInstancesTest {
    @RegisterExtension
    final TestDatabase db = TestDatabase.postgres();

    private Switchboard instance(String id, Database database, CronStore crons) {
        return Switchboard.builder().instanceId(id).cluster(database::cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items()).assistantStore(database.assistants())
                .cronStore(crons).graph(ScriptedAgent.graph()).build();
    }

    private static RunRequest say(UUID thread, String text) {
        ObjectNode input = Json.object();
        input.putArray("messages").addObject().put("type", "human").put("content", text);
        ObjectNode config = Json.object();
        config.putObject("configurable").put("tokens", 3).put("delay_ms", 0);
        return RunRequest.of(thread, "scripted", input).withStrategy(MultitaskStrategy.ENQUEUE).withConfig(config);
    }

    @Test
    void deleteThread_onOneInstance_whileAnotherAdmitsAMessage_refusesTheMessage_andLeavesNoRun() throws Exception {
        Database first = db.open(Clock.systemUTC());
        Database second = db.open(Clock.systemUTC());
        AtomicReference<Runnable> duringDelete = new AtomicReference<>(() -> { });
        CronStore hooked = Faults.wrap(CronStore.class, first.crons(), (method, args) -> {
            if (method.equals("deleteByThread")) {
                duringDelete.getAndSet(() -> { }).run();
            }
        });
        try (Switchboard a = instance("instance-a", first, hooked);
                Switchboard b = instance("instance-b", second, second.crons())) {
            UUID thread = a.createThread(null, null, false).threadId();
            a.await(a.submit(say(thread, "hello")).runId(), Duration.ofSeconds(30));

            AtomicReference<Object> outcome = new AtomicReference<>();
            java.lang.Thread sender = java.lang.Thread.ofPlatform().unstarted(() -> {
                try {
                    outcome.set(b.submit(say(thread, "one more thing")));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            duringDelete.set(() -> {
                sender.start();
                // Admitted now (the old race), or waiting in the database for the deletion's lock.
                await().atMost(Duration.ofSeconds(20)).until(() -> outcome.get() != null || advisoryWaiters(second) > 0);
            });
            a.deleteThread(thread);
            sender.join(Duration.ofSeconds(30));

            assertThat(outcome.get()).as("the message sent to the other instance")
                    .isInstanceOf(SwitchboardException.NotFound.class);
            assertThat(second.runs().list(thread, RunQuery.all())).isEmpty();
            assertThat(second.checkpoints().list(thread, Integer.MAX_VALUE, null)).isEmpty();
        }
    }

    /** Sessions waiting for an advisory lock (the thread lock admission and deletion take). */
    private static int advisoryWaiters(Database database) throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
