package dev.switchboard.store;

import java.util.Objects;

/** A semantic search hit: the item and its cosine similarity to the query, from -1 to 1. */
public record ScoredItem(Item item, double score) {
    public ScoredItem {
        Objects.requireNonNull(item, "item");
    }
}
