package dev.switchboard.server;

import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.server.auth.Authenticator;
import dev.switchboard.server.auth.JwtSettings;
import dev.switchboard.server.auth.JwtVerifier;
import dev.switchboard.server.webhook.WebhookPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the HTTP server runs. {@link #fromEnvironment} reads the {@code SWITCHBOARD_*} variables; the
 * {@code switchboard serve} options override them.
 */
public record ServerSettings(String host, int port, long maxBodyBytes, ApiKeys apiKeys, List<String> corsOrigins,
        Duration heartbeat, JwtSettings jwt, Set<String> adminUsers, Set<String> serviceUsers,
        WebhookPolicy webhooks) {

    public static final int DEFAULT_PORT = 8123;

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1 KiB");
        }
        corsOrigins = List.copyOf(corsOrigins);
        adminUsers = Set.copyOf(adminUsers);
        serviceUsers = Set.copyOf(serviceUsers);
        webhooks = webhooks == null ? WebhookPolicy.defaults() : webhooks;
    }

    public ServerSettings(String host, int port, long maxBodyBytes, ApiKeys apiKeys, List<String> corsOrigins,
            Duration heartbeat) {
        this(host, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, null, Set.of(), Set.of(),
                WebhookPolicy.defaults());
    }

    /** Sign-in as configured: API keys and/or JWT; off when neither is. */
    public Authenticator authenticator() {
        return new Authenticator(apiKeys, jwt == null ? null : new JwtVerifier(jwt), adminUsers, serviceUsers);
    }

    /** What the server says at start about sign-in: the modes on, never a key. */
    public String signInDescription() {
        if (!authEnabled()) {
            return "off: anonymous mode (each visitor gets a demo account of their own; the client is trusted); "
                    + "set SWITCHBOARD_API_KEYS or SWITCHBOARD_JWT_* to turn sign-in on";
        }
        StringBuilder s = new StringBuilder();
        if (apiKeys.enabled()) {
            s.append("API keys");
        }
        if (jwt != null) {
            // The JWKS URL without its query, which could carry a credential.
            String keys = jwt.jwksUrl() != null ? "JWKS " + jwt.jwksUrl().replaceAll("[?#].*$", "") : "pinned key";
            s.append(s.isEmpty() ? "" : " and ").append("JWT (issuer ").append(jwt.issuer()).append(", audience ")
                    .append(jwt.audience()).append(", ").append(keys).append(')');
        }
        return s + roleList("admin", adminUsers) + roleList("service", serviceUsers);
    }

    private static String roleList(String role, Set<String> users) {
        return users.isEmpty() ? "" : "; " + role + " users " + String.join(", ", users.stream().sorted().toList());
    }

    public boolean authEnabled() {
        return apiKeys.enabled() || jwt != null;
    }

    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", DEFAULT_PORT, 1024 * 1024, ApiKeys.none(), List.of(),
                Duration.ofSeconds(10), null, Set.of(), Set.of(), WebhookPolicy.defaults());
    }

    public static ServerSettings fromEnvironment(Map<String, String> env) {
        ServerSettings d = defaults();
        String cors = env.get("SWITCHBOARD_CORS_ORIGINS");
        String host = env.get("SWITCHBOARD_HOST");
        return new ServerSettings(host == null || host.isBlank() ? d.host() : host.strip(),
                (int) number(env, "SWITCHBOARD_PORT", d.port(), 0, 65535),
                number(env, "SWITCHBOARD_MAX_BODY_BYTES", d.maxBodyBytes(), 1024, Long.MAX_VALUE),
                ApiKeys.parse(env.get("SWITCHBOARD_API_KEYS")),
                cors == null || cors.isBlank() ? List.of() : List.of(cors.split("\\s*,\\s*")),
                d.heartbeat(), JwtSettings.fromEnvironment(env), names(env.get("SWITCHBOARD_ADMIN_USERS")),
                names(env.get("SWITCHBOARD_SERVICE_USERS")), WebhookPolicy.fromEnvironment(env));
    }

    private static Set<String> names(String csv) {
        return csv == null || csv.isBlank() ? Set.of() : Arrays.stream(csv.split(",")).map(String::strip)
                .filter(n -> !n.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * A whole-number variable: its value, {@code fallback} when unset or blank, else a sentence naming the
     * variable and the allowed range (never a bare NumberFormatException).
     */
    public static long number(Map<String, String> env, String variable, long fallback, long min, long max) {
        String raw = env.get(variable);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a whole number, not '" + raw.strip() + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(variable + " must be " + (max == Long.MAX_VALUE ? "at least " + min
                    : "between " + min + " and " + max) + ", not " + value);
        }
        return value;
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(host, newPort, maxBodyBytes, apiKeys, corsOrigins, heartbeat, jwt, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, jwt, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withApiKeys(ApiKeys keys) {
        return new ServerSettings(host, port, maxBodyBytes, keys, corsOrigins, heartbeat, jwt, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withCorsOrigins(List<String> origins) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, origins, heartbeat, jwt, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withMaxBodyBytes(long bytes) {
        return new ServerSettings(host, port, bytes, apiKeys, corsOrigins, heartbeat, jwt, adminUsers, serviceUsers,
                webhooks);
    }

    public ServerSettings withHeartbeat(Duration every) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, every, jwt, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withJwt(JwtSettings settings) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, settings, adminUsers,
                serviceUsers, webhooks);
    }

    public ServerSettings withAdminUsers(Set<String> users) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, jwt, users,
                serviceUsers, webhooks);
    }

    public ServerSettings withServiceUsers(Set<String> users) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, jwt, adminUsers, users,
                webhooks);
    }

    public ServerSettings withWebhooks(WebhookPolicy policy) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat, jwt, adminUsers,
                serviceUsers, policy);
    }
}
