package dev.switchboard.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One invocation of an assistant on a thread. {@code kwargs} keeps what the run was asked to do (input,
 * config, stream modes…) in the wire form LangGraph clients read. {@code owner} and {@code leaseUntil} say
 * which server instance executes a running run and until when its claim holds (null before it ran); a
 * finished run keeps the last ones.
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
        Lane lane,
        String owner,
        Instant leaseUntil) {

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

    /** A run no instance has claimed yet. */
    public Run(UUID runId, UUID threadId, UUID assistantId, Instant createdAt, Instant updatedAt, RunStatus status,
            ObjectNode metadata, ObjectNode kwargs, MultitaskStrategy multitaskStrategy, Lane lane) {
        this(runId, threadId, assistantId, createdAt, updatedAt, status, metadata, kwargs, multitaskStrategy, lane,
                null, null);
    }

    public Run withStatus(RunStatus next, Instant now) {
        return new Run(runId, threadId, assistantId, createdAt, now, next, metadata, kwargs, multitaskStrategy, lane,
                owner, leaseUntil);
    }

    /** The same run held by {@code newOwner} until {@code until} ({@code updatedAt} is not a lease's business). */
    public Run withLease(String newOwner, Instant until) {
        return new Run(runId, threadId, assistantId, createdAt, updatedAt, status, metadata, kwargs, multitaskStrategy,
                lane, newOwner, until);
    }

    public Run withLane(Lane newLane) {
        return new Run(runId, threadId, assistantId, createdAt, updatedAt, status, metadata, kwargs,
                multitaskStrategy, newLane, owner, leaseUntil);
    }

    public Run withMetadata(ObjectNode newMetadata) {
        return new Run(runId, threadId, assistantId, createdAt, updatedAt, status, newMetadata, kwargs,
                multitaskStrategy, lane, owner, leaseUntil);
    }

    public Run withKwargs(ObjectNode newKwargs) {
        return new Run(runId, threadId, assistantId, createdAt, updatedAt, status, metadata, newKwargs,
                multitaskStrategy, lane, owner, leaseUntil);
    }

    /** True when no live claim holds this run at {@code now}: it has no lease, or its lease has ended. */
    public boolean leaseExpired(Instant now) {
        return owner == null || leaseUntil == null || !leaseUntil.isAfter(now);
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

    /** The operation whose outcome this run reports ({@code operation_report}), or null for an ordinary run. */
    public UUID reportsOperation() {
        JsonNode input = input();
        JsonNode id = input.isObject() ? input.get(REPORT_KEY) : null;
        return id == null || !id.isTextual() ? null : UUID.fromString(id.asText());
    }

    /** The instance that admitted the run (it starts the run when it can), or null when unknown. */
    public String originInstance() {
        JsonNode origin = kwargs.get("origin_instance");
        return origin == null || !origin.isTextual() ? null : origin.asText();
    }

    /** The checkpoint the run starts from ({@code checkpoint_id}), or null for the thread's latest. */
    public UUID startCheckpoint() {
        JsonNode requested = kwargs.get("checkpoint_id");
        return requested == null || !requested.isTextual() ? null : UUID.fromString(requested.asText());
    }

    /** {@code config.recursion_limit}: the most steps the run may take. */
    public int recursionLimit() {
        JsonNode config = kwargs.get("config");
        JsonNode limit = config == null ? null : config.get("recursion_limit");
        return limit != null && limit.canConvertToInt() && limit.asInt() > 0 ? limit.asInt() : DEFAULT_RECURSION_LIMIT;
    }

    /** The {@code command} that continues a paused thread, if the run has one. */
    public java.util.Optional<Command> command() {
        JsonNode c = kwargs.get(Command.KEY);
        return c == null || c.isNull() ? java.util.Optional.empty() : java.util.Optional.of(Command.fromJson(c));
    }

    /** The run's {@code interrupt_before} / {@code interrupt_after}. */
    public Breakpoints breakpoints() {
        java.util.Set<String> before = Breakpoints.nodes(Breakpoints.BEFORE_KEY, kwargs.get(Breakpoints.BEFORE_KEY));
        java.util.Set<String> after = Breakpoints.nodes(Breakpoints.AFTER_KEY, kwargs.get(Breakpoints.AFTER_KEY));
        return before.isEmpty() && after.isEmpty() ? Breakpoints.NONE : new Breakpoints(before, after);
    }

    /** The input key naming the operation a report run reports. */
    public static final String REPORT_KEY = "operation_report";
    /** LangGraph's default step limit. */
    public static final int DEFAULT_RECURSION_LIMIT = 25;

    /**
     * The coordination namespace of the run's conversation: {@code config.configurable.namespace_for_memory} (a
     * list of labels, or one dotted string), else the thread's default. Validated at admission.
     */
    public java.util.List<String> coordinationNamespace() {
        JsonNode ns = configurable().get("namespace_for_memory");
        if (ns != null && ns.isArray() && !ns.isEmpty()) {
            java.util.List<String> labels = new java.util.ArrayList<>();
            ns.forEach(n -> labels.add(n.asText()));
            return java.util.List.copyOf(labels);
        }
        if (ns != null && ns.isTextual() && !ns.asText().isBlank()) {
            return java.util.List.of(ns.asText().split("\\."));
        }
        return dev.switchboard.operation.CoordinationKeys.defaultNamespace(threadId);
    }
}
