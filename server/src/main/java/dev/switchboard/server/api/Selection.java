package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException.InvalidRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Agent Server's {@code select} (which top-level fields of each result to return) and {@code extract} (named
 * values picked out of each result by a path such as {@code values.messages[-1].content}, returned under
 * {@code extracted}). A field or path the server cannot answer is a 422 naming it, checked before the search runs.
 */
record Selection(List<String> fields, Map<String, List<Object>> extract) {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_\\-]*)((?:\\[-?\\d+])*)");
    private static final Pattern INDEX = Pattern.compile("\\[(-?\\d+)]");
    static final int MAX_EXTRACT = 20;

    static final Selection ALL = new Selection(null, Map.of());

    Selection {
        fields = fields == null ? null : List.copyOf(fields);
        extract = Map.copyOf(extract);
    }

    /** From a body's {@code select} (a list of names from {@code allowed}) and, when {@code extractAllowed}, {@code extract}. */
    static Selection of(Body body, Set<String> allowed, Set<String> extractRoots) {
        List<String> fields = body.has("select") ? names(body.any("select"), allowed) : null;
        Map<String, List<Object>> extract = new LinkedHashMap<>();
        if (body.has("extract")) {
            if (extractRoots.isEmpty()) {
                throw new InvalidRequest("unsupported_field", "extract is not supported on this search");
            }
            JsonNode raw = body.any("extract");
            if (!raw.isObject()) {
                throw new InvalidRequest("invalid_field", "extract must be an object of name → path");
            }
            if (raw.size() > MAX_EXTRACT) {
                throw new InvalidRequest("invalid_field", "extract takes at most " + MAX_EXTRACT + " paths");
            }
            raw.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw new InvalidRequest("invalid_field", "extract." + e.getKey() + " must be a path string");
                }
                extract.put(e.getKey(), path(e.getKey(), e.getValue().asText(), extractRoots));
            });
        }
        return new Selection(fields, extract);
    }

    /** From repeated (or comma-separated) {@code select} query parameters. */
    static Selection ofQuery(List<String> raw, Set<String> allowed) {
        if (raw.isEmpty()) {
            return ALL;
        }
        List<String> fields = new ArrayList<>();
        for (String r : raw) {
            for (String f : r.split(",")) {
                fields.add(check(f.trim(), allowed));
            }
        }
        return new Selection(fields, Map.of());
    }

    private static List<String> names(JsonNode raw, Set<String> allowed) {
        if (!raw.isArray()) {
            throw new InvalidRequest("invalid_field", "select must be a list of field names");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : raw) {
            if (!n.isTextual()) {
                throw new InvalidRequest("invalid_field", "select must be a list of field names");
            }
            out.add(check(n.asText(), allowed));
        }
        return out;
    }

    private static String check(String field, Set<String> allowed) {
        if (!allowed.contains(field)) {
            throw new InvalidRequest("invalid_select", "select: unknown or unsupported field '" + field + "'; allowed: "
                    + String.join(", ", allowed.stream().sorted().toList()));
        }
        return field;
    }

    /** A path as steps: field names (String) and array indexes (Integer, negative from the end). */
    private static List<Object> path(String name, String text, Set<String> roots) {
        List<Object> steps = new ArrayList<>();
        for (String segment : text.split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(segment);
            if (!m.matches()) {
                throw new InvalidRequest("invalid_field", "extract." + name + ": '" + text + "' is not a path like "
                        + "values.messages[-1].content");
            }
            steps.add(m.group(1));
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) {
                steps.add(Integer.parseInt(idx.group(1)));
            }
        }
        if (!roots.contains((String) steps.getFirst())) {
            throw new InvalidRequest("invalid_field", "extract." + name + ": a path starts at one of "
                    + String.join(", ", roots.stream().sorted().toList()));
        }
        return List.copyOf(steps);
    }

    /** The result as the caller asked for it: selected fields only, plus {@code extracted}. */
    ObjectNode apply(ObjectNode full) {
        ObjectNode out;
        if (fields == null) {
            out = full;
        } else {
            out = Json.object();
            for (String f : fields) {
                out.set(f, full.get(f));
            }
        }
        if (!extract.isEmpty()) {
            ObjectNode extracted = out.putObject("extracted");
            extract.forEach((name, steps) -> extracted.set(name, follow(full, steps)));
        }
        return out;
    }

    private static JsonNode follow(JsonNode node, List<Object> steps) {
        JsonNode at = node;
        for (Object step : steps) {
            if (at == null || at.isNull()) {
                return NullNode.getInstance();
            }
            if (step instanceof Integer i) {
                int index = i < 0 ? at.size() + i : i;
                at = at.isArray() && index >= 0 && index < at.size() ? at.get(index) : null;
            } else {
                at = at.isObject() ? at.get((String) step) : null;
            }
        }
        return at == null ? NullNode.getInstance() : at;
    }
}
