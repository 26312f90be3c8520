package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code switchboard serve} hosts: telco always, the test-only scripted assistant only when asked. */
class HostingTest {
    @TempDir
    Path dir;

    @Test
    void byDefault_onlyTelcoIsHosted_andTheModelIsNamedWithoutEnvironmentVariables() {
        try (Hosting hosting = Hosting.open("jdbc:sqlite:" + dir.resolve("a.db"), Map.of(), null, false)) {
            assertThat(hosting.switchboard().graphs().keySet()).containsExactly("telco");
            assertThat(hosting.modelName()).isEqualTo("offline");
            // The operator's log says why; that is for the operator, not for /info.
            assertThat(hosting.modelDescription()).contains("REACT_MODEL");
        }
    }

    @Test
    void whenAsked_theScriptedAssistantIsHostedToo() {
        try (Hosting hosting = Hosting.open("jdbc:sqlite:" + dir.resolve("b.db"), Map.of(), null, true)) {
            assertThat(hosting.switchboard().graphs().keySet()).containsExactlyInAnyOrder("telco", "scripted");
        }
    }
}
