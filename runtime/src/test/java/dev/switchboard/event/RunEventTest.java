package dev.switchboard.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Json;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RunEventTest {

    @Test
    void wireNamesFollowTheAgentProtocol() {
        var meta = Json.object();
        assertThat(new RunEvent.Metadata(UUID.randomUUID(), null, 1).wireName()).isEqualTo("metadata");
        assertThat(new RunEvent.Values(Json.object()).wireName()).isEqualTo("values");
        assertThat(new RunEvent.Updates("agent", Json.object()).wireName()).isEqualTo("updates");
        assertThat(new RunEvent.MessageChunk(Json.object(), meta).wireName()).isEqualTo("messages");
        assertThat(new RunEvent.MessageComplete(Json.object(), meta).wireName()).isEqualTo("messages");
        assertThat(new RunEvent.Custom(Json.object()).wireName()).isEqualTo("custom");
        assertThat(new RunEvent.Error("Error", "boom").wireName()).isEqualTo("error");
        assertThat(new RunEvent.End().wireName()).isEqualTo("end");
    }

    @Test
    void dataIsTheSsePayload() {
        UUID run = UUID.fromString("01a20446-281d-745f-abd5-7cb895239e5e");
        UUID thread = UUID.fromString("01a20446-281d-745f-abd5-7cb895239e5f");
        assertThat(Json.write(new RunEvent.Metadata(run, thread, 1).data()))
                .isEqualTo("{\"run_id\":\"" + run + "\",\"thread_id\":\"" + thread + "\",\"attempt\":1}");
        assertThat(Json.write(new RunEvent.Updates("agent", Json.object().put("x", 1)).data()))
                .isEqualTo("{\"agent\":{\"x\":1}}");
        assertThat(Json.write(new RunEvent.MessageChunk(Json.object().put("content", "t1"),
                Json.object().put("langgraph_node", "agent")).data()))
                .isEqualTo("[{\"content\":\"t1\"},{\"langgraph_node\":\"agent\"}]");
        assertThat(Json.write(RunEvent.Error.of(new IllegalStateException()).data()))
                .isEqualTo("{\"error\":\"IllegalStateException\",\"message\":\"\"}");
        assertThat(new RunEvent.End().data().isNull()).isTrue();
    }

    @Test
    void eventsKeepTheirOwnCopyOfThePublishersState() {
        var state = Json.object().put("step", 1);
        var event = new RunEvent.Values(state);

        state.put("step", 2);

        assertThat(event.values().get("step").intValue()).isEqualTo(1);
    }
}
