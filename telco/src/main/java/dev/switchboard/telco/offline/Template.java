package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A small logic-less template over a JSON value, so that answers live in the knowledge file rather than in
 * code. {@code {path}} inserts the value at a dotted path (looked up in the innermost section first, then
 * outwards); {@code {Path}} does the same with the first letter capitalised. {@code {#path|sep}…{/path}}
 * repeats its body for each element of a list, joined by {@code sep}, or renders it once with the value as
 * context when it is a truthy non-list; {@code {?path}…{/path}} renders when the value is truthy and
 * {@code {^path}…{/path}} when it is not. Missing, null, false, 0, "" and [] are falsy.
 */
final class Template {
    private sealed interface Node permits Text, Var, Section {
    }

    private record Text(String text) implements Node {
    }

    private record Var(String path, boolean capitalise) implements Node {
    }

    private record Section(char kind, String path, String separator, List<Node> body) implements Node {
    }

    private final String source;
    private final List<Node> nodes;

    private Template(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    static Template parse(String source) {
        List<Node> root = new ArrayList<>();
        Deque<List<Node>> bodies = new ArrayDeque<>();
        Deque<String[]> open = new ArrayDeque<>();
        bodies.push(root);
        int i = 0;
        while (i < source.length()) {
            int start = source.indexOf('{', i);
            if (start < 0) {
                bodies.peek().add(new Text(source.substring(i)));
                break;
            }
            if (start > i) {
                bodies.peek().add(new Text(source.substring(i, start)));
            }
            int end = source.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed '{' at " + start + " in: " + source);
            }
            String tag = source.substring(start + 1, end);
            if (tag.isEmpty()) {
                throw new IllegalArgumentException("empty tag at " + start + " in: " + source);
            }
            char kind = tag.charAt(0);
            switch (kind) {
                case '#', '?', '^' -> {
                    String spec = tag.substring(1);
                    int bar = spec.indexOf('|');
                    String path = bar < 0 ? spec : spec.substring(0, bar);
                    String sep = bar < 0 ? "" : spec.substring(bar + 1);
                    open.push(new String[] {String.valueOf(kind), path, sep});
                    bodies.push(new ArrayList<>());
                }
                case '/' -> {
                    String path = tag.substring(1);
                    if (open.isEmpty() || !open.peek()[1].equals(path)) {
                        throw new IllegalArgumentException("{/" + path + "} closes no open section in: " + source);
                    }
                    String[] opened = open.pop();
                    List<Node> body = bodies.pop();
                    bodies.peek().add(new Section(opened[0].charAt(0), opened[1], opened[2], List.copyOf(body)));
                }
                default -> bodies.peek().add(new Var(tag, Character.isUpperCase(kind)));
            }
            i = end + 1;
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("section {" + open.peek()[0] + open.peek()[1] + "} is never closed in: " + source);
        }
        return new Template(source, List.copyOf(root));
    }

    String render(JsonNode context) {
        StringBuilder out = new StringBuilder();
        Deque<JsonNode> scopes = new ArrayDeque<>();
        scopes.push(context);
        render(nodes, scopes, out);
        return out.toString();
    }

    private static void render(List<Node> nodes, Deque<JsonNode> scopes, StringBuilder out) {
        for (Node node : nodes) {
            switch (node) {
                case Text t -> out.append(t.text());
                case Var v -> {
                    JsonNode value = lookup(scopes, v.capitalise() ? decapitalise(v.path()) : v.path());
                    String text = value == null || value.isNull() || value.isMissingNode() ? "" : value.asText();
                    out.append(v.capitalise() ? capitalise(text) : text);
                }
                case Section s -> {
                    JsonNode value = lookup(scopes, s.path());
                    boolean truthy = truthy(value);
                    switch (s.kind()) {
                        case '?' -> {
                            if (truthy) {
                                render(s.body(), scopes, out);
                            }
                        }
                        case '^' -> {
                            if (!truthy) {
                                render(s.body(), scopes, out);
                            }
                        }
                        default -> {
                            if (!truthy) {
                                break;
                            }
                            if (value.isArray()) {
                                for (int k = 0; k < value.size(); k++) {
                                    if (k > 0) {
                                        out.append(s.separator());
                                    }
                                    scopes.push(value.get(k));
                                    render(s.body(), scopes, out);
                                    scopes.pop();
                                }
                            } else {
                                scopes.push(value);
                                render(s.body(), scopes, out);
                                scopes.pop();
                            }
                        }
                    }
                }
            }
        }
    }

    private static JsonNode lookup(Deque<JsonNode> scopes, String path) {
        for (JsonNode scope : scopes) {
            JsonNode value = at(scope, path);
            if (value != null && !value.isMissingNode()) {
                return value;
            }
        }
        return null;
    }

    private static JsonNode at(JsonNode scope, String path) {
        JsonNode current = scope;
        for (String part : path.split("\\.")) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(part);
        }
        return current;
    }

    static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.doubleValue() != 0;
        }
        if (value.isTextual()) {
            return !value.textValue().isEmpty();
        }
        if (value.isContainerNode()) {
            return !value.isEmpty() || value.isObject();
        }
        return true;
    }

    static String capitalise(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }

    private static String decapitalise(String text) {
        return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
    }

    @Override
    public String toString() {
        return source;
    }
}
