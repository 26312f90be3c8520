package dev.switchboard.server.stream;

import dev.switchboard.SwitchboardException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The stream modes a client asked for (AGENT-PROTOCOL.md §8.2); empty means {@code values}. */
public record StreamModes(Set<String> modes) {
    static final Set<String> KNOWN = Set.of("values", "updates", "messages", "messages-tuple", "custom", "events",
            "debug", "tasks", "checkpoints", "tools");

    public StreamModes {
        modes = Set.copyOf(modes);
    }

    public static StreamModes of(List<String> requested) {
        Set<String> modes = new LinkedHashSet<>();
        for (String m : requested) {
            if (!KNOWN.contains(m)) {
                throw new SwitchboardException.InvalidRequest("invalid_stream_mode", "unknown stream_mode '" + m
                        + "'; supported: values, updates, messages, messages-tuple, custom");
            }
            modes.add(m);
        }
        if (modes.isEmpty()) {
            modes.add("values");
        }
        return new StreamModes(modes);
    }

    public boolean has(String mode) {
        return modes.contains(mode);
    }
}
