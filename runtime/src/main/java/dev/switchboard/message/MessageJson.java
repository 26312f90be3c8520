package dev.switchboard.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Messages on the wire. Output is LangChain's serialised form, the shape the LangGraph SDKs and chat UIs
 * read from thread state and stream events (AGENT-PROTOCOL.md §8.2). Input is lenient about dialect,
 * because clients send LangChain dicts, OpenAI chat messages or bare strings, but strict about shape: a
 * message that cannot be read is rejected with code {@code invalid_message} instead of being guessed at.
 */
public final class MessageJson {
    private static final String INVALID = "invalid_message";

    private MessageJson() {
    }

    public static ObjectNode toJson(Message message) {
        ObjectNode out = Json.object();
        out.put("content", message.content());
        out.set("additional_kwargs", message.additionalKwargs());
        out.set("response_metadata", Json.object());
        out.put("type", message.type().wireName());
        switch (message) {
            case HumanMessage human -> {
                out.putNull("name");
                out.put("id", human.id());
                out.put("example", false);
            }
            case SystemMessage system -> {
                out.putNull("name");
                out.put("id", system.id());
            }
            case AiMessage ai -> {
                out.putNull("name");
                out.put("id", ai.id());
                out.put("example", false);
                ArrayNode calls = out.putArray("tool_calls");
                for (ToolCall call : ai.toolCalls()) {
                    ObjectNode c = calls.addObject();
                    c.put("name", call.name());
                    c.set("args", call.args());
                    c.put("id", call.id());
                    c.put("type", "tool_call");
                }
                out.putArray("invalid_tool_calls");
                out.putNull("usage_metadata");
            }
            case ToolMessage tool -> {
                out.put("name", tool.name());
                out.put("id", tool.id());
                out.put("tool_call_id", tool.toolCallId());
                out.putNull("artifact");
                out.put("status", tool.status().wireName());
            }
        }
        return out;
    }

    public static ArrayNode toJson(List<? extends Message> messages) {
        ArrayNode out = Json.array();
        for (Message m : messages) {
            out.add(toJson(m));
        }
        return out;
    }

    /**
     * One token (or tool-call fragment) of a streamed AI message, as a {@code messages-tuple} event's first
     * element. Its {@code type} is {@code "ai"}, as the JS server was observed to send, not the Python
     * class name {@code AIMessageChunk}; the SDKs accept both.
     */
    public static ObjectNode chunkJson(String messageId, String contentDelta, List<ToolCall> toolCallChunks) {
        if (messageId == null || messageId.isBlank()) {
            throw new IllegalArgumentException("a message chunk needs the id of the message it belongs to");
        }
        List<ToolCall> calls = toolCallChunks == null ? List.of() : toolCallChunks;
        ObjectNode out = Json.object();
        out.put("content", contentDelta == null ? "" : contentDelta);
        out.set("additional_kwargs", Json.object());
        out.set("response_metadata", Json.object());
        out.put("type", MessageType.AI.wireName());
        out.putNull("name");
        out.put("id", messageId);
        out.put("example", false);
        ArrayNode toolCalls = out.putArray("tool_calls");
        ArrayNode chunks = out.putArray("tool_call_chunks");
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            ObjectNode c = toolCalls.addObject();
            c.put("name", call.name());
            c.set("args", call.args());
            c.put("id", call.id());
            c.put("type", "tool_call");
            // Chunks carry arguments as (possibly partial) JSON text; ours are always complete.
            ObjectNode k = chunks.addObject();
            k.put("name", call.name());
            k.put("args", Json.write(call.args()));
            k.put("id", call.id());
            k.put("index", i);
            k.put("type", "tool_call_chunk");
        }
        out.putArray("invalid_tool_calls");
        out.putNull("usage_metadata");
        return out;
    }

    /**
     * Reads one message: a LangChain dict ({@code type}), an OpenAI chat message ({@code role}), or a bare
     * string (a human message). A missing id gets a fresh one, as LangGraph's {@code add_messages} does.
     */
    public static Message fromJson(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw invalid("a message is required, got nothing");
        }
        if (node.isTextual()) {
            return HumanMessage.of(node.textValue());
        }
        if (!node.isObject()) {
            throw invalid("a message must be a JSON object or a string, got " + kind(node));
        }
        MessageType type = typeOf(node);
        String id = idOf(node.get("id"));
        String content = contentOf(node.get("content"));
        ObjectNode kwargs = kwargsOf(node.get("additional_kwargs"));
        return switch (type) {
            case HUMAN -> new HumanMessage(id, content, kwargs);
            case SYSTEM -> new SystemMessage(id, content, kwargs);
            case AI -> new AiMessage(id, content, toolCallsOf(node.get("tool_calls")), kwargs);
            case TOOL -> new ToolMessage(id, content,
                    requiredText(node.get("tool_call_id"), "a tool message's tool_call_id"),
                    optionalText(node.get("name"), "a tool message's name"),
                    statusOf(node.get("status")), kwargs);
        };
    }

    /**
     * Reads the {@code messages} of a run input: an array of messages, one message object, or a bare
     * string. An error names the offending element's index.
     */
    public static List<Message> fromJsonList(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw invalid("messages are required, got nothing");
        }
        if (!node.isArray()) {
            return List.of(fromJson(node));
        }
        List<Message> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            try {
                out.add(fromJson(node.get(i)));
            } catch (SwitchboardException.InvalidRequest e) {
                throw invalid("messages[" + i + "]: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static MessageType typeOf(JsonNode message) {
        JsonNode type = message.get("type");
        String field = "type";
        if (type == null || type.isNull()) {
            type = message.get("role");
            field = "role";
        }
        if (type == null || type.isNull()) {
            throw invalid("a message needs a \"type\" (human, ai, tool, system) or a \"role\" (user, assistant, tool, system)");
        }
        if (!type.isTextual()) {
            throw invalid("a message's " + field + " must be a string, got " + kind(type));
        }
        return switch (type.textValue()) {
            case "human", "user" -> MessageType.HUMAN;
            case "ai", "assistant", "AIMessageChunk" -> MessageType.AI;
            case "tool" -> MessageType.TOOL;
            // OpenAI's newer name for system instructions.
            case "system", "developer" -> MessageType.SYSTEM;
            default -> throw invalid("unknown message " + field + " \"" + type.textValue()
                    + "\"; expected human|user, ai|assistant, tool or system");
        };
    }

    private static String idOf(JsonNode id) {
        if (id == null || id.isNull()) {
            return Message.newId();
        }
        if (!id.isTextual()) {
            throw invalid("a message id must be a string, got " + kind(id));
        }
        return id.textValue().isBlank() ? Message.newId() : id.textValue();
    }

    /** LangChain and OpenAI both allow a list of content parts; the model port is text-only, so only text parts count. */
    private static String contentOf(JsonNode content) {
        // OpenAI sends content null on an assistant message that only calls tools.
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.textValue();
        }
        if (!content.isArray()) {
            throw invalid("a message's content must be a string or a list of content parts, got " + kind(content));
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (part.isTextual()) {
                text.append(part.textValue());
            } else if (part.isObject()) {
                JsonNode partType = part.get("type");
                boolean isText = partType == null || partType.isNull() || "text".equals(partType.asText());
                if (isText) {
                    JsonNode partText = part.get("text");
                    if (partText == null || !partText.isTextual()) {
                        throw invalid("content[" + i + "] is a text part without a string \"text\"");
                    }
                    text.append(partText.textValue());
                }
                // Other parts (images, provider tool_use blocks) have no text to give a text-only model.
            } else {
                throw invalid("content[" + i + "] must be a string or an object, got " + kind(part));
            }
        }
        return text.toString();
    }

    private static ObjectNode kwargsOf(JsonNode kwargs) {
        if (kwargs == null || kwargs.isNull()) {
            return Json.object();
        }
        if (!kwargs.isObject()) {
            throw invalid("additional_kwargs must be an object, got " + kind(kwargs));
        }
        return (ObjectNode) kwargs;
    }

    private static List<ToolCall> toolCallsOf(JsonNode calls) {
        if (calls == null || calls.isNull()) {
            return List.of();
        }
        if (!calls.isArray()) {
            throw invalid("tool_calls must be a list, got " + kind(calls));
        }
        List<ToolCall> out = new ArrayList<>(calls.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = toolCallOf(calls.get(i), "tool_calls[" + i + "]");
            if (!ids.add(call.id())) {
                throw invalid("tool_calls[" + i + "] repeats the id \"" + call.id() + "\" of an earlier call");
            }
            out.add(call);
        }
        return out;
    }

    /** LangChain form {@code {name, args, id}} or OpenAI form {@code {id, type: "function", function: {name, arguments}}}. */
    private static ToolCall toolCallOf(JsonNode call, String where) {
        if (!call.isObject()) {
            throw invalid(where + " must be an object, got " + kind(call));
        }
        String id = requiredText(call.get("id"), where + ".id");
        JsonNode function = call.get("function");
        if (function != null && !function.isNull()) {
            if (!function.isObject()) {
                throw invalid(where + ".function must be an object, got " + kind(function));
            }
            return new ToolCall(id,
                    requiredText(function.get("name"), where + ".function.name"),
                    argsOf(function.get("arguments"), where + ".function.arguments"));
        }
        return new ToolCall(id, requiredText(call.get("name"), where + ".name"), argsOf(call.get("args"), where + ".args"));
    }

    /** Arguments arrive as an object (LangChain) or as JSON text (OpenAI); either must hold an object. */
    private static ObjectNode argsOf(JsonNode args, String where) {
        if (args == null || args.isNull()) {
            return Json.object();
        }
        if (args.isObject()) {
            return (ObjectNode) args;
        }
        if (!args.isTextual()) {
            throw invalid(where + " must be an object or a JSON string, got " + kind(args));
        }
        if (args.textValue().isBlank()) {
            return Json.object();
        }
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(args.textValue());
        } catch (JsonProcessingException e) {
            throw invalid(where + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (parsed == null || !parsed.isObject()) {
            throw invalid(where + " must encode a JSON object, got " + (parsed == null ? "nothing" : kind(parsed)));
        }
        return (ObjectNode) parsed;
    }

    private static ToolStatus statusOf(JsonNode status) {
        if (status == null || status.isNull()) {
            return ToolStatus.SUCCESS;
        }
        if (status.isTextual()) {
            for (ToolStatus s : ToolStatus.values()) {
                if (s.wireName().equals(status.textValue())) {
                    return s;
                }
            }
        }
        throw invalid("a tool message's status must be \"success\" or \"error\", got " + status);
    }

    private static String requiredText(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            throw invalid(what + " is required");
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw invalid(what + " must be a non-empty string, got " + node);
        }
        return node.textValue();
    }

    private static String optionalText(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid(what + " must be a string, got " + kind(node));
        }
        return node.textValue();
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static SwitchboardException.InvalidRequest invalid(String message) {
        return new SwitchboardException.InvalidRequest(INVALID, message);
    }
}
