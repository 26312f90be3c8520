package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.telco.offline.Dialogue.Pending;
import dev.switchboard.telco.offline.Knowledge.Intent;
import dev.switchboard.telco.offline.Knowledge.SlotDef;
import dev.switchboard.telco.offline.Knowledge.SlotType;
import dev.switchboard.telco.offline.Knowledge.SlotValue;
import dev.switchboard.telco.offline.Knowledge.ToolPhrase;
import dev.switchboard.telco.offline.Knowledge.Variant;
import dev.switchboard.telco.offline.Understanding.Reading;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decides what the offline model says: for a human turn, understand it and either answer, ask for a missing
 * slot, call a tool, or (on the secondary lane) hold a side-effecting request back; after tool results,
 * answer from them; for a synthesis, state each operation's outcome and answer every interim question.
 */
final class Responder {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n+");
    private static final int BRIEF = 220;

    private final Knowledge knowledge;
    private final Understanding understanding;

    Responder(Knowledge knowledge, Understanding understanding) {
        this.knowledge = knowledge;
        this.understanding = understanding;
    }

    /** One answer: its text, the tools it calls, and the dialogue state to remember. */
    record Turn(String text, List<ToolCall> calls, ObjectNode kwargs) {
        Turn {
            calls = List.copyOf(calls);
            kwargs = kwargs == null ? Json.object() : kwargs;
        }

        static Turn say(String text) {
            return new Turn(text, List.of(), null);
        }
    }

    /** What the request allows: the lane's tools and the operation in flight, if any. */
    private record Situation(ModelRequest request, Map<String, ToolSpec> offered, Optional<ToolCall> inFlight) {
        boolean secondary() {
            return request.purpose() == Purpose.SECONDARY;
        }
    }

    Turn respond(ModelRequest request) {
        Map<String, ToolSpec> offered = new LinkedHashMap<>();
        request.tools().forEach(t -> offered.put(t.name(), t));
        Situation s = new Situation(request, offered, inFlight(request.messages()));
        List<Message> messages = request.messages();
        if (request.purpose() == Purpose.SYNTHESIS) {
            return synthesis(s);
        }
        if (!messages.isEmpty() && messages.getLast() instanceof ToolMessage) {
            return fromToolResults(s);
        }
        return converse(s);
    }

    // ---- a human turn -----------------------------------------------------------------------------------------

    private Turn converse(Situation s) {
        List<Message> messages = s.request().messages();
        int lastHuman = lastIndexOf(messages, HumanMessage.class);
        if (lastHuman < 0) {
            return Turn.say(render(knowledge.intent("greeting").orElseThrow().reply(), Json.object()));
        }
        String text = messages.get(lastHuman).content();
        Optional<Pending> pending = lastHuman > 0 && messages.get(lastHuman - 1) instanceof AiMessage before
                ? Dialogue.pending(before.additionalKwargs()) : Optional.empty();
        if (pending.isPresent()) {
            Optional<Turn> continued = continuePending(s, pending.get(), text);
            if (continued.isPresent()) {
                return continued.get();
            }
        }
        Reading r = understanding.read(text, null);
        // "Premium", "Spain please": a bare slot value means its own thing, whatever it resembles.
        Optional<Turn> bare = slotOnly(s, r);
        if (bare.isPresent()) {
            return bare.get();
        }
        List<Reading> clauses = understanding.readClauses(text);
        if (!clauses.isEmpty()) {
            return several(s, clauses);
        }
        if (r.understood()) {
            Intent intent = r.intent();
            Map<String, SlotValue> slots = slotsFor(intent, r);
            if (!s.secondary() && intent.needsConfirmation(r.tokens())) {
                return new Turn(render(intent.confirm(), labels(slots)), List.of(),
                        Dialogue.kwargs(new Pending(intent.name(), Dialogue.CONFIRM, slots, false), null));
            }
            return act(s, intent, slots);
        }
        if (r.guess() != null) {
            return clarify(s, r);
        }
        return Turn.say(render(knowledge.text("fallback"), Json.object()));
    }

    /**
     * Unsure what the customer means: small talk is harmless to answer anyway; for a request, ask whether it is
     * the likeliest one ("do you want me to check your data balance?") rather than guess or refuse.
     */
    private Turn clarify(Situation s, Reading r) {
        Intent guess = r.guess();
        if (guess.smallTalk()) {
            return act(s, guess, Map.of());
        }
        Map<String, SlotValue> slots = slotsFor(guess, r);
        if (guess.confirm() != null && !s.secondary()) {
            // A drastic request has its own question, which also says what it costs.
            return new Turn(render(guess.confirm(), labels(slots)), List.of(),
                    Dialogue.kwargs(new Pending(guess.name(), Dialogue.CONFIRM, slots, false), null));
        }
        ObjectNode ctx = labels(slots);
        ctx.put("gloss", render(guess.gloss(), ctx));
        return new Turn(render(knowledge.text("clarify"), ctx), List.of(),
                Dialogue.kwargs(new Pending(guess.name(), Dialogue.CLARIFY, slots, false), null));
    }

    /**
     * Several requests in one message. Quick ones are looked up at once; a slow one (a long-running tool) is
     * queued behind them and started in the answer to their results, so the customer reads the quick answers
     * straight away while the slow one runs in the background.
     */
    private Turn several(Situation s, List<Reading> clauses) {
        List<Turn> now = new ArrayList<>();
        List<Pending> later = new ArrayList<>();
        boolean quick = clauses.stream().anyMatch(r -> !slow(s, r.intent()));
        for (Reading r : clauses) {
            Map<String, SlotValue> slots = slotsFor(r.intent(), r);
            if (quick && slow(s, r.intent())) {
                later.add(new Pending(r.intent().name(), null, slots, false));
            } else {
                now.add(act(s, r.intent(), slots));
            }
        }
        Turn merged = merge(now);
        if (later.isEmpty() || merged.calls().isEmpty()) {
            return merge(java.util.stream.Stream.concat(now.stream(), later.stream()
                    .map(p -> act(s, knowledge.intent(p.intent()).orElseThrow(), p.slots()))).toList());
        }
        ObjectNode kwargs = merged.kwargs().deepCopy();
        Dialogue.queue(kwargs, later);
        return new Turn(merged.text(), merged.calls(), kwargs);
    }

    /** Does this intent start an operation that runs in the background here? */
    private boolean slow(Situation s, Intent intent) {
        ToolSpec spec = s.offered().get(intent.tool());
        return spec != null && spec.kind() == ToolKind.LONG_RUNNING;
    }

    private Optional<Turn> continuePending(Situation s, Pending pending, String text) {
        Optional<Intent> intent = knowledge.intent(pending.intent());
        if (intent.isEmpty()) {
            return Optional.empty();
        }
        if (Dialogue.CLARIFY.equals(pending.slot())) {
            // "No, my data balance": a reply that is itself a request is read as one.
            Reading fresh = understanding.read(text, null);
            if (fresh.understood() && !fresh.intent().smallTalk()) {
                return Optional.empty();
            }
            SlotValue answer = understanding.read(text, "answer").slots().get("answer");
            if (answer == null) {
                return Optional.empty();
            }
            return Optional.of(answer.value().equals("yes") ? act(s, intent.get(), pending.slots())
                    : Turn.say(render(knowledge.text("clarify_declined"), Json.object())));
        }
        if (Dialogue.CONFIRM.equals(pending.slot())) {
            SlotValue answer = understanding.read(text, "answer").slots().get("answer");
            if (answer == null) {
                return Optional.empty();
            }
            return Optional.of(answer.value().equals("yes") ? act(s, intent.get(), pending.slots())
                    : Turn.say(render(knowledge.text("declined"), Json.object())));
        }
        Optional<SlotDef> def = intent.get().slot(pending.slot());
        if (def.isEmpty()) {
            return Optional.empty();
        }
        String type = def.get().type();
        Reading r = understanding.read(text, type);
        SlotValue value = r.slots().get(type);
        if (value == null && !r.understood()) {
            value = bareCapture(r, knowledge.slotTypes().get(type)).orElse(null);
        }
        boolean fits = value != null
                && (!r.understood() || r.intent().smallTalk() || r.intent().name().equals(pending.intent()));
        if (fits) {
            Map<String, SlotValue> slots = new LinkedHashMap<>(slotsFor(intent.get(), r));
            slots.putAll(pending.slots());
            slots.put(def.get().name(), value);
            return Optional.of(act(s, intent.get(), slots));
        }
        if (value == null && !pending.soft()) {
            SlotValue no = understanding.read(text, "answer").slots().get("answer");
            if (no != null && no.value().equals("no")) {
                return Optional.of(Turn.say(render(knowledge.text("declined"), Json.object())));
            }
        }
        if (!r.understood() && !pending.soft()) {
            ObjectNode ctx = labels(pending.slots());
            ctx.put("question", render(def.get().question(), ctx));
            return Optional.of(new Turn(render(knowledge.text("not_understood_slot"), ctx), List.of(),
                    Dialogue.kwargs(pending, null)));
        }
        return Optional.empty();
    }

    /** An answer that is nothing but a name the vocabulary lacks ("Narnia") still fills a slot that can capture. */
    private Optional<SlotValue> bareCapture(Reading r, SlotType type) {
        if (type.captureAfter().isEmpty()) {
            return Optional.empty();
        }
        List<String> words = new ArrayList<>();
        for (String t : r.tokens()) {
            if (!knowledge.stopwords().contains(t)) {
                if (understanding.known(t)) {
                    return Optional.empty();
                }
                words.add(Template.capitalise(t));
            }
        }
        if (words.isEmpty() || words.size() > 3) {
            return Optional.empty();
        }
        String value = String.join(" ", words);
        return Optional.of(new SlotValue(value, value, List.of(), List.of()));
    }

    /** A message that is only a slot value: a package means "switch to it?", a country means "roaming there". */
    private Optional<Turn> slotOnly(Situation s, Reading r) {
        if (!r.onlySlots()) {
            return Optional.empty();
        }
        for (var e : knowledge.slotOnly().entrySet()) {
            SlotValue value = r.slots().get(e.getKey());
            if (value == null) {
                continue;
            }
            if (e.getValue().intent() != null) {
                Intent intent = knowledge.intent(e.getValue().intent()).orElseThrow();
                return Optional.of(act(s, intent, slotsFor(intent, r)));
            }
            Intent intent = knowledge.intent(e.getValue().confirmIntent()).orElseThrow();
            Map<String, SlotValue> slots = slotsFor(intent, r);
            return Optional.of(new Turn(render(knowledge.text("confirm_slot_only"), labels(slots)), List.of(),
                    Dialogue.kwargs(new Pending(intent.name(), Dialogue.CONFIRM, slots, false), null)));
        }
        return Optional.empty();
    }

    /** The reading's slot values that this intent has slots for, plus captured ones for slots it still lacks. */
    private Map<String, SlotValue> slotsFor(Intent intent, Reading r) {
        Map<String, SlotValue> slots = new LinkedHashMap<>();
        for (SlotDef def : intent.slots()) {
            SlotValue v = r.slots().get(def.type());
            if (v == null) {
                v = understanding.capture(r.tokens(), knowledge.slotTypes().get(def.type())).orElse(null);
            }
            if (v != null) {
                slots.put(def.name(), v);
            }
        }
        return slots;
    }

    /** Does what the intent asks, as far as this lane allows. */
    private Turn act(Situation s, Intent intent, Map<String, SlotValue> slots) {
        if (intent.smallTalk()) {
            return Turn.say(render(intent.reply(), Json.object()));
        }
        ToolSpec spec = s.offered().get(intent.tool());
        boolean mainOnly = intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool());
        if (s.secondary() && (spec == null ? mainOnly : spec.sideEffects())) {
            return defer(s, intent, slots);
        }
        if (spec == null) {
            return Turn.say(render(intent.unavailableReply() != null ? intent.unavailableReply()
                    : knowledge.text("unavailable"), Json.object()));
        }
        for (SlotDef def : intent.slots()) {
            if (def.required() && !slots.containsKey(def.name())) {
                return new Turn(render(def.question(), labels(slots)), List.of(),
                        Dialogue.kwargs(new Pending(intent.name(), def.name(), slots, false), null));
            }
        }
        ObjectNode args = Json.object();
        slots.forEach((name, v) -> args.put(name, v.value()));
        Template preface = spec.kind() == ToolKind.LONG_RUNNING ? knowledge.prefaces().get(intent.tool()) : null;
        return new Turn(preface == null ? "" : render(preface, labels(slots)), List.of(ToolCall.of(intent.tool(), args)),
                null);
    }

    /** The secondary lane never changes anything: say it waits for the operation in flight, and remember it. */
    private Turn defer(Situation s, Intent intent, Map<String, SlotValue> slots) {
        ObjectNode ctx = labels(slots);
        ctx.put("verb", verb(intent.tool(), ctx));
        ctx.put("current", s.inFlight().map(call -> noun(call.name(), labelsOfArgs(call.name(), call.args())))
                .orElse("the current operation"));
        return new Turn(render(knowledge.text("deferred"), ctx), List.of(),
                Dialogue.kwargs(null, new Pending(intent.name(), null, slots, false)));
    }

    private static Turn merge(List<Turn> turns) {
        List<String> texts = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        ObjectNode kwargs = null;
        for (Turn t : turns) {
            if (!t.text().isBlank()) {
                texts.add(t.text());
            }
            calls.addAll(t.calls());
            if (kwargs == null && !t.kwargs().isEmpty()) {
                kwargs = t.kwargs();
            }
        }
        return new Turn(String.join(" ", texts), calls, kwargs);
    }

    // ---- after tool results -----------------------------------------------------------------------------------

    private Turn fromToolResults(Situation s) {
        List<Message> messages = s.request().messages();
        int ai = lastIndexOf(messages, AiMessage.class);
        AiMessage caller = ai < 0 ? null : (AiMessage) messages.get(ai);
        List<String> parts = new ArrayList<>();
        Pending await = null;
        for (int i = ai + 1; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof ToolMessage result)) {
                continue;
            }
            Optional<ToolCall> call = caller == null ? Optional.empty() : caller.toolCall(result.toolCallId());
            String tool = result.name() != null ? result.name() : call.map(ToolCall::name).orElse("");
            ObjectNode args = call.map(ToolCall::args).orElse(Json.object());
            if (result.isError()) {
                parts.add(errorText(tool, result.content()));
                continue;
            }
            JsonNode json = parseObject(result.content());
            if (json == null) {
                parts.add(result.content());
                continue;
            }
            if (json.has("operation_id") && knowledge.toolPhrases().containsKey(tool)) {
                parts.add(outcome(tool, json.path("status").asText(), json.has("result") ? json.path("result").asText()
                        : json.path("error").asText(""), args));
                continue;
            }
            ObjectNode ctx = ((ObjectNode) json).deepCopy();
            String operationTool = json.path("tool").asText("");
            if (!operationTool.isEmpty()) {
                ObjectNode opArgs = s.inFlight().filter(c -> c.name().equals(operationTool)).map(ToolCall::args)
                        .orElse(Json.object());
                ctx.put("operation", noun(operationTool, labelsOfArgs(operationTool, opArgs)));
            }
            Variant variant = knowledge.answers().getOrDefault(tool, List.of()).stream()
                    .filter(v -> v.matches(json)).findFirst().orElse(null);
            if (variant == null) {
                parts.add(result.content());
                continue;
            }
            parts.add(render(variant.text(), ctx));
            if (variant.thenAwait() != null) {
                await = awaitFrom(variant.thenAwait(), json);
            }
        }
        if (await == null && caller != null) {
            await = Dialogue.pending(caller.additionalKwargs()).orElse(null);
        }
        // The slow requests of a several-request message start now that the quick answers are written.
        List<ToolCall> calls = new ArrayList<>();
        ObjectNode kwargs = null;
        for (Pending queued : caller == null ? List.<Pending>of() : Dialogue.queued(caller.additionalKwargs())) {
            Optional<Intent> intent = knowledge.intent(queued.intent());
            if (intent.isEmpty()) {
                continue;
            }
            Turn t = act(s, intent.get(), queued.slots());
            if (!t.text().isBlank()) {
                parts.add(t.text());
            }
            calls.addAll(t.calls());
            kwargs = kwargs == null && !t.kwargs().isEmpty() ? t.kwargs() : kwargs;
        }
        return new Turn(String.join("\n\n", parts), calls, kwargs != null ? kwargs : Dialogue.kwargs(await, null));
    }

    private Pending awaitFrom(Knowledge.Await spec, JsonNode result) {
        Intent intent = knowledge.intent(spec.intent()).orElseThrow();
        Map<String, SlotValue> slots = new LinkedHashMap<>();
        spec.prefill().forEach((slot, field) -> {
            String v = result.path(field).asText("");
            if (!v.isEmpty()) {
                slots.put(slot, new SlotValue(v, v, List.of(), List.of()));
            }
        });
        return new Pending(intent.name(), spec.slot(), slots, true);
    }

    private String errorText(String tool, String content) {
        String message = content.startsWith("Error: ") ? content.substring("Error: ".length()) : content;
        Template t = knowledge.errors().getOrDefault(tool, knowledge.errors().get("*"));
        ObjectNode ctx = Json.object();
        ctx.put("message", message);
        return t == null ? message : render(t, ctx);
    }

    // ---- synthesis --------------------------------------------------------------------------------------------

    private record Exchange(String question, String answer, Pending deferred) {
    }

    private Turn synthesis(Situation s) {
        JsonNode data = Json.object();
        List<Message> messages = s.request().messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof SystemMessage sys && sys.additionalKwargs().has("switchboard_synthesis")) {
                data = sys.additionalKwargs().path("switchboard_synthesis");
                break;
            }
        }
        List<String> outcomes = new ArrayList<>();
        for (JsonNode op : data.path("operations")) {
            ObjectNode args = op.path("arguments").isObject() ? (ObjectNode) op.path("arguments") : Json.object();
            outcomes.add(outcome(op.path("tool").asText(), op.path("status").asText(), op.path("outcome").asText(""), args));
        }
        StringBuilder text = new StringBuilder(outcomes.isEmpty()
                ? render(knowledge.text("no_operation"), Json.object()) : String.join(" ", outcomes));
        List<String> lines = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        List<Pending> offers = new ArrayList<>();
        Turn lookup;
        for (Exchange ex : exchanges(data.path("interim_messages"))) {
            ObjectNode ctx = Json.object();
            ctx.put("question", ex.question());
            if (ex.deferred() != null) {
                offers.add(ex.deferred());
                lines.add(render(knowledge.text("interim_deferred"), ctx));
            } else if (ex.answer() != null) {
                ctx.put("answer", brief(ex.answer()));
                lines.add(render(knowledge.text("interim_pair"), ctx));
            } else {
                Reading r = understanding.read(ex.question(), null);
                // No clarifying question in the middle of a summary: the likeliest meaning is looked up, and a
                // guessed change is only offered, never done.
                Intent intent = r.intent() != null ? r.intent() : r.guess();
                if (r.outOfDomain()) {
                    lines.add(render(knowledge.text("interim_out_of_domain"), ctx));
                } else if (intent != null && intent.smallTalk()) {
                    ctx.put("answer", brief(render(intent.reply(), Json.object())));
                    lines.add(render(knowledge.text("interim_pair"), ctx));
                } else if (r.intent() == null && intent != null
                        && (intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool()))) {
                    // A change only guessed at is asked about, never offered as if it had been requested.
                    ObjectNode guessed = labels(slotsFor(intent, r));
                    ctx.put("gloss", render(intent.gloss(), guessed));
                    lines.add(render(knowledge.text("interim_unsure"), ctx));
                } else if (intent != null && (intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool()))) {
                    offers.add(new Pending(intent.name(), null, slotsFor(intent, r), false));
                    lines.add(render(knowledge.text("interim_deferred"), ctx));
                } else if (intent != null && s.offered().containsKey(intent.tool())
                        && !(lookup = act(s, intent, slotsFor(intent, r))).calls().isEmpty()) {
                    calls.addAll(lookup.calls());
                    lines.add(render(knowledge.text("interim_unanswered"), ctx));
                } else {
                    lines.add(render(knowledge.text("interim_not_understood"), ctx));
                }
            }
        }
        if (!lines.isEmpty()) {
            text.append("\n\n").append(render(knowledge.text("interim_intro"), Json.object())).append('\n')
                    .append(String.join("\n", lines));
        }
        Pending confirm = null;
        if (offers.size() == 1) {
            Pending offer = offers.getFirst();
            Intent intent = knowledge.intent(offer.intent()).orElseThrow();
            ObjectNode ctx = labels(offer.slots());
            ctx.put("verb", verb(intent.tool(), ctx));
            text.append("\n\n").append(render(knowledge.text("offer_deferred"), ctx));
            confirm = new Pending(offer.intent(), Dialogue.CONFIRM, offer.slots(), false);
        } else if (offers.size() > 1) {
            // One yes cannot mean several changes: name them all and let the next message pick.
            ObjectNode ctx = Json.object();
            var verbs = ctx.putArray("verbs");
            for (Pending offer : offers) {
                Intent intent = knowledge.intent(offer.intent()).orElseThrow();
                verbs.addObject().put("verb", verb(intent.tool(), labels(offer.slots())));
            }
            text.append("\n\n").append(render(knowledge.text("offer_deferred_several"), ctx));
        }
        return new Turn(text.toString(), calls, Dialogue.kwargs(confirm, null));
    }

    /** Each interim question with the first answer given to it (and a request held back, if it was one). */
    private static List<Exchange> exchanges(JsonNode interim) {
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        List<Pending> deferred = new ArrayList<>();
        for (JsonNode m : interim) {
            String type = m.path("type").asText();
            if (type.equals("human")) {
                questions.add(m.path("content").asText(""));
                answers.add(null);
                deferred.add(null);
            } else if (type.equals("ai") && !questions.isEmpty() && m.path("tool_calls").isEmpty()
                    && !m.path("content").asText("").isBlank()) {
                int last = questions.size() - 1;
                if (answers.get(last) == null) {
                    answers.set(last, m.path("content").asText());
                    deferred.set(last, Dialogue.deferred(m.path("additional_kwargs")).orElse(null));
                }
            }
        }
        List<Exchange> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            out.add(new Exchange(questions.get(i), answers.get(i), deferred.get(i)));
        }
        return out;
    }

    /**
     * The first sentence of an earlier answer, for restating it briefly; of each part of an answer that had
     * several (a message with two questions got two answers, one paragraph each).
     */
    private static String brief(String answer) {
        List<String> firsts = new ArrayList<>();
        for (String part : answer.strip().split("\n\\s*\n")) {
            String first = SENTENCE_END.split(part.strip(), 2)[0];
            firsts.add(first.length() <= BRIEF ? first : first.substring(0, BRIEF - 1).stripTrailing() + "…");
        }
        return String.join(" ", firsts);
    }

    /** One operation's outcome in words: its result on success, the reason on failure, a plain "cancelled". */
    private String outcome(String tool, String status, String outcome, ObjectNode args) {
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

    // ---- words for tools and slots ----------------------------------------------------------------------------

    /** The operation in flight: the latest call of a long-running tool in the conversation. */
    private Optional<ToolCall> inFlight(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i) instanceof AiMessage ai) {
                for (ToolCall call : ai.toolCalls()) {
                    if (knowledge.toolPhrases().containsKey(call.name())) {
                        return Optional.of(call);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private String noun(String tool, ObjectNode ctx) {
        ToolPhrase phrase = knowledge.toolPhrases().get(tool);
        return phrase == null ? "the operation" : render(phrase.noun(), ctx);
    }

    private String verb(String tool, ObjectNode ctx) {
        ToolPhrase phrase = knowledge.toolPhrases().get(tool);
        return phrase == null ? "do that" : render(phrase.verb(), ctx);
    }

    /** Slot values as a template context: {@code name} is the value, {@code name_label} how to say it. */
    private static ObjectNode labels(Map<String, SlotValue> slots) {
        ObjectNode ctx = Json.object();
        slots.forEach((name, v) -> {
            ctx.put(name, v.value());
            ctx.put(name + "_label", v.label());
        });
        return ctx;
    }

    /** A tool call's arguments as a template context, labelled from the vocabulary of the intent that calls it. */
    private ObjectNode labelsOfArgs(String tool, ObjectNode args) {
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

    private static String render(Template t, JsonNode ctx) {
        return t == null ? "" : t.render(ctx);
    }

    private static JsonNode parseObject(String text) {
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

    private static int lastIndexOf(List<Message> messages, Class<? extends Message> type) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (type.isInstance(messages.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
