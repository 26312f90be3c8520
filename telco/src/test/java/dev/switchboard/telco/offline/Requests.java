package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Model requests as the runtime builds them, for driving the offline model directly. */
final class Requests {
    static final OfflineTelcoModel MODEL = new OfflineTelcoModel(Duration.ZERO);
    static final List<ToolSpec> MAIN = TelcoTools.all(new InMemoryTelcoBackend(), TelcoSettings.ofScale(0)).stream()
            .map(Tool::spec).toList();
    static final List<ToolSpec> SECONDARY;

    static {
        List<ToolSpec> specs = new ArrayList<>(MAIN.stream().filter(s -> s.kind() == ToolKind.QUICK).toList());
        specs.add(ToolSpec.quick(OperationTools.CHECK_STATUS, "status", null));
        specs.add(ToolSpec.quick(OperationTools.CANCEL_OPERATION, "cancel", null));
        SECONDARY = List.copyOf(specs);
    }

    private Requests() {
    }

    static ModelRequest request(Purpose purpose, List<Message> conversation) {
        return request(purpose, conversation, null);
    }

    static ModelRequest request(Purpose purpose, List<Message> conversation, dev.switchboard.model.SynthesisBrief brief) {
        List<Message> messages = new ArrayList<>();
        messages.add(SystemMessage.of("system prompt"));
        messages.addAll(conversation);
        ObjectNode configurable = Json.object();
        return new ModelRequest(messages, purpose == Purpose.SECONDARY ? SECONDARY : MAIN, configurable, purpose, brief);
    }

    static AiMessage answer(Purpose purpose, List<Message> conversation) throws InterruptedException {
        return MODEL.chat(request(purpose, conversation), ModelListener.NONE);
    }

    static AiMessage answer(Purpose purpose, List<Message> conversation, dev.switchboard.model.SynthesisBrief brief)
            throws InterruptedException {
        return MODEL.chat(request(purpose, conversation, brief), ModelListener.NONE);
    }

    static AiMessage answer(String human) throws InterruptedException {
        return answer(Purpose.ANSWER, List.of(HumanMessage.of(human)));
    }
}
