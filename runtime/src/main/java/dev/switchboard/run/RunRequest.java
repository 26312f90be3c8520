package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A request to start a run, in the terms of the Agent Protocol's run-create body. {@code extraKwargs} carries
 * wire fields the runtime keeps but does not interpret (stream_resumable, webhook, …) into the run's kwargs.
 */
public record RunRequest(
        UUID threadId,
        String assistantId,
        JsonNode input,
        ObjectNode config,
        ObjectNode metadata,
        MultitaskStrategy multitaskStrategy,
        SupersededInput supersededInput,
        List<String> streamModes,
        UUID checkpointId,
        boolean createThreadIfMissing,
        ObjectNode extraKwargs) {

    public RunRequest {
        Objects.requireNonNull(assistantId, "assistantId");
        input = input == null ? Json.mapper().nullNode() : input.deepCopy();
        config = Json.copyObject(config);
        metadata = Json.copyObject(metadata);
        multitaskStrategy = multitaskStrategy == null ? MultitaskStrategy.ENQUEUE : multitaskStrategy;
        supersededInput = supersededInput == null ? SupersededInput.DROP : supersededInput;
        streamModes = streamModes == null || streamModes.isEmpty() ? List.of("values") : List.copyOf(streamModes);
        extraKwargs = Json.copyObject(extraKwargs);
    }

    public static RunRequest of(UUID threadId, String assistantId, JsonNode input) {
        return new RunRequest(threadId, assistantId, input, null, null, null, null, null, null, false, null);
    }

    public RunRequest withStrategy(MultitaskStrategy strategy) {
        return new RunRequest(threadId, assistantId, input, config, metadata, strategy, supersededInput, streamModes,
                checkpointId, createThreadIfMissing, extraKwargs);
    }

    public RunRequest withSupersededInput(SupersededInput superseded) {
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, superseded,
                streamModes, checkpointId, createThreadIfMissing, extraKwargs);
    }

    public RunRequest withConfig(ObjectNode newConfig) {
        return new RunRequest(threadId, assistantId, input, newConfig, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpointId, createThreadIfMissing, extraKwargs);
    }

    public RunRequest withCreateThreadIfMissing(boolean create) {
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpointId, create, extraKwargs);
    }

    public RunRequest withCheckpointId(UUID checkpoint) {
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpoint, createThreadIfMissing, extraKwargs);
    }

    /** Delays the run's start ({@code after_seconds}); it is pending until then. */
    public RunRequest withAfterSeconds(double seconds) {
        ObjectNode extra = extraKwargs.deepCopy();
        extra.put("after_seconds", seconds);
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpointId, createThreadIfMissing, extra);
    }

    /** Continues a paused thread ({@code command}) instead of starting from new input. */
    public RunRequest withCommand(Command command) {
        ObjectNode extra = extraKwargs.deepCopy();
        extra.set(Command.KEY, command.toJson());
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpointId, createThreadIfMissing, extra);
    }

    /** Pauses the run before or after the loop's nodes ({@code interrupt_before}, {@code interrupt_after}). */
    public RunRequest withBreakpoints(Breakpoints breakpoints) {
        ObjectNode extra = extraKwargs.deepCopy();
        extra.set(Breakpoints.BEFORE_KEY, Breakpoints.toJson(breakpoints.before()));
        extra.set(Breakpoints.AFTER_KEY, Breakpoints.toJson(breakpoints.after()));
        return new RunRequest(threadId, assistantId, input, config, metadata, multitaskStrategy, supersededInput,
                streamModes, checkpointId, createThreadIfMissing, extra);
    }

    /** Convenience: a {@code configurable} key on the run's config. */
    public RunRequest withConfigurable(String key, JsonNode value) {
        ObjectNode newConfig = config.deepCopy();
        JsonNode existing = newConfig.get("configurable");
        ObjectNode configurable = existing instanceof ObjectNode o ? o : newConfig.putObject("configurable");
        configurable.set(key, value);
        return withConfig(newConfig);
    }
}
