package com.example.travel;

import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.langchain4j.LangChain4jAgent;
import java.util.Map;

/**
 * The travel agent, as {@code switchboard.json} names it: {@code com.example.travel.TravelAgent::agent}. With
 * {@code OPENAI_API_KEY} it talks through OpenAI; without, through {@link KeywordModel}, so it runs offline.
 */
public final class TravelAgent {
    private TravelAgent() {
    }

    public static AgentGraph agent(Map<String, String> env) {
        double timeScale = Double.parseDouble(env.getOrDefault("TRAVEL_TIME_SCALE", "1"));
        LangChain4jAgent.Builder agent = LangChain4jAgent.builder("travel")
                .systemPrompt("You are a travel agent. Search flights with search_flights and book them with "
                        + "book_flight; a booking runs in the background while the traveller keeps chatting.")
                .tools(new TravelTools(timeScale));
        String key = env.get("OPENAI_API_KEY");
        if (key != null && !key.isBlank()) {
            agent.model(OpenAiStreamingChatModel.builder().apiKey(key).modelName("gpt-4o-mini").build());
        } else {
            agent.model(new KeywordModel());
        }
        return agent.build();
    }
}
