package dev.switchboard.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The store's semantic index configuration: which embedder, and which parts of a value it reads by default.
 * A field path is {@code $} (the whole value) or dot-separated keys ({@code profile.bio}); the text embedded is
 * the named parts, strings as they are and anything else as its JSON, one per line. A put may name its own
 * paths or {@code index: false} (the item is kept but not embedded).
 */
public record StoreIndex(Embedder embedder, List<String> fields) {
    public static final String WHOLE_VALUE = "$";

    public StoreIndex {
        Objects.requireNonNull(embedder, "embedder");
        fields = fields == null || fields.isEmpty() ? List.of(WHOLE_VALUE) : List.copyOf(checkPaths(fields));
    }

    /** Refuses an empty path or one with an empty key. */
    public static List<String> checkPaths(List<String> paths) {
        for (String p : paths) {
            if (p == null || p.isBlank() || (!p.equals(WHOLE_VALUE) && (p.startsWith(".") || p.endsWith(".")
                    || p.contains("..")))) {
                throw new SwitchboardException.InvalidRequest("invalid_index", "index field paths are $ or keys "
                        + "joined by dots (profile.bio); got '" + p + "'");
            }
        }
        return paths;
    }

    /** The vector of {@code value} read at {@code paths} (null: this index's default); null when none is present. */
    public float[] embed(ObjectNode value, List<String> paths) {
        String text = textOf(value, paths == null ? fields : checkPaths(paths));
        return text.isEmpty() ? null : embedder.embed(text);
    }

    static String textOf(ObjectNode value, List<String> paths) {
        List<String> parts = new ArrayList<>();
        for (String path : paths) {
            JsonNode node = value;
            if (!path.equals(WHOLE_VALUE)) {
                for (String key : path.split("\\.")) {
                    node = node == null ? null : node.get(key);
                }
            }
            if (node == null || node.isNull() || node.isMissingNode()) {
                continue;
            }
            parts.add(node.isTextual() ? node.asText() : Json.write(node));
        }
        return String.join("\n", parts);
    }

    /** Cosine similarity; 0 when either vector is all zeros or their sizes differ. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            return 0;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
