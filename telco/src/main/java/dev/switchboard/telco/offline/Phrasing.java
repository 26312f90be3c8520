package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.offline.Knowledge.Intent;
import dev.switchboard.telco.offline.Knowledge.SlotValue;
import dev.switchboard.telco.offline.Knowledge.ToolPhrase;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Words for tools, slots and outcomes, from the knowledge's templates: what the answers and the synthesis say. */
final class Phrasing {
    private final Knowledge knowledge;

    Phrasing(Knowledge knowledge) {
        this.knowledge = knowledge;
    }

    /** One operation's outcome in words: its result on success, the reason on failure, a plain "cancelled". */
    String outcome(String tool, String status, String outcome, ObjectNode args) {
        ObjectNode ctx = labelsOfArgs(tool, args);
        ctx.put("verb", verb(tool, ctx));
        ctx.put("noun", noun(tool, ctx));
        switch (status) {
            case "succeeded" -> {
                JsonNode result = parseObject(outcome);
                Template t = knowledge.outcomes().get(tool + ".succeeded");
                if (result == null || t == null) {
                    return "Done: " + outcome;
                }
                // The result's own fields win: an argument ("pass": "week") must not hide a result field ("pass": {…}).
                ObjectNode merged = ((ObjectNode) result).deepCopy();
                ctx.fields().forEachRemaining(e -> {
                    if (!merged.has(e.getKey())) {
                        merged.set(e.getKey(), e.getValue());
                    }
                });
                return render(t, merged);
            }
            case "failed" -> {
                ctx.put("error", outcome.startsWith("failed: ") ? outcome.substring("failed: ".length()) : outcome);
                return render(knowledge.outcomes().get("*.failed"), ctx);
            }
            case "cancelled" -> {
                return render(knowledge.outcomes().get("*.cancelled"), ctx);
            }
            default -> {
                return render(knowledge.outcomes().get("*.running"), ctx);
            }
        }
    }

    String errorText(String tool, String content) {
        String message = content.startsWith("Error: ") ? content.substring("Error: ".length()) : content;
        Template t = knowledge.errors().getOrDefault(tool, knowledge.errors().get("*"));
        ObjectNode ctx = Json.object();
        ctx.put("message", message);
        return t == null ? message : render(t, ctx);
    }

    String noun(String tool, ObjectNode ctx) {
        ToolPhrase phrase = knowledge.toolPhrases().get(tool);
        return phrase == null ? "the operation" : render(phrase.noun(), ctx);
    }

    String verb(String tool, ObjectNode ctx) {
        ToolPhrase phrase = knowledge.toolPhrases().get(tool);
        return phrase == null ? "do that" : render(phrase.verb(), ctx);
    }

    /** Slot values as a template context: {@code name} is the value, {@code name_label} how to say it. */
    static ObjectNode labels(Map<String, SlotValue> slots) {
        ObjectNode ctx = Json.object();
        slots.forEach((name, v) -> {
            ctx.put(name, v.value());
            ctx.put(name + "_label", v.label());
        });
        return ctx;
    }

    /** A tool call's arguments as a template context, labelled from the vocabulary of the intent that calls it. */
    ObjectNode labelsOfArgs(String tool, ObjectNode args) {
        Map<String, SlotValue> slots = new LinkedHashMap<>();
        Optional<Intent> intent = knowledge.intents().stream().filter(i -> tool.equals(i.tool())).findFirst();
        args.fields().forEachRemaining(e -> {
            String value = e.getValue().asText();
            String label = intent.flatMap(i -> i.slot(e.getKey()))
                    .map(def -> knowledge.slotTypes().get(def.type()))
                    .flatMap(type -> type.values().stream().filter(v -> v.value().equalsIgnoreCase(value)).findFirst())
                    .map(SlotValue::label).orElse(value);
            slots.put(e.getKey(), new SlotValue(value, label, List.of(), List.of()));
        });
        return labels(slots);
    }

    static String render(Template t, JsonNode ctx) {
        return t == null ? "" : t.render(ctx);
    }

    static JsonNode parseObject(String text) {
        if (text == null || !text.strip().startsWith("{")) {
            return null;
        }
        try {
            JsonNode node = Json.parse(text);
            return node.isObject() ? node : null;
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}
