package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.server.web.TestAgents;
import dev.switchboard.server.web.UiServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code switchboard chat} against a server with sign-in on: a key opens it, a missing or wrong one is one line. */
class ChatSignInTest {
    private static final String KEY = "chat-key-of-bob";
    private static UiServer server;

    @BeforeAll
    static void start() {
        server = new UiServer(List.of(TestAgents.scripted(3, 0)), "offline",
                ServerSettings.defaults().withPort(0).withApiKeys(ApiKeys.parse(KEY + ":bob")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ChatTranscript chat(String key) {
        ChatCommand command = new ChatCommand();
        command.url = server.url();
        command.assistant = TestAgents.SCRIPTED;
        command.strategy = "interrupt";
        command.apiKey = key;
        return new ChatTranscript(command);
    }

    @Test
    void withTheApiKey_theChatWorks() throws Exception {
        ChatTranscript chat = chat(KEY);
        await().atMost(Duration.ofSeconds(20)).until(() -> chat.text().contains("new conversation"));
        chat.type("hello");
        await().atMost(Duration.ofSeconds(20)).until(() -> chat.text().contains("agent › reply to \"hello\": t1 t2\n"));
        chat.close();
        assertThat(chat.exit.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void withoutAKey_orWithAWrongOne_oneLineSaysWhatToDo() throws Exception {
        ChatTranscript none = chat(null);
        assertThat(none.exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(none.text()).isEqualTo("switchboard: the server at " + server.url() + " asks for an API key — pass "
                + "--api-key <key> (or set SWITCHBOARD_API_KEY)\n");

        ChatTranscript wrong = chat("not-the-key");
        assertThat(wrong.exit.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(wrong.text()).startsWith("switchboard: the server at " + server.url() + " did not accept that API key")
                .doesNotContain("not-the-key");
    }
}
