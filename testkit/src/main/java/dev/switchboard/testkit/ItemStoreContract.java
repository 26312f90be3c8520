package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.store.Item;
import dev.switchboard.store.ItemStore;
import dev.switchboard.store.Namespace;
import dev.switchboard.store.NamespaceQuery;
import dev.switchboard.store.ScoredItem;
import dev.switchboard.store.SearchQuery;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link ItemStore} must have. Extend it and answer {@link #newStore} with an empty
 * store that reads time only from the given clock; each test gets a fresh one.
 *
 * <p>Time starts at a whole second and moves in whole milliseconds or more, so a store must keep instants
 * to at least millisecond precision and give them back exactly. Values are built from JSON text, as a store
 * that keeps JSON text would read them back. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code ItemStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class ItemStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    private static final Namespace USERS = Namespace.of("users", "u1");

    protected ManualClock clock;
    protected ItemStore store;

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract ItemStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- put, get, delete -------------------------------------------------------------------------

    @Test
    void put_newKey_returnsItemStampedWithClockAndNoExpiry() {
        Item item = store.put(USERS, "profile", json("{\"name\":\"Ada\"}"), null);

        assertThat(item.namespace()).isEqualTo(USERS);
        assertThat(item.key()).isEqualTo("profile");
        assertThat(item.value()).isEqualTo(json("{\"name\":\"Ada\"}"));
        assertThat(item.createdAt()).isEqualTo(START);
        assertThat(item.updatedAt()).isEqualTo(START);
        assertThat(item.expiresAt()).isNull();
    }

    @Test
    void get_afterPut_returnsTheStoredItem() {
        Item put = store.put(USERS, "profile", json("{\"name\":\"Ada\"}"), null);
        clock.advance(Duration.ofSeconds(5));

        assertThat(store.get(USERS, "profile")).contains(put);
    }

    @Test
    void get_missingKey_isEmpty() {
        store.put(USERS, "profile", json("{}"), null);

        assertThat(store.get(USERS, "other")).isEmpty();
        assertThat(store.get(Namespace.of("users", "u2"), "profile")).isEmpty();
    }

    @Test
    void put_nestedValue_roundTripsExactly() {
        ObjectNode value = json("""
                {"text":"grüße, 你好, \\"quoted\\"\\n","int":42,"negative":-7,"decimal":1.5,"yes":true,"no":false,
                 "nothing":null,"list":[1,"two",{"three":3},[]],"nested":{"deeper":{"deepest":"x"}},"empty":{}}
                """);

        store.put(USERS, "doc", value, null);

        assertThat(store.get(USERS, "doc")).get().extracting(Item::value).isEqualTo(value);
    }

    @Test
    void put_existingKey_replacesValueAndKeepsCreatedAt() {
        store.put(USERS, "profile", json("{\"name\":\"Ada\",\"plan\":\"basic\"}"), null);
        Instant later = clock.advance(Duration.ofMinutes(3));

        Item updated = store.put(USERS, "profile", json("{\"name\":\"Ada L.\"}"), null);

        assertThat(updated.value()).isEqualTo(json("{\"name\":\"Ada L.\"}"));
        assertThat(updated.createdAt()).isEqualTo(START);
        assertThat(updated.updatedAt()).isEqualTo(later);
        assertThat(store.get(USERS, "profile")).contains(updated);
    }

    @Test
    void put_callerMutatesValueAfterwards_storedValueUnchanged() {
        ObjectNode value = json("{\"n\":1}");
        store.put(USERS, "k", value, null);

        value.put("n", 2);

        assertThat(store.get(USERS, "k")).get().extracting(Item::value).isEqualTo(json("{\"n\":1}"));
    }

    @Test
    void get_callerMutatesReturnedValue_storedValueUnchanged() {
        store.put(USERS, "k", json("{\"n\":1}"), null);

        store.get(USERS, "k").orElseThrow().value().put("n", 2);
        store.search(SearchQuery.prefix()).getFirst().value().put("n", 3);

        assertThat(store.get(USERS, "k")).get().extracting(Item::value).isEqualTo(json("{\"n\":1}"));
    }

    @Test
    void delete_existingKey_returnsTrueAndRemovesItem() {
        store.put(USERS, "k", json("{}"), null);

        assertThat(store.delete(USERS, "k")).isTrue();
        assertThat(store.get(USERS, "k")).isEmpty();
        assertThat(store.search(SearchQuery.prefix())).isEmpty();
    }

    @Test
    void delete_missingKey_returnsFalse() {
        store.put(USERS, "k", json("{}"), null);

        assertThat(store.delete(USERS, "other")).isFalse();
        assertThat(store.delete(Namespace.of("users"), "k")).isFalse();
        assertThat(store.get(USERS, "k")).isPresent();
    }

    @Test
    void put_afterDelete_startsANewItem() {
        store.put(USERS, "k", json("{\"v\":1}"), null);
        store.delete(USERS, "k");
        Instant later = clock.advance(Duration.ofSeconds(10));

        Item again = store.put(USERS, "k", json("{\"v\":2}"), null);

        assertThat(again.createdAt()).isEqualTo(later);
        assertThat(again.updatedAt()).isEqualTo(later);
    }

    // --- validation -------------------------------------------------------------------------------

    @Test
    void put_emptyOrNullKey_isRejected() {
        assertInvalid(() -> store.put(USERS, "", json("{}"), null), "invalid_key");
        assertInvalid(() -> store.put(USERS, null, json("{}"), null), "invalid_key");
    }

    @Test
    void getAndDelete_emptyKey_isRejected() {
        assertInvalid(() -> store.get(USERS, ""), "invalid_key");
        assertInvalid(() -> store.delete(USERS, ""), "invalid_key");
    }

    @Test
    void put_nullValue_isRejected() {
        assertInvalid(() -> store.put(USERS, "k", null, null), "invalid_value");
    }

    @Test
    void put_zeroOrNegativeTtl_isRejected() {
        assertInvalid(() -> store.put(USERS, "k", json("{}"), Duration.ZERO), "invalid_ttl");
        assertInvalid(() -> store.put(USERS, "k", json("{}"), Duration.ofMinutes(-1)), "invalid_ttl");
    }

    @Test
    void putGetDelete_nullNamespace_isRejected() {
        assertInvalid(() -> store.put(null, "k", json("{}"), null), "invalid_namespace");
        assertInvalid(() -> store.get(null, "k"), "invalid_namespace");
        assertInvalid(() -> store.delete(null, "k"), "invalid_namespace");
    }

    @Test
    void namespace_emptyOrDottedLabels_areRejected() {
        assertInvalid(() -> Namespace.of(), "invalid_namespace");
        assertInvalid(() -> Namespace.of("users", ""), "invalid_namespace");
        assertInvalid(() -> Namespace.of("a.b"), "invalid_namespace");
        assertInvalid(() -> Namespace.parseDotted("users..u1"), "invalid_namespace");
        assertInvalid(() -> SearchQuery.prefix("a.b"), "invalid_namespace");
        assertInvalid(() -> NamespaceQuery.all().withSuffix(""), "invalid_namespace");
    }

    @Test
    void put_rejected_leavesExistingItemUnchanged() {
        Item original = store.put(USERS, "k", json("{\"v\":1}"), null);
        clock.advance(Duration.ofSeconds(1));

        assertInvalid(() -> store.put(USERS, "k", json("{\"v\":2}"), Duration.ofSeconds(-5)), "invalid_ttl");

        assertThat(store.get(USERS, "k")).contains(original);
    }

    // --- namespaces sharing a prefix --------------------------------------------------------------

    @Test
    void put_sameKeyInSiblingNamespaces_keepsItemsApart() {
        Namespace ab = Namespace.of("a", "b");
        Namespace abc = Namespace.of("a", "bc");
        store.put(ab, "k", json("{\"in\":\"a.b\"}"), null);
        store.put(abc, "k", json("{\"in\":\"a.bc\"}"), null);

        assertThat(store.get(ab, "k")).get().extracting(Item::value).isEqualTo(json("{\"in\":\"a.b\"}"));
        assertThat(store.get(abc, "k")).get().extracting(Item::value).isEqualTo(json("{\"in\":\"a.bc\"}"));
        assertThat(store.get(Namespace.of("a"), "k")).isEmpty();
    }

    @Test
    void delete_inOneNamespace_leavesSiblingWithSharedPrefixAlone() {
        Namespace ab = Namespace.of("a", "b");
        Namespace abc = Namespace.of("a", "bc");
        store.put(ab, "k", json("{}"), null);
        store.put(abc, "k", json("{}"), null);

        assertThat(store.delete(ab, "k")).isTrue();

        assertThat(store.get(abc, "k")).isPresent();
    }

    @Test
    void search_prefixMatchesWholeLabelsOnly() {
        store.put(Namespace.of("a", "b"), "k1", json("{}"), null);
        store.put(Namespace.of("a", "b", "c"), "k2", json("{}"), null);
        store.put(Namespace.of("a", "bc"), "k3", json("{}"), null);

        assertThat(keys(store.search(SearchQuery.prefix("a", "b")))).containsExactlyInAnyOrder("k1", "k2");
        assertThat(keys(store.search(SearchQuery.prefix("a", "bc")))).containsExactly("k3");
    }

    @Test
    void listNamespaces_prefixMatchesWholeLabelsOnly() {
        store.put(Namespace.of("a", "b"), "k", json("{}"), null);
        store.put(Namespace.of("a", "bc"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withPrefix("a", "b"))).containsExactly(List.of("a", "b"));
    }

    // --- search -----------------------------------------------------------------------------------

    @Test
    void search_byPrefix_returnsOnlyItemsUnderIt() {
        store.put(Namespace.of("users", "u1"), "a", json("{}"), null);
        store.put(Namespace.of("users", "u1", "prefs"), "b", json("{}"), null);
        store.put(Namespace.of("users", "u2"), "c", json("{}"), null);
        store.put(Namespace.of("threads", "t1"), "d", json("{}"), null);

        assertThat(keys(store.search(SearchQuery.prefix("users")))).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(keys(store.search(SearchQuery.prefix("users", "u1")))).containsExactlyInAnyOrder("a", "b");
        assertThat(keys(store.search(SearchQuery.prefix("users", "u1", "prefs")))).containsExactly("b");
        assertThat(store.search(SearchQuery.prefix("nobody"))).isEmpty();
    }

    @Test
    void search_emptyPrefix_returnsEveryNamespace() {
        store.put(Namespace.of("users", "u1"), "a", json("{}"), null);
        store.put(Namespace.of("threads", "t1"), "b", json("{}"), null);

        assertThat(keys(store.search(SearchQuery.prefix()))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void search_returnsCompleteItems() {
        Item put = store.put(USERS, "k", json("{\"x\":[1,2]}"), Duration.ofHours(1));
        clock.advance(Duration.ofSeconds(1));

        assertThat(store.search(SearchQuery.prefix("users"))).containsExactly(put);
    }

    @Test
    void search_filterEquality_matchesOnlyEqualValues() {
        store.put(USERS, "blue", json("{\"color\":\"blue\",\"size\":1}"), null);
        store.put(USERS, "red", json("{\"color\":\"red\",\"size\":1}"), null);
        store.put(USERS, "none", json("{\"size\":1}"), null);

        List<Item> found = store.search(SearchQuery.prefix("users").withFilter(json("{\"color\":\"blue\"}")));

        assertThat(keys(found)).containsExactly("blue");
    }

    @Test
    void search_filterWithSeveralFields_requiresAllOfThem() {
        store.put(USERS, "both", json("{\"color\":\"blue\",\"size\":2,\"ok\":true}"), null);
        store.put(USERS, "colorOnly", json("{\"color\":\"blue\",\"size\":3,\"ok\":true}"), null);

        List<Item> found = store.search(SearchQuery.prefix().withFilter(json("{\"color\":\"blue\",\"size\":2,\"ok\":true}")));

        assertThat(keys(found)).containsExactly("both");
    }

    @Test
    void search_filterNestedObject_matchesByContainment() {
        store.put(USERS, "match", json("{\"address\":{\"city\":\"Oslo\",\"zip\":\"0150\"},\"n\":1}"), null);
        store.put(USERS, "otherCity", json("{\"address\":{\"city\":\"Bergen\",\"zip\":\"5003\"}}"), null);
        store.put(USERS, "flat", json("{\"address\":\"Oslo\"}"), null);

        List<Item> found = store.search(SearchQuery.prefix().withFilter(json("{\"address\":{\"city\":\"Oslo\"}}")));

        assertThat(keys(found)).containsExactly("match");
    }

    @Test
    void search_filterArray_matchesWhenValueContainsEveryElement() {
        store.put(USERS, "both", json("{\"tags\":[\"vip\",\"roaming\",\"5g\"]}"), null);
        store.put(USERS, "one", json("{\"tags\":[\"vip\"]}"), null);
        store.put(USERS, "scalar", json("{\"tags\":\"vip\"}"), null);

        List<Item> found = store.search(SearchQuery.prefix().withFilter(json("{\"tags\":[\"roaming\",\"vip\"]}")));

        assertThat(keys(found)).containsExactly("both");
    }

    @Test
    void search_filterWithoutMatch_isEmpty() {
        store.put(USERS, "k", json("{\"color\":\"blue\",\"size\":1}"), null);

        assertThat(store.search(SearchQuery.prefix().withFilter(json("{\"color\":\"green\"}")))).isEmpty();
        assertThat(store.search(SearchQuery.prefix().withFilter(json("{\"size\":\"1\"}")))).isEmpty();
        assertThat(store.search(SearchQuery.prefix().withFilter(json("{\"missing\":1}")))).isEmpty();
        assertThat(store.search(SearchQuery.prefix("threads").withFilter(json("{\"color\":\"blue\"}")))).isEmpty();
    }

    @Test
    void search_emptyFilter_matchesEverything() {
        store.put(USERS, "a", json("{\"x\":1}"), null);
        store.put(USERS, "b", json("{}"), null);

        assertThat(keys(store.search(SearchQuery.prefix().withFilter(json("{}"))))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void search_ordersByUpdatedAtDescending() {
        store.put(USERS, "a", json("{}"), null);
        clock.advance(Duration.ofSeconds(1));
        store.put(USERS, "b", json("{}"), null);
        clock.advance(Duration.ofSeconds(1));
        store.put(USERS, "c", json("{}"), null);
        clock.advance(Duration.ofMillis(1));
        store.put(USERS, "a", json("{\"touched\":true}"), null);

        assertThat(keys(store.search(SearchQuery.prefix()))).containsExactly("a", "c", "b");
    }

    @Test
    void search_sameUpdatedAt_ordersByKey() {
        store.put(USERS, "k2", json("{}"), null);
        store.put(USERS, "k3", json("{}"), null);
        store.put(USERS, "k1", json("{}"), null);
        clock.advance(Duration.ofSeconds(1));
        store.put(USERS, "k0", json("{}"), null);

        assertThat(keys(store.search(SearchQuery.prefix()))).containsExactly("k0", "k1", "k2", "k3");
    }

    @Test
    void search_limitAndOffset_pageThroughInOrder() {
        for (String key : List.of("e", "d", "c", "b", "a")) {
            store.put(USERS, key, json("{}"), null);
            clock.advance(Duration.ofSeconds(1));
        }
        // Newest first: a, b, c, d, e.
        SearchQuery page = SearchQuery.prefix().withLimit(2);

        assertThat(keys(store.search(page))).containsExactly("a", "b");
        assertThat(keys(store.search(page.withOffset(2)))).containsExactly("c", "d");
        assertThat(keys(store.search(page.withOffset(4)))).containsExactly("e");
        assertThat(store.search(page.withOffset(5))).isEmpty();
    }

    @Test
    void search_defaultLimit_isTen() {
        for (int i = 0; i < 12; i++) {
            store.put(USERS, "k" + i, json("{}"), null);
        }

        assertThat(store.search(SearchQuery.prefix())).hasSize(10);
        assertThat(store.search(SearchQuery.prefix().withLimit(100))).hasSize(12);
    }

    @Test
    void search_offsetAndLimit_countOnlyMatchingItems() {
        for (int i = 0; i < 6; i++) {
            store.put(USERS, "k" + i, json("{\"even\":" + (i % 2 == 0) + "}"), null);
        }
        // Matching, in key order: k0, k2, k4.
        SearchQuery evens = SearchQuery.prefix().withFilter(json("{\"even\":true}"));

        assertThat(keys(store.search(evens.withOffset(1).withLimit(1)))).containsExactly("k2");
        assertThat(keys(store.search(evens.withOffset(1)))).containsExactly("k2", "k4");
    }

    @Test
    void searchQuery_outOfRangeLimitOrOffset_isRejected() {
        assertInvalid(() -> SearchQuery.prefix().withLimit(0), "invalid_limit");
        assertInvalid(() -> SearchQuery.prefix().withLimit(1001), "invalid_limit");
        assertInvalid(() -> SearchQuery.prefix().withOffset(-1), "invalid_offset");
    }

    // --- listNamespaces ---------------------------------------------------------------------------

    @Test
    void listNamespaces_returnsEachNamespaceOnceSorted() {
        store.put(Namespace.of("b"), "k", json("{}"), null);
        store.put(Namespace.of("a", "c"), "k", json("{}"), null);
        store.put(Namespace.of("a", "b"), "k1", json("{}"), null);
        store.put(Namespace.of("a", "b"), "k2", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all()))
                .containsExactly(List.of("a", "b"), List.of("a", "c"), List.of("b"));
    }

    @Test
    void listNamespaces_emptyStore_isEmpty() {
        assertThat(store.listNamespaces(NamespaceQuery.all())).isEmpty();
    }

    @Test
    void listNamespaces_ordersLabelByLabelByCodeUnit() {
        for (Namespace ns : List.of(Namespace.of("ab"), Namespace.of("a-b"), Namespace.of("a", "b"),
                Namespace.of("a"), Namespace.of("B"))) {
            store.put(ns, "k", json("{}"), null);
        }

        // Not the order of the dotted strings ("a-b" < "a.b") and not a case-insensitive collation.
        assertThat(store.listNamespaces(NamespaceQuery.all())).containsExactly(
                List.of("B"), List.of("a"), List.of("a", "b"), List.of("a-b"), List.of("ab"));
    }

    @Test
    void listNamespaces_withPrefix_keepsOnlyNamespacesUnderIt() {
        store.put(Namespace.of("users", "u1"), "k", json("{}"), null);
        store.put(Namespace.of("users", "u2", "prefs"), "k", json("{}"), null);
        store.put(Namespace.of("threads", "t1"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withPrefix("users")))
                .containsExactly(List.of("users", "u1"), List.of("users", "u2", "prefs"));
    }

    @Test
    void listNamespaces_withSuffix_keepsOnlyNamespacesEndingWithIt() {
        store.put(Namespace.of("users", "u1", "prefs"), "k", json("{}"), null);
        store.put(Namespace.of("users", "u2", "prefs"), "k", json("{}"), null);
        store.put(Namespace.of("users", "u2", "xprefs"), "k", json("{}"), null);
        store.put(Namespace.of("prefs"), "k", json("{}"), null);
        store.put(Namespace.of("prefs", "other"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withSuffix("prefs"))).containsExactly(
                List.of("prefs"), List.of("users", "u1", "prefs"), List.of("users", "u2", "prefs"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withSuffix("u2", "prefs")))
                .containsExactly(List.of("users", "u2", "prefs"));
    }

    @Test
    void listNamespaces_withPrefixAndSuffix_requiresBoth() {
        store.put(Namespace.of("users", "u1", "prefs"), "k", json("{}"), null);
        store.put(Namespace.of("teams", "t1", "prefs"), "k", json("{}"), null);
        store.put(Namespace.of("users", "u1", "history"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withPrefix("users").withSuffix("prefs")))
                .containsExactly(List.of("users", "u1", "prefs"));
    }

    @Test
    void listNamespaces_maxDepth_truncatesThenDeduplicates() {
        store.put(Namespace.of("a", "b", "c"), "k", json("{}"), null);
        store.put(Namespace.of("a", "b", "d"), "k", json("{}"), null);
        store.put(Namespace.of("a", "e"), "k", json("{}"), null);
        store.put(Namespace.of("f"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withMaxDepth(2)))
                .containsExactly(List.of("a", "b"), List.of("a", "e"), List.of("f"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withMaxDepth(1)))
                .containsExactly(List.of("a"), List.of("f"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withMaxDepth(10)))
                .containsExactly(List.of("a", "b", "c"), List.of("a", "b", "d"), List.of("a", "e"), List.of("f"));
    }

    @Test
    void listNamespaces_suffixAppliesToFullNamespaceBeforeTruncation() {
        store.put(Namespace.of("a", "b", "x"), "k", json("{}"), null);
        store.put(Namespace.of("c", "x"), "k", json("{}"), null);
        store.put(Namespace.of("d", "y"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withSuffix("x").withMaxDepth(1)))
                .containsExactly(List.of("a"), List.of("c"));
    }

    @Test
    void listNamespaces_limitAndOffset_pageThroughSortedNamespaces() {
        for (String label : List.of("n5", "n3", "n1", "n4", "n2")) {
            store.put(Namespace.of(label), "k", json("{}"), null);
        }

        assertThat(store.listNamespaces(NamespaceQuery.all().withLimit(2)))
                .containsExactly(List.of("n1"), List.of("n2"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withLimit(2).withOffset(1)))
                .containsExactly(List.of("n2"), List.of("n3"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withOffset(4))).containsExactly(List.of("n5"));
        assertThat(store.listNamespaces(NamespaceQuery.all().withOffset(5))).isEmpty();
    }

    @Test
    void listNamespaces_offsetCountsAfterTruncation() {
        store.put(Namespace.of("a", "1"), "k", json("{}"), null);
        store.put(Namespace.of("a", "2"), "k", json("{}"), null);
        store.put(Namespace.of("b", "1"), "k", json("{}"), null);
        store.put(Namespace.of("c", "1"), "k", json("{}"), null);

        assertThat(store.listNamespaces(NamespaceQuery.all().withMaxDepth(1).withOffset(1).withLimit(1)))
                .containsExactly(List.of("b"));
    }

    @Test
    void listNamespaces_afterLastItemDeleted_omitsNamespace() {
        store.put(Namespace.of("a"), "k1", json("{}"), null);
        store.put(Namespace.of("a"), "k2", json("{}"), null);
        store.put(Namespace.of("b"), "k", json("{}"), null);

        store.delete(Namespace.of("a"), "k1");
        assertThat(store.listNamespaces(NamespaceQuery.all())).containsExactly(List.of("a"), List.of("b"));

        store.delete(Namespace.of("a"), "k2");
        assertThat(store.listNamespaces(NamespaceQuery.all())).containsExactly(List.of("b"));
    }

    @Test
    void namespaceQuery_invalidBounds_areRejected() {
        assertInvalid(() -> NamespaceQuery.all().withMaxDepth(0), "invalid_max_depth");
        assertInvalid(() -> NamespaceQuery.all().withLimit(0), "invalid_limit");
        assertInvalid(() -> NamespaceQuery.all().withOffset(-1), "invalid_offset");
    }

    // --- time to live -----------------------------------------------------------------------------

    @Test
    void put_withTtl_expiresThatLongAfterNow() {
        Item item = store.put(USERS, "k", json("{}"), Duration.ofMinutes(30));

        assertThat(item.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(30)));
        assertThat(store.get(USERS, "k")).get().extracting(Item::expiresAt).isEqualTo(item.expiresAt());
    }

    @Test
    void refreshTtl_pushesExpiryBackByTheItemsOwnTtl_andLeavesTheRestAlone() {
        Item short_ = store.put(USERS, "short", json("{\"v\":1}"), Duration.ofMinutes(10));
        store.put(USERS, "long", json("{}"), Duration.ofMinutes(60));
        Item forever = store.put(USERS, "forever", json("{}"), null);
        clock.advance(Duration.ofMinutes(9));

        assertThat(store.refreshTtl(store.search(SearchQuery.prefix("users")))).isEqualTo(2);

        Item refreshed = store.get(USERS, "short").orElseThrow();
        assertThat(refreshed.expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(19)));
        assertThat(refreshed.updatedAt()).as("a read is not a write").isEqualTo(short_.updatedAt());
        assertThat(refreshed.value()).isEqualTo(short_.value());
        assertThat(store.get(USERS, "long").orElseThrow().expiresAt()).isEqualTo(START.plus(Duration.ofMinutes(69)));
        assertThat(store.get(USERS, "forever").orElseThrow().expiresAt()).isNull();
        assertThat(forever.expiresAt()).isNull();

        clock.advance(Duration.ofMinutes(10));
        assertThat(store.get(USERS, "short")).as("refreshed once, expired ten minutes after").isEmpty();
    }

    @Test
    void refreshTtl_expiredItem_staysExpired() {
        Item item = store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));

        assertThat(store.refreshTtl(List.of(item))).isZero();
        assertThat(store.get(USERS, "k")).isEmpty();
        assertThat(store.refreshTtl(List.of())).isZero();
    }

    @Test
    void refreshTtl_afterReplaceWithoutTtl_doesNotExpireIt() {
        Item first = store.put(USERS, "k", json("{}"), Duration.ofMinutes(5));
        store.put(USERS, "k", json("{}"), null);

        assertThat(store.refreshTtl(List.of(first))).isZero();
        assertThat(store.get(USERS, "k").orElseThrow().expiresAt()).isNull();
    }

    @Test
    void get_beforeTtlElapsed_returnsItem() {
        store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1).minusMillis(1));

        assertThat(store.get(USERS, "k")).isPresent();
    }

    @Test
    void get_afterTtlElapsed_isEmpty() {
        store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));

        clock.advance(Duration.ofMinutes(1));
        assertThat(store.get(USERS, "k")).as("at the expiry instant").isEmpty();

        clock.advance(Duration.ofHours(1));
        assertThat(store.get(USERS, "k")).as("well after it").isEmpty();
    }

    @Test
    void search_excludesExpiredItems() {
        store.put(USERS, "short", json("{\"c\":1}"), Duration.ofSeconds(10));
        store.put(USERS, "long", json("{\"c\":1}"), Duration.ofHours(1));
        store.put(USERS, "forever", json("{\"c\":1}"), null);
        clock.advance(Duration.ofSeconds(10));

        assertThat(keys(store.search(SearchQuery.prefix().withFilter(json("{\"c\":1}")))))
                .containsExactly("forever", "long");
    }

    @Test
    void listNamespaces_excludesNamespacesWithOnlyExpiredItems() {
        store.put(Namespace.of("gone"), "k", json("{}"), Duration.ofSeconds(1));
        store.put(Namespace.of("mixed"), "old", json("{}"), Duration.ofSeconds(1));
        store.put(Namespace.of("mixed"), "new", json("{}"), Duration.ofDays(1));
        clock.advance(Duration.ofSeconds(2));

        assertThat(store.listNamespaces(NamespaceQuery.all())).containsExactly(List.of("mixed"));
    }

    @Test
    void put_existingKey_restartsTtlFromNow() {
        store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));
        Instant later = clock.advance(Duration.ofSeconds(50));

        Item refreshed = store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));
        clock.advance(Duration.ofSeconds(30));

        assertThat(refreshed.expiresAt()).isEqualTo(later.plus(Duration.ofMinutes(1)));
        assertThat(store.get(USERS, "k")).isPresent();
    }

    @Test
    void put_withoutTtlOverItemWithTtl_neverExpires() {
        store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));

        Item permanent = store.put(USERS, "k", json("{}"), null);
        clock.advance(Duration.ofDays(365));

        assertThat(permanent.expiresAt()).isNull();
        assertThat(store.get(USERS, "k")).isPresent();
        assertThat(store.purgeExpired()).isZero();
    }

    @Test
    void put_afterPreviousItemExpired_startsFreshCreatedAt() {
        store.put(USERS, "k", json("{\"v\":1}"), Duration.ofMinutes(1));
        Instant later = clock.advance(Duration.ofMinutes(2));

        Item fresh = store.put(USERS, "k", json("{\"v\":2}"), null);

        assertThat(fresh.createdAt()).isEqualTo(later);
        assertThat(fresh.updatedAt()).isEqualTo(later);
        assertThat(store.get(USERS, "k")).contains(fresh);
    }

    @Test
    void delete_expiredItem_returnsFalse() {
        store.put(USERS, "k", json("{}"), Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(1));

        assertThat(store.delete(USERS, "k")).isFalse();
        assertThat(store.get(USERS, "k")).isEmpty();
    }

    @Test
    void purgeExpired_removesOnlyExpiredItemsAndCountsThem() {
        store.put(USERS, "a", json("{}"), Duration.ofSeconds(10));
        store.put(Namespace.of("other"), "b", json("{}"), Duration.ofSeconds(20));
        store.put(USERS, "c", json("{}"), Duration.ofMinutes(10));
        store.put(USERS, "d", json("{}"), null);
        clock.advance(Duration.ofSeconds(20));

        assertThat(store.purgeExpired()).isEqualTo(2);
        assertThat(store.purgeExpired()).as("second purge").isZero();
        assertThat(keys(store.search(SearchQuery.prefix()))).containsExactlyInAnyOrder("c", "d");
    }

    @Test
    void purgeExpired_nothingExpired_returnsZeroAndKeepsItems() {
        store.put(USERS, "a", json("{}"), Duration.ofSeconds(10));
        store.put(USERS, "b", json("{}"), null);

        assertThat(store.purgeExpired()).isZero();
        assertThat(keys(store.search(SearchQuery.prefix()))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void purgeExpired_keyRewrittenBeforePurge_isKept() {
        store.put(USERS, "k", json("{\"v\":1}"), Duration.ofSeconds(10));
        clock.advance(Duration.ofSeconds(11));
        store.put(USERS, "k", json("{\"v\":2}"), null);

        assertThat(store.purgeExpired()).isZero();
        assertThat(store.get(USERS, "k")).get().extracting(Item::value).isEqualTo(json("{\"v\":2}"));
    }

    // --- concurrency ------------------------------------------------------------------------------

    @Test
    void put_fromManyVirtualThreadsAtOnce_losesNothing() throws Exception {
        int threads = 40;
        int putsEach = 20;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                Namespace ns = Namespace.of("load", "t" + t);
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < putsEach; i++) {
                        store.put(ns, "k" + i, json("{\"i\":" + i + "}"), null);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        }

        assertThat(store.search(SearchQuery.prefix("load").withLimit(SearchQuery.MAX_LIMIT))).hasSize(threads * putsEach);
        assertThat(store.listNamespaces(NamespaceQuery.all().withPrefix("load"))).hasSize(threads);
        for (int t = 0; t < threads; t++) {
            assertThat(store.get(Namespace.of("load", "t" + t), "k" + (putsEach - 1)))
                    .get().extracting(Item::value).isEqualTo(json("{\"i\":" + (putsEach - 1) + "}"));
        }
    }

    @Test
    void put_sameKeyFromManyVirtualThreads_leavesExactlyOneItem() throws Exception {
        int writers = 50;
        store.put(USERS, "shared", json("{\"n\":-1}"), null);
        clock.advance(Duration.ofSeconds(1));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                int n = w;
                futures.add(executor.submit(() -> {
                    start.await();
                    return store.put(USERS, "shared", json("{\"n\":" + n + "}"), null);
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        }

        List<Item> all = store.search(SearchQuery.prefix().withLimit(SearchQuery.MAX_LIMIT));
        assertThat(all).hasSize(1);
        Item survivor = all.getFirst();
        assertThat(survivor.createdAt()).isEqualTo(START);
        assertThat(survivor.value().get("n").asInt()).isBetween(0, writers - 1);
    }

    // --- helpers ----------------------------------------------------------------------------------

    // --- filter operators and semantic search -----------------------------------------------------

    @Test
    void search_filterOperators_compareNumbersAndStrings() {
        store.put(USERS, "a", json("{\"age\":30,\"name\":\"Ada\",\"tier\":\"gold\"}"), null);
        store.put(USERS, "b", json("{\"age\":41,\"name\":\"Bob\",\"tier\":\"silver\"}"), null);
        store.put(USERS, "c", json("{\"name\":\"Cy\"}"), null);

        assertThat(keys(json("{\"age\":{\"$gt\":30}}"))).containsExactly("b");
        assertThat(keys(json("{\"age\":{\"$gte\":30,\"$lt\":41}}"))).containsExactly("a");
        assertThat(keys(json("{\"age\":{\"$lte\":41}}"))).containsExactlyInAnyOrder("a", "b");
        assertThat(keys(json("{\"tier\":{\"$ne\":\"gold\"}}"))).containsExactlyInAnyOrder("b", "c");
        assertThat(keys(json("{\"tier\":{\"$eq\":\"gold\"}}"))).containsExactly("a");
        assertThat(keys(json("{\"name\":{\"$gt\":\"Bob\"}}"))).containsExactly("c");
        assertThatThrownBy(() -> new SearchQuery(List.of(), json("{\"age\":{\"$near\":3}}"), 10, 0))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_filter"));
    }

    private List<String> keys(ObjectNode filter) {
        return store.search(new SearchQuery(List.of(), filter, 100, 0)).stream().map(Item::key).toList();
    }

    @Test
    void searchSimilar_ranksByCosine_skipsUnindexedAndOtherSizes_andFilters() {
        store.put(USERS, "east", json("{\"k\":1}"), null, new float[] {1, 0, 0});
        store.put(USERS, "north-east", json("{\"k\":2}"), null, new float[] {1, 1, 0});
        store.put(USERS, "north", json("{\"k\":3}"), null, new float[] {0, 1, 0});
        store.put(USERS, "plain", json("{\"k\":4}"), null);
        store.put(USERS, "short", json("{\"k\":5}"), null, new float[] {1, 0});
        store.put(Namespace.of("other"), "east", json("{\"k\":6}"), null, new float[] {1, 0, 0});

        List<ScoredItem> hits = store.searchSimilar(new SearchQuery(List.of("users"), null, 10, 0),
                new float[] {2, 0, 0});
        assertThat(hits).extracting(h -> h.item().key()).containsExactly("east", "north-east", "north");
        assertThat(hits.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(hits.get(1).score()).isCloseTo(Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-6));
        assertThat(hits.get(2).score()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(store.searchSimilar(new SearchQuery(List.of("users"), json("{\"k\":{\"$gte\":2}}"), 1, 0),
                new float[] {1, 0, 0})).extracting(h -> h.item().key()).containsExactly("north-east");
        assertThat(store.searchSimilar(new SearchQuery(List.of("users"), null, 10, 1), new float[] {1, 0, 0}))
                .extracting(h -> h.item().key()).containsExactly("north-east", "north");
    }

    @Test
    void searchSimilar_vectorFollowsTheItem_replacedDeletedAndExpired() {
        store.put(USERS, "a", json("{\"k\":1}"), null, new float[] {1, 0});
        store.put(USERS, "b", json("{\"k\":2}"), Duration.ofSeconds(10), new float[] {1, 0});
        store.put(USERS, "c", json("{\"k\":3}"), null, new float[] {1, 0});
        store.put(USERS, "a", json("{\"k\":1}"), null);
        store.delete(USERS, "c");
        clock.advance(Duration.ofSeconds(10));

        assertThat(store.searchSimilar(new SearchQuery(List.of(), null, 10, 0), new float[] {1, 0})).isEmpty();
        store.put(USERS, "a", json("{\"k\":1}"), null, new float[] {0, 1});
        assertThat(store.searchSimilar(new SearchQuery(List.of(), null, 10, 0), new float[] {0, 1}))
                .extracting(h -> h.item().key()).containsExactly("a");
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }

    protected static List<String> keys(List<Item> items) {
        return items.stream().map(Item::key).toList();
    }

    protected static void assertInvalid(ThrowingCallable call, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }
}
