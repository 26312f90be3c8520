package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An assistant's model choice ({@code config.configurable.model}) on the served telco agent: its runs talk to the
 * model it names (here an OpenAI-compatible server on a local port), other assistants keep the server's default
 * (offline), a run may choose again, and a model this server cannot read or reach is refused before anything is
 * stored.
 */
class AssistantModelChoiceHttpTest {
    @TempDir
    Path dir;

    private final List<JsonNode> vendorRequests = new CopyOnWriteArrayList<>();
    private HttpServer vendor;
    private Hosting hosting;
    private SwitchboardServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        vendor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        vendor.createContext("/v1/chat/completions", exchange -> {
            vendorRequests.add(Json.mapper().readTree(exchange.getRequestBody()));
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (String piece : List.of("Hello ", "from the ", "chosen model.")) {
                    String delta = "{\"role\":\"assistant\",\"content\":" + Json.mapper().writeValueAsString(piece) + "}";
                    out.write(chunk(delta, "null"));
                }
                out.write(chunk("{}", "\"stop\""));
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        vendor.start();
        // No REACT_MODEL and no key: the default is offline; OPENAI_BASE_URL makes an OpenAI-compatible server
        // reachable for an assistant that names one of its models.
        Map<String, String> env = Map.of("OPENAI_BASE_URL",
                "http://127.0.0.1:" + vendor.getAddress().getPort() + "/v1");
        hosting = Hosting.open("jdbc:sqlite:" + dir.resolve("models.db"), env, null, false);
        server = new SwitchboardServer(hosting.switchboard(), ServerSettings.defaults().withPort(0),
                hosting.modelName()).start();
    }

    @AfterEach
    void stop() {
        server.close();
        hosting.close();
        vendor.stop(0);
    }

    private static byte[] chunk(String delta, String finish) {
        return ("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fake-model\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String path, Object body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> assistant(String model) {
        return Map.of("graph_id", "telco", "config", Map.of("configurable", Map.of("model", model)));
    }

    private String lastAnswer(HttpResponse<String> wait) {
        assertThat(wait.statusCode()).as(wait.body()).isEqualTo(200);
        JsonNode messages = Json.parse(wait.body()).path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    private HttpResponse<String> run(String assistantId, Map<String, Object> extra) throws Exception {
        String thread = Json.parse(post("/threads", Map.of()).body()).path("thread_id").asText();
        Map<String, Object> body = new java.util.HashMap<>(Map.of("assistant_id", assistantId, "input",
                Map.of("messages", List.of(Map.of("role", "user", "content", "hi there")))));
        body.putAll(extra);
        return post("/threads/" + thread + "/runs/wait", body);
    }

    @Test
    void anAssistantNamingAModel_runsOnIt_whileTheDefaultAssistantStaysOnTheServersModel() throws Exception {
        HttpResponse<String> created = post("/assistants", assistant("openai:fake-model"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        String chosen = Json.parse(created.body()).path("assistant_id").asText();

        assertThat(lastAnswer(run(chosen, Map.of()))).isEqualTo("Hello from the chosen model.");
        assertThat(vendorRequests).hasSize(1);
        assertThat(vendorRequests.getFirst().path("model").asText()).isEqualTo("fake-model");

        assertThat(lastAnswer(run("telco", Map.of()))).isNotBlank().isNotEqualTo("Hello from the chosen model.");
        assertThat(vendorRequests).as("the default assistant stays offline").hasSize(1);

        // A run's own choice wins over its assistant's, as configurable merges.
        String offline = lastAnswer(run(chosen, Map.of("config", Map.of("configurable", Map.of("model", "offline")))));
        assertThat(offline).isNotEqualTo("Hello from the chosen model.");
        assertThat(vendorRequests).hasSize(1);
    }

    @Test
    void aModelThatCannotBeReadOrReached_isRefused_andNothingIsStored() throws Exception {
        String before = post("/assistants/count", Map.of()).body();
        HttpResponse<String> unknown = post("/assistants", assistant("nonsense:model"));
        HttpResponse<String> unreachable = post("/assistants", assistant("anthropic:claude-sonnet"));
        HttpResponse<String> notText = post("/assistants", Map.of("graph_id", "telco",
                "config", Map.of("configurable", Map.of("model", 42))));

        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(Json.parse(unknown.body()).path("code").asText()).isEqualTo("invalid_model");
        assertThat(unreachable.statusCode()).isEqualTo(422);
        assertThat(Json.parse(unreachable.body()).path("code").asText()).isEqualTo("model_unavailable");
        assertThat(unreachable.body()).contains("ANTHROPIC_API_KEY");
        assertThat(notText.statusCode()).isEqualTo(422);
        assertThat(Json.parse(notText.body()).path("code").asText()).isEqualTo("invalid_config");
        assertThat(post("/assistants/count", Map.of()).body()).isEqualTo(before);

        HttpResponse<String> badRun = run("telco", Map.of("config", Map.of("configurable",
                Map.of("model", "anthropic:claude-sonnet"))));
        assertThat(badRun.statusCode()).isEqualTo(422);
        assertThat(vendorRequests).isEmpty();
    }
}
