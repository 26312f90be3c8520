package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.Json;
import dev.switchboard.server.auth.ApiKeys;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** /mcp through the official MCP Java SDK's client against the real server, with sign-in on. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class McpHttpTest {
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")));

    @AfterAll
    void stop() {
        t.close();
    }

    private McpSyncClient client(String key) {
        var transport = HttpClientStreamableHttpTransport.builder(t.server.url()).endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(Json.mapper()))
                .httpRequestCustomizer((builder, method, uri, body, context) -> {
                    if (key != null) {
                        builder.header("x-api-key", key);
                    }
                }).build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void everyAssistantIsATool_andACallAnswersWithTheAssistantsReply_leavingNoThread() {
        try (McpSyncClient mcp = client("ka")) {
            mcp.initialize();
            var tools = mcp.listTools().tools();
            assertThat(tools).extracting(McpSchema.Tool::name).contains("scripted", "lanes");
            McpSchema.CallToolResult result = mcp.callTool(McpSchema.CallToolRequest.builder().name("scripted")
                    .arguments(Map.of("message", "hello")).build());
            assertThat(result.isError()).isFalse();
            String text = ((McpSchema.TextContent) result.content().getFirst()).text();
            assertThat(text).startsWith("reply to \"hello\"");
            McpSchema.CallToolResult bad = mcp.callTool(McpSchema.CallToolRequest.builder().name("scripted")
                    .arguments(Map.of("message", "")).build());
            assertThat(bad.isError()).isTrue();
        }
        assertThat(t.http.key("ka").post("/threads/search", Http.obj()).json()).isEmpty();
        assertThat(t.http.get("/info").json().path("flags").path("mcp").asBoolean()).isTrue();
        assertThat(t.http.get("/info").json().path("flags").path("a2a").asBoolean()).isTrue();
    }

    @Test
    void withoutAKey_theEndpointIs401() {
        assertThat(t.http.post("/mcp", Http.obj("jsonrpc", "2.0", "id", 1, "method", "tools/list")).status())
                .isEqualTo(401);
        try (McpSyncClient mcp = client(null)) {
            assertThatThrownBy(mcp::initialize).isInstanceOf(RuntimeException.class);
        }
    }
}
