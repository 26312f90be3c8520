package dev.switchboard;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON tree model shared by every module. Free-form values (metadata, config, state values,
 * store items) are Jackson trees; records that hold one keep their own deep copy so that no caller
 * can change them behind their back.
 */
public final class Json {
    /**
     * Buffers from one pool shared by all threads. Jackson's default pool is per thread, held by a soft reference:
     * with a virtual thread per request, run and stream, every long-lived stream pinned its own char and byte
     * buffers (tens of KiB each, sized by the largest state it ever wrote) until memory ran short; at a thousand
     * streaming conversations that was over 100 KiB of heap per conversation.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build());

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    /** A deep copy of {@code node} as an object; null or JSON null becomes an empty object. */
    public static ObjectNode copyObject(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return object();
        }
        if (!node.isObject()) {
            throw new SwitchboardException.InvalidRequest("expected a JSON object, got " + node.getNodeType());
        }
        return ((ObjectNode) node).deepCopy();
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SwitchboardException.InvalidRequest("malformed_json", "malformed JSON: " + e.getOriginalMessage());
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree failed to serialise", e);
        }
    }

    /**
     * True when every field of {@code expected} is present in {@code actual} with a containing value (JSONB
     * {@code @>}). A null or JSON null {@code expected} is no filter at all; a JSON null inside it matches
     * only a JSON null, never a missing field.
     */
    public static boolean contains(JsonNode actual, JsonNode expected) {
        if (expected == null || expected.isNull() || expected.isMissingNode()) {
            return true;
        }
        return containsNode(actual, expected);
    }

    private static boolean containsNode(JsonNode actual, JsonNode expected) {
        if (actual == null || actual.isMissingNode()) {
            return false;
        }
        if (expected.isObject()) {
            if (!actual.isObject()) {
                return false;
            }
            var fields = expected.fields();
            while (fields.hasNext()) {
                var e = fields.next();
                if (!containsNode(actual.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray()) {
            if (!actual.isArray()) {
                return false;
            }
            for (JsonNode want : expected) {
                boolean found = false;
                for (JsonNode have : actual) {
                    if (containsNode(have, want)) {
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    return false;
                }
            }
            return true;
        }
        return actual.equals(expected);
    }
}
