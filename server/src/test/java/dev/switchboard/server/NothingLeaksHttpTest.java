package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.webhook.WebhookPolicy;
import dev.switchboard.server.webhook.WebhookSender;
import dev.switchboard.thread.ThreadQuery;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What clients see when things fail carries a stable code and no internal text; webhooks to internal addresses
 * are refused before anything is made, and a delivery to an allowed receiver is signed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NothingLeaksHttpTest {
    private static final String SECRET = "whsec-http";
    private final List<String[]> deliveries = new CopyOnWriteArrayList<>();
    private final HttpServer receiver = receiver();
    private final TestServer t = TestServer.start(s -> s.withWebhooks(WebhookPolicy.defaults()
            .withAllowed(List.of("127.0.0.1/32")).withSecret(SECRET)));
    private final TestServer strict = TestServer.start();

    @AfterAll
    void stop() {
        t.close();
        strict.close();
        receiver.stop(0);
    }

    private HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                deliveries.add(new String[] {body, exchange.getRequestHeaders().getFirst("X-Switchboard-Signature")});
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailingRun_streamsAnErrorEvent_withAStableCode_andNoExceptionText() throws Exception {
        String thread = t.newThread();
        try (Sse sse = t.http.stream("/threads/" + thread + "/runs/stream", scriptedRun("please fail now", 5, 0,
                "stream_mode", List.of("values")))) {
            List<Sse.Frame> frames = sse.readToEnd();
            Sse.Frame error = frames.stream().filter(f -> "error".equals(f.event())).findFirst().orElseThrow();
            assertThat(error.json().path("code").asText()).isEqualTo("run_failed");
            assertThat(error.json().path("error").asText()).isEqualTo("RunError");
            assertThat(error.data()).doesNotContain("FakeStreamingChatModel", "ScriptedFailure", "requested failure");
        }
    }

    @Test
    void aWebhookToAnInternalAddress_is422_andNoThreadOrRunIsMade() {
        long before = strict.switchboard.countThreads(new ThreadQuery(null, null, null, null, 1000, 0, null, false));
        for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8123/",
                "http://localhost/hook", "http://10.0.0.8/hook")) {
            Response r = strict.http.post("/runs", scriptedRun("hi", 1, 0, "webhook", url));
            assertThat(r.status()).as(url).isEqualTo(422);
            assertThat(r.code()).isEqualTo("webhook_refused");
        }
        assertThat(strict.switchboard.countThreads(new ThreadQuery(null, null, null, null, 1000, 0, null, false)))
                .isEqualTo(before);
    }

    @Test
    void aWebhookToAnAllowedReceiver_isDeliveredSigned() {
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String thread = t.newThread();

        Response r = t.http.post("/threads/" + thread + "/runs", scriptedRun("hi", 1, 0, "webhook", url));

        assertThat(r.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !deliveries.isEmpty());
        String[] delivery = deliveries.getFirst();
        long ts = Long.parseLong(delivery[1].replaceAll("^t=(\\d+),v1=.*$", "$1"));
        assertThat(delivery[1]).isEqualTo("t=" + ts + ",v1=" + WebhookSender.sign(SECRET, ts, delivery[0]));
        assertThat(delivery[0]).contains(r.json().path("run_id").asText());
    }
}
