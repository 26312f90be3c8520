package dev.switchboard.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.model.ChatModel;
import java.util.Objects;
import java.util.function.Function;

/**
 * The models an agent lets an assistant, a thread or a run choose by name with {@code config.configurable.model}
 * ({@code "offline"}, {@code "openai:gpt-4o-mini"}, …; what the names mean is the catalog's). A chosen model
 * answers on both lanes and writes the synthesis; without a choice each lane keeps its default. An agent built
 * without a catalog refuses {@code model} with 422 rather than ignoring it.
 */
public interface ModelCatalog {
    /** The {@code configurable} key that names a model. */
    String MODEL_KEY = "model";

    /** The main lane's model when nothing is chosen. */
    ChatModel defaultModel();

    /** The secondary lane's model when nothing is chosen; the main lane's unless the catalog says otherwise. */
    default ChatModel defaultSecondaryModel() {
        return defaultModel();
    }

    /**
     * The model {@code name} names. Called when an assistant or a run is checked (before anything is stored) and
     * again when its run calls the model, so it should return the same instance for the same name.
     *
     * @throws SwitchboardException.InvalidRequest {@code invalid_model} for a name the catalog cannot read,
     *     {@code model_unavailable} for one this server is not set up to reach (a provider without its key)
     */
    ChatModel named(String name);

    /** The name chosen in {@code configurable}, or null; a value that is not a string is 422 {@code invalid_config}. */
    static String chosen(ObjectNode configurable) {
        JsonNode value = configurable == null ? null : configurable.get(MODEL_KEY);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new SwitchboardException.InvalidRequest("invalid_config",
                    "config.configurable.model must be a model name such as \"openai:gpt-4o-mini\", got " + value);
        }
        return value.asText();
    }

    /** The main lane's per-run model function of {@code catalog}; the graph knows by its type that it chooses. */
    static Function<ObjectNode, ChatModel> mainLane(ModelCatalog catalog) {
        return new Lane(catalog, false);
    }

    /** The secondary lane's per-run model function of {@code catalog}. */
    static Function<ObjectNode, ChatModel> secondaryLane(ModelCatalog catalog) {
        return new Lane(catalog, true);
    }

    /** One lane's choice: the chosen model, else that lane's default. */
    record Lane(ModelCatalog catalog, boolean secondary) implements Function<ObjectNode, ChatModel> {
        public Lane {
            Objects.requireNonNull(catalog, "catalog");
        }

        @Override
        public ChatModel apply(ObjectNode configurable) {
            String name = chosen(configurable);
            if (name != null) {
                return catalog.named(name);
            }
            return secondary ? catalog.defaultSecondaryModel() : catalog.defaultModel();
        }
    }
}
