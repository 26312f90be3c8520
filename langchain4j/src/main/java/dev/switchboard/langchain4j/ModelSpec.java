package dev.switchboard.langchain4j;

import java.util.Locale;
import java.util.Objects;

/**
 * Which model to talk to, as {@code REACT_MODEL} and {@code SECONDARY_MODEL} name it: {@code openai:gpt-4o-mini},
 * {@code ollama:llama3.1}, {@code anthropic:claude-3-5-sonnet-latest}, a bare {@code gpt-4o} (OpenAI, or any
 * OpenAI-compatible server), or {@code offline} (the offline telco model, which the server supplies).
 */
public record ModelSpec(Provider provider, String model) {

    /** The offline model: no network, no key. */
    public static final ModelSpec OFFLINE = new ModelSpec(Provider.OFFLINE, "offline");

    private static final String ACCEPTED = "use openai:<model>, ollama:<model>, anthropic:<model>, "
            + "a bare OpenAI model such as gpt-4o, or offline";

    public enum Provider {
        OPENAI("openai"),
        OLLAMA("ollama"),
        ANTHROPIC("anthropic"),
        OFFLINE("offline");

        private final String prefix;

        Provider(String prefix) {
            this.prefix = prefix;
        }

        /** The name before the colon in a model string. */
        public String prefix() {
            return prefix;
        }
    }

    public ModelSpec {
        Objects.requireNonNull(provider, "provider");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a model name must not be blank");
        }
        if (provider == Provider.OFFLINE) {
            model = "offline";
        }
    }

    /**
     * Reads a model string. The provider is what comes before the first colon, so Ollama tags such as
     * {@code ollama:llama3.1:8b} keep theirs; a string without a colon names an OpenAI model.
     *
     * @throws IllegalArgumentException naming what is wrong and what is accepted
     */
    public static ModelSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a model string must not be blank; " + ACCEPTED);
        }
        String trimmed = text.strip();
        if (trimmed.equalsIgnoreCase("offline")) {
            return OFFLINE;
        }
        int colon = trimmed.indexOf(':');
        if (colon < 0) {
            return new ModelSpec(Provider.OPENAI, trimmed);
        }
        String prefix = trimmed.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String model = trimmed.substring(colon + 1).strip();
        Provider provider = switch (prefix) {
            case "openai" -> Provider.OPENAI;
            case "ollama" -> Provider.OLLAMA;
            case "anthropic" -> Provider.ANTHROPIC;
            default -> throw new IllegalArgumentException("unknown model provider \"" + prefix + "\" in \""
                    + trimmed + "\"; " + ACCEPTED);
        };
        if (model.isEmpty()) {
            throw new IllegalArgumentException("\"" + trimmed + "\" names no model after the colon; " + ACCEPTED);
        }
        return new ModelSpec(provider, model);
    }

    public boolean isOffline() {
        return provider == Provider.OFFLINE;
    }

    /** The canonical string, which {@link #parse} reads back: {@code openai:gpt-4o}, {@code offline}. */
    @Override
    public String toString() {
        return isOffline() ? "offline" : provider.prefix() + ":" + model;
    }
}
