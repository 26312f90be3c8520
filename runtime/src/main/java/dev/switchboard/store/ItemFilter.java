package dev.switchboard.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A store search's {@code filter}, as the Agent Server has it: each field of the filter must hold for the
 * item's value. A field's condition is a value (equal, objects and arrays by containment as {@link Json#contains})
 * or an object of operators: {@code $eq}, {@code $ne}, {@code $gt}, {@code $gte}, {@code $lt}, {@code $lte}.
 * Order comparisons compare numbers as numbers and strings as strings; anything else (a missing field included)
 * does not match them.
 */
public final class ItemFilter {
    private static final Set<String> OPERATORS = Set.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte");

    private ItemFilter() {
    }

    /** Refuses an unknown operator, or operators mixed with plain keys, before anything runs. */
    public static ObjectNode check(ObjectNode filter) {
        if (filter == null) {
            return null;
        }
        filter.fields().forEachRemaining(e -> {
            if (isOperatorObject(e.getValue())) {
                e.getValue().fieldNames().forEachRemaining(op -> {
                    if (!OPERATORS.contains(op)) {
                        throw new SwitchboardException.InvalidRequest("invalid_filter", "filter." + e.getKey()
                                + ": unknown operator '" + op + "'; supported: $eq, $ne, $gt, $gte, $lt, $lte");
                    }
                });
            }
        });
        return filter;
    }

    private static boolean isOperatorObject(JsonNode node) {
        if (!node.isObject() || node.isEmpty()) {
            return false;
        }
        Iterator<String> names = node.fieldNames();
        boolean any = false;
        boolean all = true;
        while (names.hasNext()) {
            boolean op = names.next().startsWith("$");
            any |= op;
            all &= op;
        }
        if (any && !all) {
            throw new SwitchboardException.InvalidRequest("invalid_filter",
                    "a filter condition is either operators ($eq, $gt, …) or a value, not both");
        }
        return any;
    }

    public static boolean matches(ObjectNode value, ObjectNode filter) {
        if (filter == null) {
            return true;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = filter.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode actual = value.get(f.getKey());
            if (isOperatorObject(f.getValue())) {
                Iterator<Map.Entry<String, JsonNode>> ops = f.getValue().fields();
                while (ops.hasNext()) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (!holds(op.getKey(), actual, op.getValue())) {
                        return false;
                    }
                }
            } else if (actual == null || !Json.contains(actual, f.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(String op, JsonNode actual, JsonNode operand) {
        return switch (op) {
            case "$eq" -> actual != null && Json.contains(actual, operand) && Json.contains(operand, actual);
            case "$ne" -> actual == null || !(Json.contains(actual, operand) && Json.contains(operand, actual));
            default -> {
                Integer c = compare(actual, operand);
                yield c != null && switch (op) {
                    case "$gt" -> c > 0;
                    case "$gte" -> c >= 0;
                    case "$lt" -> c < 0;
                    case "$lte" -> c <= 0;
                    default -> throw new SwitchboardException.InvalidRequest("invalid_filter", "unknown operator " + op);
                };
            }
        };
    }

    private static Integer compare(JsonNode a, JsonNode b) {
        if (a == null) {
            return null;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        if (a.isTextual() && b.isTextual()) {
            return a.asText().compareTo(b.asText());
        }
        return null;
    }
}
