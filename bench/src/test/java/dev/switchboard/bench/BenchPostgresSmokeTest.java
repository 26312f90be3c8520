package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL path of the harness works: the bench starts its embedded PostgreSQL, ours runs on it (rows with
 * ids ending in -pg), and P7 starts two instances on one database and measures across them. Miniature counts;
 * nothing here asserts a speed.
 */
class BenchPostgresSmokeTest {

    @Test
    void smokeRunOnPostgresWritesItsRowsAndTheTwoInstanceMeasure(@TempDir Path dir) throws Exception {
        Path results = Bench.run("--smoke", "--engine", "postgres", "--only", "P0,P7", "--out", dir.toString());

        JsonNode root = Json.parse(Files.readString(results));
        List<String> ids = new ArrayList<>();
        root.path("measures").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(ids).containsExactly("P0-pg", "P7a", "P7a-latency", "P7b", "P7b-first", "P7b-overhead");
        for (JsonNode m : root.path("measures")) {
            assertThat(m.path("engine").asText()).isEqualTo("postgres");
            assertThat(m.path("ours").path("n").asInt()).as("%s has samples: %s", m.path("id"), m).isPositive();
            // A failed request is a harness or server bug, not noise.
            assertThat(m.path("note").asText()).as(m.path("id").asText()).doesNotContain("errors");
        }
        assertThat(Files.readString(dir.resolve("results.md"))).contains("| P0-pg |", "| P7b |", "PostgreSQL");
    }
}
