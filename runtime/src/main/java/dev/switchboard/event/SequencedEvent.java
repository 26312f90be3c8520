package dev.switchboard.event;

import java.util.Objects;

/** An event with its position in the run's stream: 0 for the first, +1 per event (the SSE {@code id:}). */
public record SequencedEvent(long sequence, RunEvent event) {
    public SequencedEvent {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
        }
        Objects.requireNonNull(event, "event");
    }
}
