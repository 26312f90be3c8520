package dev.switchboard.tool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Duration;
import java.util.Objects;

/**
 * What a tool declares about itself. {@code parameters} is a JSON schema of its arguments (what a model
 * sees); {@code pointOfNoReturn} is the progress percentage after which a cancel is refused (100 when the
 * tool can always be cancelled, 0 when never); {@code idempotent} says a retry with the same idempotency
 * key is safe, which crash recovery relies on.
 */
public record ToolSpec(
        String name,
        String description,
        ObjectNode parameters,
        ToolKind kind,
        Duration nominalDuration,
        boolean sideEffects,
        boolean idempotent,
        int pointOfNoReturn) {

    public ToolSpec {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("tool name must be 1-64 letters, digits, _ or -: " + name);
        }
        Objects.requireNonNull(kind, "kind");
        description = description == null ? "" : description;
        parameters = parameters == null ? emptySchema() : parameters.deepCopy();
        nominalDuration = nominalDuration == null ? Duration.ZERO : nominalDuration;
        if (pointOfNoReturn < 0 || pointOfNoReturn > 100) {
            throw new IllegalArgumentException("pointOfNoReturn is a percentage: " + pointOfNoReturn);
        }
        if (kind == ToolKind.QUICK && sideEffects) {
            throw new IllegalArgumentException("a quick tool is read-only; " + name + " declares side effects");
        }
    }

    /** A quick, read-only tool. */
    public static ToolSpec quick(String name, String description, ObjectNode parameters) {
        return new ToolSpec(name, description, parameters, ToolKind.QUICK, Duration.ZERO, false, true, 100);
    }

    /** What is wrong with {@code arguments} for this tool's parameter schema; empty when they fit. */
    public java.util.List<String> violations(ObjectNode arguments) {
        return ArgumentCheck.violations(parameters, arguments == null ? Json.object() : arguments);
    }

    public static ObjectNode emptySchema() {
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        schema.set("properties", Json.object());
        return schema;
    }
}
