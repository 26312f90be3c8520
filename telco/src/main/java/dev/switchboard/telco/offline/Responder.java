package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.telco.offline.Dialogue.Pending;
import dev.switchboard.telco.offline.Knowledge.Intent;
import dev.switchboard.telco.offline.Knowledge.SlotDef;
import dev.switchboard.telco.offline.Knowledge.SlotType;
import dev.switchboard.telco.offline.Knowledge.SlotValue;
import dev.switchboard.telco.offline.Knowledge.Variant;
import dev.switchboard.telco.offline.Understanding.Reading;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides what the offline model says: for a human turn, understand it and either answer, ask for a missing
 * slot or what was meant, decline (out of domain), call tools (quick ones first when a slow one was asked in
 * the same message), or (on the secondary lane) hold a side-effecting request back; after tool results, answer
 * from them and start any slow request queued behind them; for a synthesis, hand over to {@link Synthesis}.
 *
 * <p>At ~480 lines it is over the project's usual size on purpose: it is one decision table for a turn
 * (pending question, bare slot value, several requests, one request, a guess, nothing), and its paths call
 * each other ({@code act}, {@code slotsFor}); the words ({@link Phrasing}) and the synthesis live apart.
 */
final class Responder {
    private final Knowledge knowledge;
    private final Understanding understanding;
    private final Phrasing phrasing;
    private final Synthesis synthesis;

    Responder(Knowledge knowledge, Understanding understanding) {
        this.knowledge = knowledge;
        this.understanding = understanding;
        this.phrasing = new Phrasing(knowledge);
        this.synthesis = new Synthesis(knowledge, understanding, phrasing, this);
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
    record Situation(ModelRequest request, Map<String, ToolSpec> offered, Optional<ToolCall> inFlight) {
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
            return synthesis.write(s);
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
            return Turn.say(Phrasing.render(knowledge.intent("greeting").orElseThrow().reply(), Json.object()));
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
                return new Turn(Phrasing.render(intent.confirm(), Phrasing.labels(slots)), List.of(),
                        Dialogue.kwargs(new Pending(intent.name(), Dialogue.CONFIRM, slots, false), null));
            }
            return act(s, intent, slots);
        }
        if (understanding.vagueAmount(r)) {
            Optional<Reading> earlier = earlierLookup(messages, lastHuman);
            if (earlier.isPresent()) {
                return act(s, earlier.get().intent(), slotsFor(earlier.get().intent(), earlier.get()));
            }
        }
        if (r.guess() != null) {
            return clarify(s, r);
        }
        return Turn.say(Phrasing.render(knowledge.text("fallback"), Json.object()));
    }

    /**
     * What "it" in "how much is it?" refers to: the customer's previous message, when it was surely a look-up
     * whose answer carries prices ({@code vague_amount.refers_to}: "what passes are there for Spain?"), which is
     * then asked again. A change, a status check or a slow summary is never repeated this way; without such a
     * message there is nothing to resolve "it" to, so the customer is asked.
     */
    private Optional<Reading> earlierLookup(List<Message> messages, int lastHuman) {
        for (int i = lastHuman - 1; i >= 0; i--) {
            if (messages.get(i) instanceof HumanMessage earlier) {
                Reading r = understanding.read(earlier.content(), null);
                return r.understood() && knowledge.vagueAmount().refersTo().contains(r.intent().name())
                        ? Optional.of(r) : Optional.empty();
            }
        }
        return Optional.empty();
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
            return new Turn(Phrasing.render(guess.confirm(), Phrasing.labels(slots)), List.of(),
                    Dialogue.kwargs(new Pending(guess.name(), Dialogue.CONFIRM, slots, false), null));
        }
        ObjectNode ctx = Phrasing.labels(slots);
        ctx.put("gloss", Phrasing.render(guess.gloss(), ctx));
        return new Turn(Phrasing.render(knowledge.text("clarify"), ctx), List.of(),
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
                    : Turn.say(Phrasing.render(knowledge.text("clarify_declined"), Json.object())));
        }
        if (Dialogue.CONFIRM.equals(pending.slot())) {
            SlotValue answer = understanding.read(text, "answer").slots().get("answer");
            if (answer == null) {
                return Optional.empty();
            }
            return Optional.of(answer.value().equals("yes") ? act(s, intent.get(), pending.slots())
                    : Turn.say(Phrasing.render(knowledge.text("declined"), Json.object())));
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
        // A bare value ("Unlimited") answers the question whatever else it resembles.
        boolean fits = value != null && (r.onlySlots() || !r.understood() || r.intent().smallTalk()
                || r.intent().name().equals(pending.intent()));
        if (fits) {
            Map<String, SlotValue> slots = new LinkedHashMap<>(slotsFor(intent.get(), r));
            slots.putAll(pending.slots());
            slots.put(def.get().name(), value);
            return Optional.of(act(s, intent.get(), slots));
        }
        if (value == null && !pending.soft()) {
            SlotValue no = understanding.read(text, "answer").slots().get("answer");
            if (no != null && no.value().equals("no")) {
                return Optional.of(Turn.say(Phrasing.render(knowledge.text("declined"), Json.object())));
            }
        }
        if (!r.understood() && !pending.soft()) {
            ObjectNode ctx = Phrasing.labels(pending.slots());
            ctx.put("question", Phrasing.render(def.get().question(), ctx));
            return Optional.of(new Turn(Phrasing.render(knowledge.text("not_understood_slot"), ctx), List.of(),
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
            return Optional.of(new Turn(Phrasing.render(knowledge.text("confirm_slot_only"), Phrasing.labels(slots)), List.of(),
                    Dialogue.kwargs(new Pending(intent.name(), Dialogue.CONFIRM, slots, false), null)));
        }
        return Optional.empty();
    }

    /** The reading's slot values that this intent has slots for, plus captured ones for slots it still lacks. */
    Map<String, SlotValue> slotsFor(Intent intent, Reading r) {
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
    Turn act(Situation s, Intent intent, Map<String, SlotValue> slots) {
        if (intent.smallTalk()) {
            return Turn.say(Phrasing.render(intent.reply(), Json.object()));
        }
        ToolSpec spec = s.offered().get(intent.tool());
        boolean mainOnly = intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool());
        if (s.secondary() && (spec == null ? mainOnly : spec.sideEffects())) {
            return defer(s, intent, slots);
        }
        if (spec == null) {
            return Turn.say(Phrasing.render(intent.unavailableReply() != null ? intent.unavailableReply()
                    : knowledge.text("unavailable"), Json.object()));
        }
        for (SlotDef def : intent.slots()) {
            if (def.required() && !slots.containsKey(def.name())) {
                return new Turn(Phrasing.render(def.question(), Phrasing.labels(slots)), List.of(),
                        Dialogue.kwargs(new Pending(intent.name(), def.name(), slots, false), null));
            }
        }
        ObjectNode args = Json.object();
        slots.forEach((name, v) -> args.put(name, v.value()));
        Template preface = spec.kind() == ToolKind.LONG_RUNNING ? knowledge.prefaces().get(intent.tool()) : null;
        return new Turn(preface == null ? "" : Phrasing.render(preface, Phrasing.labels(slots)), List.of(ToolCall.of(intent.tool(), args)),
                null);
    }

    /** The secondary lane never changes anything: say it waits for the operation in flight, and remember it. */
    private Turn defer(Situation s, Intent intent, Map<String, SlotValue> slots) {
        ObjectNode ctx = Phrasing.labels(slots);
        ctx.put("verb", phrasing.verb(intent.tool(), ctx));
        ctx.put("current", s.inFlight().map(call -> phrasing.noun(call.name(), phrasing.labelsOfArgs(call.name(), call.args())))
                .orElse("the current operation"));
        return new Turn(Phrasing.render(knowledge.text("deferred"), ctx), List.of(),
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
                parts.add(phrasing.errorText(tool, result.content()));
                continue;
            }
            JsonNode json = Phrasing.parseObject(result.content());
            if (json == null) {
                parts.add(result.content());
                continue;
            }
            if (json.has("operation_id") && knowledge.toolPhrases().containsKey(tool)) {
                parts.add(phrasing.outcome(tool, json.path("status").asText(), json.has("result") ? json.path("result").asText()
                        : json.path("error").asText(""), args));
                continue;
            }
            ObjectNode ctx = ((ObjectNode) json).deepCopy();
            String operationTool = json.path("tool").asText("");
            if (!operationTool.isEmpty()) {
                ObjectNode opArgs = s.inFlight().filter(c -> c.name().equals(operationTool)).map(ToolCall::args)
                        .orElse(Json.object());
                ctx.put("operation", phrasing.noun(operationTool, phrasing.labelsOfArgs(operationTool, opArgs)));
            }
            Variant variant = knowledge.answers().getOrDefault(tool, List.of()).stream()
                    .filter(v -> v.matches(json)).findFirst().orElse(null);
            if (variant == null) {
                parts.add(result.content());
                continue;
            }
            parts.add(Phrasing.render(variant.text(), ctx));
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

    private static int lastIndexOf(List<Message> messages, Class<? extends Message> type) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (type.isInstance(messages.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
