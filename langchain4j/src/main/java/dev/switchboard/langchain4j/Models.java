package dev.switchboard.langchain4j;

import dev.langchain4j.model.anthropic.AnthropicStreamingChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.model.ChatModel;
import java.time.Duration;
import java.util.Map;

/**
 * Picks models from the environment and builds them. The environment is a parameter, not {@code System.getenv()},
 * so that tests (and embedders) can say what it holds.
 *
 * <ul>
 *   <li>{@code REACT_MODEL}: the model of the main lane; unset, it is {@code gpt-4o} when {@code OPENAI_API_KEY} is
 *       set and {@code offline} otherwise.</li>
 *   <li>{@code SECONDARY_MODEL}: the model of the secondary lane; unset, the main lane's.</li>
 *   <li>{@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL} (any OpenAI-compatible server), {@code OLLAMA_BASE_URL}
 *       (default {@code http://localhost:11434}), {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}.</li>
 * </ul>
 */
public final class Models {
    public static final String REACT_MODEL = "REACT_MODEL";
    public static final String SECONDARY_MODEL = "SECONDARY_MODEL";
    public static final String OPENAI_API_KEY = "OPENAI_API_KEY";
    public static final String OPENAI_BASE_URL = "OPENAI_BASE_URL";
    public static final String OLLAMA_BASE_URL = "OLLAMA_BASE_URL";
    public static final String ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY";
    public static final String ANTHROPIC_BASE_URL = "ANTHROPIC_BASE_URL";

    static final String DEFAULT_OPENAI_MODEL = "gpt-4o";
    static final String DEFAULT_OLLAMA_BASE_URL = "http://localhost:11434";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a hosted provider may take to start answering (the stream itself may run longer). */
    private static final Duration HOSTED_RESPONSE_TIMEOUT = Duration.ofSeconds(90);
    /** Ollama loads the model before it answers the first request, which takes minutes for a large one on a CPU. */
    private static final Duration OLLAMA_RESPONSE_TIMEOUT = Duration.ofMinutes(5);
    private static final int ANTHROPIC_MAX_TOKENS = 4096;

    private Models() {
    }

    /**
     * The main lane's model: {@code REACT_MODEL} if set, else {@code gpt-4o} when {@code OPENAI_API_KEY} is set,
     * else {@code offline}.
     *
     * @throws IllegalArgumentException when {@code REACT_MODEL} is not a model string
     */
    public static ModelChoice choose(Map<String, String> env) {
        String named = value(env, REACT_MODEL);
        if (named != null) {
            return new ModelChoice(parse(REACT_MODEL, named), REACT_MODEL + "=" + named);
        }
        if (value(env, OPENAI_API_KEY) != null) {
            return new ModelChoice(new ModelSpec(ModelSpec.Provider.OPENAI, DEFAULT_OPENAI_MODEL),
                    REACT_MODEL + " is not set and " + OPENAI_API_KEY + " is set");
        }
        return new ModelChoice(ModelSpec.OFFLINE, REACT_MODEL + " is not set and " + OPENAI_API_KEY + " is not set");
    }

    /**
     * The secondary lane's model: {@code SECONDARY_MODEL} if set, else the main lane's.
     *
     * @throws IllegalArgumentException when {@code SECONDARY_MODEL} is not a model string
     */
    public static ModelChoice chooseSecondary(Map<String, String> env, ModelChoice main) {
        String named = value(env, SECONDARY_MODEL);
        if (named != null) {
            return new ModelChoice(parse(SECONDARY_MODEL, named), SECONDARY_MODEL + "=" + named);
        }
        return new ModelChoice(main.spec(), SECONDARY_MODEL + " is not set, so the secondary lane uses the main model");
    }

    /**
     * The models an agent lets its assistants and runs choose by name ({@code config.configurable.model}, any model
     * string), built on first use with {@code env}'s keys and base URLs; without a choice {@code main} and
     * {@code secondary} answer. {@code offline} supplies the model {@code offline} names (null: not offered).
     *
     * @throws IllegalArgumentException when a default cannot be built (a provider without its key)
     */
    public static dev.switchboard.agent.ModelCatalog catalog(Map<String, String> env, ModelSpec main,
            ModelSpec secondary, java.util.function.Supplier<ChatModel> offline) {
        return new ProviderCatalog(env, main, secondary, offline);
    }

    /**
     * Builds a provider's model, streaming through LangChain4j.
     *
     * @throws IllegalArgumentException for {@code offline} (the server supplies that model) and when the
     *                                  provider's key is missing; the message says which variable to set
     */
    public static ChatModel create(ModelSpec spec, Map<String, String> env) {
        return new LangChain4jChatModel(streamingModel(spec, env), spec.toString());
    }

    static StreamingChatModel streamingModel(ModelSpec spec, Map<String, String> env) {
        return switch (spec.provider()) {
            case OPENAI -> openAi(spec, env);
            case OLLAMA -> OllamaStreamingChatModel.builder()
                    .httpClientBuilder(transport(OLLAMA_RESPONSE_TIMEOUT))
                    .baseUrl(valueOr(env, OLLAMA_BASE_URL, DEFAULT_OLLAMA_BASE_URL))
                    .modelName(spec.model())
                    .build();
            case ANTHROPIC -> AnthropicStreamingChatModel.builder()
                    .httpClientBuilder(transport(HOSTED_RESPONSE_TIMEOUT))
                    .baseUrl(value(env, ANTHROPIC_BASE_URL))
                    .apiKey(required(env, ANTHROPIC_API_KEY, spec, ""))
                    .modelName(spec.model())
                    .maxTokens(ANTHROPIC_MAX_TOKENS)
                    .build();
            case OFFLINE -> throw new IllegalArgumentException(
                    "offline is not a LangChain4j model: the server supplies the offline telco model");
        };
    }

    private static StreamingChatModel openAi(ModelSpec spec, Map<String, String> env) {
        String baseUrl = value(env, OPENAI_BASE_URL);
        // An OpenAI-compatible server (vLLM, llama.cpp, LM Studio) often takes no key; api.openai.com always does.
        String key = baseUrl == null
                ? required(env, OPENAI_API_KEY, spec, ", or point " + OPENAI_BASE_URL
                        + " at an OpenAI-compatible server that needs no key")
                : value(env, OPENAI_API_KEY);
        return OpenAiStreamingChatModel.builder()
                .httpClientBuilder(transport(HOSTED_RESPONSE_TIMEOUT))
                .baseUrl(baseUrl)
                .apiKey(key)
                .modelName(spec.model())
                .build();
    }

    private static CancellableHttpClient.Builder transport(Duration responseTimeout) {
        return CancellableHttpClient.builder().connectTimeout(CONNECT_TIMEOUT).readTimeout(responseTimeout);
    }

    private static ModelSpec parse(String variable, String value) {
        try {
            return ModelSpec.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(variable + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> env, String variable, ModelSpec spec, String alternative) {
        String value = value(env, variable);
        if (value == null) {
            throw new IllegalArgumentException("the model " + spec + " needs " + variable + "; set it" + alternative
                    + ", or choose another model (offline needs no key)");
        }
        return value;
    }

    /** A variable's value, or null when unset or blank (an empty {@code FOO=} in a .env file means unset). */
    private static String value(Map<String, String> env, String variable) {
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String valueOr(Map<String, String> env, String variable, String fallback) {
        String value = value(env, variable);
        return value == null ? fallback : value;
    }
}
