package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.thread.ConversationThread;
import dev.switchboard.thread.ThreadQuery;
import dev.switchboard.thread.ThreadQuery.SortBy;
import dev.switchboard.thread.ThreadStatus;
import dev.switchboard.thread.ThreadStore;
import dev.switchboard.thread.ThreadTtl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link ThreadStore} must have. Extend it and answer {@link #newStore} with an empty
 * store; each test gets a fresh one. Thread stores take their timestamps from the records they are given,
 * so the clock is there only for a store that wants one.
 *
 * <p>Time starts at a whole second and moves in whole milliseconds or more, so a store must keep instants
 * to at least millisecond precision and give them back exactly. JSON is built from text, as a store that
 * keeps JSON text would read it back; a thread's {@code values} may be null (no run yet) and must come back
 * null, not as an empty object. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code ThreadStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class ThreadStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    protected ManualClock clock;
    protected ThreadStore store;

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract ThreadStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- create, get, update, delete --------------------------------------------------------------

    @Test
    void create_newThread_returnsItAndGetFindsIt() {
        ConversationThread thread = newThread(json("{\"owner\":\"ada\"}"));

        ConversationThread created = store.create(thread);

        assertThat(created).isEqualTo(thread);
        assertThat(store.get(thread.threadId())).contains(thread);
    }

    @Test
    void create_fullRecord_roundTripsExactly() {
        Instant created = clock.advance(Duration.ofMillis(1_234));
        Instant updated = clock.advance(Duration.ofMillis(5_678));
        ConversationThread thread = new ConversationThread(Ids.newId(), created, updated,
                json("""
                        {"owner":"ada","graph_id":"telco","tags":["vip","5g"],"nothing":null,
                         "nested":{"deeper":{"n":1.5,"flag":false,"empty":{}}},"text":"grüße, 你好, \\"q\\"\\n"}
                        """),
                ThreadStatus.BUSY,
                json("{\"configurable\":{\"user_id\":\"u1\",\"model\":null},\"recursion_limit\":25}"),
                json("""
                        {"messages":[{"type":"human","content":"hi","id":"m1"},
                                     {"type":"ai","content":"","tool_calls":[{"id":"c1","name":"x","args":{"a":null}}]}],
                         "interim_messages":[],"customer":{"plan":"5g","balance":-12.25,"note":null}}
                        """));

        store.create(thread);

        assertThat(store.get(thread.threadId())).contains(thread);
    }

    @Test
    void search_ownedBy_findsOnlyThatOwnersThreadsAndFollowsAnOwnerChange() {
        ConversationThread ada = store.create(newThread(json("{\"owner\":\"ada\"}")));
        ConversationThread bob = store.create(newThread(json("{\"owner\":\"bob\"}")));
        store.create(newThread(null));
        ThreadQuery byAda = ThreadQuery.all().ownedBy("ada");

        assertThat(store.search(byAda)).extracting(ConversationThread::threadId).containsExactly(ada.threadId());
        assertThat(store.count(byAda)).isEqualTo(1);
        assertThat(store.search(ThreadQuery.all().ownedBy("nobody"))).isEmpty();

        store.update(bob.withMetadata(json("{\"owner\":\"ada\"}"), clock.advance(Duration.ofMillis(1))));
        assertThat(store.search(byAda)).extracting(ConversationThread::threadId)
                .containsExactlyInAnyOrder(ada.threadId(), bob.threadId());
        assertThat(store.search(ThreadQuery.all().ownedBy("bob"))).isEmpty();
    }

    @Test
    void create_withoutValues_keepsValuesNull() {
        ConversationThread thread = newThread(null);

        store.create(thread);

        ConversationThread stored = store.get(thread.threadId()).orElseThrow();
        assertThat(stored.values()).isNull();
        assertThat(stored.metadata()).isEqualTo(Json.object());
        assertThat(stored.config()).isEqualTo(Json.object());
        assertThat(stored.status()).isEqualTo(ThreadStatus.IDLE);
    }

    @Test
    void create_withEmptyValues_keepsThemEmptyNotNull() {
        ConversationThread thread = newThread(null).withValues(Json.object(), clock.instant());

        store.create(thread);

        assertThat(store.get(thread.threadId())).get().extracting(ConversationThread::values).isEqualTo(Json.object());
    }

    @Test
    void create_eachStatus_roundTrips() {
        for (ThreadStatus status : ThreadStatus.values()) {
            ConversationThread thread = newThread(null).withStatus(status, clock.instant());
            store.create(thread);
            assertThat(store.get(thread.threadId())).as(status.wireName()).contains(thread);
        }
    }

    @Test
    void create_duplicateId_isConflictThreadExistsAndKeepsOriginal() {
        ConversationThread original = store.create(newThread(json("{\"owner\":\"ada\"}")));
        ConversationThread clash = new ConversationThread(original.threadId(), clock.advance(Duration.ofSeconds(1)),
                clock.instant(), json("{\"owner\":\"eve\"}"), ThreadStatus.BUSY, null, json("{\"x\":1}"));

        assertThatThrownBy(() -> store.create(clash)).isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                e -> assertThat(e.code()).isEqualTo("thread_exists"));

        assertThat(store.get(original.threadId())).contains(original);
        assertThat(store.count(ThreadQuery.all())).isEqualTo(1);
    }

    @Test
    void get_missingThread_isEmpty() {
        store.create(newThread(null));

        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void update_existingThread_replacesEveryMutableField() {
        ConversationThread original = store.create(newThread(json("{\"owner\":\"ada\",\"old\":true}")));
        Instant later = clock.advance(Duration.ofSeconds(30));
        ConversationThread changed = original
                .withMetadata(json("{\"owner\":\"ada\",\"topic\":\"roaming\"}"), later)
                .withStatus(ThreadStatus.ERROR, later)
                .withConfig(json("{\"configurable\":{\"k\":\"v\"}}"), later)
                .withValues(json("{\"messages\":[{\"type\":\"human\",\"content\":\"hi\"}],\"n\":null}"), later);

        ConversationThread returned = store.update(changed);

        assertThat(returned).isEqualTo(changed);
        ConversationThread stored = store.get(original.threadId()).orElseThrow();
        assertThat(stored).isEqualTo(changed);
        assertThat(stored.createdAt()).isEqualTo(original.createdAt());
        assertThat(stored.updatedAt()).isEqualTo(later);
        assertThat(stored.metadata().has("old")).isFalse();
    }

    @Test
    void update_valuesBackToNull_storesNull() {
        ConversationThread original = store.create(newThread(null).withValues(json("{\"a\":1}"), clock.instant()));

        store.update(original.withValues(null, clock.advance(Duration.ofSeconds(1))));

        assertThat(store.get(original.threadId())).get().extracting(ConversationThread::values).isNull();
    }

    @Test
    void update_missingThread_isNotFoundAndCreatesNothing() {
        ConversationThread ghost = newThread(json("{\"owner\":\"ada\"}"));

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOfSatisfying(SwitchboardException.NotFound.class,
                e -> assertThat(e.code()).isEqualTo("not_found"));

        assertThat(store.get(ghost.threadId())).isEmpty();
        assertThat(store.count(ThreadQuery.all())).isZero();
    }

    @Test
    void update_afterDelete_isNotFound() {
        ConversationThread thread = store.create(newThread(null));
        store.delete(thread.threadId());

        assertThatThrownBy(() -> store.update(thread.withStatus(ThreadStatus.BUSY, clock.instant())))
                .isInstanceOf(SwitchboardException.NotFound.class);
        assertThat(store.get(thread.threadId())).isEmpty();
    }

    @Test
    void delete_existingThread_returnsTrueAndRemovesIt() {
        ConversationThread kept = store.create(newThread(null));
        ConversationThread gone = store.create(newThread(null));

        assertThat(store.delete(gone.threadId())).isTrue();

        assertThat(store.get(gone.threadId())).isEmpty();
        assertThat(store.get(kept.threadId())).contains(kept);
        assertThat(ids(store.search(ThreadQuery.all()))).containsExactly(kept.threadId());
    }

    @Test
    void delete_missingThread_returnsFalse() {
        ConversationThread kept = store.create(newThread(null));

        assertThat(store.delete(Ids.newId())).isFalse();
        assertThat(store.delete(kept.threadId())).isTrue();
        assertThat(store.delete(kept.threadId())).as("second delete").isFalse();
    }

    @Test
    void create_afterDelete_storesTheNewThread() {
        ConversationThread first = store.create(newThread(json("{\"v\":1}")));
        store.delete(first.threadId());
        ConversationThread again = new ConversationThread(first.threadId(), clock.advance(Duration.ofSeconds(1)),
                clock.instant(), json("{\"v\":2}"), ThreadStatus.IDLE, null, null);

        store.create(again);

        assertThat(store.get(first.threadId())).contains(again);
    }

    // --- nobody can change a stored thread behind the store's back --------------------------------

    @Test
    void create_callerMutatesRecordAfterwards_storedThreadUnchanged() {
        ConversationThread thread = newThread(json("{\"owner\":\"ada\"}")).withValues(json("{\"n\":1}"), clock.instant());
        store.create(thread);

        thread.metadata().put("owner", "eve");
        thread.values().put("n", 2);
        thread.config().put("sneaky", true);

        ConversationThread stored = store.get(thread.threadId()).orElseThrow();
        assertThat(stored.metadata()).isEqualTo(json("{\"owner\":\"ada\"}"));
        assertThat(stored.values()).isEqualTo(json("{\"n\":1}"));
        assertThat(stored.config()).isEqualTo(Json.object());
    }

    @Test
    void get_callerMutatesReturnedRecord_storedThreadUnchanged() {
        ConversationThread thread = store.create(newThread(json("{\"owner\":\"ada\"}")).withValues(json("{\"n\":1}"), clock.instant()));

        store.get(thread.threadId()).orElseThrow().metadata().put("owner", "eve");
        store.search(ThreadQuery.all()).getFirst().values().put("n", 2);

        ConversationThread stored = store.get(thread.threadId()).orElseThrow();
        assertThat(stored.metadata()).isEqualTo(json("{\"owner\":\"ada\"}"));
        assertThat(stored.values()).isEqualTo(json("{\"n\":1}"));
    }

    @Test
    void update_callerMutatesRecordAfterwards_storedThreadUnchanged() {
        ConversationThread thread = store.create(newThread(json("{\"owner\":\"ada\"}")));
        ConversationThread changed = thread.withMetadata(json("{\"owner\":\"bob\"}"), clock.advance(Duration.ofSeconds(1)));
        store.update(changed);

        changed.metadata().put("owner", "eve");

        assertThat(store.get(thread.threadId())).get().extracting(ConversationThread::metadata)
                .isEqualTo(json("{\"owner\":\"bob\"}"));
    }

    // --- search: filters --------------------------------------------------------------------------

    @Test
    void search_all_returnsCompleteRecords() {
        ConversationThread a = store.create(newThread(json("{\"owner\":\"ada\",\"x\":null}")).withValues(json("{\"v\":[1,null]}"), clock.instant()));
        ConversationThread b = store.create(newThread(null));

        assertThat(store.search(ThreadQuery.all())).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void search_defaultQuery_isNewestCreatedFirst() {
        ConversationThread first = store.create(newThread(null));
        ConversationThread second = store.create(newThread(null));
        ConversationThread third = store.create(newThread(null));

        assertThat(ids(store.search(ThreadQuery.all())))
                .containsExactly(third.threadId(), second.threadId(), first.threadId());
    }

    @Test
    void search_emptyStore_isEmpty() {
        assertThat(store.search(ThreadQuery.all())).isEmpty();
        assertThat(store.count(ThreadQuery.all())).isZero();
    }

    @Test
    void search_metadataEquality_matchesOnlyEqualValues() {
        ConversationThread ada = store.create(newThread(json("{\"owner\":\"ada\",\"n\":1}")));
        store.create(newThread(json("{\"owner\":\"bob\",\"n\":1}")));
        store.create(newThread(json("{\"n\":1}")));
        store.create(newThread(null));

        assertThat(ids(store.search(query().metadata("{\"owner\":\"ada\"}").build()))).containsExactly(ada.threadId());
    }

    @Test
    void search_metadataWithSeveralFields_requiresAllOfThem() {
        ConversationThread both = store.create(newThread(json("{\"owner\":\"ada\",\"graph_id\":\"telco\",\"vip\":true}")));
        store.create(newThread(json("{\"owner\":\"ada\",\"graph_id\":\"other\",\"vip\":true}")));
        store.create(newThread(json("{\"owner\":\"ada\",\"graph_id\":\"telco\",\"vip\":false}")));

        assertThat(ids(store.search(query().metadata("{\"owner\":\"ada\",\"graph_id\":\"telco\",\"vip\":true}").build())))
                .containsExactly(both.threadId());
    }

    @Test
    void search_metadataNestedObject_matchesByContainment() {
        ConversationThread match = store.create(newThread(json("{\"customer\":{\"address\":{\"city\":\"Oslo\",\"zip\":\"0150\"},\"tier\":\"gold\"}}")));
        store.create(newThread(json("{\"customer\":{\"address\":{\"city\":\"Bergen\",\"zip\":\"5003\"},\"tier\":\"gold\"}}")));
        store.create(newThread(json("{\"customer\":{\"address\":\"Oslo\"}}")));
        store.create(newThread(json("{\"city\":\"Oslo\"}")));

        assertThat(ids(store.search(query().metadata("{\"customer\":{\"address\":{\"city\":\"Oslo\"}}}").build())))
                .containsExactly(match.threadId());
    }

    @Test
    void search_metadataArray_matchesWhenStoredArrayHoldsEveryElement() {
        ConversationThread both = store.create(newThread(json("{\"tags\":[\"vip\",\"roaming\",\"5g\"]}")));
        store.create(newThread(json("{\"tags\":[\"vip\"]}")));
        store.create(newThread(json("{\"tags\":\"vip\"}")));

        assertThat(ids(store.search(query().metadata("{\"tags\":[\"roaming\",\"vip\"]}").build())))
                .containsExactly(both.threadId());
    }

    @Test
    void search_metadataNumberAndBoolean_matchByTypeAndValue() {
        ConversationThread number = store.create(newThread(json("{\"n\":1,\"ok\":true}")));
        store.create(newThread(json("{\"n\":\"1\",\"ok\":\"true\"}")));
        store.create(newThread(json("{\"n\":2,\"ok\":false}")));

        assertThat(ids(store.search(query().metadata("{\"n\":1}").build()))).containsExactly(number.threadId());
        assertThat(ids(store.search(query().metadata("{\"ok\":true}").build()))).containsExactly(number.threadId());
    }

    @Test
    void search_metadataNullValue_matchesOnlyAnExplicitNull() {
        ConversationThread explicitNull = store.create(newThread(json("{\"owner\":null}")));
        store.create(newThread(json("{\"owner\":\"ada\"}")));
        store.create(newThread(json("{\"other\":1}")));

        assertThat(ids(store.search(query().metadata("{\"owner\":null}").build())))
                .containsExactly(explicitNull.threadId());
    }

    @Test
    void search_emptyMetadataFilter_matchesEveryThread() {
        store.create(newThread(json("{\"owner\":\"ada\"}")));
        store.create(newThread(null));

        assertThat(store.search(query().metadata("{}").build())).hasSize(2);
    }

    @Test
    void search_metadataWithoutMatch_isEmpty() {
        store.create(newThread(json("{\"owner\":\"ada\"}")));

        assertThat(store.search(query().metadata("{\"owner\":\"zed\"}").build())).isEmpty();
        assertThat(store.count(query().metadata("{\"owner\":\"zed\"}").build())).isZero();
    }

    @Test
    void search_valuesContainment_matchesNestedValues() {
        ConversationThread fiveG = store.create(newThread(null)
                .withValues(json("{\"customer\":{\"plan\":\"5g\",\"id\":7},\"messages\":[{\"type\":\"human\",\"content\":\"hi\"}]}"), clock.instant()));
        store.create(newThread(null).withValues(json("{\"customer\":{\"plan\":\"4g\",\"id\":8}}"), clock.instant()));
        store.create(newThread(null));

        assertThat(ids(store.search(query().values("{\"customer\":{\"plan\":\"5g\"}}").build())))
                .containsExactly(fiveG.threadId());
        assertThat(ids(store.search(query().values("{\"messages\":[{\"content\":\"hi\"}]}").build())))
                .containsExactly(fiveG.threadId());
    }

    @Test
    void search_valuesFilter_neverMatchesThreadWithoutValues() {
        store.create(newThread(json("{\"plan\":\"5g\"}")));

        assertThat(store.search(query().values("{\"plan\":\"5g\"}").build())).isEmpty();
    }

    @Test
    void search_metadataFilter_doesNotLookAtValues() {
        store.create(newThread(null).withValues(json("{\"owner\":\"ada\"}"), clock.instant()));

        assertThat(store.search(query().metadata("{\"owner\":\"ada\"}").build())).isEmpty();
    }

    @Test
    void search_byStatus_returnsOnlyThatStatus() {
        ConversationThread busy = store.create(newThread(null).withStatus(ThreadStatus.BUSY, clock.instant()));
        ConversationThread idle = store.create(newThread(null));
        ConversationThread error = store.create(newThread(null).withStatus(ThreadStatus.ERROR, clock.instant()));

        assertThat(ids(store.search(query().status(ThreadStatus.BUSY).build()))).containsExactly(busy.threadId());
        assertThat(ids(store.search(query().status(ThreadStatus.IDLE).build()))).containsExactly(idle.threadId());
        assertThat(ids(store.search(query().status(ThreadStatus.ERROR).build()))).containsExactly(error.threadId());
        assertThat(store.search(query().status(ThreadStatus.INTERRUPTED).build())).isEmpty();
    }

    @Test
    void search_byIds_returnsOnlyThoseThatExist() {
        ConversationThread a = store.create(newThread(null));
        ConversationThread b = store.create(newThread(null));
        store.create(newThread(null));

        assertThat(ids(store.search(query().ids(a.threadId(), b.threadId(), Ids.newId()).build())))
                .containsExactly(a.threadId(), b.threadId());
    }

    @Test
    void search_emptyIdList_matchesNothing() {
        store.create(newThread(null));

        assertThat(store.search(query().ids().build())).isEmpty();
        assertThat(store.count(query().ids().build())).isZero();
    }

    @Test
    void search_combinedFilters_requireAll() {
        ConversationThread hit = store.create(newThread(json("{\"owner\":\"ada\"}"))
                .withStatus(ThreadStatus.BUSY, clock.instant()).withValues(json("{\"k\":1}"), clock.instant()));
        ConversationThread wrongStatus = store.create(newThread(json("{\"owner\":\"ada\"}")).withValues(json("{\"k\":1}"), clock.instant()));
        ConversationThread wrongValues = store.create(newThread(json("{\"owner\":\"ada\"}"))
                .withStatus(ThreadStatus.BUSY, clock.instant()).withValues(json("{\"k\":2}"), clock.instant()));
        store.create(newThread(json("{\"owner\":\"bob\"}"))
                .withStatus(ThreadStatus.BUSY, clock.instant()).withValues(json("{\"k\":1}"), clock.instant()));

        ThreadQuery q = query().metadata("{\"owner\":\"ada\"}").values("{\"k\":1}").status(ThreadStatus.BUSY)
                .ids(hit.threadId(), wrongStatus.threadId(), wrongValues.threadId()).build();

        assertThat(ids(store.search(q))).containsExactly(hit.threadId());
        assertThat(store.count(q)).isEqualTo(1);
    }

    // --- search: pages and order ------------------------------------------------------------------

    @Test
    void search_limitAndOffset_pageThroughInOrder() {
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(store.create(newThread(json("{\"i\":" + i + "}"))).threadId());
        }

        assertThat(ids(store.search(query().limit(3).offset(0).build()))).containsExactlyElementsOf(created.subList(0, 3));
        assertThat(ids(store.search(query().limit(3).offset(3).build()))).containsExactlyElementsOf(created.subList(3, 6));
        assertThat(ids(store.search(query().limit(3).offset(6).build()))).containsExactlyElementsOf(created.subList(6, 7));
        assertThat(store.search(query().limit(3).offset(7).build())).isEmpty();
        assertThat(store.search(query().limit(3).offset(100).build())).isEmpty();
    }

    @Test
    void search_limitAndOffset_applyAfterFiltering() {
        List<UUID> ada = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ConversationThread t = store.create(newThread(json(i % 2 == 0 ? "{\"owner\":\"ada\"}" : "{\"owner\":\"bob\"}")));
            if (i % 2 == 0) {
                ada.add(t.threadId());
            }
        }

        assertThat(ids(store.search(query().metadata("{\"owner\":\"ada\"}").limit(2).offset(1).build())))
                .containsExactlyElementsOf(ada.subList(1, 3));
    }

    static Stream<Arguments> sortOrders() {
        return Arrays.stream(SortBy.values()).flatMap(s -> Stream.of(Arguments.of(s, true), Arguments.of(s, false)));
    }

    /**
     * Four threads whose order differs by every key: ids ascend A, B, C, D; creation C, A, D, B; last update
     * B, D, A, C; statuses sort (by wire name: busy, error, idle, interrupted) B, D, C, A.
     */
    @ParameterizedTest(name = "sort by {0}, ascending {1}")
    @MethodSource("sortOrders")
    void search_sortedByEachKey_ordersThreadsByIt(SortBy sortBy, boolean ascending) {
        UUID a = Ids.newId();
        UUID b = Ids.newId();
        UUID c = Ids.newId();
        UUID d = Ids.newId();
        store.create(stamped(c, 0, 4, ThreadStatus.IDLE));
        store.create(stamped(a, 1, 3, ThreadStatus.INTERRUPTED));
        store.create(stamped(d, 2, 2, ThreadStatus.ERROR));
        store.create(stamped(b, 3, 1, ThreadStatus.BUSY));
        List<UUID> expected = switch (sortBy) {
            case THREAD_ID -> List.of(a, b, c, d);
            case CREATED_AT -> List.of(c, a, d, b);
            case UPDATED_AT -> List.of(b, d, a, c);
            case STATUS -> List.of(b, d, c, a);
        };
        if (!ascending) {
            expected = expected.reversed();
        }

        assertThat(ids(store.search(query().sort(sortBy, ascending).build()))).containsExactlyElementsOf(expected);
    }

    @Test
    void search_sortByThreadId_ordersIdsAsTheirCanonicalText() {
        // Client-chosen ids need not be UUIDv7; whatever their version, order is that of the lowercase
        // hex text (PostgreSQL's uuid order), not of Java's signed UUID.compareTo.
        List<String> texts = List.of(
                "00000000-0000-4000-8000-000000000001",
                "7fffffff-ffff-4fff-bfff-ffffffffffff",
                "80000000-0000-4000-8000-000000000000",
                "c0ffee00-0000-4000-8000-000000000000",
                "ffffffff-ffff-4fff-bfff-fffffffffffe");
        for (String text : List.of(texts.get(2), texts.get(0), texts.get(4), texts.get(1), texts.get(3))) {
            store.create(ConversationThread.create(UUID.fromString(text), clock.advance(Duration.ofSeconds(1)), null));
        }

        assertThat(store.search(query().sort(SortBy.THREAD_ID, true).build()))
                .extracting(t -> t.threadId().toString()).containsExactlyElementsOf(texts);
        assertThat(store.search(query().sort(SortBy.THREAD_ID, false).build()))
                .extracting(t -> t.threadId().toString()).containsExactlyElementsOf(texts.reversed());
    }

    @Test
    void search_sortAndPage_pageFollowsTheSortOrder() {
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(store.create(newThread(null)).threadId());
        }

        assertThat(ids(store.search(query().sort(SortBy.CREATED_AT, false).limit(2).offset(1).build())))
                .containsExactly(created.get(3), created.get(2));
    }

    // --- count ------------------------------------------------------------------------------------

    @Test
    void count_matchesSearchAndIgnoresThePage() {
        for (int i = 0; i < 5; i++) {
            store.create(newThread(json("{\"owner\":\"ada\"}")));
        }
        store.create(newThread(json("{\"owner\":\"bob\"}")).withStatus(ThreadStatus.BUSY, clock.instant()));

        assertThat(store.count(ThreadQuery.all())).isEqualTo(6);
        assertThat(store.count(query().metadata("{\"owner\":\"ada\"}").limit(2).offset(1).build())).isEqualTo(5);
        assertThat(store.count(query().status(ThreadStatus.BUSY).build())).isEqualTo(1);
        assertThat(store.count(query().metadata("{\"owner\":\"ada\"}").status(ThreadStatus.BUSY).build())).isZero();
    }

    @Test
    void count_followsCreatesAndDeletes() {
        ConversationThread a = store.create(newThread(null));
        store.create(newThread(null));
        assertThat(store.count(ThreadQuery.all())).isEqualTo(2);

        store.delete(a.threadId());

        assertThat(store.count(ThreadQuery.all())).isEqualTo(1);
    }

    // --- concurrency ------------------------------------------------------------------------------

    @Test
    void create_sameIdFromManyVirtualThreads_exactlyOneWins() throws Exception {
        int racers = 32;
        UUID id = Ids.newId();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < racers; r++) {
                ConversationThread candidate = ConversationThread.create(id, clock.instant(), json("{\"racer\":" + r + "}"));
                futures.add(executor.submit(() -> {
                    start.await();
                    try {
                        store.create(candidate);
                        return true;
                    } catch (SwitchboardException.Conflict e) {
                        assertThat(e.code()).isEqualTo("thread_exists");
                        return false;
                    }
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> f : futures) {
                winners += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
        assertThat(store.count(ThreadQuery.all())).isEqualTo(1);
    }

    // --- ttl --------------------------------------------------------------------------------------

    @Test
    void setTtl_roundTripsAndClears() {
        ConversationThread t = store.create(newThread(null));
        ThreadTtl ttl = new ThreadTtl(ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(90));

        store.setTtl(t.threadId(), ttl);
        assertThat(store.ttl(t.threadId())).contains(ttl);
        assertThat(store.get(t.threadId())).contains(t);

        store.setTtl(t.threadId(), null);
        assertThat(store.ttl(t.threadId())).isEmpty();
    }

    @Test
    void setTtl_missingThread_isNotFound() {
        assertThatThrownBy(() -> store.setTtl(Ids.newId(), new ThreadTtl(ThreadTtl.Strategy.DELETE,
                Duration.ofMinutes(1)))).isInstanceOf(SwitchboardException.NotFound.class);
    }

    @Test
    void expired_countsFromLastUpdate_oldestFirst_andOnlyThreadsWithTtl() {
        ConversationThread a = store.create(newThread(null));
        ConversationThread b = store.create(newThread(null));
        ConversationThread never = store.create(newThread(null));
        store.setTtl(a.threadId(), new ThreadTtl(ThreadTtl.Strategy.DELETE, Duration.ofMinutes(10)));
        store.setTtl(b.threadId(), new ThreadTtl(ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(10)));

        Instant justBefore = b.updatedAt().plus(Duration.ofMinutes(10)).minusMillis(1);
        assertThat(store.expired(justBefore, 10)).extracting(ThreadTtl.Expired::threadId)
                .containsExactly(a.threadId());
        Instant later = b.updatedAt().plus(Duration.ofMinutes(10));
        assertThat(store.expired(later, 10)).containsExactly(
                new ThreadTtl.Expired(a.threadId(), ThreadTtl.Strategy.DELETE),
                new ThreadTtl.Expired(b.threadId(), ThreadTtl.Strategy.KEEP_LATEST));
        assertThat(store.expired(later, 1)).hasSize(1);

        // An update starts the ttl again.
        store.update(a.withMetadata(json("{\"x\":1}"), later));
        assertThat(store.expired(later, 10)).extracting(ThreadTtl.Expired::threadId)
                .containsExactly(b.threadId()).doesNotContain(never.threadId());
    }

    @Test
    void deleteIfExpired_onlyWhileExpired_andOnlyOnce() {
        ConversationThread t = store.create(newThread(null));
        store.setTtl(t.threadId(), new ThreadTtl(ThreadTtl.Strategy.DELETE, Duration.ofMinutes(5)));
        Instant due = t.updatedAt().plus(Duration.ofMinutes(5));

        assertThat(store.deleteIfExpired(t.threadId(), due.minusMillis(1))).isFalse();
        assertThat(store.get(t.threadId())).isPresent();
        assertThat(store.deleteIfExpired(t.threadId(), due)).isTrue();
        assertThat(store.deleteIfExpired(t.threadId(), due)).as("the second sweeper").isFalse();
        assertThat(store.get(t.threadId())).isEmpty();
        assertThat(store.ttl(t.threadId())).isEmpty();
        assertThat(store.expired(due, 10)).isEmpty();
    }

    @Test
    void deleteIfExpired_threadWithoutTtl_isKept() {
        ConversationThread t = store.create(newThread(null));

        assertThat(store.deleteIfExpired(t.threadId(), t.updatedAt().plus(Duration.ofDays(400)))).isFalse();
        assertThat(store.get(t.threadId())).isPresent();
    }

    @Test
    void touchIfExpired_restartsTheTtlOnce() {
        ConversationThread t = store.create(newThread(null));
        store.setTtl(t.threadId(), new ThreadTtl(ThreadTtl.Strategy.KEEP_LATEST, Duration.ofMinutes(5)));
        Instant due = t.updatedAt().plus(Duration.ofMinutes(5));

        assertThat(store.touchIfExpired(t.threadId(), due.minusMillis(1))).isFalse();
        assertThat(store.touchIfExpired(t.threadId(), due)).isTrue();
        assertThat(store.touchIfExpired(t.threadId(), due)).as("the second sweeper").isFalse();
        assertThat(store.get(t.threadId()).orElseThrow().updatedAt()).isEqualTo(due);
        assertThat(store.expired(due.plus(Duration.ofMinutes(5)), 10)).extracting(ThreadTtl.Expired::threadId)
                .containsExactly(t.threadId());
        assertThat(store.ttl(t.threadId())).isPresent();
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A new idle thread created one second after the previous one, so creation order is unambiguous. */
    protected ConversationThread newThread(ObjectNode metadata) {
        return ConversationThread.create(Ids.newId(), clock.advance(Duration.ofSeconds(1)), metadata);
    }

    private static ConversationThread stamped(UUID id, int createdRank, int updatedRank, ThreadStatus status) {
        Instant created = START.plusSeconds(10L * createdRank);
        Instant updated = START.plusSeconds(100L + 10L * updatedRank);
        return new ConversationThread(id, created, updated, null, status, null, null);
    }

    protected static QueryBuilder query() {
        return new QueryBuilder();
    }

    /** Builds a {@link ThreadQuery}; by default everything, oldest created first. */
    protected static final class QueryBuilder {
        private ObjectNode metadata;
        private ObjectNode values;
        private ThreadStatus status;
        private List<UUID> ids;
        private int limit = 1000;
        private int offset;
        private SortBy sortBy = SortBy.CREATED_AT;
        private boolean ascending = true;

        public QueryBuilder metadata(String jsonText) {
            metadata = json(jsonText);
            return this;
        }

        public QueryBuilder values(String jsonText) {
            values = json(jsonText);
            return this;
        }

        public QueryBuilder status(ThreadStatus s) {
            status = s;
            return this;
        }

        public QueryBuilder ids(UUID... wanted) {
            ids = List.of(wanted);
            return this;
        }

        public QueryBuilder limit(int n) {
            limit = n;
            return this;
        }

        public QueryBuilder offset(int n) {
            offset = n;
            return this;
        }

        public QueryBuilder sort(SortBy by, boolean asc) {
            sortBy = by;
            ascending = asc;
            return this;
        }

        public ThreadQuery build() {
            return new ThreadQuery(metadata, values, status, ids, limit, offset, sortBy, ascending);
        }
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }

    protected static List<UUID> ids(List<ConversationThread> threads) {
        return threads.stream().map(ConversationThread::threadId).toList();
    }
}
