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
    void chunksOfOneMessage_keepOnlyTheirText_andGiveBackTheirExactJson() throws Exception {
        var meta = Json.object().put("langgraph_node", "agent");
        var make = RunEvent.MessageChunk.sharing(meta);
        var tokens = java.util.List.of("Hel", "lo \"you\"", "", " \u00e9\n", "\u2603");
        var chunks = new java.util.ArrayList<RunEvent.MessageChunk>();
        for (String token : tokens) {
            chunks.add(make.apply(Json.object().put("content", token).put("type", "AIMessageChunk").put("id", "m1")));
        }
        var call = make.apply(Json.object().put("content", "").put("id", "m1").set("tool_calls",
                Json.array().add(Json.object().put("name", "t"))));
        var noText = make.apply(Json.object().put("id", "m2"));

        for (int i = 0; i < tokens.size(); i++) {
            assertThat(chunks.get(i).tupleJson()).isEqualTo("[{\"content\":" + Json.mapper().writeValueAsString(
                    tokens.get(i)) + ",\"type\":\"AIMessageChunk\",\"id\":\"m1\"},{\"langgraph_node\":\"agent\"}]");
            assertThat(chunks.get(i).chunk().path("content").asText()).isEqualTo(tokens.get(i));
        }
        assertThat(call.chunk().path("tool_calls").get(0).path("name").asText()).isEqualTo("t");
        assertThat(noText.tupleJson()).isEqualTo("[{\"id\":\"m2\"},{\"langgraph_node\":\"agent\"}]");
        // What a retained log holds per token: the rest of the JSON is one string for the whole message.
        var rest = RunEvent.MessageChunk.class.getDeclaredField("rest");
        rest.setAccessible(true);
        assertThat(rest.get(chunks.get(4))).isSameAs(rest.get(chunks.get(0)));
        assertThat(chunks.get(0)).isEqualTo(make.apply(Json.object().put("content", "Hel")
                .put("type", "AIMessageChunk").put("id", "m1")));
    }

    @Test
    void eventsKeepTheirOwnCopyOfThePublishersState() {
        var state = Json.object().put("step", 1);
        var event = new RunEvent.Values(state);

        state.put("step", 2);

        assertThat(event.values().get("step").intValue()).isEqualTo(1);
    }

    @Test
    void notices_areCustomEventsOnTheWire_andReadBackAsTheSameTypedRecords() {
        UUID run = UUID.fromString("01a20446-281d-745f-abd5-7cb895239e5e");
        UUID successor = UUID.fromString("01a20446-281d-745f-abd5-7cb895239e5f");
        var operation = Json.object().put("operation_id", "op-1").put("tool", "change_package").put("percent", 40);
        java.util.List<RunEvent> notices = java.util.List.of(
                new RunEvent.RunCancelled(run, "rollback", true, successor),
                new RunEvent.RunCancelled(run, "interrupt", false, null),
                new RunEvent.RunRecovered(run),
                new RunEvent.LeaseLost(run),
                new RunEvent.OperationUpdate(RunEvent.OperationUpdate.Phase.PROGRESS, operation),
                new RunEvent.ToolProgress("lookup", "call-1", 50, "halfway"));
        for (RunEvent notice : notices) {
            assertThat(notice.wireName()).isEqualTo("custom");
            assertThat(RunEventCodec.decode(RunEventCodec.encode(notice))).isEqualTo(notice);
            assertThat(RunEvent.Notice.parse(notice.data())).isEqualTo(notice);
        }
        assertThat(new RunEvent.RunCancelled(run, "rollback", true, successor).data().path("status").asText())
                .isEqualTo("rolled_back");
        assertThat(new RunEvent.OperationUpdate(RunEvent.OperationUpdate.Phase.ENDED, operation).data().path("type")
                .asText()).isEqualTo("operation_ended");
        // A tool's own custom payload stays a plain custom event, even one that looks like a notice.
        assertThat(RunEvent.Notice.parse(Json.object().put("type", "run_cancelled"))).isInstanceOf(RunEvent.Custom.class);
        assertThat(RunEvent.Notice.parse(Json.object().put("phase", "start"))).isInstanceOf(RunEvent.Custom.class);
    }
}
