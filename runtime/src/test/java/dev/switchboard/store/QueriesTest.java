package dev.switchboard.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueriesTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void searchQuery_prefix_hasDefaults() {
        SearchQuery q = SearchQuery.prefix("a", "b");

        assertThat(q.namespacePrefix()).containsExactly("a", "b");
        assertThat(q.filter()).isNull();
        assertThat(q.limit()).isEqualTo(10);
        assertThat(q.offset()).isZero();
    }

    @Test
    void searchQuery_nullPrefix_meansEverything() {
        assertThat(new SearchQuery(null, null, 10, 0).namespacePrefix()).isEmpty();
    }

    @Test
    void searchQuery_limitBounds() {
        assertThat(SearchQuery.prefix().withLimit(1).limit()).isEqualTo(1);
        assertThat(SearchQuery.prefix().withLimit(1000).limit()).isEqualTo(1000);
        assertThatThrownBy(() -> SearchQuery.prefix().withLimit(0)).isInstanceOf(SwitchboardException.InvalidRequest.class);
        assertThatThrownBy(() -> SearchQuery.prefix().withLimit(1001)).isInstanceOf(SwitchboardException.InvalidRequest.class);
    }

    @Test
    void searchQuery_keepsItsOwnCopyOfTheFilter() {
        ObjectNode filter = json("{\"a\":1}");
        SearchQuery q = SearchQuery.prefix().withFilter(filter);

        filter.put("a", 2);

        assertThat(q.filter()).isEqualTo(json("{\"a\":1}"));
    }

    @Test
    void searchQuery_matches_checksPrefixAndFilter() {
        Item item = new Item(Namespace.of("a", "b"), "k", json("{\"x\":{\"y\":1,\"z\":2}}"), T, T, null);

        assertThat(SearchQuery.prefix("a").withFilter(json("{\"x\":{\"y\":1}}")).matches(item)).isTrue();
        assertThat(SearchQuery.prefix("a").withFilter(json("{\"x\":{\"y\":2}}")).matches(item)).isFalse();
        assertThat(SearchQuery.prefix("b").matches(item)).isFalse();
    }

    @Test
    void namespaceQuery_all_hasDefaults() {
        NamespaceQuery q = NamespaceQuery.all();

        assertThat(q.prefix()).isEmpty();
        assertThat(q.suffix()).isEmpty();
        assertThat(q.maxDepth()).isNull();
        assertThat(q.limit()).isEqualTo(100);
        assertThat(q.offset()).isZero();
    }

    @Test
    void namespaceQuery_apply_matchesTruncatesMergesSortsAndPages() {
        List<Namespace> namespaces = List.of(Namespace.of("u", "2", "p"), Namespace.of("u", "1", "p"),
                Namespace.of("u", "1", "p"), Namespace.of("u", "1", "q"), Namespace.of("t", "1", "p"));
        NamespaceQuery q = NamespaceQuery.all().withPrefix("u").withSuffix("p").withMaxDepth(2);

        assertThat(q.apply(namespaces)).containsExactly(List.of("u", "1"), List.of("u", "2"));
        assertThat(q.withOffset(1).apply(namespaces)).containsExactly(List.of("u", "2"));
        assertThat(q.withLimit(1).apply(namespaces)).containsExactly(List.of("u", "1"));
    }

    @Test
    void item_rejectsBadKeyAndValue_andCopiesValue() {
        ObjectNode value = json("{\"a\":1}");
        Item item = new Item(Namespace.of("n"), "k", value, T, T, null);
        value.put("a", 2);

        assertThat(item.value()).isEqualTo(json("{\"a\":1}"));
        assertThatThrownBy(() -> new Item(Namespace.of("n"), "", value, T, T, null))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("invalid_key"));
        assertThatThrownBy(() -> new Item(Namespace.of("n"), "k", null, T, T, null))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("invalid_value"));
    }

    @Test
    void item_isExpiredFromItsExpiryInstantOn() {
        Item item = new Item(Namespace.of("n"), "k", json("{}"), T, T, T.plusSeconds(60));

        assertThat(item.isExpiredAt(T.plusSeconds(59))).isFalse();
        assertThat(item.isExpiredAt(T.plusSeconds(60))).isTrue();
        assertThat(new Item(Namespace.of("n"), "k", json("{}"), T, T, null).isExpiredAt(Instant.MAX)).isFalse();
    }

    @Test
    void expiryFor_hugeTtl_isRejectedNotWrapped() {
        assertThat(ItemStore.expiryFor(T, null)).isNull();
        assertThat(ItemStore.expiryFor(T, java.time.Duration.ofMinutes(5))).isEqualTo(T.plusSeconds(300));
        assertThatThrownBy(() -> ItemStore.expiryFor(T, java.time.Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("invalid_ttl"));
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }
}
