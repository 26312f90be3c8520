package dev.switchboard.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.model.ChatModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An agent defined the LangChain4j way: a LangChain4j model, a system prompt and plain objects whose methods carry
 * {@link dev.langchain4j.agent.tool.Tool @Tool}.
 *
 * <pre>{@code
 * AgentGraph support = LangChain4jAgent.builder("support")
 *         .model(OpenAiStreamingChatModel.builder().apiKey(key).modelName("gpt-4o").build())
 *         .systemPrompt("You help customers of Acme with their orders.")
 *         .tools(new OrderTools(orders))
 *         .build();
 * }</pre>
 *
 * <p>A {@link StreamingChatModel} streams tokens and stops generating when a run is interrupted (double-texting);
 * a blocking {@link dev.langchain4j.model.chat.ChatModel} answers whole. Switchboard's own
 * {@link ChatModel} port is accepted too. Tools are derived by {@link AnnotatedTools#from}; a
 * {@link dev.switchboard.tool.Tool} passed here is taken as it is.
 */
public final class LangChain4jAgent {

    private LangChain4jAgent() {
    }

    public static Builder builder(String agentId) {
        return new Builder(agentId);
    }

    /** Collects the definition; {@link #build} derives the tools, so every tool mistake surfaces there. */
    public static final class Builder {
        private final String agentId;
        private ChatModel model;
        private ChatModel secondaryModel;
        private dev.switchboard.agent.ModelCatalog models;
        private String systemPrompt;
        private String secondaryPrompt;
        private String synthesisPrompt;
        private final List<Object> toolObjects = new ArrayList<>();

        private Builder(String agentId) {
            this.agentId = agentId;
        }

        public Builder model(StreamingChatModel streaming) {
            this.model = adapt(streaming);
            return this;
        }

        public Builder model(dev.langchain4j.model.chat.ChatModel blocking) {
            this.model = adapt(blocking);
            return this;
        }

        public Builder model(ChatModel port) {
            this.model = Objects.requireNonNull(port, "model");
            return this;
        }

        /** A (faster, cheaper) model for the secondary lane, which answers while an operation runs. */
        public Builder secondaryModel(StreamingChatModel streaming) {
            this.secondaryModel = adapt(streaming);
            return this;
        }

        public Builder secondaryModel(dev.langchain4j.model.chat.ChatModel blocking) {
            this.secondaryModel = adapt(blocking);
            return this;
        }

        public Builder secondaryModel(ChatModel port) {
            this.secondaryModel = Objects.requireNonNull(port, "secondaryModel");
            return this;
        }

        /**
         * Models chosen by name per assistant or run ({@code config.configurable.model}); see
         * {@link dev.switchboard.agent.ModelCatalog}. {@link Models#catalog} is one over the providers this module
         * speaks. Replaces {@code model(…)} and {@code secondaryModel(…)}.
         */
        public Builder models(dev.switchboard.agent.ModelCatalog catalog) {
            this.models = Objects.requireNonNull(catalog, "models");
            return this;
        }

        public Builder systemPrompt(String prompt) {
            this.systemPrompt = prompt;
            return this;
        }

        /** The secondary lane's prompt; defaults to the system prompt. */
        public Builder secondaryPrompt(String prompt) {
            this.secondaryPrompt = prompt;
            return this;
        }

        /** What the model is told when an operation has ended; a sensible default otherwise. */
        public Builder synthesisPrompt(String prompt) {
            this.synthesisPrompt = prompt;
            return this;
        }

        /** Adds objects with {@code @Tool} methods (or ready {@link dev.switchboard.tool.Tool}s), in order. */
        public Builder tools(Object... objects) {
            toolObjects.addAll(List.of(objects));
            return this;
        }

        /**
         * The agent.
         *
         * @throws IllegalArgumentException when there is no model or a tool cannot be derived (the message names
         *                                  the method and what to change)
         */
        public AgentGraph build() {
            if (model == null && models == null) {
                throw new IllegalArgumentException("agent " + agentId + " has no model; call model(…) with a "
                        + "LangChain4j ChatModel or StreamingChatModel");
            }
            AgentGraph.Builder graph = AgentGraph.builder(agentId).systemPrompt(systemPrompt)
                    .tools(AnnotatedTools.from(toolObjects.toArray())).secondaryPrompt(secondaryPrompt)
                    .synthesisPrompt(synthesisPrompt);
            if (models != null) {
                graph.models(models);
            } else {
                graph.model(model);
                if (secondaryModel != null) {
                    graph.secondaryModel(secondaryModel);
                }
            }
            return graph.build();
        }

        private static ChatModel adapt(StreamingChatModel streaming) {
            Objects.requireNonNull(streaming, "model");
            return new LangChain4jChatModel(streaming, streaming.getClass().getSimpleName());
        }

        private static ChatModel adapt(dev.langchain4j.model.chat.ChatModel blocking) {
            Objects.requireNonNull(blocking, "model");
            return new LangChain4jBlockingModel(blocking, blocking.getClass().getSimpleName());
        }
    }
}
