package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.jdbc.Database;
import dev.switchboard.message.History;
import dev.switchboard.message.Message;
import dev.switchboard.server.Http.Response;
import dev.switchboard.thread.ConversationState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A full disk under SQLite (issue 17, docs/reliability.md): the database lives on an 8 MiB tmpfs that a filler
 * file fills up. Requests meanwhile get a clean 507 {@code store_full} with Retry-After (never an unexplained
 * 500), a refused write leaves nothing behind, reads and other threads carry on, a run caught by the full disk
 * ends and its thread is freed by itself once space is back, nothing acknowledged before is lost, and the same
 * server takes writes again without a restart. Mounting needs root; where it is refused the test is skipped
 * (it says so).
 */
@Tag("faults")
@Timeout(120)
class FullDiskHttpTest {
    private static final String BIG = "x".repeat(256 * 1024);

    private Path mount;
    private Path file;
    private Database database;
    private TestServer t;

    @BeforeEach
    void mountTinyDisk() throws Exception {
        Path dir = Files.createTempDirectory("sb-full-disk");
        int rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir.toString())
                .redirectErrorStream(true).start().waitFor();
        if (rc != 0) {
            Files.deleteIfExists(dir);
        }
        assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root); the full-disk scenario is skipped");
        mount = dir;
        file = mount.resolve("switchboard.db");
        database = Database.open("jdbc:sqlite:" + file);
    }

    private void start(Duration lease) {
        t = TestServer.start(database, b -> b.lease(lease));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (t != null) {
            t.close();
        }
        if (database != null) {
            database.close();
        }
        if (mount != null) {
            new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
            Files.deleteIfExists(mount);
        }
    }

    @Test
    void aFullDisk_answers507StoreFull_losesNothingAcknowledged_andRecoversWithoutRestart() throws Exception {
        start(Duration.ofSeconds(30));
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Response made = t.http.post("/threads", Http.obj("metadata", Map.of("n", i)));
            assertThat(made.status()).isEqualTo(200);
            acknowledged.add(made.json().path("thread_id").asText());
        }
        Path filler = fill();

        for (int i = 0; i < 5; i++) {
            Response r = putBig("k" + i);
            assertRefusedCleanly(r);
            assertThat(t.http.get("/store/items?namespace=disk&key=k" + i).body())
                    .as("a refused write leaves nothing behind").isEqualTo("null");
        }
        assertRefusedCleanly(t.http.post("/threads", Http.obj()));
        assertThat(t.http.get("/openapi.json").json().at("/paths/~1store~1items/put/responses/507/description").asText())
                .as("the server describes the answer").contains("store_full");
        for (String id : acknowledged) {
            assertThat(t.http.get("/threads/" + id).status()).as("reads carry on").isEqualTo(200);
        }

        Files.delete(filler);
        assertThat(putBig("after").status()).isIn(200, 204);
        Response made = t.http.post("/threads", Http.obj());
        assertThat(made.status()).isEqualTo(200);
        for (String id : acknowledged) {
            assertThat(t.http.get("/threads/" + id).status()).isEqualTo(200);
        }
        assertThat(t.http.post("/threads/" + made.json().path("thread_id").asText() + "/runs/wait",
                Http.scriptedRun("hello", 2, 0)).status()).isEqualTo(200);
    }

    /**
     * Two ways a run meets the full disk: its lease lapses first (the heartbeat cannot write; the tool outlasts
     * the lease) and the run stops as one whose lease is lost; or its own write fails first (the tool's result
     * cannot be stored, and neither can the run's end), and the run is left to recovery once its lease lapses.
     */
    @ParameterizedTest(name = "lease {0} ms, tool {1} ms")
    @CsvSource({"1500, 2000", "4000, 1000"})
    void aDiskFillingUpDuringARun_endsTheRun_freesItsThreadOnceSpaceIsBack_andStallsNoOtherThread(long leaseMs,
            int toolMs) throws Exception {
        start(Duration.ofMillis(leaseMs));
        String busyThread = t.http.post("/threads", Http.obj()).json().path("thread_id").asText();
        String otherThread = t.http.post("/threads", Http.obj()).json().path("thread_id").asText();
        Response first = t.http.post("/threads/" + busyThread + "/runs/wait", Http.scriptedRun("hello", 2, 0));
        assertThat(first.status()).isEqualTo(200);
        List<Message> acknowledgedMessages = messages(busyThread);
        assertThat(acknowledgedMessages).hasSize(2);
        JsonNode acknowledgedRuns = t.http.get("/threads/" + busyThread + "/runs").json();

        // A run that calls the slow tool: the disk fills up while the tool sleeps, so the tool's result cannot
        // be written.
        ObjectNode slow = Http.scriptedRun("use the tool please", 2, 0);
        Http.configurable(slow).put("tool_sleep_ms", toolMs);
        Sse stream = t.http.stream("/threads/" + busyThread + "/runs/stream", slow);
        String runId = Json.parse(stream.untilEvent("metadata").data()).path("run_id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "running".equals(
                t.http.get("/threads/" + busyThread + "/runs/" + runId).json().path("status").asText()));
        Path filler = fill();

        // The run stops at once: its stream closes saying why (an error, or the lease it could not renew). Its
        // record cannot say so while the disk is full, so a join waits (with keep-alives) until it can.
        List<Sse.Frame> frames = stream.readToEnd();
        assertThat(frames).as("the stream says why the run ended").anySatisfy(f -> assertThat(
                "error".equals(f.event()) || String.valueOf(f.data()).contains("run_lease_lost")).isTrue());
        CompletableFuture<Response> joined = CompletableFuture.supplyAsync(
                () -> t.http.get("/threads/" + busyThread + "/runs/" + runId + "/join"));

        // Meanwhile another thread is not stalled: its reads answer and its writes are refused at once, cleanly.
        long otherStart = System.nanoTime();
        assertThat(t.http.get("/threads/" + otherThread).status()).isEqualTo(200);
        assertRefusedCleanly(t.http.post("/threads/" + otherThread + "/runs", Http.scriptedRun("hi", 2, 0)));
        assertRefusedCleanly(t.http.patch("/threads/" + otherThread, Http.obj("metadata", Map.of("k", "v"))));
        assertThat(Duration.ofNanos(System.nanoTime() - otherStart)).as("another thread answers at once")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(t.http.get("/threads/" + otherThread + "/runs").json()).as("the refused run left nothing").isEmpty();

        // Space comes back: no restart, the caught run is ended by the lease's recovery, its thread freed, and
        // the join waiting for it answered.
        Files.delete(filler);
        Response join = joined.get(30, TimeUnit.SECONDS);
        assertThat(join.status()).as(join.body()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(t.http.get("/threads/" + busyThread + "/runs/" + runId).json().path("status").asText())
                    .isIn("error", "interrupted");
            assertThat(t.http.get("/threads/" + busyThread).json().path("status").asText()).isNotEqualTo("busy");
        });

        // Nothing acknowledged lost, the history valid, and both threads take new runs.
        List<Message> after = messages(busyThread);
        assertThat(after.subList(0, acknowledgedMessages.size())).isEqualTo(acknowledgedMessages);
        assertThat(History.violations(after)).isEmpty();
        JsonNode runsAfter = t.http.get("/threads/" + busyThread + "/runs").json();
        for (JsonNode run : acknowledgedRuns) {
            assertThat(runsAfter).contains(run);
        }
        for (String thread : List.of(busyThread, otherThread)) {
            Response next = t.http.post("/threads/" + thread + "/runs/wait", Http.scriptedRun("again", 2, 0));
            assertThat(next.status()).as(next.body()).isEqualTo(200);
        }
        assertThat(History.violations(messages(busyThread))).isEmpty();
        assertThat(messages(busyThread).getLast().content()).isNotBlank();
        assertThat(putBig("after").status()).isIn(200, 204);
    }

    private Response putBig(String key) {
        return t.http.put("/store/items", Http.obj("namespace", List.of("disk"), "key", key, "value",
                Map.of("blob", BIG)));
    }

    private static void assertRefusedCleanly(Response r) {
        assertThat(r.status()).as("refused as full: %s", r.body()).isEqualTo(507);
        assertThat(r.code()).isEqualTo("store_full");
        assertThat(r.header("Retry-After")).isPresent();
    }

    private List<Message> messages(String thread) {
        return ConversationState.fromJson(t.http.get("/threads/" + thread + "/state").json().path("values")).messages();
    }

    /**
     * Fills the file system. First the write-ahead log is emptied, so that no later write finds room in log
     * frames it could reuse: with it, every write transaction needs new blocks, and the disk has none.
     */
    private Path fill() throws IOException, SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        Path filler = mount.resolve("filler");
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException full) {
            // No space left on the device: the disk is full, as intended.
        }
        return filler;
    }
}
