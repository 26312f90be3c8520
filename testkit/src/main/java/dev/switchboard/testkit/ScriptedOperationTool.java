package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.scripted.ScriptedChatModel;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.List;

/**
 * A long-running, side-effecting test tool that walks through named steps, {@code step_ms} apart (run
 * configurable; default 50), applies its change through a {@link RecordingBackend} right after its point of
 * no return, and fails on request ({@code "fail": true}, or a target mentioning "fail").
 */
public final class ScriptedOperationTool implements Tool {
    /** The steps: percent and name. The third is the point of no return. */
    public static final List<Step> STEPS = List.of(
            new Step(10, "checking eligibility"),
            new Step(40, "reserving on the network"),
            new Step(60, "provisioning on the network"),
            new Step(90, "updating billing"));
    public static final int POINT_OF_NO_RETURN = 60;

    public record Step(int percent, String name) {
    }

    private final String name;
    private final RecordingBackend backend;
    private final java.util.concurrent.Semaphore gate;
    private final boolean idempotent;

    public ScriptedOperationTool(String name, RecordingBackend backend) {
        this(name, backend, null);
    }

    /**
     * With a gate, every step after the first waits for a permit, so a test decides when the operation moves
     * on instead of racing the clock.
     */
    public ScriptedOperationTool(String name, RecordingBackend backend, java.util.concurrent.Semaphore gate) {
        this(name, backend, gate, true);
    }

    /**
     * {@code idempotent} is what the tool declares ({@link ToolSpec#idempotent}): whether crash recovery may run
     * it again with the same idempotency key. The backend deduplicates on the key either way.
     */
    public ScriptedOperationTool(String name, RecordingBackend backend, java.util.concurrent.Semaphore gate,
            boolean idempotent) {
        this.name = name;
        this.backend = backend;
        this.gate = gate;
        this.idempotent = idempotent;
    }

    @Override
    public ToolSpec spec() {
        ObjectNode params = ToolSpec.emptySchema();
        params.with("properties").putObject("target").put("type", "string");
        return new ToolSpec(name, "Changes something real; takes a while.", params, ToolKind.LONG_RUNNING,
                Duration.ofSeconds(10), true, idempotent, POINT_OF_NO_RETURN);
    }

    @Override
    public String call(ObjectNode arguments, ToolContext context) throws Exception {
        int stepMs = ScriptedChatModel.knob(context.configurable(), "step_ms", 50);
        boolean first = true;
        for (Step step : STEPS) {
            if (!first && gate != null) {
                gate.acquire();
            }
            first = false;
            context.progress(step.percent(), step.name());
            if (step.percent() == POINT_OF_NO_RETURN) {
                if (arguments.path("fail").asBoolean(false) || arguments.path("target").asText().contains("fail")) {
                    throw new ToolException("the network refused the change");
                }
                backend.apply(context.idempotencyKey(), name + ":" + arguments.path("target").asText());
            }
            Thread.sleep(stepMs);
        }
        return name + " done: " + arguments.path("target").asText();
    }
}
