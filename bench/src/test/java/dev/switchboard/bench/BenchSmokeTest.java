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
 * The harness works end to end against our server: every measure runs in miniature and the results file is
 * written and well-formed. Benchmarks are not tests: nothing here asserts a speed.
 */
class BenchSmokeTest {

    @Test
    void smokeRunWritesEveryMeasure(@TempDir Path dir) throws Exception {
        Path results = Bench.run("--smoke", "--out", dir.toString());

        JsonNode root = Json.parse(Files.readString(results));
        assertThat(root.path("mode").asText()).isEqualTo("smoke");
        assertThat(root.path("machine").path("cores").asInt()).isPositive();
        List<String> ids = new ArrayList<>();
        for (JsonNode m : root.path("measures")) {
            ids.add(m.path("id").asText());
            assertThat(m.path("unit").asText()).isNotBlank();
            assertThat(m.path("peer").isNull()).as("no peer in smoke mode: %s", m).isTrue();
            assertThat(m.has("target_met")).isTrue();
            assertThat(m.path("engine").asText()).isEqualTo("sqlite");
        }
        assertThat(ids).contains("P0", "P1a", "P1b", "P1b-overhead", "P2a", "P2b", "P2b-overhead", "P3", "P4",
                "P4-rss", "P4-pace", "P5-3", "P6-new");
        for (String id : List.of("P0", "P1a", "P1b", "P2a", "P2b", "P3", "P4", "P5-3", "P6-new")) {
            JsonNode ours = measure(root, id).path("ours");
            assertThat(ours.path("n").asInt()).as("%s has samples: %s", id, measure(root, id)).isPositive();
            assertThat(ours.path("min").asDouble()).isLessThanOrEqualTo(ours.path("p50").asDouble());
            assertThat(ours.path("p50").asDouble()).isLessThanOrEqualTo(ours.path("p99").asDouble());
            assertThat(ours.path("p99").asDouble()).isLessThanOrEqualTo(ours.path("max").asDouble());
        }
        // The smoke run itself must not fail requests: an error here is a harness or server bug, not noise.
        assertThat(measure(root, "P0").path("note").asText()).doesNotContain("errors");
        assertThat(measure(root, "P5-3").path("note").asText()).doesNotContain("errors");
        assertThat(Files.readString(dir.resolve("results.md"))).contains("| P0 |", "cores");
    }

    private static JsonNode measure(JsonNode root, String id) {
        for (JsonNode m : root.path("measures")) {
            if (m.path("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no measure " + id);
    }
}
