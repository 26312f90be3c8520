package dev.switchboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.cron.Cron;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.SupersededInput;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A cron's stored payload (the run-create fields it was given: {@code input}, {@code config},
 * {@code metadata}, {@code multitask_strategy}, {@code superseded_input}, {@code stream_mode},
 * {@code stream_subgraphs}, {@code stream_resumable}) as the run request of one firing. The run's metadata
 * carries {@code cron_id}, so a cron's runs can be found.
 */
final class CronPayloads {
    private CronPayloads() {
    }

    static RunRequest request(Cron cron, UUID threadId) {
        ObjectNode p = cron.payload();
        ObjectNode metadata = Json.copyObject(p.get("metadata"));
        metadata.put("cron_id", cron.cronId().toString());
        List<String> modes = new ArrayList<>();
        JsonNode m = p.get("stream_mode");
        if (m != null && m.isArray()) {
            m.forEach(x -> modes.add(x.asText()));
        } else if (m != null && m.isTextual()) {
            modes.add(m.asText());
        }
        ObjectNode extra = Json.object();
        extra.put("stream_resumable", p.path("stream_resumable").asBoolean(false));
        extra.put("subgraphs", p.path("stream_subgraphs").asBoolean(false));
        extra.put("on_disconnect", "continue");
        extra.put("temporary", cron.stateless() && cron.onRunCompleted() == dev.switchboard.cron.OnRunCompleted.DELETE);
        JsonNode strategy = p.get("multitask_strategy");
        JsonNode superseded = p.get("superseded_input");
        return new RunRequest(threadId, cron.assistantId().toString(), p.get("input"), Json.copyObject(p.get("config")),
                metadata, strategy == null || strategy.isNull() ? null : MultitaskStrategy.fromWire(strategy.asText()),
                superseded == null || superseded.isNull() ? null : SupersededInput.fromWire(superseded.asText()),
                modes, null, false, extra);
    }
}
