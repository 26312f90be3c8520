package dev.switchboard.telco.offline;

import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The project's own evaluation of the offline model: every labelled utterance of {@code evaluation.txt} is sent
 * as a customer would send it, and what the agent does (the tools it calls with their arguments, the question
 * it asks, the refusal it gives) is compared with the label. Run as a program it prints accuracy by intent and
 * every confusion; {@link EvaluationTest} holds the floors. What is measured is behaviour, not a classifier's
 * internals, so a right intent with a wrong slot value counts as wrong.
 */
final class Evaluation {
    /**
     * The development set (studied while tuning), the held-out set (written before tuning, its confusions not
     * studied) and the fresh set (written after tuning, measured once).
     */
    static final List<String> SETS = List.of("evaluation.txt", "evaluation-holdout.txt", "evaluation-fresh.txt",
            "evaluation-fresh2.txt");
    /** The label of a polite refusal without a tool call. */
    static final String OUT_OF_DOMAIN = "out_of_domain";
    /** The label of a short clarifying question. */
    static final String CLARIFY = "clarify";
    /** The label under which cases that ask for several things at once are reported. */
    static final String MULTI = "(several at once)";

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    private final OfflineTelcoModel model = new OfflineTelcoModel(Duration.ZERO);
    private final Knowledge knowledge = Knowledge.bundled();
    private final List<ToolSpec> tools;

    Evaluation() {
        List<ToolSpec> specs = new ArrayList<>(Requests.MAIN);
        specs.add(ToolSpec.quick(OperationTools.CHECK_STATUS, "status", null));
        specs.add(ToolSpec.quick(OperationTools.CANCEL_OPERATION, "cancel", null));
        tools = List.copyOf(specs);
    }

    /** What a case expects: these intents (all of them), with these slot values among their arguments. */
    record Expected(Set<String> intents, Map<String, String> slots) {
        static Expected parse(String label) {
            Set<String> intents = new TreeSet<>();
            Map<String, String> slots = new TreeMap<>();
            for (String part : label.split("\\+")) {
                String p = part.strip();
                int brace = p.indexOf('{');
                if (brace < 0) {
                    intents.add(p);
                    continue;
                }
                intents.add(p.substring(0, brace).strip());
                for (String kv : p.substring(brace + 1, p.lastIndexOf('}')).split(",")) {
                    String[] pair = kv.split("=", 2);
                    slots.put(pair[0].strip(), pair[1].strip());
                }
            }
            return new Expected(Set.copyOf(intents), Map.copyOf(slots));
        }

        String reportedUnder() {
            return intents.size() > 1 ? MULTI : intents.iterator().next();
        }
    }

    record Case(String set, int line, String label, Expected expected, List<String> turns) {
        String utterance() {
            return String.join(" >> ", turns);
        }
    }

    /** What the agent did with the last message. */
    record Observed(Set<String> intents, Map<String, String> slots, String text) {
        String label() {
            String names = String.join("+", intents);
            return slots.isEmpty() ? names : names + slots;
        }

        Observed and(Observed later) {
            Set<String> both = new TreeSet<>(intents);
            both.addAll(later.intents());
            Map<String, String> all = new TreeMap<>(slots);
            all.putAll(later.slots());
            return new Observed(Set.copyOf(both), Map.copyOf(all), text + "\n" + later.text());
        }
    }

    record Outcome(Case c, Observed observed, boolean right) {
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (String set : SETS) {
            cases.addAll(cases(set));
        }
        return List.copyOf(cases);
    }

    static List<Case> cases(String set) {
        List<Case> cases = new ArrayList<>();
        String[] lines = resource(set).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int bar = line.indexOf('|');
            if (bar < 0) {
                throw new IllegalArgumentException(set + " line " + (i + 1) + " has no '|': " + line);
            }
            String label = line.substring(0, bar).strip();
            List<String> turns = new ArrayList<>();
            for (String t : line.substring(bar + 1).split(">>")) {
                turns.add(t.strip());
            }
            cases.add(new Case(set, i + 1, label, Expected.parse(label), List.copyOf(turns)));
        }
        return List.copyOf(cases);
    }

    static String resource(String name) {
        try (InputStream in = Evaluation.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Outcome> run() throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (Case c : cases()) {
            Observed observed = observe(c.turns());
            outcomes.add(new Outcome(c, observed, matches(c.expected(), observed)));
        }
        return List.copyOf(outcomes);
    }

    /**
     * Sends each turn in one conversation, running the quick tools called on the way, and reads what the agent
     * did with the last one: every tool it called, including any it started only once the first results were in
     * (several requests in one message), else the question it asked or the reply it gave.
     */
    Observed observe(List<String> turns) throws InterruptedException {
        InMemoryTelcoBackend backend = new InMemoryTelcoBackend(Clock.fixed(NOW, ZoneOffset.UTC));
        List<Message> conversation = new ArrayList<>();
        Observed observed = null;
        for (String turn : turns) {
            conversation.add(HumanMessage.of(turn));
            AiMessage answer = ask(conversation);
            conversation.add(answer);
            observed = read(answer);
            for (int round = 0; round < 3 && !answer.toolCalls().isEmpty(); round++) {
                runTools(backend, conversation, answer);
                answer = ask(conversation);
                conversation.add(answer);
                if (!answer.toolCalls().isEmpty()) {
                    observed = observed.and(read(answer));
                }
            }
        }
        return observed;
    }

    private AiMessage ask(List<Message> conversation) throws InterruptedException {
        List<Message> messages = new ArrayList<>();
        messages.add(SystemMessage.of("system prompt"));
        messages.addAll(conversation);
        return model.chat(new ModelRequest(messages, tools, Json.object(), Purpose.ANSWER), ModelListener.NONE);
    }

    private static void runTools(InMemoryTelcoBackend backend, List<Message> conversation, AiMessage calls) {
        List<Tool> all = TelcoTools.all(backend, TelcoSettings.ofScale(0));
        for (ToolCall call : calls.toolCalls()) {
            Optional<Tool> tool = all.stream().filter(x -> x.spec().name().equals(call.name())).findFirst();
            String content;
            try {
                content = tool.filter(x -> x.spec().kind() == ToolKind.QUICK).isPresent()
                        ? tool.get().call(call.args(), new StubContext())
                        : "In progress in the background; call check_status for its progress.";
            } catch (Exception e) {
                content = "Error: " + e.getMessage();
            }
            conversation.add(ToolMessage.success(call.id(), call.name(), content));
        }
    }

    /** The agent's behaviour as a label: the intents behind its tool calls, the request it asks about, or its reply. */
    Observed read(AiMessage answer) {
        Set<String> intents = new TreeSet<>();
        Map<String, String> slots = new TreeMap<>();
        for (ToolCall call : answer.toolCalls()) {
            intents.add(intentOfTool(call.name()));
            call.args().fields().forEachRemaining(e -> slots.put(e.getKey(), e.getValue().asText()));
        }
        if (intents.isEmpty()) {
            Optional<Dialogue.Pending> pending = Dialogue.pending(answer.additionalKwargs());
            if (pending.isPresent() && Dialogue.CLARIFY.equals(pending.get().slot())) {
                intents.add(CLARIFY);
            } else if (pending.isPresent()) {
                intents.add(pending.get().intent());
                pending.get().slots().forEach((k, v) -> slots.put(k, v.value()));
            } else {
                intents.add(byReply(answer.content()));
            }
        }
        return new Observed(Set.copyOf(intents), Map.copyOf(slots), answer.content());
    }

    private String intentOfTool(String tool) {
        return knowledge.intents().stream().filter(i -> tool.equals(i.tool())).map(Knowledge.Intent::name)
                .findFirst().orElse("tool:" + tool);
    }

    private String byReply(String text) {
        if (text.equals(knowledge.text("fallback").render(Json.object()))) {
            return OUT_OF_DOMAIN;
        }
        for (Knowledge.Intent intent : knowledge.intents()) {
            for (Template t : new Template[] {intent.reply(), intent.unavailableReply()}) {
                if (t != null && text.equals(t.render(Json.object()))) {
                    return intent.name();
                }
            }
        }
        return "said: " + (text.length() > 60 ? text.substring(0, 60) + "…" : text);
    }

    static boolean matches(Expected expected, Observed observed) {
        if (!expected.intents().equals(observed.intents())) {
            return false;
        }
        for (var slot : expected.slots().entrySet()) {
            String got = observed.slots().get(slot.getKey());
            if (got == null || !got.toLowerCase(Locale.ROOT).equals(slot.getValue().toLowerCase(Locale.ROOT))) {
                return false;
            }
        }
        return true;
    }

    // ---- the report ---------------------------------------------------------------------------------------------

    record Score(int right, int total) {
        double accuracy() {
            return total == 0 ? 1.0 : (double) right / total;
        }
    }

    static Score overall(List<Outcome> outcomes) {
        return new Score((int) outcomes.stream().filter(Outcome::right).count(), outcomes.size());
    }

    static Map<String, Score> byIntent(List<Outcome> outcomes) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Outcome o : outcomes) {
            int[] c = counts.computeIfAbsent(o.c().expected().reportedUnder(), k -> new int[2]);
            c[0] += o.right() ? 1 : 0;
            c[1]++;
        }
        Map<String, Score> out = new LinkedHashMap<>();
        counts.forEach((k, c) -> out.put(k, new Score(c[0], c[1])));
        return out;
    }

    static String report(List<Outcome> outcomes) {
        StringBuilder out = new StringBuilder();
        Score all = overall(outcomes);
        out.append(String.format(Locale.ROOT, "Offline telco model: %d/%d right, %.1f %% overall%n%n", all.right(),
                all.total(), 100 * all.accuracy()));
        for (String set : SETS) {
            Score s = overall(outcomes.stream().filter(o -> o.c().set().equals(set)).toList());
            out.append(String.format(Locale.ROOT, "  %-24s %d/%d right, %.1f %%%n", set, s.right(), s.total(), 100 * s.accuracy()));
        }
        out.append(String.format(Locale.ROOT, "%n%-22s %6s %8s%n", "intent", "cases", "accuracy"));
        byIntent(outcomes).forEach((intent, s) -> out.append(String.format(Locale.ROOT, "%-22s %6d %7.1f%%%n", intent,
                s.total(), 100 * s.accuracy())));
        List<Outcome> wrong = outcomes.stream().filter(o -> !o.right()).toList();
        out.append(String.format(Locale.ROOT, "%nConfusions (%d):%n", wrong.size()));
        for (Outcome o : wrong) {
            out.append(String.format(Locale.ROOT, "  %s:%d: \"%s\"%n    expected %s, got %s%n", o.c().set(), o.c().line(),
                    o.c().utterance(), o.c().label(), o.observed().label()));
        }
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        List<Outcome> outcomes = new Evaluation().run();
        System.out.print(report(outcomes));
        System.out.print(Syntheses.report(new Syntheses().run()));
        System.out.printf(Locale.ROOT, "%n(%d cases in %d ms)%n", outcomes.size(), (System.nanoTime() - start) / 1_000_000);
    }
}
