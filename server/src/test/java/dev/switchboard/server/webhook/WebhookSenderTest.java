package dev.switchboard.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.SwitchboardException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Webhooks against a real local receiver: internal targets refused by default (also after DNS and on redirects),
 * an allow-list opens them, deliveries are signed and retried with bounds.
 */
class WebhookSenderTest {
    private static final String SECRET = "whsec-test";
    private final Deque<Integer> answers = new ArrayDeque<>();
    private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile String redirectTo;
    private final HttpServer receiver = receiver();

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (exchange.getRequestURI().getPath().equals("/redirect") && redirectTo != null) {
                    exchange.getResponseHeaders().add("Location", redirectTo);
                    exchange.sendResponseHeaders(307, -1);
                    exchange.close();
                    return;
                }
                received.add(Map.of("id", first(exchange, "X-Switchboard-Webhook-Id"),
                        "attempt", first(exchange, "X-Switchboard-Webhook-Attempt"),
                        "signature", first(exchange, "X-Switchboard-Signature"),
                        "path", exchange.getRequestURI().getPath()));
                bodies.add(body);
                Integer status = answers.poll();
                exchange.sendResponseHeaders(status == null ? 200 : status, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String first(com.sun.net.httpserver.HttpExchange exchange, String header) {
        String value = exchange.getRequestHeaders().getFirst(header);
        return value == null ? "" : value;
    }

    private URI local(String path) {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
    }

    private static WebhookPolicy allowingLoopback() {
        return WebhookPolicy.defaults().withAllowed(List.of("127.0.0.1/32")).withSecret(SECRET)
                .withRetries(3, Duration.ofMillis(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9/hook", "http://[::1]/hook", "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/", "http://10.1.2.3/hook", "http://192.168.1.1/",
            "http://172.16.0.5/", "http://100.64.0.1/", "http://[fd00:ec2::254]/", "http://localhost:8080/",
            "http://api.localhost/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/"})
    void anInternalTarget_isRefusedAtSubmission_byDefault(String url) {
        assertThatThrownBy(() -> WebhookPolicy.defaults().checkSubmitted(url))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("webhook_refused"));
    }

    @Test
    void aPublicTarget_passesSubmission_andUserInfoOrAnotherSchemeDoesNot() {
        assertThatCode(() -> WebhookPolicy.defaults().checkSubmitted("https://hooks.example.com/run-ended"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> WebhookPolicy.defaults().checkSubmitted("https://user:pw@hooks.example.com/"))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThatThrownBy(() -> WebhookPolicy.defaults().checkSubmitted("file:///etc/passwd"))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
    }

    @Test
    void theAllowList_opensARange_orAHost() {
        WebhookPolicy policy = WebhookPolicy.defaults().withAllowed(List.of("10.0.0.0/8", "hooks.internal"));

        assertThatCode(() -> policy.checkSubmitted("http://10.1.2.3/hook")).doesNotThrowAnyException();
        assertThatCode(() -> policy.checkSubmitted("http://hooks.internal/hook")).doesNotThrowAnyException();
        assertThatThrownBy(() -> policy.checkSubmitted("http://192.168.1.1/hook"))
                .isInstanceOf(SwitchboardException.InvalidRequest.class);
    }

    @Test
    void aPublicNameThatResolvesToLoopback_isRefusedAtDelivery_andNothingIsSent() throws Exception {
        WebhookPolicy.Resolver rebinding = host -> host.equals("hooks.example.com")
                ? new InetAddress[] {InetAddress.getByName("93.184.216.34"), InetAddress.getByName("127.0.0.1")}
                : InetAddress.getAllByName(host);
        WebhookSender sender = new WebhookSender(WebhookPolicy.defaults().withRetries(3, Duration.ofMillis(10)),
                rebinding, Clock.systemUTC());

        WebhookSender.Delivery d = sender.deliver(URI.create("http://hooks.example.com:"
                + receiver.getAddress().getPort() + "/hook"), "{}");

        assertThat(d.delivered()).isFalse();
        assertThat(d.outcome()).startsWith("refused").contains("127.0.0.1");
        assertThat(received).isEmpty();
    }

    @Test
    void aRedirectToAnInternalAddress_isNotFollowed_butOneToAnAllowedPlaceIs() throws Exception {
        WebhookSender sender = new WebhookSender(allowingLoopback(), WebhookPolicy.Resolver.SYSTEM, Clock.systemUTC());

        redirectTo = "http://169.254.169.254/latest/meta-data/iam";
        WebhookSender.Delivery refused = sender.deliver(local("/redirect"), "{}");
        redirectTo = local("/final").toString();
        WebhookSender.Delivery followed = sender.deliver(local("/redirect"), "{}");

        assertThat(refused.delivered()).isFalse();
        assertThat(refused.outcome()).startsWith("refused");
        assertThat(followed.delivered()).isTrue();
        assertThat(received).extracting(r -> r.get("path")).containsExactly("/final");
    }

    @Test
    void aFailingReceiver_isRetriedWithTheSameId_andEveryAttemptIsSigned() throws Exception {
        answers.addAll(List.of(503, 429));
        WebhookSender sender = new WebhookSender(allowingLoopback(), WebhookPolicy.Resolver.SYSTEM, Clock.systemUTC());

        WebhookSender.Delivery d = sender.deliver(local("/hook"), "{\"run_id\":\"r1\"}");

        assertThat(d.delivered()).isTrue();
        assertThat(d.attempts()).isEqualTo(3);
        assertThat(received).extracting(r -> r.get("attempt")).containsExactly("1", "2", "3");
        assertThat(received).extracting(r -> r.get("id")).containsOnly(d.webhookId());
        for (int i = 0; i < received.size(); i++) {
            String signature = received.get(i).get("signature");
            long t = Long.parseLong(signature.replaceAll("^t=(\\d+),v1=.*$", "$1"));
            assertThat(signature).endsWith(",v1=" + WebhookSender.sign(SECRET, t, bodies.get(i)));
        }
    }

    @Test
    void retriesAreBounded_andAClientErrorIsNotRetried() throws Exception {
        WebhookSender sender = new WebhookSender(allowingLoopback(), WebhookPolicy.Resolver.SYSTEM, Clock.systemUTC());

        answers.addAll(List.of(500, 500, 500, 500, 500));
        WebhookSender.Delivery gaveUp = sender.deliver(local("/hook"), "{}");
        answers.clear();
        received.clear();
        answers.add(400);
        WebhookSender.Delivery refused = sender.deliver(local("/hook"), "{}");

        assertThat(gaveUp.delivered()).isFalse();
        assertThat(gaveUp.attempts()).isEqualTo(3);
        assertThat(gaveUp.outcome()).startsWith("gave up");
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(received).hasSize(1);
    }

    @Test
    void withoutASecret_noSignatureIsSent() throws Exception {
        WebhookSender sender = new WebhookSender(WebhookPolicy.defaults().withAllowed(List.of("127.0.0.1/32")),
                WebhookPolicy.Resolver.SYSTEM, Clock.systemUTC());

        sender.deliver(local("/hook"), "{}");

        assertThat(received).singleElement().satisfies(r -> assertThat(r.get("signature")).isEmpty());
    }

    @Test
    void anUnresolvableHost_isRefused() throws Exception {
        WebhookSender sender = new WebhookSender(WebhookPolicy.defaults(), host -> {
            throw new UnknownHostException(host);
        }, Clock.systemUTC());

        assertThat(sender.deliver(URI.create("https://nowhere.example/hook"), "{}").outcome())
                .startsWith("refused");
    }
}
