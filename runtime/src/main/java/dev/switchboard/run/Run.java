package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One invocation of an assistant on a thread. {@code kwargs} keeps what the run was asked to do (input,
 * config, stream modes…) in the wire form LangGraph clients read.
 */
public record Run(
        UUID runId,
        UUID threadId,
        UUID assistantId,
        Instant createdAt,
        Instant updatedAt,
        RunStatus status,
        ObjectNode metadata,
        ObjectNode kwargs,
        MultitaskStrategy multitaskStrategy,
        Lane lane) {

    public Run {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(assistantId, "assistantId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(multitaskStrategy, "multitaskStrategy");
        Objects.requireNonNull(lane, "lane");
        metadata = Json.copyObject(metadata);
        kwargs = Json.copyObject(kwargs);
    }

    public Run withStatus(RunStatus next, Instant now) {
        return new Run(runId, threadId, assistantId, createdAt, now, next, metadata, kwargs, multitaskStrategy, lane);
    }

    public Run withKwargs(ObjectNode newKwargs) {
        return new Run(runId, threadId, assistantId, createdAt, updatedAt, status, metadata, newKwargs,
                multitaskStrategy, lane);
    }

    /** The run's graph input ({@code kwargs.input}), JSON null when it has none. */
    public JsonNode input() {
        JsonNode input = kwargs.get("input");
        return input == null ? Json.mapper().nullNode() : input;
    }

    /** When the run may start at the earliest ({@code kwargs.not_before}, from {@code after_seconds}); null = at once. */
    public java.time.Instant notBefore() {
        JsonNode when = kwargs.get("not_before");
        return when == null || !when.isTextual() ? null : java.time.Instant.parse(when.asText());
    }

    /** True when the run may start at {@code now}. */
    public boolean isDue(java.time.Instant now) {
        java.time.Instant when = notBefore();
        return when == null || !when.isAfter(now);
    }

    /** The run's {@code kwargs.config.configurable}, never null. */
    public ObjectNode configurable() {
        JsonNode config = kwargs.get("config");
        JsonNode configurable = config == null ? null : config.get("configurable");
        return configurable instanceof ObjectNode o ? o.deepCopy() : Json.object();
    }
}
