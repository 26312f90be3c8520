package dev.switchboard.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether a call of a tool waits for a person's decision before it runs, and which decisions they may take.
 * A tool declares its own ({@link Tool#approval()}); a run's {@code config.configurable.interrupt_on} overrides it
 * per tool with LangChain's human-in-the-loop form: {@code true} (approve, edit, reject, respond), {@code false}
 * (never), or {@code {allowed_decisions, description}}. For a long-running tool the decision comes before its
 * operation starts.
 *
 * @param rule        which calls need approval (by their arguments)
 * @param allowed     the decisions a person may take
 * @param description the human-readable request for a call (its arguments), e.g. stating a fee
 */
public record ApprovalPolicy(Predicate<ObjectNode> rule, Set<Decision.Type> allowed, Description description) {

    /**
     * Writes what the person is asked for a call; it sees the call's context (whose account, which thread), so it
     * can state what the action will cost.
     */
    @FunctionalInterface
    public interface Description {
        String describe(ObjectNode arguments, ToolContext context) throws Exception;
    }
    /** The {@code configurable} key that overrides tools' policies. */
    public static final String CONFIG_KEY = "interrupt_on";

    public static final ApprovalPolicy NEVER = new ApprovalPolicy(args -> false, EnumSet.allOf(Decision.Type.class), null);

    public ApprovalPolicy {
        Objects.requireNonNull(rule, "rule");
        if (allowed == null || allowed.isEmpty()) {
            throw new IllegalArgumentException("an approval allows at least one decision");
        }
        allowed = Set.copyOf(allowed);
    }

    /** Every call waits for approval; any decision allowed; null description: the default text. */
    public static ApprovalPolicy always(Description description) {
        return new ApprovalPolicy(args -> true, EnumSet.allOf(Decision.Type.class), description);
    }

    /** Calls whose arguments match {@code rule} wait for approval. */
    public static ApprovalPolicy when(Predicate<ObjectNode> rule, Description description) {
        return new ApprovalPolicy(rule, EnumSet.allOf(Decision.Type.class), description);
    }

    public ApprovalPolicy allowing(Set<Decision.Type> decisions) {
        return new ApprovalPolicy(rule, decisions, description);
    }

    public boolean requires(ObjectNode arguments) {
        return rule.test(arguments == null ? Json.object() : arguments);
    }

    /**
     * What the person is asked, for a call of {@code toolName} with {@code arguments}; the default text when there
     * is no description or it fails (the request must still reach the person).
     */
    public String describe(String toolName, ObjectNode arguments, ToolContext context) {
        String text = null;
        try {
            text = description == null ? null : description.describe(arguments, context);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
        } catch (Exception e) {
            java.util.logging.Logger.getLogger(ApprovalPolicy.class.getName()).log(java.util.logging.Level.WARNING,
                    "the approval description of " + toolName + " failed", e);
        }
        return text != null && !text.isBlank() ? text
                : "Tool execution requires approval\n\nTool: " + toolName + "\nArgs: " + Json.write(arguments);
    }

    /**
     * The policy for {@code tool} under a run's {@code interrupt_on} (null: the tool's own). Throws
     * {@link SwitchboardException.InvalidRequest} for a malformed entry.
     */
    public static ApprovalPolicy effective(Tool tool, JsonNode interruptOn) {
        String name = tool.spec().name();
        JsonNode entry = interruptOn == null || !interruptOn.isObject() ? null : interruptOn.get(name);
        if (entry == null || entry.isNull()) {
            return tool.approval();
        }
        ApprovalPolicy declared = tool.approval();
        if (entry.isBoolean()) {
            return entry.asBoolean()
                    ? new ApprovalPolicy(args -> true, EnumSet.allOf(Decision.Type.class), declared.description)
                    : NEVER;
        }
        if (!entry.isObject()) {
            throw new SwitchboardException.InvalidRequest("invalid_field", CONFIG_KEY + "." + name
                    + " must be true, false or {allowed_decisions, description}");
        }
        Set<Decision.Type> allowed = EnumSet.noneOf(Decision.Type.class);
        JsonNode decisions = entry.get("allowed_decisions");
        if (decisions != null) {
            if (!decisions.isArray() || decisions.isEmpty()) {
                throw new SwitchboardException.InvalidRequest("invalid_field", CONFIG_KEY + "." + name
                        + ".allowed_decisions must be a non-empty list of approve, edit, reject, respond");
            }
            decisions.forEach(d -> allowed.add(Decision.Type.fromWire(d.asText())));
        } else {
            allowed.addAll(EnumSet.allOf(Decision.Type.class));
        }
        JsonNode text = entry.get("description");
        Description description = text != null && text.isTextual() ? (args, context) -> text.asText()
                : declared.description;
        return new ApprovalPolicy(args -> true, allowed, description);
    }

    /** Validates a run's {@code interrupt_on} against the graph's tools (a 4xx for a bad entry or unknown tool). */
    public static void validate(JsonNode interruptOn, java.util.Map<String, Tool> tools) {
        if (interruptOn == null || interruptOn.isNull()) {
            return;
        }
        if (!interruptOn.isObject()) {
            throw new SwitchboardException.InvalidRequest("invalid_field", CONFIG_KEY + " must be an object: tool name → "
                    + "true, false or {allowed_decisions, description}");
        }
        interruptOn.fieldNames().forEachRemaining(name -> {
            Tool tool = tools.get(name);
            if (tool == null) {
                throw new SwitchboardException.InvalidRequest("unknown_tool", CONFIG_KEY + " names no tool of this graph: "
                        + name);
            }
            effective(tool, interruptOn);
        });
    }
}
