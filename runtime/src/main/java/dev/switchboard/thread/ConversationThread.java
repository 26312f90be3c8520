package dev.switchboard.thread;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One conversation. {@code values} mirrors the latest checkpoint's state (null before the first run), so
 * listing threads never has to read checkpoints.
 */
public record ConversationThread(
        UUID threadId,
        Instant createdAt,
        Instant updatedAt,
        ObjectNode metadata,
        ThreadStatus status,
        ObjectNode config,
        ObjectNode values) {

    public ConversationThread {
        Objects.requireNonNull(threadId, "threadId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(status, "status");
        metadata = Json.copyObject(metadata);
        config = Json.copyObject(config);
        values = values == null ? null : values.deepCopy();
    }

    public static ConversationThread create(UUID threadId, Instant now, ObjectNode metadata) {
        return new ConversationThread(threadId, now, now, metadata, ThreadStatus.IDLE, null, null);
    }

    public ConversationThread withStatus(ThreadStatus newStatus, Instant now) {
        return new ConversationThread(threadId, createdAt, now, metadata, newStatus, config, values);
    }

    public ConversationThread withValues(ObjectNode newValues, Instant now) {
        return new ConversationThread(threadId, createdAt, now, metadata, status, config, newValues);
    }

    public ConversationThread withMetadata(ObjectNode newMetadata, Instant now) {
        return new ConversationThread(threadId, createdAt, now, newMetadata, status, config, values);
    }

    public ConversationThread withConfig(ObjectNode newConfig, Instant now) {
        return new ConversationThread(threadId, createdAt, now, metadata, status, newConfig, values);
    }

    /** The user who owns this thread ({@code metadata.owner}), or null when auth is off. */
    public String owner() {
        var owner = metadata.get("owner");
        return owner == null || owner.isNull() ? null : owner.asText();
    }
}
