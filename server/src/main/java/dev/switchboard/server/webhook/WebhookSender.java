package dev.switchboard.server.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.logging.Logger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Delivers webhooks under a {@link WebhookPolicy}. Each attempt checks the URL again after DNS resolution;
 * redirects are followed by hand (at most {@value #MAX_REDIRECTS}) so that each target is checked too. An attempt
 * that fails to connect, or answers 5xx, 408 or 429, is retried after a backoff that doubles each time, up to the
 * policy's attempts; any other answer ends the delivery. Every attempt carries the same
 * {@code X-Switchboard-Webhook-Id}, so a receiver can drop repeats, and, with a secret, the signature header
 * <pre>X-Switchboard-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;</pre>
 *
 * <p>The check and the connection resolve the name separately, so a name whose DNS answer changes between the
 * two (DNS rebinding) is not fully covered; a deployment that must rule that out routes webhooks through an
 * egress proxy.
 */
public final class WebhookSender {
    private static final Logger LOG = Logger.getLogger(WebhookSender.class.getName());
    static final int MAX_REDIRECTS = 3;

    private final WebhookPolicy policy;
    private final WebhookPolicy.Resolver resolver;
    private final Clock clock;
    private final HttpClient client;

    public WebhookSender(WebhookPolicy policy) {
        this(policy, WebhookPolicy.Resolver.SYSTEM, Clock.systemUTC());
    }

    WebhookSender(WebhookPolicy policy, WebhookPolicy.Resolver resolver, Clock clock) {
        this.policy = policy;
        this.resolver = resolver;
        this.clock = clock;
        this.client = HttpClient.newBuilder().connectTimeout(policy.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public WebhookPolicy policy() {
        return policy;
    }

    /** How a delivery ended: the attempts made, the last status (0 when none answered), and why it stopped. */
    public record Delivery(String webhookId, int attempts, int status, boolean delivered, String outcome) {
    }

    /** Delivers {@code body} to {@code url}, blocking through the retries. */
    public Delivery deliver(URI url, String body) throws InterruptedException {
        String id = UUID.randomUUID().toString();
        Duration wait = policy.backoff();
        int status = 0;
        String outcome = "not attempted";
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            if (attempt > 1) {
                Thread.sleep(wait.toMillis());
                wait = wait.multipliedBy(2);
            }
            URI target = url;
            boolean retry;
            try {
                int redirects = 0;
                while (true) {
                    String refusal = policy.refusal(target, resolver);
                    if (refusal != null) {
                        LOG.warning("webhook " + id + " refused: " + refusal);
                        return new Delivery(id, attempt, status, false, "refused: " + refusal);
                    }
                    HttpResponse<Void> response = client.send(request(target, body, id, attempt),
                            HttpResponse.BodyHandlers.discarding());
                    status = response.statusCode();
                    String location = response.headers().firstValue("Location").orElse(null);
                    if (status >= 300 && status < 400 && location != null && redirects < MAX_REDIRECTS) {
                        target = target.resolve(location);
                        redirects++;
                        continue;
                    }
                    break;
                }
                if (status >= 200 && status < 300) {
                    return new Delivery(id, attempt, status, true, "delivered");
                }
                retry = status >= 500 || status == 408 || status == 429;
                outcome = "answered " + status;
            } catch (IOException | IllegalArgumentException e) {
                retry = true;
                outcome = "failed: " + e.getClass().getSimpleName();
            }
            LOG.info("webhook " + id + " attempt " + attempt + " of " + policy.maxAttempts() + ": " + outcome);
            if (!retry) {
                return new Delivery(id, attempt, status, false, outcome);
            }
        }
        return new Delivery(id, policy.maxAttempts(), status, false, "gave up: " + outcome);
    }

    private HttpRequest request(URI target, String body, String id, int attempt) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(policy.timeout())
                .header("Content-Type", "application/json")
                .header("X-Switchboard-Webhook-Id", id)
                .header("X-Switchboard-Webhook-Attempt", Integer.toString(attempt))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (policy.secret() != null) {
            long t = clock.instant().getEpochSecond();
            b.header("X-Switchboard-Signature", "t=" + t + ",v1=" + sign(policy.secret(), t, body));
        }
        return b.build();
    }

    /** The hex HMAC-SHA256 of {@code t + "." + body} under {@code secret}: what a receiver recomputes. */
    public static String sign(String secret, long t, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
