package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.operation.LaneLog;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Decides how an operation's outcome reaches its thread when no run awaits it: a report run ({@code check_status}
 * with the outcome as its result, then an answer). An outcome is marked reported only once its answer is in the
 * thread. A report run that fails is tried again, at most {@link #MAX_ATTEMPTS} times in all; after that the
 * outcome is written as a plain message, so the customer always hears it. This class proposes report runs; the
 * scheduler admits them (calls go one way).
 *
 * <p>An operation's life as far as reporting goes:
 * <pre>
 *   running ──ends while its run awaits it──► written by that run's tools step ──synthesis──► reported
 *   running ──ends after its run stopped awaiting (interrupt, rollback, crash)──► report run ──► reported
 *   report run failed ──attempt &lt; 3──► another report run;  attempt 3 ──► plain message ──► reported
 *   reported ──the reporting run is rolled back──► unreported ──► report run
 * </pre>
 */
final class OperationReports {
    static final int MAX_ATTEMPTS = 3;
    private static final Logger LOG = Logger.getLogger(OperationReports.class.getName());
    private static final String ATTEMPT = "attempt";

    private final RunStore runs;
    private final ThreadStore threads;
    private final OperationStore operations;
    private final RunCheckpoints checkpoints;
    private final Clock clock;

    OperationReports(RunStore runs, ThreadStore threads, OperationStore operations, RunCheckpoints checkpoints,
            Clock clock) {
        this.runs = runs;
        this.threads = threads;
        this.operations = operations;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /**
     * True when the thread already holds the operation's outcome as a main-lane tool result (not merely a note on
     * its state, nor a status a secondary run happened to read).
     */
    static boolean outcomeWritten(List<Message> messages, Operation op) {
        String id = op.operationId().toString();
        for (Message m : messages) {
            // Secondary-lane status checks may show the end too; only a main-lane result is the written outcome.
            if (m instanceof ToolMessage t && t.content().contains(id)
                    && !Lane.SECONDARY.wireName().equals(t.additionalKwargs().path("lane").asText())) {
                JsonNode json;
                try {
                    json = Json.parse(t.content());
                } catch (RuntimeException notJson) {
                    continue;
                }
                if (id.equals(json.path("operation_id").asText()) && !json.has("note")
                        && OperationStatus.isTerminalWireName(json.path("status").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A report run for {@code op}, or empty when one is already queued, the operation was reported, or the thread
     * is gone or has no assistant to answer with (then the operation is marked reported: nobody can hear it).
     */
    Optional<Run> candidate(Operation op, int attempt) {
        Optional<ConversationThread> thread = threads.get(op.threadId());
        JsonNode assistant = thread.map(t -> t.metadata().get("assistant_id")).orElse(null);
        if (thread.isEmpty() || assistant == null || assistant.isNull()) {
            operations.update(op.operationId(), o -> o.withReported(clock.instant()));
            return Optional.empty();
        }
        if (operations.get(op.operationId()).map(Operation::reported).orElse(true)) {
            return Optional.empty();
        }
        boolean queued = runs.active(op.threadId(), Lane.MAIN).stream()
                .anyMatch(r -> op.operationId().equals(r.reportsOperation()));
        if (queued) {
            return Optional.empty();
        }
        ObjectNode kwargs = Json.object();
        kwargs.putObject("input").put(Run.REPORT_KEY, op.operationId().toString());
        ObjectNode reportConfigurable = kwargs.putObject("config").putObject("configurable");
        ArrayNode ns = reportConfigurable.putArray("namespace_for_memory");
        op.namespace().forEach(ns::add);
        if (op.userId() != null) {
            // The report run acts for the operation's user too, should its answer call a tool.
            reportConfigurable.put(Operation.USER_KEY, op.userId());
        }
        kwargs.putArray("stream_mode").add("values");
        ObjectNode metadata = Json.object();
        metadata.put("kind", "operation_report");
        metadata.put("operation_id", op.operationId().toString());
        metadata.put(ATTEMPT, attempt);
        var now = clock.instant();
        return Optional.of(new Run(Ids.newId(), op.threadId(), UUID.fromString(assistant.asText()), now, now,
                RunStatus.PENDING, metadata, kwargs, MultitaskStrategy.ENQUEUE, Lane.MAIN));
    }

    /**
     * A main run ended without its answer (cancelled, failed, rolled back, recovered): report runs for every ended,
     * unreported operation it started or was reporting. A failed report run is retried within the attempt bound,
     * then answered with a plain message.
     */
    List<Run> afterEnd(Run run, boolean failed) {
        List<Run> due = new ArrayList<>();
        if (run.lane() != Lane.MAIN) {
            return due;
        }
        UUID reporting = run.reportsOperation();
        for (Operation op : operations.listByThread(run.threadId())) {
            boolean mine = op.runId().equals(run.runId()) || op.operationId().equals(reporting);
            if (!mine || !op.status().isTerminal() || op.reported()) {
                continue;
            }
            int attempt = op.operationId().equals(reporting) ? run.metadata().path(ATTEMPT).asInt(1) : 0;
            if (failed && attempt >= MAX_ATTEMPTS) {
                writePlain(run, op);
            } else {
                candidate(op, failed ? attempt + 1 : Math.max(1, attempt)).ifPresent(due::add);
            }
        }
        return due;
    }

    /**
     * After a main run completed: report runs for the thread's ended, unreported operations whose run no longer
     * awaits them, unless the thread is still paused for a person (a report waits for the decision: written after
     * the calls awaiting it, it would leave them unanswered). Usually none: one read of the thread's operations.
     */
    List<Run> deferred(Run run) {
        List<Run> due = new ArrayList<>();
        List<Operation> waiting = operations.listByThread(run.threadId()).stream()
                .filter(op -> op.status().isTerminal() && !op.reported()).toList();
        if (waiting.isEmpty() || checkpoints.latest(run.threadId()).flatMap(c -> c.pause()).isPresent()) {
            return due;
        }
        java.util.Set<UUID> active = new java.util.HashSet<>();
        runs.active(run.threadId(), Lane.MAIN).forEach(r -> active.add(r.runId()));
        for (Operation op : waiting) {
            if (!active.contains(op.runId())) {
                candidate(op, 1).ifPresent(due::add);
            }
        }
        return due;
    }

    /** The last resort: the outcome as a message no model wrote, then reported. */
    private void writePlain(Run run, Operation op) {
        String text = "Update on your request (" + op.toolName() + "): it " + op.status().wireName() + ". "
                + op.outcomeText();
        checkpoints.append(run, List.of(AiMessage.of(text)));
        operations.update(op.operationId(), o -> o.withReported(clock.instant()));
        LaneLog.step("report-plain", "operation", op.operationId(), "run", run.runId());
        LOG.warning("operation " + op.operationId() + ": " + MAX_ATTEMPTS
                + " report runs failed; its outcome was written as a plain message");
    }
}
