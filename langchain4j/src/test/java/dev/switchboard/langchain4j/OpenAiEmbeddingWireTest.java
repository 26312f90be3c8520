package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.store.StoreIndex;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SWITCHBOARD_STORE_INDEX=openai:<model>[:paths] against a local server that plays the embeddings endpoint. */
class OpenAiEmbeddingWireTest {

    @Test
    void providerForm_postsTheFieldTextToTheEmbeddingsEndpoint_andUsesItsVector() throws Exception {
        try (WireServer server = WireServer.start((exchange, response) -> {
            ObjectNode body = Json.object();
            body.put("object", "list");
            ObjectNode item = body.putArray("data").addObject();
            item.put("object", "embedding");
            item.put("index", 0);
            item.putArray("embedding").add(0.25).add(-0.5).add(1.0);
            body.put("model", "text-embedding-3-small");
            body.putObject("usage").put("prompt_tokens", 3).put("total_tokens", 3);
            response.send(200, "application/json", Json.write(body));
        })) {
            StoreIndex index = StoreIndexes.fromEnvironment(Map.of(StoreIndexes.VARIABLE,
                    "openai:text-embedding-3-small:profile.bio", "OPENAI_API_KEY", "sk-test",
                    "OPENAI_BASE_URL", server.baseUrl() + "/v1")).orElseThrow();
            assertThat(index.fields()).containsExactly("profile.bio");
            assertThat(index.embedder().dimensions()).isEqualTo(-1);

            float[] v = index.embed((ObjectNode) Json.parse("{\"profile\":{\"bio\":\"loves hiking\"},\"x\":1}"), null);

            assertThat(v).containsExactly(0.25f, -0.5f, 1.0f);
            assertThat(index.embedder().dimensions()).isEqualTo(3);
            var exchange = server.exchanges().getFirst();
            assertThat(exchange.path).isEqualTo("/v1/embeddings");
            assertThat(exchange.headers.get("authorization")).isEqualTo("Bearer sk-test");
            var request = Json.parse(exchange.body);
            assertThat(request.path("model").asText()).isEqualTo("text-embedding-3-small");
            assertThat(request.path("input").toString()).contains("loves hiking").doesNotContain("\"x\"");
        }
    }

    @Test
    void providerForm_withoutAKeyOrModel_isRefusedNamingWhatIsMissing() {
        assertThatThrownBy(() -> StoreIndexes.fromEnvironment(Map.of(StoreIndexes.VARIABLE, "openai:m")))
                .hasMessageContaining("OPENAI_API_KEY");
        assertThatThrownBy(() -> StoreIndexes.fromEnvironment(Map.of(StoreIndexes.VARIABLE, "openai",
                "OPENAI_API_KEY", "k"))).hasMessageContaining("SWITCHBOARD_STORE_INDEX");
    }
}
