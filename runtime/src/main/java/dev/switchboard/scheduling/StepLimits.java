package dev.switchboard.scheduling;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one step of a run may take before the run gives up on it, so a stuck part never holds a thread busy
 * forever. A model call may stay silent (no token, no answer) for at most {@code modelSilence}: a streaming
 * answer that keeps producing tokens may take longer in total, one that stops does not. A quick tool call may take
 * at most {@code quickTool} in total. Long-running tools are operations with their own lifecycle and no such
 * limit. On expiry the call is interrupted and the run ends in error ({@link StepTimeoutException}).
 *
 * @param modelSilence {@code SWITCHBOARD_MODEL_TIMEOUT_MS}, default 120 s
 * @param quickTool    {@code SWITCHBOARD_TOOL_TIMEOUT_MS}, default 60 s
 */
public record StepLimits(Duration modelSilence, Duration quickTool) {
    public static final StepLimits DEFAULTS = new StepLimits(Duration.ofSeconds(120), Duration.ofSeconds(60));

    public StepLimits {
        Objects.requireNonNull(modelSilence, "modelSilence");
        Objects.requireNonNull(quickTool, "quickTool");
        if (modelSilence.toMillis() < 1 || quickTool.toMillis() < 1) {
            throw new IllegalArgumentException("step limits must be at least 1 ms");
        }
    }
}
