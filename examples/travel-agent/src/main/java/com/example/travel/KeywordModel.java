package com.example.travel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.SynthesisBrief;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model without a network, for trying the example without an API key: it picks a tool by keywords, answers from
 * tool results, and writes the synthesis from the brief. It implements Switchboard's own model port, which any
 * model may.
 */
public final class KeywordModel implements ChatModel {
    private static final Pattern FLIGHT = Pattern.compile("\\b([A-Za-z]{2}\\d{2,4})\\b");
    private static final Pattern AIRPORT = Pattern.compile("\\b([A-Z]{3})\\b");

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) {
        if (request.purpose() == ModelRequest.Purpose.SYNTHESIS) {
            return say(synthesis(request.synthesis()), listener);
        }
        Message last = request.messages().getLast();
        if (last instanceof ToolMessage result) {
            return say(afterTool(result), listener);
        }
        String text = last instanceof HumanMessage h ? h.content() : "";
        String lower = text.toLowerCase(Locale.ROOT);
        Matcher flight = FLIGHT.matcher(text);
        if (lower.contains("book") && flight.find() && offered(request, "book_flight")) {
            return call("book_flight", Json.object().put("flight", flight.group(1).toUpperCase(Locale.ROOT)));
        }
        if ((lower.contains("how far") || lower.contains("status") || lower.contains("progress"))
                && offered(request, "check_status")) {
            return call("check_status", Json.object());
        }
        if (lower.contains("flight") && offered(request, "search_flights")) {
            Matcher airports = AIRPORT.matcher(text);
            List<String> codes = new ArrayList<>();
            while (airports.find()) {
                codes.add(airports.group(1));
            }
            return call("search_flights", Json.object().put("from", codes.size() > 0 ? codes.get(0) : "OSL")
                    .put("to", codes.size() > 1 ? codes.get(1) : "LIS"));
        }
        return say("I can search flights (\"flights from OSL to LIS\") and book one (\"book SK1234\").", listener);
    }

    private static boolean offered(ModelRequest request, String tool) {
        return request.tools().stream().anyMatch(t -> t.name().equals(tool));
    }

    private static AiMessage call(String tool, ObjectNode arguments) {
        return AiMessage.ofToolCalls("", List.of(ToolCall.of(tool, arguments)));
    }

    private static String afterTool(ToolMessage result) {
        if (result.isError()) {
            return "Sorry: " + result.content();
        }
        JsonNode json;
        try {
            json = Json.parse(result.content());
        } catch (RuntimeException notJson) {
            return result.content();
        }
        if (json.has("percent")) {
            return "The booking is " + json.path("percent").asInt() + "% done (" + json.path("step").asText() + ").";
        }
        if (json.isArray()) {
            List<String> lines = new ArrayList<>();
            json.forEach(f -> lines.add(f.path("number").asText() + " at " + f.path("departs").asText() + " for €"
                    + f.path("priceEuro").asInt()));
            return lines.isEmpty() ? "I found no flights." : "I found: " + String.join("; ", lines) + ".";
        }
        return "On it: " + result.content();
    }

    private static String synthesis(SynthesisBrief brief) {
        StringBuilder out = new StringBuilder();
        for (SynthesisBrief.Outcome op : brief.operations()) {
            out.append(op.status().equals("succeeded") ? op.outcome() : "The booking " + op.status() + ": "
                    + op.outcome()).append(' ');
        }
        for (Message m : brief.interim()) {
            if (m instanceof HumanMessage h) {
                out.append("While that was running, you asked: \"").append(h.content()).append("\". ");
            }
        }
        return out.toString().strip();
    }

    private static AiMessage say(String text, ModelListener listener) {
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            listener.onToken(i == 0 ? words[i] : " " + words[i]);
        }
        return AiMessage.of(text);
    }
}
