package dev.switchboard.langchain4j;

import java.util.Objects;

/**
 * A model picked from the environment, and why, in words the server logs at start:
 * "openai:gpt-4o (REACT_MODEL is not set and OPENAI_API_KEY is set)".
 */
public record ModelChoice(ModelSpec spec, String reason) {

    public ModelChoice {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return spec + " (" + reason + ")";
    }
}
