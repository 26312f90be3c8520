package dev.switchboard.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.model.ChatModel;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A ReAct agent definition, registered under a graph id: which model answers (per run, from the run's
 * {@code configurable}), with which system prompt, and which tools it may call. The runtime runs every
 * graph with the same loop (model → tools → model …), so a definition is data, not code.
 */
public record AgentGraph(
        String graphId,
        String systemPrompt,
        Function<ObjectNode, ChatModel> model,
        List<Tool> tools,
        String secondarySystemPrompt,
        Function<ObjectNode, ChatModel> secondaryModel,
        String synthesisPrompt) {

    public AgentGraph {
        if (graphId == null || graphId.isBlank()) {
            throw new IllegalArgumentException("graphId must not be blank");
        }
        Objects.requireNonNull(model, "model");
        tools = List.copyOf(tools);
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        secondarySystemPrompt = secondarySystemPrompt == null ? systemPrompt : secondarySystemPrompt;
        secondaryModel = secondaryModel == null ? model : secondaryModel;
        synthesisPrompt = synthesisPrompt == null ? DEFAULT_SYNTHESIS_PROMPT : synthesisPrompt;
        var names = tools.stream().map(t -> t.spec().name()).collect(Collectors.toSet());
        if (names.size() != tools.size()) {
            throw new IllegalArgumentException("tool names must be unique in graph " + graphId);
        }
    }

    public static final String DEFAULT_SYNTHESIS_PROMPT = """
            A long-running operation you started has ended. Write one short answer that continues the \
            conversation: state the operation's outcome honestly (done, failed or cancelled) and answer every \
            question the user asked while it ran.""";

    /** A graph with one model and one prompt for both lanes. */
    public static AgentGraph of(String graphId, String systemPrompt, Function<ObjectNode, ChatModel> model,
            List<Tool> tools) {
        return new AgentGraph(graphId, systemPrompt, model, tools, null, null, null);
    }

    /**
     * Starts a definition: {@code AgentGraph.builder("support").model(m).systemPrompt("…").tools(t).build()}.
     * Only the model is required; the secondary lane uses the main model and prompt unless told otherwise.
     */
    public static Builder builder(String graphId) {
        return new Builder(graphId);
    }

    /** This definition under another id (a manifest names agents by its own ids). */
    public AgentGraph withGraphId(String newGraphId) {
        return new AgentGraph(newGraphId, systemPrompt, model, tools, secondarySystemPrompt, secondaryModel,
                synthesisPrompt);
    }

    /** The catalog this agent's models are chosen from by name, if it offers a choice. */
    public Optional<ModelCatalog> modelCatalog() {
        return model instanceof ModelCatalog.Lane lane ? Optional.of(lane.catalog()) : Optional.empty();
    }

    public Optional<Tool> tool(String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    public Map<String, Tool> toolsByName() {
        return tools.stream().collect(Collectors.toUnmodifiableMap(t -> t.spec().name(), t -> t));
    }

    /** The quick tools: the secondary lane's set (plus the runtime's own status and cancel tools). */
    public List<Tool> quickTools() {
        return tools.stream().filter(t -> t.spec().kind() == ToolKind.QUICK).toList();
    }

    /** Builds an {@link AgentGraph}; each setter replaces what was set before, except {@link #tools}, which adds. */
    public static final class Builder {
        private final String graphId;
        private Function<ObjectNode, ChatModel> model;
        private String systemPrompt;
        private final List<Tool> tools = new java.util.ArrayList<>();
        private Function<ObjectNode, ChatModel> secondaryModel;
        private String secondaryPrompt;
        private String synthesisPrompt;

        private Builder(String graphId) {
            this.graphId = graphId;
        }

        /** The model for every run. */
        public Builder model(ChatModel chatModel) {
            Objects.requireNonNull(chatModel, "model");
            this.model = configurable -> chatModel;
            return this;
        }

        /** A model chosen per run from its {@code config.configurable} (an assistant's model choice, say). */
        public Builder model(Function<ObjectNode, ChatModel> perRun) {
            this.model = Objects.requireNonNull(perRun, "model");
            return this;
        }

        /**
         * Models chosen by name per assistant or run ({@code config.configurable.model}), on both lanes; without a
         * choice the catalog's defaults answer. Replaces {@link #model} and {@link #secondaryModel}.
         */
        public Builder models(ModelCatalog catalog) {
            this.model = ModelCatalog.mainLane(catalog);
            this.secondaryModel = ModelCatalog.secondaryLane(catalog);
            return this;
        }

        public Builder systemPrompt(String prompt) {
            this.systemPrompt = prompt;
            return this;
        }

        /** Adds tools, in order; names must be unique. */
        public Builder tools(List<? extends Tool> more) {
            tools.addAll(more);
            return this;
        }

        public Builder tools(Tool... more) {
            return tools(List.of(more));
        }

        /** A (faster) model for the secondary lane, which answers while an operation runs. */
        public Builder secondaryModel(ChatModel chatModel) {
            Objects.requireNonNull(chatModel, "secondaryModel");
            this.secondaryModel = configurable -> chatModel;
            return this;
        }

        public Builder secondaryModel(Function<ObjectNode, ChatModel> perRun) {
            this.secondaryModel = perRun;
            return this;
        }

        /** The secondary lane's system prompt; defaults to the main one. */
        public Builder secondaryPrompt(String prompt) {
            this.secondaryPrompt = prompt;
            return this;
        }

        /** What the model is told when an operation has ended; defaults to {@link #DEFAULT_SYNTHESIS_PROMPT}. */
        public Builder synthesisPrompt(String prompt) {
            this.synthesisPrompt = prompt;
            return this;
        }

        public AgentGraph build() {
            if (model == null) {
                throw new IllegalArgumentException("agent " + graphId + " has no model; call model(…)");
            }
            return new AgentGraph(graphId, systemPrompt, model, tools, secondaryPrompt, secondaryModel,
                    synthesisPrompt);
        }
    }
}
