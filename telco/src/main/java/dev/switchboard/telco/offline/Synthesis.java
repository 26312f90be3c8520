package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.ToolCall;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.offline.Dialogue.Pending;
import dev.switchboard.telco.offline.Knowledge.Intent;
import dev.switchboard.telco.offline.Responder.Situation;
import dev.switchboard.telco.offline.Responder.Turn;
import dev.switchboard.telco.offline.Understanding.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one answer after an operation ends: each operation's outcome, then every question asked meanwhile with
 * its answer: the one given at the time, restated briefly; else looked up now, declined (out of domain), or
 * asked about (only guessed at). Changes held back meanwhile are offered at the end: one as a yes/no question,
 * several by name, since one yes cannot mean several changes. A progress report given meanwhile ("It's 10%
 * done") is not restated: the outcome above has overtaken it, so the question is pointed at the outcome instead.
 */
final class Synthesis {
    private static final int BRIEF = 220;

    private final Knowledge knowledge;
    private final Understanding understanding;
    private final Phrasing phrasing;
    private final Responder responder;

    Synthesis(Knowledge knowledge, Understanding understanding, Phrasing phrasing, Responder responder) {
        this.knowledge = knowledge;
        this.understanding = understanding;
        this.phrasing = phrasing;
        this.responder = responder;
    }

    /**
     * An interim question, the first answer to it, the request held back (if it was or had one), and the tools
     * called to answer it, in call order: the answer has one paragraph per tool result, in that order.
     */
    private record Exchange(String question, String answer, Pending deferred, List<String> tools) {
    }

    /** The synthesis for this request: its operations' outcomes and interim messages are its typed brief. */
    Turn write(Situation s) {
        JsonNode data = s.request().synthesis() == null ? Json.object() : s.request().synthesis().toJson();
        List<String> outcomes = new ArrayList<>();
        for (JsonNode op : data.path("operations")) {
            ObjectNode args = op.path("arguments").isObject() ? (ObjectNode) op.path("arguments") : Json.object();
            outcomes.add(phrasing.outcome(op.path("tool").asText(), op.path("status").asText(), op.path("outcome").asText(""), args));
        }
        StringBuilder text = new StringBuilder(outcomes.isEmpty()
                ? Phrasing.render(knowledge.text("no_operation"), Json.object()) : String.join(" ", outcomes));
        List<String> lines = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        List<Pending> offers = new ArrayList<>();
        Turn lookup;
        Optional<Template> sinceThen = Optional.ofNullable(knowledge.texts().get("interim_progress_" + finalStatus(data)));
        for (Exchange ex : exchanges(data.path("interim_messages"))) {
            ObjectNode ctx = Json.object();
            ctx.put("question", ex.question());
            // "It's 10% done" was true when asked; repeated after the outcome above it would be stale.
            String answer = ex.answer() == null || sinceThen.isEmpty() ? ex.answer() : withoutProgress(ex);
            if (ex.deferred() != null && answer != null && !answer.isBlank()) {
                offers.add(ex.deferred());
                ctx.put("answer", brief(answer));
                lines.add(Phrasing.render(knowledge.text("interim_pair_deferred"), ctx));
            } else if (ex.deferred() != null) {
                offers.add(ex.deferred());
                lines.add(Phrasing.render(knowledge.text("interim_deferred"), ctx));
            } else if (answer != null && answer.isBlank()) {
                lines.add(Phrasing.render(sinceThen.orElseThrow(), ctx));
            } else if (answer != null) {
                ctx.put("answer", brief(answer));
                lines.add(Phrasing.render(knowledge.text("interim_pair"), ctx));
            } else {
                Reading r = understanding.read(ex.question(), null);
                // No clarifying question in the middle of a summary: the likeliest meaning is looked up, and a
                // guessed change is only offered, never done.
                Intent intent = r.intent() != null ? r.intent() : r.guess();
                if (r.outOfDomain()) {
                    lines.add(Phrasing.render(knowledge.text("interim_out_of_domain"), ctx));
                } else if (intent != null && intent.smallTalk()) {
                    ctx.put("answer", brief(Phrasing.render(intent.reply(), Json.object())));
                    lines.add(Phrasing.render(knowledge.text("interim_pair"), ctx));
                } else if (r.intent() == null && intent != null
                        && (intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool()))) {
                    // A change only guessed at is asked about, never offered as if it had been requested.
                    ObjectNode guessed = Phrasing.labels(responder.slotsFor(intent, r));
                    ctx.put("gloss", Phrasing.render(intent.gloss(), guessed));
                    lines.add(Phrasing.render(knowledge.text("interim_unsure"), ctx));
                } else if (intent != null && (intent.sideEffects() || knowledge.toolPhrases().containsKey(intent.tool()))) {
                    offers.add(new Pending(intent.name(), null, responder.slotsFor(intent, r), false));
                    lines.add(Phrasing.render(knowledge.text("interim_deferred"), ctx));
                } else if (intent != null && s.offered().containsKey(intent.tool())
                        && !(lookup = responder.act(s, intent, responder.slotsFor(intent, r))).calls().isEmpty()) {
                    calls.addAll(lookup.calls());
                    lines.add(Phrasing.render(knowledge.text("interim_unanswered"), ctx));
                } else {
                    lines.add(Phrasing.render(knowledge.text("interim_not_understood"), ctx));
                }
            }
        }
        if (!lines.isEmpty()) {
            text.append("\n\n").append(Phrasing.render(knowledge.text("interim_intro"), Json.object())).append('\n')
                    .append(String.join("\n", lines));
        }
        Pending confirm = null;
        if (offers.size() == 1) {
            Pending offer = offers.getFirst();
            Intent intent = knowledge.intent(offer.intent()).orElseThrow();
            ObjectNode ctx = Phrasing.labels(offer.slots());
            ctx.put("verb", phrasing.verb(intent.tool(), ctx));
            text.append("\n\n").append(Phrasing.render(knowledge.text("offer_deferred"), ctx));
            confirm = new Pending(offer.intent(), Dialogue.CONFIRM, offer.slots(), false);
        } else if (offers.size() > 1) {
            // One yes cannot mean several changes: name them all and let the next message pick.
            ObjectNode ctx = Json.object();
            var verbs = ctx.putArray("verbs");
            for (Pending offer : offers) {
                Intent intent = knowledge.intent(offer.intent()).orElseThrow();
                verbs.addObject().put("verb", phrasing.verb(intent.tool(), Phrasing.labels(offer.slots())));
            }
            text.append("\n\n").append(Phrasing.render(knowledge.text("offer_deferred_several"), ctx));
        }
        return new Turn(text.toString(), calls, Dialogue.kwargs(confirm, null));
    }

    /** The status the operations ended with: the first one's (a synthesis normally reports one). */
    private static String finalStatus(JsonNode data) {
        return data.path("operations").path(0).path("status").asText("");
    }

    /**
     * The earlier answer without its progress report, "" when that was all of it. The report is the paragraph
     * written from a status check's result; an answer given without tools is one when its question asked for
     * progress, read as the model reads any question (then the whole answer, say "nothing is running", is moot).
     */
    private String withoutProgress(Exchange ex) {
        List<String> parts = List.of(ex.answer().strip().split("\n\\s*\n"));
        List<String> tools = ex.tools();
        if (tools.isEmpty()) {
            return parts.size() == 1 && asksProgress(ex.question()) ? "" : ex.answer();
        }
        if (!tools.contains(OperationTools.CHECK_STATUS)) {
            return ex.answer();
        }
        if (parts.size() < tools.size()) {
            // Paragraphs that cannot be matched to the results: drop only an answer that was nothing but status.
            return tools.stream().allMatch(OperationTools.CHECK_STATUS::equals) ? "" : ex.answer();
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (i >= tools.size() || !tools.get(i).equals(OperationTools.CHECK_STATUS)) {
                kept.add(parts.get(i).strip());
            }
        }
        return String.join("\n\n", kept);
    }

    /** Whether a question asks how far the operation has got. */
    private boolean asksProgress(String question) {
        Intent intent = understanding.read(question, null).intent();
        return intent != null && OperationTools.CHECK_STATUS.equals(intent.tool());
    }

    /**
     * Each interim question with the first answer given to it, the request held back, if it was (or had) one,
     * and the tools called before that answer.
     */
    private static List<Exchange> exchanges(JsonNode interim) {
        List<String> questions = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        List<Pending> deferred = new ArrayList<>();
        List<List<String>> tools = new ArrayList<>();
        for (JsonNode m : interim) {
            String type = m.path("type").asText();
            if (type.equals("human")) {
                questions.add(m.path("content").asText(""));
                answers.add(null);
                deferred.add(null);
                tools.add(new ArrayList<>());
            } else if (type.equals("ai") && !questions.isEmpty()) {
                int last = questions.size() - 1;
                if (answers.get(last) == null) {
                    m.path("tool_calls").forEach(call -> tools.get(last).add(call.path("name").asText("")));
                }
                // A request held back may come with lookups ("close my contract and tell me my balance"): the
                // deferral is on the message that called the tools, the answer on the one after their results.
                Pending held = Dialogue.deferred(m.path("additional_kwargs")).orElse(null);
                if (held != null && deferred.get(last) == null) {
                    deferred.set(last, held);
                } else if (held == null && answers.get(last) == null && m.path("tool_calls").isEmpty()
                        && !m.path("content").asText("").isBlank()) {
                    answers.set(last, m.path("content").asText());
                }
            }
        }
        List<Exchange> out = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            out.add(new Exchange(questions.get(i), answers.get(i), deferred.get(i), List.copyOf(tools.get(i))));
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
            String first = Sentences.first(part);
            firsts.add(first.length() <= BRIEF ? first : first.substring(0, BRIEF - 1).stripTrailing() + "…");
        }
        return String.join(" ", firsts);
    }
}
