package dev.switchboard.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Our messages and tools to LangChain4j's, and LangChain4j's answer back to our {@link AiMessage}. */
final class Conversions {

    private Conversions() {
    }

    static ChatRequest toChatRequest(ModelRequest request) {
        ChatRequest.Builder builder = ChatRequest.builder().messages(toChatMessages(request.messages()));
        if (!request.tools().isEmpty()) {
            builder.toolSpecifications(request.tools().stream().map(ToolSchemas::toSpecification).toList());
        }
        return builder.build();
    }

    static List<ChatMessage> toChatMessages(List<Message> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        // Our tool results may lack the tool's name (OpenAI-style input has none); some providers want it.
        Map<String, String> toolNames = new HashMap<>();
        for (Message message : messages) {
            switch (message) {
                case SystemMessage system -> {
                    // LangChain4j refuses a blank system message, and it would tell the model nothing.
                    if (!system.content().isBlank()) {
                        out.add(dev.langchain4j.data.message.SystemMessage.from(system.content()));
                    }
                }
                case HumanMessage human -> out.add(UserMessage.from(human.content()));
                case AiMessage ai -> {
                    ai.toolCalls().forEach(call -> toolNames.put(call.id(), call.name()));
                    if (ai.hasToolCalls()) {
                        out.add(dev.langchain4j.data.message.AiMessage.builder()
                                .text(ai.content().isEmpty() ? null : ai.content())
                                .toolExecutionRequests(ai.toolCalls().stream().map(Conversions::toRequest).toList())
                                .build());
                    } else if (!ai.content().isBlank()) {
                        // An empty answer (a cancelled turn) carries nothing, and Anthropic rejects empty text.
                        out.add(dev.langchain4j.data.message.AiMessage.from(ai.content()));
                    }
                }
                case ToolMessage tool -> out.add(ToolExecutionResultMessage.builder()
                        .id(tool.toolCallId())
                        .toolName(tool.name() != null ? tool.name() : toolNames.get(tool.toolCallId()))
                        .text(tool.content())
                        .isError(tool.isError() ? Boolean.TRUE : null)
                        .build());
            }
        }
        return out;
    }

    private static ToolExecutionRequest toRequest(ToolCall call) {
        return ToolExecutionRequest.builder()
                .id(call.id())
                .name(call.name())
                .arguments(Json.write(call.args()))
                .build();
    }

    /**
     * The complete answer as our message. Tool call arguments arrive as JSON text; a provider that mints no ids
     * (older Ollama) gets fresh ones, since our tool results are matched to calls by id.
     *
     * @throws IllegalArgumentException when the model's tool call arguments are not a JSON object
     */
    static AiMessage toAiMessage(ChatResponse response) {
        dev.langchain4j.data.message.AiMessage ai = response.aiMessage();
        String text = ai.text() == null ? "" : ai.text();
        if (!ai.hasToolExecutionRequests()) {
            return AiMessage.of(text);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (ToolExecutionRequest request : ai.toolExecutionRequests()) {
            ObjectNode args = arguments(request);
            boolean hasId = request.id() != null && !request.id().isBlank()
                    && calls.stream().noneMatch(c -> c.id().equals(request.id()));
            calls.add(hasId ? new ToolCall(request.id(), request.name(), args) : ToolCall.of(request.name(), args));
        }
        return AiMessage.ofToolCalls(text, calls);
    }

    private static ObjectNode arguments(ToolExecutionRequest request) {
        String text = request.arguments();
        if (text == null || text.isBlank()) {
            return Json.object();
        }
        JsonNode parsed;
        try {
            parsed = Json.parse(text);
        } catch (SwitchboardException.InvalidRequest e) {
            throw new IllegalArgumentException("the model called " + request.name()
                    + " with arguments that are not valid JSON: " + text, e);
        }
        if (parsed == null || parsed.isNull()) {
            return Json.object();
        }
        if (!parsed.isObject()) {
            throw new IllegalArgumentException("the model called " + request.name()
                    + " with arguments that are not a JSON object: " + text);
        }
        return (ObjectNode) parsed;
    }
}
