package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.jdbc.Database;
import dev.switchboard.server.Http.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A full disk under SQLite (issue 17): the database lives on a small tmpfs that a filler file fills up. Requests
 * meanwhile get a clean 507 {@code store_full} with Retry-After (never an unexplained 500), nothing acknowledged
 * before is lost, and once the filler is gone the same server takes writes again without a restart. Mounting
 * needs root; where it is refused the test is skipped (it says so).
 */
class FullDiskHttpTest {
    private Path mount;
    private Database database;
    private TestServer t;

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
        mount = Files.createTempDirectory("sb-full-disk");
        int rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start().waitFor();
        assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root); the full-disk scenario is skipped");
        database = Database.open("jdbc:sqlite:" + mount.resolve("switchboard.db"));
        t = TestServer.start(s -> s, database);

        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Response made = t.http.post("/threads", Http.obj("metadata", Map.of("n", i)));
            assertThat(made.status()).isEqualTo(200);
            acknowledged.add(made.json().path("thread_id").asText());
        }
        Path filler = mount.resolve("filler");
        fill(filler);

        String big = "x".repeat(256 * 1024);
        int refused = 0;
        for (int i = 0; i < 5; i++) {
            Response r = t.http.put("/store/items", Http.obj("namespace", List.of("disk"), "key", "k" + i,
                    "value", Map.of("blob", big)));
            assertThat(r.status()).as("never an unexplained 500: %s", r.body()).isNotEqualTo(500);
            if (r.status() == 507) {
                assertThat(r.code()).isEqualTo("store_full");
                assertThat(r.header("Retry-After")).isPresent();
                refused++;
            }
        }
        assertThat(refused).as("a full disk refuses big writes").isPositive();
        Response thread = t.http.post("/threads", Http.obj());
        assertThat(thread.status()).isIn(200, 507);

        Files.delete(filler);
        Response after = t.http.put("/store/items", Http.obj("namespace", List.of("disk"), "key", "after",
                "value", Map.of("blob", big)));
        assertThat(after.status()).as(after.body()).isIn(200, 204);
        Response made = t.http.post("/threads", Http.obj());
        assertThat(made.status()).isEqualTo(200);
        for (String id : acknowledged) {
            assertThat(t.http.get("/threads/" + id).status()).isEqualTo(200);
        }
        assertThat(t.http.post("/threads/" + made.json().path("thread_id").asText() + "/runs/wait",
                Http.scriptedRun("hello", 2, 0)).status()).isEqualTo(200);
    }

    /** Writes {@code filler} until the file system refuses more. */
    private static void fill(Path filler) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException full) {
            // No space left on the device: the disk is full, as intended.
        }
    }
}
