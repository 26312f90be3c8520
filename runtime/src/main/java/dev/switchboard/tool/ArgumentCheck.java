package dev.switchboard.tool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks arguments against the part of JSON Schema tool declarations use: {@code type}, {@code properties},
 * {@code required}, {@code enum}, {@code items}, {@code additionalProperties: false}. Used where a person's
 * edited arguments enter a tool call, so a bad edit is refused before anything runs.
 */
final class ArgumentCheck {
    private ArgumentCheck() {
    }

    static List<String> violations(JsonNode schema, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(schema, value, "args", problems);
        return problems;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual() && !hasType(type.asText(), value)) {
            problems.add(path + " must be " + type.asText());
            return;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                found |= a.equals(value);
            }
            if (!found) {
                problems.add(path + " must be one of " + allowed);
            }
        }
        if (value.isObject()) {
            JsonNode properties = schema.path("properties");
            schema.path("required").forEach(r -> {
                if (!value.has(r.asText()) || value.get(r.asText()).isNull()) {
                    problems.add(path + "." + r.asText() + " is required");
                }
            });
            value.fieldNames().forEachRemaining(name -> {
                JsonNode sub = properties.get(name);
                if (sub != null) {
                    check(sub, value.get(name), path + "." + name, problems);
                } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
                    problems.add(path + "." + name + " is not a parameter");
                }
            });
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static boolean hasType(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> true;
        };
    }
}
