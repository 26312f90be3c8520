package dev.switchboard.store;

/**
 * Turns text into a vector for the store's semantic search. Implementations: the in-process quantized
 * all-MiniLM-L6-v2 ({@code SWITCHBOARD_STORE_INDEX=local}) or a configured provider; tests use small fakes.
 */
public interface Embedder {

    /** A vector of {@link #dimensions()} floats for {@code text}. */
    float[] embed(String text);

    /** The vectors' size; -1 while a remote provider's is not known yet (before its first answer). */
    int dimensions();
}
