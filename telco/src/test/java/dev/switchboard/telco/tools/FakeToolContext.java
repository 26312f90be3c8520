package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.tool.ToolContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * A tool context that records progress reports, can play a cancel arriving before a given step (as the
 * runtime does: the report throws, before the point of no return only), and lets a test look at the world
 * at each report.
 */
final class FakeToolContext implements ToolContext {
    record Report(int percent, String message) {
    }

    private final UUID threadId;
    private final UUID runId;
    private final String toolCallId;
    private final ObjectNode configurable;
    final List<Report> reports = new ArrayList<>();
    private int cancelAtPercent = Integer.MAX_VALUE;
    private int pointOfNoReturn = 100;
    private boolean committed;
    private IntConsumer onReport = p -> { };

    /** A call in a conversation of the seeded {@code demo} customer. */
    FakeToolContext() {
        this("call_1", Json.object().put("user_id", "demo"));
    }

    FakeToolContext(String toolCallId, ObjectNode configurable) {
        this(UUID.randomUUID(), UUID.randomUUID(), toolCallId, configurable);
    }

    private FakeToolContext(UUID threadId, UUID runId, String toolCallId, ObjectNode configurable) {
        this.threadId = threadId;
        this.runId = runId;
        this.toolCallId = toolCallId;
        this.configurable = configurable;
    }

    /** The same call again, as after a restart: same thread, run and tool call, so the same idempotency key. */
    FakeToolContext resumed() {
        return new FakeToolContext(threadId, runId, toolCallId, configurable);
    }

    static FakeToolContext forCustomer(String customerId) {
        ObjectNode configurable = Json.object();
        configurable.put("user_id", customerId);
        return new FakeToolContext("call_1", configurable);
    }

    /** The operation is cancelled just before the report of {@code percent}, unless it has committed by then. */
    FakeToolContext cancelledAt(int percent, int toolPointOfNoReturn) {
        this.cancelAtPercent = percent;
        this.pointOfNoReturn = toolPointOfNoReturn;
        return this;
    }

    FakeToolContext onReport(IntConsumer observer) {
        this.onReport = observer;
        return this;
    }

    List<Integer> percents() {
        return reports.stream().map(Report::percent).toList();
    }

    @Override
    public UUID threadId() {
        return threadId;
    }

    @Override
    public UUID runId() {
        return runId;
    }

    @Override
    public String toolCallId() {
        return toolCallId;
    }

    @Override
    public ObjectNode configurable() {
        return configurable.deepCopy();
    }

    @Override
    public List<String> namespace() {
        return List.of("threads", threadId.toString());
    }

    @Override
    public void emit(JsonNode payload) {
    }

    @Override
    public void progress(int percent, String message) throws OperationCancelledException {
        if (percent >= cancelAtPercent && !committed) {
            throw new OperationCancelledException("cancelled before " + percent + "%");
        }
        if (percent >= pointOfNoReturn) {
            committed = true;
        }
        reports.add(new Report(percent, message));
        onReport.accept(percent);
    }
}
