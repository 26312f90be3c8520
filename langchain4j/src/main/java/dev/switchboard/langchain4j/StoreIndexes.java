package dev.switchboard.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.switchboard.SwitchboardException;
import dev.switchboard.store.Embedder;
import dev.switchboard.store.StoreIndex;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The store's semantic index from {@code SWITCHBOARD_STORE_INDEX}: unset or {@code off}, none; {@code local}, the
 * in-process quantized all-MiniLM-L6-v2 (384 dimensions, runs offline from inside its Maven artifact) over the whole
 * value; {@code local:profile.bio,title}, the same over those field paths; {@code openai:<model>} (and
 * {@code openai:<model>:<paths>}), an OpenAI or OpenAI-compatible embeddings endpoint with {@code OPENAI_API_KEY} and
 * {@code OPENAI_BASE_URL}, as the chat models use.
 */
public final class StoreIndexes {
    public static final String VARIABLE = "SWITCHBOARD_STORE_INDEX";

    private StoreIndexes() {
    }

    /** The index the setting names, for the local model only (no provider credentials at hand). */
    public static Optional<StoreIndex> fromSetting(String setting) {
        return fromEnvironment(setting == null ? java.util.Map.of() : java.util.Map.of(VARIABLE, setting));
    }

    /** The index {@value #VARIABLE} names; an unknown form is refused with a message that names the variable. */
    public static Optional<StoreIndex> fromEnvironment(java.util.Map<String, String> env) {
        String setting = env.get(VARIABLE);
        if (setting == null || setting.isBlank() || setting.strip().equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String[] parts = setting.strip().split(":", -1);
        Embedder embedder;
        String paths;
        switch (parts[0]) {
            case "local" -> {
                if (parts.length > 2) {
                    throw usage(setting);
                }
                embedder = local();
                paths = parts.length == 2 ? parts[1] : null;
            }
            case "openai" -> {
                if (parts.length < 2 || parts.length > 3 || parts[1].isBlank()) {
                    throw usage(setting);
                }
                String key = env.get(Models.OPENAI_API_KEY);
                if (key == null || key.isBlank()) {
                    throw new IllegalArgumentException(VARIABLE + "=" + setting + " needs " + Models.OPENAI_API_KEY);
                }
                embedder = openAi(env.get(Models.OPENAI_BASE_URL), key, parts[1].strip());
                paths = parts.length == 3 ? parts[2] : null;
            }
            default -> throw usage(setting);
        }
        List<String> fields = paths == null ? List.of()
                : Arrays.stream(paths.split(",")).map(String::strip).toList();
        try {
            return Optional.of(new StoreIndex(embedder, fields));
        } catch (SwitchboardException.InvalidRequest e) {
            throw new IllegalArgumentException(VARIABLE + ": " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException usage(String setting) {
        return new IllegalArgumentException(VARIABLE + " must be off, local, local:<field path>,…, openai:<model> or "
                + "openai:<model>:<field path>,…; got '" + setting.strip() + "'");
    }

    /** An OpenAI(-compatible) embeddings endpoint; its size is learnt from the first answer. */
    static Embedder openAi(String baseUrl, String apiKey, String model) {
        var builder = dev.langchain4j.model.openai.OpenAiEmbeddingModel.builder().apiKey(apiKey).modelName(model);
        if (baseUrl != null && !baseUrl.isBlank()) {
            builder.baseUrl(baseUrl.strip());
        }
        EmbeddingModel remote = builder.build();
        return new Embedder() {
            private volatile int dimensions = -1;

            @Override
            public float[] embed(String text) {
                float[] v = remote.embed(text).content().vector();
                dimensions = v.length;
                return v;
            }

            @Override
            public int dimensions() {
                return dimensions;
            }

            @Override
            public String toString() {
                return "openai " + model;
            }
        };
    }

    /** The in-process all-MiniLM-L6-v2; the model loads on the first embedding, not at start. */
    public static Embedder local() {
        return new Embedder() {
            @Override
            public float[] embed(String text) {
                return MiniLm.MODEL.embed(text).content().vector();
            }

            @Override
            public int dimensions() {
                return 384;
            }

            @Override
            public String toString() {
                return "local all-MiniLM-L6-v2 (quantized, 384 dimensions)";
            }
        };
    }

    /** Holder: the model loads on first use. */
    private static final class MiniLm {
        static final EmbeddingModel MODEL = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }
}
