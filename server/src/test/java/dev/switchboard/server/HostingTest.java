package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Ids;
import dev.switchboard.assistant.AssistantQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    void anAssistantOfAGraphNoLongerHosted_isNotListedNorReadable() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("c.db");
        try (Hosting withScripted = Hosting.open(url, Map.of(), null, true)) {
            assertThat(withScripted.switchboard().assistants().count(AssistantQuery.all())).isEqualTo(2);
        }
        try (Hosting hosting = Hosting.open(url, Map.of(), null, false)) {
            SwitchboardServer server = new SwitchboardServer(hosting.switchboard(),
                    ServerSettings.defaults().withPort(0), hosting.modelName()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> search = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/assistants/search")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> count = http.send(HttpRequest.newBuilder(URI.create(server.url()
                        + "/assistants/count")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String scriptedId = Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "scripted").toString();
                HttpResponse<String> byId = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/assistants/"
                        + scriptedId)).GET().build(), HttpResponse.BodyHandlers.ofString());

                assertThat(search.statusCode()).isEqualTo(200);
                assertThat(search.body()).contains("\"graph_id\":\"telco\"").doesNotContain("scripted");
                assertThat(search.headers().firstValue("X-Pagination-Total")).hasValue("1");
                assertThat(count.body()).isEqualTo("1");
                assertThat(byId.statusCode()).isEqualTo(404);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void whenAsked_theScriptedAssistantIsHostedToo() {
        try (Hosting hosting = Hosting.open("jdbc:sqlite:" + dir.resolve("b.db"), Map.of(), null, true)) {
            assertThat(hosting.switchboard().graphs().keySet()).containsExactlyInAnyOrder("telco", "scripted");
        }
    }
}
