package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the offline model knows, read from {@code knowledge.json} next to this class: how to clean up
 * text (contractions, multi-word phrases, synonyms, stopwords, words never to "correct"), the intents with
 * their example phrases and slots, the slot vocabularies, and every answer template. The code only
 * interprets this data; changing what the model understands or says means editing the file.
 */
record Knowledge(
        Tuning tuning,
        List<String> outOfDomain,
        Set<String> stopwords,
        Set<String> protectedWords,
        Map<String, String> contractions,
        List<Map.Entry<String, String>> phrases,
        Map<String, String> synonyms,
        Map<String, SlotType> slotTypes,
        List<Intent> intents,
        Map<String, ToolPhrase> toolPhrases,
        Map<String, Template> prefaces,
        Map<String, List<Variant>> answers,
        Map<String, Template> errors,
        Map<String, Template> outcomes,
        Map<String, Template> texts,
        Map<String, SlotOnly> slotOnly,
        VagueAmount vagueAmount) {

    static final String RESOURCE = "knowledge.json";

    /**
     * How sure the understanding must be. An intent's score is its embedding similarity (cosine with its nearest
     * example) plus {@code lexicalWeight} times its word-overlap score. Below {@code outOfDomainBelow} similarity,
     * or nearest to an out-of-domain example, a request is declined; a best score under {@code sureAbove}, or
     * within {@code margin} of a different intent's, or whose similarity alone is under {@code sureSimilarity}
     * (the words match but the meaning is vague: "check my usage") unless its word overlap reaches
     * {@code sureWords} (nearly an example's words: "any progress?"), gets a clarifying question instead of a guess.
     */
    /**
     * A price question with no subject ("how much is it?", "what does that cost?"): every content word is one of
     * {@code words} (question and price words) and at least one is an {@code amount} word. Said on its own it
     * names nothing to price, so it gets a clarifying question rather than a guess at the bill; right after a
     * look-up of one of {@code refersTo} (intents whose answers carry prices), "it" is that look-up.
     */
    record VagueAmount(Set<String> words, Set<String> amount, Set<String> refersTo) {
        VagueAmount {
            words = Set.copyOf(words);
            amount = Set.copyOf(amount);
            refersTo = Set.copyOf(refersTo);
            if (!words.containsAll(amount)) {
                throw new IllegalArgumentException("vague_amount.words must include every vague_amount.amount word");
            }
        }

        boolean matches(Set<String> contentWords) {
            return !contentWords.isEmpty() && words.containsAll(contentWords)
                    && contentWords.stream().anyMatch(amount::contains);
        }
    }

    record Tuning(double lexicalWeight, double outOfDomainBelow, double sureAbove, double sureSimilarity,
            double sureWords, double margin) {
        static Tuning parse(JsonNode node) {
            return new Tuning(node.path("lexical_weight").asDouble(0.3), node.path("out_of_domain_below").asDouble(0.45),
                    node.path("sure_above").asDouble(0.65), node.path("sure_similarity").asDouble(0.0),
                    node.path("sure_words").asDouble(0.9), node.path("margin").asDouble(0.03));
        }
    }

    /**
     * An intent. {@code confirmUnless}: a drastic request asks {@code confirm} first unless the message names
     * its object outright ("close it" asks, "close my contract" does not).
     */
    record Intent(String name, String tool, boolean sideEffects, List<String> examples, List<SlotDef> slots,
            Template reply, Template unavailableReply, List<String> confirmUnless, Template confirm, Template gloss) {
        Intent {
            Objects.requireNonNull(name, "name");
            examples = List.copyOf(examples);
            slots = List.copyOf(slots);
            confirmUnless = List.copyOf(confirmUnless);
            if (tool == null && reply == null) {
                throw new IllegalArgumentException("intent " + name + " needs a tool or a reply");
            }
            if (!confirmUnless.isEmpty() && confirm == null) {
                throw new IllegalArgumentException("intent " + name + " has confirm_unless but no confirm question");
            }
            if (tool != null && gloss == null) {
                throw new IllegalArgumentException("intent " + name + " needs a gloss, to ask \"do you want me to …?\"");
            }
        }

        boolean needsConfirmation(List<String> words) {
            return !confirmUnless.isEmpty() && confirmUnless.stream().noneMatch(words::contains);
        }

        boolean smallTalk() {
            return tool == null;
        }

        Optional<SlotDef> slot(String slotName) {
            return slots.stream().filter(s -> s.name().equals(slotName)).findFirst();
        }
    }

    record SlotDef(String name, String type, boolean required, Template question) {
        SlotDef {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            if (required && question == null) {
                throw new IllegalArgumentException("required slot " + name + " needs a question to ask for it");
            }
        }
    }

    /**
     * A vocabulary: values with synonyms; {@code bare} forms count only when the model asked for this slot.
     * {@code standsAs}: the words the similarity model reads in place of any value of this type, so that
     * "drop me to basic" and "drop me to unlimited" mean the same to it (null: the value's own words).
     */
    record SlotType(String name, List<SlotValue> values, List<String> captureAfter, String standsAs) {
        SlotType {
            values = List.copyOf(values);
            captureAfter = List.copyOf(captureAfter);
        }
    }

    record SlotValue(String value, String label, List<String> synonyms, List<String> bare) {
        SlotValue {
            Objects.requireNonNull(value, "value");
            label = label == null ? value : label;
            synonyms = List.copyOf(synonyms);
            bare = List.copyOf(bare);
        }
    }

    record Variant(Map<String, String> when, Template text, Await thenAwait) {
        Variant {
            when = Map.copyOf(when);
            Objects.requireNonNull(text, "text");
        }

        /** Every condition holds: a field equals the text given, or ("*") is present at all. */
        boolean matches(JsonNode result) {
            for (var condition : when.entrySet()) {
                JsonNode value = result.path(condition.getKey());
                boolean present = !value.isMissingNode() && !value.isNull();
                if (condition.getValue().equals("*") ? !present : !(present && value.asText().equals(condition.getValue()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** After this answer the model waits for {@code slot} of {@code intent}, with slots prefilled from the result. */
    record Await(String intent, String slot, Map<String, String> prefill) {
        Await {
            prefill = Map.copyOf(prefill);
        }
    }

    record ToolPhrase(Template noun, Template verb) {
    }

    record SlotOnly(String confirmIntent, String intent) {
    }

    private static final class Holder {
        static final Knowledge DEFAULT = load();
    }

    /** The bundled knowledge, read once. */
    static Knowledge bundled() {
        return Holder.DEFAULT;
    }

    static Knowledge load() {
        try (InputStream in = Knowledge.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the offline model's " + RESOURCE + " is missing from the classpath");
            }
            return parse(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Knowledge parse(JsonNode root) {
        Map<String, SlotType> slotTypes = new LinkedHashMap<>();
        root.path("slot_types").fields().forEachRemaining(e -> {
            List<SlotValue> values = new ArrayList<>();
            for (JsonNode v : e.getValue().path("values")) {
                values.add(new SlotValue(v.path("value").asText(), text(v, "label"), strings(v.path("synonyms")),
                        strings(v.path("bare"))));
            }
            slotTypes.put(e.getKey(), new SlotType(e.getKey(), values, strings(e.getValue().path("capture_after")),
                    text(e.getValue(), "stands_as")));
        });
        List<Intent> intents = new ArrayList<>();
        for (JsonNode i : root.path("intents")) {
            List<SlotDef> slots = new ArrayList<>();
            for (JsonNode s : i.path("slots")) {
                String type = s.path("type").asText();
                if (!slotTypes.containsKey(type)) {
                    throw new IllegalArgumentException("intent " + i.path("name").asText() + " uses unknown slot type " + type);
                }
                slots.add(new SlotDef(s.path("name").asText(), type, s.path("required").asBoolean(false),
                        template(s, "question")));
            }
            intents.add(new Intent(i.path("name").asText(), text(i, "tool"), i.path("side_effects").asBoolean(false),
                    strings(i.path("examples")), slots, template(i, "reply"), template(i, "unavailable_reply"),
                    strings(i.path("confirm_unless")), template(i, "confirm"), template(i, "gloss")));
        }
        Map<String, ToolPhrase> phrasesByTool = new LinkedHashMap<>();
        root.path("tool_phrases").fields().forEachRemaining(e -> phrasesByTool.put(e.getKey(),
                new ToolPhrase(template(e.getValue(), "noun"), template(e.getValue(), "verb"))));
        Map<String, List<Variant>> answers = new LinkedHashMap<>();
        root.path("answers").fields().forEachRemaining(e -> {
            List<Variant> variants = new ArrayList<>();
            for (JsonNode v : e.getValue()) {
                Map<String, String> when = new LinkedHashMap<>();
                v.path("when").fields().forEachRemaining(c -> when.put(c.getKey(), c.getValue().asText()));
                JsonNode a = v.path("then_await");
                Await await = null;
                if (a.isObject()) {
                    Map<String, String> prefill = new LinkedHashMap<>();
                    a.path("prefill").fields().forEachRemaining(p -> prefill.put(p.getKey(), p.getValue().asText()));
                    await = new Await(a.path("intent").asText(), a.path("slot").asText(), prefill);
                }
                variants.add(new Variant(when, template(v, "text"), await));
            }
            answers.put(e.getKey(), List.copyOf(variants));
        });
        Map<String, SlotOnly> slotOnly = new LinkedHashMap<>();
        root.path("slot_only").fields().forEachRemaining(e -> slotOnly.put(e.getKey(),
                new SlotOnly(text(e.getValue(), "confirm_intent"), text(e.getValue(), "intent"))));
        List<Map.Entry<String, String>> phrases = new ArrayList<>(stringMap(root.path("phrases")).entrySet());
        // Longest first, so "bolt ons" wins over "bolt on".
        phrases.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        Knowledge k = new Knowledge(Tuning.parse(root.path("understanding")),
                strings(root.path("out_of_domain")), new LinkedHashSet<>(strings(root.path("stopwords"))),
                new LinkedHashSet<>(strings(root.path("protected_words"))), stringMap(root.path("contractions")),
                List.copyOf(phrases), stringMap(root.path("synonyms")), Map.copyOf(slotTypes), List.copyOf(intents),
                Map.copyOf(phrasesByTool), templates(root.path("prefaces")), Map.copyOf(answers),
                templates(root.path("errors")), templates(root.path("outcomes")), templates(root.path("texts")),
                Map.copyOf(slotOnly), new VagueAmount(new LinkedHashSet<>(strings(root.path("vague_amount").path("words"))),
                        new LinkedHashSet<>(strings(root.path("vague_amount").path("amount"))),
                        new LinkedHashSet<>(strings(root.path("vague_amount").path("refers_to")))));
        k.check();
        return k;
    }

    private void check() {
        for (List<Variant> variants : answers.values()) {
            for (Variant v : variants) {
                if (v.thenAwait() != null && intent(v.thenAwait().intent()).flatMap(i -> i.slot(v.thenAwait().slot())).isEmpty()) {
                    throw new IllegalArgumentException("then_await names an unknown intent or slot: " + v.thenAwait());
                }
            }
        }
        for (String name : vagueAmount.refersTo()) {
            if (intent(name).filter(i -> i.tool() != null && !i.sideEffects()).isEmpty()) {
                throw new IllegalArgumentException("vague_amount.refers_to names no look-up intent: " + name);
            }
        }
        for (SlotOnly s : slotOnly.values()) {
            for (String name : new String[] {s.confirmIntent(), s.intent()}) {
                if (name != null && intent(name).isEmpty()) {
                    throw new IllegalArgumentException("slot_only names an unknown intent: " + name);
                }
            }
        }
        for (String required : List.of("fallback", "deferred", "not_understood_slot", "interim_intro", "interim_pair",
                "offer_deferred", "declined", "unavailable", "no_operation", "interim_deferred", "interim_unanswered",
                "interim_not_understood", "confirm_slot_only", "clarify", "clarify_declined", "interim_out_of_domain", "interim_unsure", "offer_deferred_several", "interim_pair_deferred")) {
            if (!texts.containsKey(required)) {
                throw new IllegalArgumentException("texts." + required + " is missing");
            }
        }
    }

    Optional<Intent> intent(String name) {
        return intents.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    Template text(String name) {
        Template t = texts.get(name);
        if (t == null) {
            throw new IllegalStateException("texts." + name + " is missing");
        }
        return t;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Template template(JsonNode node, String field) {
        String t = text(node, field);
        return t == null ? null : Template.parse(t);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static Map<String, Template> templates(JsonNode object) {
        Map<String, Template> out = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), Template.parse(e.getValue().asText())));
        return Map.copyOf(out);
    }
}
