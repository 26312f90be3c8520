package dev.switchboard.server.stream;

import dev.switchboard.SwitchboardException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The stream modes a client asked for (AGENT-PROTOCOL.md §8.2); empty means {@code values}. */
public record StreamModes(Set<String> modes) {
    /** The modes Switchboard streams, in the order {@code /info} lists them. */
    public static final List<String> SUPPORTED = List.of("values", "updates", "messages", "messages-tuple", "custom",
            "events", "debug", "tasks", "checkpoints");
    /** Modes of the Agent Server that Switchboard does not stream: refused by name rather than sent nothing. */
    static final Set<String> UNSUPPORTED = Set.of("tools");

    public StreamModes {
        modes = Set.copyOf(modes);
    }

    public static StreamModes of(List<String> requested) {
        Set<String> modes = new LinkedHashSet<>();
        for (String m : requested) {
            if (UNSUPPORTED.contains(m)) {
                throw new SwitchboardException.InvalidRequest("unsupported_stream_mode", "stream_mode '" + m
                        + "' is not supported; supported: " + String.join(", ", SUPPORTED));
            }
            if (!SUPPORTED.contains(m)) {
                throw new SwitchboardException.InvalidRequest("invalid_stream_mode", "unknown stream_mode '" + m
                        + "'; supported: " + String.join(", ", SUPPORTED));
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
