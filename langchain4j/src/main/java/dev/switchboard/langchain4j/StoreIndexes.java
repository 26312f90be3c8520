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
 * value; {@code local:profile.bio,title}, the same over those field paths.
 */
public final class StoreIndexes {
    public static final String VARIABLE = "SWITCHBOARD_STORE_INDEX";

    private StoreIndexes() {
    }

    /** The index the setting names; an unknown form is refused with a message that names the variable. */
    public static Optional<StoreIndex> fromSetting(String setting) {
        if (setting == null || setting.isBlank() || setting.strip().equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        String spec = setting.strip();
        String kind = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        if (!kind.equals("local")) {
            throw new IllegalArgumentException(VARIABLE + " must be off, local or local:<field path>,<field path>…; "
                    + "got '" + spec + "'");
        }
        List<String> fields = spec.contains(":")
                ? Arrays.stream(spec.substring(spec.indexOf(':') + 1).split(",")).map(String::strip).toList()
                : List.of();
        try {
            return Optional.of(new StoreIndex(local(), fields));
        } catch (SwitchboardException.InvalidRequest e) {
            throw new IllegalArgumentException(VARIABLE + ": " + e.getMessage(), e);
        }
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
