package dev.switchboard.scripted;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolSpec;

/**
 * The peer's {@code slow_tool}: announces itself with a {@code custom} event, sleeps {@code tool_sleep_ms}
 * (configurable, default {@code FAKE_TOOL_SLEEP_MS} or 2000) and returns {@code slept N ms}. It runs inline
 * on its run's thread, so a cancel interrupts the sleep.
 */
public final class SlowTool implements Tool {
    private final int defaultSleepMs;

    public SlowTool() {
        this(envSleep());
    }

    public SlowTool(int defaultSleepMs) {
        this.defaultSleepMs = defaultSleepMs;
    }

    private static int envSleep() {
        String raw = System.getenv("FAKE_TOOL_SLEEP_MS");
        try {
            int v = raw == null ? -1 : Integer.parseInt(raw.trim());
            return v >= 0 ? v : 2000;
        } catch (NumberFormatException e) {
            return 2000;
        }
    }

    @Override
    public ToolSpec spec() {
        ObjectNode params = ToolSpec.emptySchema();
        params.with("properties").putObject("reason").put("type", "string");
        return ToolSpec.quick(ScriptedChatModel.SLOW_TOOL, "Sleeps for a while, then says how long.", params);
    }

    @Override
    public String call(ObjectNode arguments, ToolContext context) throws InterruptedException {
        int sleepMs = ScriptedChatModel.knob(context.configurable(), "tool_sleep_ms", defaultSleepMs);
        ObjectNode start = Json.object();
        start.put("tool", ScriptedChatModel.SLOW_TOOL);
        start.put("phase", "start");
        start.put("sleep_ms", sleepMs);
        context.emit(start);
        ScriptedChatModel.pause(sleepMs);
        ObjectNode end = Json.object();
        end.put("tool", ScriptedChatModel.SLOW_TOOL);
        end.put("phase", "end");
        context.emit(end);
        return "slept " + sleepMs + " ms";
    }
}
