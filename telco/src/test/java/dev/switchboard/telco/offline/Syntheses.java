package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.SynthesisBrief;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.tool.Tool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The evaluation's synthesis scenarios ({@code evaluation-syntheses.json}): an operation runs for real on an
 * in-memory backend, the customer's interim questions are answered by the offline model on the secondary lane
 * with the real quick tools (or left unanswered, as when a secondary run is cut short), and the synthesis is
 * checked: it states the operation's outcome, and it answers every interim question, looking up the ones
 * nobody answered and answering them from the results.
 */
final class Syntheses {
    static final String SCENARIOS = "evaluation-syntheses.json";
    /** Set to true to print every synthesis, not only the wrong ones: {@code bin/telco-eval -Dtelco.eval.verbose=true}. */
    static final String VERBOSE = "telco.eval.verbose";
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private final OfflineTelcoModel model = new OfflineTelcoModel(Duration.ZERO);

    /** One interim question and whether the synthesis answered it (with what it said about it). */
    record Question(String text, boolean answered, String line) {
    }

    record Result(String request, boolean outcomeStated, List<Question> questions, String synthesis) {
        boolean right() {
            return outcomeStated && questions.stream().allMatch(Question::answered);
        }
    }

    List<Result> run() throws Exception {
        List<Result> results = new ArrayList<>();
        for (JsonNode scenario : Json.parse(Evaluation.resource(SCENARIOS)).path("scenarios")) {
            results.add(run(scenario));
        }
        return List.copyOf(results);
    }

    private Result run(JsonNode scenario) throws Exception {
        InMemoryTelcoBackend backend = new InMemoryTelcoBackend(Clock.fixed(NOW, ZoneOffset.UTC));
        List<Tool> tools = TelcoTools.all(backend, TelcoSettings.ofScale(0));
        String toolName = scenario.path("operation").path("tool").asText();
        ObjectNode args = (ObjectNode) scenario.path("operation").path("arguments");
        List<Message> main = new ArrayList<>();
        main.add(HumanMessage.of(scenario.path("request").asText()));
        ToolCall call = ToolCall.of(toolName, args);
        main.add(AiMessage.ofToolCalls("", List.of(call)));
        main.add(ToolMessage.success(call.id(), toolName, "In progress in the background; call check_status for its progress."));

        List<Message> interim = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (JsonNode q : scenario.path("asked")) {
            questions.add(q.asText());
            interim.add(HumanMessage.of(q.asText()));
            AiMessage answer = ask(Purpose.SECONDARY, concat(main, interim), Requests.SECONDARY);
            interim.add(answer);
            if (!answer.toolCalls().isEmpty()) {
                for (ToolCall c : answer.toolCalls()) {
                    interim.add(ToolMessage.success(c.id(), c.name(), result(tools, c, toolName)));
                }
                interim.add(ask(Purpose.SECONDARY, concat(main, interim), Requests.SECONDARY));
            }
        }
        for (JsonNode q : scenario.path("unanswered")) {
            questions.add(q.asText());
            interim.add(HumanMessage.of(q.asText()));
        }

        Tool operation = tools.stream().filter(t -> t.spec().name().equals(toolName)).findFirst().orElseThrow();
        String outcome = operation.call(args, new StubContext());
        ObjectNode structured = Json.object();
        ArrayNode ops = structured.putArray("operations");
        ops.addObject().put("operation_id", "op-1").put("tool", toolName).put("status", "succeeded")
                .put("outcome", outcome).set("arguments", args);
        structured.set("interim_messages", MessageJson.toJson(interim));
        List<Message> conversation = new ArrayList<>(main);
        conversation.add(SystemMessage.of("synthesise"));
        AiMessage synthesis = ask(Purpose.SYNTHESIS, conversation, Requests.MAIN, SynthesisBrief.fromJson(structured));
        String text = synthesis.content();
        String followUp = "";
        if (!synthesis.toolCalls().isEmpty()) {
            conversation.add(synthesis);
            for (ToolCall c : synthesis.toolCalls()) {
                conversation.add(ToolMessage.success(c.id(), c.name(), result(tools, c, toolName)));
            }
            followUp = ask(Purpose.ANSWER, conversation, Requests.MAIN).content();
        }
        List<Question> checked = new ArrayList<>();
        Knowledge knowledge = Knowledge.bundled();
        String notUnderstood = knowledge.text("interim_not_understood").render(Json.object()).replace("“”", "").strip();
        for (String q : questions) {
            String line = text.lines().filter(l -> l.contains("“" + q + "”")).findFirst().orElse("");
            // Answered: restated with an answer; a lookup promised is followed by its result; a change held back
            // is offered at the end.
            boolean answered = !line.isEmpty() && !line.contains(notUnderstood.substring(notUnderstood.indexOf("I'm")))
                    && (!line.contains("I'll check that now") || !followUp.isBlank())
                    && (!(line.contains("held that back") || line.contains("I held back"))
                            || text.contains("You also asked me to"));
            checked.add(new Question(q, answered, line));
        }
        boolean stated = text.contains(scenario.path("outcome_says").asText());
        return new Result(scenario.path("request").asText(), stated, List.copyOf(checked),
                followUp.isBlank() ? text : text + "\n  [then] " + followUp);
    }

    private static List<Message> concat(List<Message> a, List<Message> b) {
        List<Message> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** A quick tool's real result; the operation tools describe the operation as running at 40 %. */
    private static String result(List<Tool> tools, ToolCall c, String operationTool) throws Exception {
        if (c.name().equals(OperationTools.CHECK_STATUS)) {
            return "{\"operation_id\":\"op-1\",\"tool\":\"" + operationTool + "\",\"status\":\"running\",\"percent\":40,"
                    + "\"step\":\"working on it\",\"elapsed_seconds\":4,\"cancel_requested\":false}";
        }
        Tool tool = tools.stream().filter(t -> t.spec().name().equals(c.name())).findFirst().orElseThrow();
        return tool.call(c.args(), new StubContext());
    }

    private AiMessage ask(Purpose purpose, List<Message> conversation, List<dev.switchboard.tool.ToolSpec> tools)
            throws InterruptedException {
        return ask(purpose, conversation, tools, null);
    }

    private AiMessage ask(Purpose purpose, List<Message> conversation, List<dev.switchboard.tool.ToolSpec> tools,
            SynthesisBrief brief) throws InterruptedException {
        List<Message> messages = new ArrayList<>();
        messages.add(SystemMessage.of("system prompt"));
        messages.addAll(conversation);
        return model.chat(new ModelRequest(messages, tools, Json.object(), purpose, brief), ModelListener.NONE);
    }

    static String report(List<Result> results) {
        StringBuilder out = new StringBuilder();
        long right = results.stream().filter(Result::right).count();
        long questions = results.stream().mapToLong(r -> r.questions().size()).sum();
        long answered = results.stream().flatMap(r -> r.questions().stream()).filter(Question::answered).count();
        out.append(String.format(Locale.ROOT, "%nSyntheses: %d/%d scenarios right; outcome stated in %d/%d; "
                        + "interim questions answered %d/%d%n", right, results.size(),
                results.stream().filter(Result::outcomeStated).count(), results.size(), answered, questions));
        boolean verbose = Boolean.getBoolean(VERBOSE);
        for (Result r : results) {
            if (verbose && r.right()) {
                out.append("  after \"").append(r.request()).append("\":\n    ")
                        .append(r.synthesis().replace("\n", "\n    ")).append('\n');
            }
            if (!r.right()) {
                out.append("  after \"").append(r.request()).append("\":").append(r.outcomeStated() ? "" : " outcome not stated;");
                r.questions().stream().filter(q -> !q.answered())
                        .forEach(q -> out.append(" \"").append(q.text()).append("\" not answered (").append(q.line()).append(");"));
                out.append("\n    ").append(r.synthesis().replace("\n", "\n    ")).append('\n');
            }
        }
        return out.toString();
    }
}
