package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException.InvalidRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A request's JSON body with typed, validating accessors. Every malformed field is a 4xx naming the field;
 * unknown fields are refused where a typo would silently change behaviour ({@link #allowOnly}).
 */
public final class Body {
    private final ObjectNode node;

    private Body(ObjectNode node) {
        this.node = node;
    }

    public static Body parse(String text) {
        if (text == null || text.isBlank()) {
            return new Body(Json.object());
        }
        JsonNode parsed = Json.parse(text);
        if (!parsed.isObject()) {
            throw new InvalidRequest("invalid_body", "the request body must be a JSON object");
        }
        return new Body((ObjectNode) parsed);
    }

    public static Body of(ObjectNode node) {
        return new Body(node);
    }

    public ObjectNode node() {
        return node;
    }

    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /**
     * Refuses a field of the Agent Server's API that Switchboard does not implement, when it is present and not
     * null: a 422 naming it, never a value accepted and ignored.
     */
    public Body refuse(String field, String why) {
        if (has(field)) {
            throw new InvalidRequest("unsupported_field", field + " is not supported: " + why);
        }
        return this;
    }

    public Body allowOnly(Set<String> fields) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw new InvalidRequest("unknown_field", "unknown field '" + name + "'; allowed: " + String.join(", ",
                        fields.stream().sorted().toList()));
            }
        }
        return this;
    }

    public String string(String field, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new InvalidRequest("invalid_field", field + " must be a string");
        }
        return v.asText();
    }

    public String requiredString(String field) {
        String s = string(field, null);
        if (s == null || s.isBlank()) {
            throw new InvalidRequest("missing_field", field + " is required");
        }
        return s;
    }

    public UUID uuid(String field) {
        String s = string(field, null);
        return s == null ? null : Ids.parse(field, s);
    }

    public ObjectNode object(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new InvalidRequest("invalid_field", field + " must be a JSON object");
        }
        return (ObjectNode) v;
    }

    public JsonNode any(String field) {
        JsonNode v = node.get(field);
        return v == null ? null : v;
    }

    public int integer(String field, int fallback, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new InvalidRequest("invalid_field", field + " must be an integer");
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw new InvalidRequest("invalid_field", field + " must be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    public double number(String field, double fallback, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new InvalidRequest("invalid_field", field + " must be a number");
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw new InvalidRequest("invalid_field", field + " must be between " + min + " and " + max);
        }
        return d;
    }

    public Boolean bool(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new InvalidRequest("invalid_field", field + " must be true or false");
        }
        return v.asBoolean();
    }

    /** A string or a list of strings, as stream_mode may be. */
    public List<String> strings(String field) {
        JsonNode v = node.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            throw new InvalidRequest("invalid_field", field + " must be a string or a list of strings");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new InvalidRequest("invalid_field", field + " must contain only strings");
            }
            out.add(e.asText());
        }
        return out;
    }

    public String oneOf(String field, String fallback, Set<String> allowed) {
        String s = string(field, fallback);
        if (s != null && !allowed.contains(s)) {
            throw new InvalidRequest("invalid_field", field + " must be one of " + String.join(", ",
                    allowed.stream().sorted().toList()) + "; got '" + s + "'");
        }
        return s;
    }
}
