package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.thread.ThreadTtl;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;

/**
 * A thread's {@code ttl} on the wire, as the Agent Server has it: {@code {"strategy": "delete"|"keep_latest",
 * "ttl": minutes}} (strategy defaults to delete, as in the SDKs); a bare number of minutes is read as
 * {@code {"ttl": n}}, which is what the Python SDK sends for {@code ttl=n}. Anything else is 422 {@code invalid_ttl}.
 */
final class TtlWire {
    private static final double MAX_MINUTES = 525_600;

    private TtlWire() {
    }

    /** The ttl a request asks for; null when {@code raw} is absent or JSON null. */
    static ThreadTtl parse(JsonNode raw) {
        if (raw == null || raw.isNull()) {
            return null;
        }
        if (raw.isNumber()) {
            return new ThreadTtl(ThreadTtl.Strategy.DELETE, minutes(raw));
        }
        if (!raw.isObject()) {
            throw invalid("ttl must be an object {\"strategy\": \"delete\"|\"keep_latest\", \"ttl\": minutes}");
        }
        for (Iterator<String> it = raw.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("strategy") && !f.equals("ttl")) {
                throw invalid("ttl has an unknown field '" + f + "'; it takes strategy and ttl");
            }
        }
        JsonNode strategy = raw.get("strategy");
        ThreadTtl.Strategy s = ThreadTtl.Strategy.DELETE;
        if (strategy != null && !strategy.isNull()) {
            if (!strategy.isTextual()) {
                throw invalid("ttl.strategy must be \"delete\" or \"keep_latest\"");
            }
            s = ThreadTtl.Strategy.fromWire(strategy.asText());
        }
        JsonNode minutes = raw.get("ttl");
        if (minutes == null || minutes.isNull()) {
            throw invalid("ttl.ttl (minutes) is required");
        }
        return new ThreadTtl(s, minutes(minutes));
    }

    private static Duration minutes(JsonNode n) {
        if (!n.isNumber()) {
            throw invalid("ttl minutes must be a number");
        }
        double m = n.asDouble();
        if (!(m > 0) || m > MAX_MINUTES) {
            throw invalid("ttl minutes must be more than 0 and at most 525600, got " + n.asText());
        }
        return Duration.ofMillis(Math.round(m * 60_000));
    }

    /** What {@code GET /threads/{id}?include=ttl} adds: the ttl and when it runs out, counted from updated_at. */
    static ObjectNode wire(ThreadTtl ttl, Instant updatedAt) {
        ObjectNode n = Json.object();
        n.put("strategy", ttl.strategy().wireName());
        double minutes = ttl.after().toMillis() / 60_000.0;
        if (minutes == Math.rint(minutes)) {
            n.put("ttl", (long) minutes);
        } else {
            n.put("ttl", minutes);
        }
        n.put("expires_at", updatedAt.plus(ttl.after()).toString());
        return n;
    }

    private static InvalidRequest invalid(String why) {
        return new InvalidRequest("invalid_ttl", why);
    }
}
