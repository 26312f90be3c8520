package dev.switchboard.telco.offline;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Meaning by similarity: every example sentence of every label (an intent, or "out of domain") becomes a
 * vector from a small sentence-embedding model, and an utterance is scored per label by its cosine with the
 * nearest example of that label. Sentences that say the same thing in other words land close together, which
 * is what lets the model understand phrasings its examples never had.
 *
 * <p>The encoder is quantized all-MiniLM-L6-v2, shipped inside a Maven artifact and run in-process by ONNX
 * Runtime: no network, no download at run time. Loading it and encoding the examples takes about a second of
 * CPU, so it happens on first use, not when the server starts; after that an utterance costs about a
 * millisecond. The encoder is deterministic, so the same utterance always gets the same scores.
 */
final class Similarity {
    /** Turns sentences into unit vectors (so a dot product is their cosine). */
    interface Encoder {
        List<float[]> encode(List<String> sentences);
    }

    /** A labelled example sentence. */
    record Example(String label, String sentence) {
        Example {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(sentence, "sentence");
        }
    }

    private record Vector(String label, float[] values) {
    }

    private final List<Example> examples;
    private final Encoder encoder;
    private volatile List<Vector> index;

    Similarity(List<Example> examples, Encoder encoder) {
        this.examples = List.copyOf(examples);
        this.encoder = encoder;
    }

    /** The bundled sentence-embedding model, loaded the first time it is asked to encode. */
    static Encoder miniLm() {
        return sentences -> {
            List<TextSegment> segments = sentences.stream().map(TextSegment::from).toList();
            List<float[]> out = new ArrayList<>(segments.size());
            for (Embedding e : MiniLm.MODEL.embedAll(segments).content()) {
                out.add(e.vector());
            }
            return out;
        };
    }

    /** Holder: the class (and the model inside it) loads on first access, never at start-up. */
    private static final class MiniLm {
        static final EmbeddingModel MODEL = new AllMiniLmL6V2QuantizedEmbeddingModel();
    }

    /** For each label, the cosine between the sentence and that label's nearest example. */
    Map<String, Double> scores(String sentence) {
        List<Vector> vectors = index();
        float[] v = encoder.encode(List.of(sentence)).getFirst();
        Map<String, Double> best = new HashMap<>();
        for (Vector example : vectors) {
            best.merge(example.label(), dot(v, example.values()), Math::max);
        }
        return best;
    }

    /** Encodes the examples once, on first use; concurrent first callers wait for the one doing it. */
    private List<Vector> index() {
        List<Vector> vectors = index;
        if (vectors == null) {
            synchronized (this) {
                vectors = index;
                if (vectors == null) {
                    List<float[]> encoded = encoder.encode(examples.stream().map(Example::sentence).toList());
                    List<Vector> built = new ArrayList<>(examples.size());
                    for (int i = 0; i < examples.size(); i++) {
                        built.add(new Vector(examples.get(i).label(), encoded.get(i)));
                    }
                    vectors = List.copyOf(built);
                    index = vectors;
                }
            }
        }
        return vectors;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
