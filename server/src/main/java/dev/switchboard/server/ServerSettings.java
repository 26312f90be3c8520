package dev.switchboard.server;

import dev.switchboard.server.auth.ApiKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the HTTP server runs. {@link #fromEnvironment} reads the {@code SWITCHBOARD_*} variables; the
 * {@code switchboard serve} options override them.
 */
public record ServerSettings(String host, int port, long maxBodyBytes, ApiKeys apiKeys, List<String> corsOrigins,
        Duration heartbeat) {

    public static final int DEFAULT_PORT = 8123;

    public ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1 KiB");
        }
        corsOrigins = List.copyOf(corsOrigins);
    }

    public static ServerSettings defaults() {
        return new ServerSettings("127.0.0.1", DEFAULT_PORT, 1024 * 1024, ApiKeys.none(), List.of(), Duration.ofSeconds(10));
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
                d.heartbeat());
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
        return new ServerSettings(host, newPort, maxBodyBytes, apiKeys, corsOrigins, heartbeat);
    }

    public ServerSettings withHost(String newHost) {
        return new ServerSettings(newHost, port, maxBodyBytes, apiKeys, corsOrigins, heartbeat);
    }

    public ServerSettings withApiKeys(ApiKeys keys) {
        return new ServerSettings(host, port, maxBodyBytes, keys, corsOrigins, heartbeat);
    }

    public ServerSettings withCorsOrigins(List<String> origins) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, origins, heartbeat);
    }

    public ServerSettings withMaxBodyBytes(long bytes) {
        return new ServerSettings(host, port, bytes, apiKeys, corsOrigins, heartbeat);
    }

    public ServerSettings withHeartbeat(Duration every) {
        return new ServerSettings(host, port, maxBodyBytes, apiKeys, corsOrigins, every);
    }
}
