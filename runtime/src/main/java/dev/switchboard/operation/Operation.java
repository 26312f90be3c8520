package dev.switchboard.operation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One execution of a long-running tool, started by a main-lane run. {@code idempotencyKey} is thread id +
 * run id + tool call id; the backend deduplicates side effects on it, so a resumed operation never applies
 * twice. {@code reported} turns true once an answer that states the outcome has been written to the thread.
 * {@code owner} and {@code leaseUntil} say which server instance executes it and until when its claim holds.
 * {@code userId} is the user the operation acts for (the conversation's owner as the server resolved it, the run's
 * {@code configurable.user_id}); it is kept on the record itself so that recovering an operation whose run was
 * deleted (rolled back) acts for the same user, never for whoever a rebuilt config would suggest. Null when the
 * conversation carries no user identity (its coordination namespace then identifies it).
 */
public record Operation(
        UUID operationId,
        UUID threadId,
        UUID runId,
        String toolCallId,
        String toolName,
        ObjectNode arguments,
        String idempotencyKey,
        List<String> namespace,
        OperationStatus status,
        int percent,
        String message,
        String result,
        String error,
        boolean cancelRequested,
        boolean reported,
        String owner,
        Instant leaseUntil,
        Instant createdAt,
        Instant updatedAt,
        String userId) {

    /** The configurable key that carries the user an operation acts for, set by the server from the caller. */
    public static final String USER_KEY = "user_id";

    /** An operation that acts for no identified user. */
    public Operation(UUID operationId, UUID threadId, UUID runId, String toolCallId, String toolName,
            ObjectNode arguments, String idempotencyKey, List<String> namespace, OperationStatus status, int percent,
            String message, String result, String error, boolean cancelRequested, boolean reported, String owner,
            Instant leaseUntil, Instant createdAt, Instant updatedAt) {
        this(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace, status, percent,
                message, result, error, cancelRequested, reported, owner, leaseUntil, createdAt, updatedAt, null);
    }

    public Operation {
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(toolCallId, "toolCallId");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        arguments = Json.copyObject(arguments);
        namespace = List.copyOf(namespace);
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be 0..100, got " + percent);
        }
        message = message == null ? "" : message;
        userId = userId == null || userId.isBlank() ? null : userId;
    }

    /** This operation acting for {@code user} (null: for no identified user). */
    public Operation withUserId(String user) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, percent, message, result, error, cancelRequested, reported, owner, leaseUntil, createdAt,
                updatedAt, user);
    }

    public static String idempotencyKey(UUID threadId, UUID runId, String toolCallId) {
        return threadId + ":" + runId + ":" + toolCallId;
    }

    public Operation withProgress(int newPercent, String newMessage, Instant now) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, newPercent, newMessage, result, error, cancelRequested, reported, owner, leaseUntil, createdAt,
                now, userId);
    }

    public Operation withCancelRequested(Instant now) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, percent, message, result, error, true, reported, owner, leaseUntil, createdAt, now, userId);
    }

    public Operation finished(OperationStatus end, String newResult, String newError, Instant now) {
        if (!end.isTerminal()) {
            throw new IllegalArgumentException("finish with a terminal status, not " + end);
        }
        int finalPercent = end == OperationStatus.SUCCEEDED ? 100 : percent;
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                end, finalPercent, message, newResult, newError, cancelRequested, reported, owner, leaseUntil,
                createdAt, now, userId);
    }

    public Operation withReported(Instant now) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, percent, message, result, error, cancelRequested, true, owner, leaseUntil, createdAt, now, userId);
    }

    /** Reported no longer: the run that reported it was rolled back, taking the report with it. */
    public Operation withUnreported(Instant now) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, percent, message, result, error, cancelRequested, false, owner, leaseUntil, createdAt, now);
    }

    public Operation withLease(String newOwner, Instant until, Instant now) {
        return new Operation(operationId, threadId, runId, toolCallId, toolName, arguments, idempotencyKey, namespace,
                status, percent, message, result, error, cancelRequested, reported, newOwner, until, createdAt, now, userId);
    }

    /** True when no live claim holds this operation at {@code now}: it has no lease, or its lease has ended. */
    public boolean leaseExpired(Instant now) {
        return owner == null || leaseUntil == null || !leaseUntil.isAfter(now);
    }

    /** What the thread is told: the tool's result, or why there is none. */
    public String outcomeText() {
        return switch (status) {
            case RUNNING -> "still running (" + percent + "%, " + message + ")";
            case SUCCEEDED -> result == null ? "done" : result;
            case FAILED -> "failed: " + (error == null ? "unknown error" : error);
            case CANCELLED -> "cancelled" + (error == null ? "" : ": " + error);
        };
    }
}
