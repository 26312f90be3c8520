package dev.switchboard.langchain4j;

import dev.switchboard.SwitchboardException;
import dev.switchboard.agent.ModelCatalog;
import dev.switchboard.model.ChatModel;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The models of the providers this module speaks, by model string ({@link ModelSpec}), each built once on first
 * use with the environment's keys and base URLs. {@code offline} is the model the caller supplies (the server's
 * offline telco model); a catalog without one refuses it.
 */
final class ProviderCatalog implements ModelCatalog {
    private final Map<String, String> env;
    private final Supplier<ChatModel> offline;
    private final Map<ModelSpec, ChatModel> built = new ConcurrentHashMap<>();
    private final ChatModel main;
    private final ChatModel secondary;

    ProviderCatalog(Map<String, String> env, ModelSpec main, ModelSpec secondary, Supplier<ChatModel> offline) {
        this.env = Map.copyOf(env);
        this.offline = offline;
        // The defaults are built now, so a start-up setting that cannot be honoured stops start-up.
        this.main = build(Objects.requireNonNull(main, "main"));
        this.secondary = build(Objects.requireNonNull(secondary, "secondary"));
    }

    @Override
    public ChatModel defaultModel() {
        return main;
    }

    @Override
    public ChatModel defaultSecondaryModel() {
        return secondary;
    }

    @Override
    public ChatModel named(String name) {
        ModelSpec spec;
        try {
            spec = ModelSpec.parse(name);
        } catch (IllegalArgumentException e) {
            throw new SwitchboardException.InvalidRequest("invalid_model", "config.configurable.model: "
                    + e.getMessage());
        }
        try {
            return build(spec);
        } catch (IllegalArgumentException e) {
            throw new SwitchboardException.InvalidRequest("model_unavailable", "config.configurable.model: "
                    + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException when this server cannot reach the model (no key, no offline model) */
    private ChatModel build(ModelSpec spec) {
        return built.computeIfAbsent(spec, s -> {
            if (s.isOffline()) {
                if (offline == null) {
                    throw new IllegalArgumentException("offline is not offered by this agent");
                }
                return offline.get();
            }
            return Models.create(s, env);
        });
    }
}
