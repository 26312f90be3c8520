package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.assistant.AssistantQuery;
import dev.switchboard.assistant.AssistantStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link AssistantStore} must have. Extend it and answer {@link #newStore} with an
 * empty store; each test gets a fresh one. Assistants carry their own timestamps, so the clock is there
 * only for a store that wants one.
 *
 * <p>Time starts at a whole second and moves in whole milliseconds or more, so a store must keep instants
 * to at least millisecond precision and give them back exactly. Assistants are created one clock second
 * apart, so "oldest first" is never a tie. JSON is built from text, as a store that keeps JSON text would
 * read it back. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code AssistantStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class AssistantStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    protected ManualClock clock;
    protected AssistantStore store;

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract AssistantStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- create, get, update, delete --------------------------------------------------------------

    @Test
    void create_newAssistant_returnsItAndGetFindsIt() {
        Assistant assistant = assistant("telco", "Telco support", null);

        assertThat(store.create(assistant)).isEqualTo(assistant);
        assertThat(store.get(assistant.assistantId())).contains(assistant);
    }

    @Test
    void create_fullRecord_roundTripsExactly() {
        Instant created = clock.advance(Duration.ofMillis(1_234));
        Instant updated = clock.advance(Duration.ofMillis(4_321));
        Assistant assistant = new Assistant(Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "telco"), "telco",
                json("{\"configurable\":{\"model\":\"scripted\",\"temperature\":0.25,\"none\":null},\"tags\":[\"a\",1]}"),
                json("{\"tenant\":\"acme\",\"limits\":{\"max\":3,\"soft\":null}}"),
                json("{\"created_by\":\"system\",\"nested\":{\"flag\":true,\"list\":[{},[]]},\"nothing\":null}"),
                4, "Grüße 你好 \"support\"", "Answers \"telco\" questions,\nincluding roaming.", created, updated);

        store.create(assistant);

        assertThat(store.get(assistant.assistantId())).contains(assistant);
        assertThat(store.search(AssistantQuery.all())).containsExactly(assistant);
    }

    @Test
    void create_minimalRecord_keepsNullDescriptionAndEmptyObjects() {
        Assistant assistant = new Assistant(Ids.newId(), "telco", null, null, null, 1, null, null,
                clock.instant(), clock.instant());

        store.create(assistant);

        Assistant stored = store.get(assistant.assistantId()).orElseThrow();
        assertThat(stored).isEqualTo(assistant);
        assertThat(stored.description()).isNull();
        assertThat(stored.name()).isEqualTo("Untitled");
        assertThat(stored.config()).isEqualTo(Json.object());
        assertThat(stored.context()).isEqualTo(Json.object());
        assertThat(stored.metadata()).isEqualTo(Json.object());
    }

    @Test
    void create_duplicateId_isConflictAssistantExistsAndKeepsOriginal() {
        Assistant original = store.create(assistant("telco", "Telco", json("{\"v\":1}")));
        Assistant clash = new Assistant(original.assistantId(), "other", null, null, json("{\"v\":2}"), 2, "Clash",
                "x", clock.instant(), clock.instant());

        assertThatThrownBy(() -> store.create(clash)).isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                e -> assertThat(e.code()).isEqualTo("assistant_exists"));

        assertThat(store.get(original.assistantId())).contains(original);
        assertThat(store.count(AssistantQuery.all())).isEqualTo(1);
    }

    @Test
    void get_missingAssistant_isEmpty() {
        store.create(assistant("telco", "Telco", null));

        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void update_existingAssistant_replacesItsFields() {
        Assistant original = store.create(assistant("telco", "Telco", json("{\"old\":true}")));
        Instant later = clock.advance(Duration.ofMinutes(5));
        Assistant changed = new Assistant(original.assistantId(), "telco-v2",
                json("{\"configurable\":{\"model\":\"gpt\"}}"), json("{\"c\":1}"), json("{\"new\":true}"),
                original.version() + 1, "Telco v2", "second version", original.createdAt(), later);

        assertThat(store.update(changed)).isEqualTo(changed);

        Assistant stored = store.get(original.assistantId()).orElseThrow();
        assertThat(stored).isEqualTo(changed);
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.metadata().has("old")).isFalse();
        assertThat(store.count(AssistantQuery.all())).isEqualTo(1);
    }

    @Test
    void update_missingAssistant_isNotFoundAndCreatesNothing() {
        Assistant ghost = assistant("telco", "Ghost", null);

        assertThatThrownBy(() -> store.update(ghost)).isInstanceOfSatisfying(SwitchboardException.NotFound.class,
                e -> assertThat(e.code()).isEqualTo("not_found"));

        assertThat(store.get(ghost.assistantId())).isEmpty();
        assertThat(store.count(AssistantQuery.all())).isZero();
    }

    @Test
    void delete_existingAssistant_returnsTrueAndRemovesIt() {
        Assistant kept = store.create(assistant("telco", "Kept", null));
        Assistant gone = store.create(assistant("telco", "Gone", null));

        assertThat(store.delete(gone.assistantId())).isTrue();

        assertThat(store.get(gone.assistantId())).isEmpty();
        assertThat(store.search(AssistantQuery.all())).containsExactly(kept);
    }

    @Test
    void delete_missingAssistant_returnsFalse() {
        Assistant assistant = store.create(assistant("telco", "Telco", null));

        assertThat(store.delete(Ids.newId())).isFalse();
        assertThat(store.delete(assistant.assistantId())).isTrue();
        assertThat(store.delete(assistant.assistantId())).as("second delete").isFalse();
    }

    @Test
    void create_afterDelete_storesTheNewAssistant() {
        Assistant first = store.create(assistant("telco", "First", null));
        store.delete(first.assistantId());
        Assistant again = new Assistant(first.assistantId(), "telco", null, null, null, 1, "Again", null,
                clock.advance(Duration.ofSeconds(1)), clock.instant());

        store.create(again);

        assertThat(store.get(first.assistantId())).contains(again);
    }

    // --- nobody can change a stored assistant behind the store's back -----------------------------

    @Test
    void create_callerMutatesRecordAfterwards_storedAssistantUnchanged() {
        Assistant assistant = assistant("telco", "Telco", json("{\"v\":1}"));
        store.create(assistant);

        assistant.metadata().put("v", 2);
        assistant.config().put("sneaky", true);

        Assistant stored = store.get(assistant.assistantId()).orElseThrow();
        assertThat(stored.metadata()).isEqualTo(json("{\"v\":1}"));
        assertThat(stored.config()).isEqualTo(json("{\"configurable\":{\"model\":\"scripted\"}}"));
    }

    @Test
    void get_callerMutatesReturnedRecord_storedAssistantUnchanged() {
        Assistant assistant = store.create(assistant("telco", "Telco", json("{\"v\":1}")));

        store.get(assistant.assistantId()).orElseThrow().metadata().put("v", 2);
        store.search(AssistantQuery.all()).getFirst().metadata().put("v", 3);

        assertThat(store.get(assistant.assistantId())).get().extracting(Assistant::metadata).isEqualTo(json("{\"v\":1}"));
    }

    // --- search -----------------------------------------------------------------------------------

    @Test
    void search_all_returnsEveryAssistantOldestFirst() {
        Assistant a = store.create(assistant("telco", "A", null));
        Assistant b = store.create(assistant("other", "B", null));
        Assistant c = store.create(assistant("telco", "C", null));

        assertThat(store.search(AssistantQuery.all())).containsExactly(a, b, c);
    }

    @Test
    void search_ordersByCreatedAtNotByIdOrInsertion() {
        Assistant late = assistantCreatedAt(START.plusSeconds(30), "Late");
        Assistant early = assistantCreatedAt(START.plusSeconds(10), "Early");
        Assistant middle = assistantCreatedAt(START.plusSeconds(20), "Middle");
        store.create(late);
        store.create(early);
        store.create(middle);

        assertThat(store.search(AssistantQuery.all())).containsExactly(early, middle, late);
    }

    @Test
    void search_emptyStore_isEmpty() {
        assertThat(store.search(AssistantQuery.all())).isEmpty();
        assertThat(store.count(AssistantQuery.all())).isZero();
    }

    @Test
    void search_byGraphId_matchesExactly() {
        Assistant telco = store.create(assistant("telco", "One", null));
        store.create(assistant("telco-v2", "Two", null));
        store.create(assistant("Telco", "Three", null));
        Assistant telcoAgain = store.create(assistant("telco", "Four", null));

        assertThat(store.search(query("telco", null, null))).containsExactly(telco, telcoAgain);
        assertThat(store.search(query("tel", null, null))).isEmpty();
    }

    @Test
    void search_byMetadata_matchesByContainment() {
        Assistant match = store.create(assistant("telco", "A",
                json("{\"team\":\"care\",\"limits\":{\"region\":\"eu\",\"max\":3},\"tags\":[\"vip\",\"beta\"]}")));
        store.create(assistant("telco", "B", json("{\"team\":\"care\",\"limits\":{\"region\":\"us\",\"max\":3}}")));
        store.create(assistant("telco", "C", json("{\"team\":\"sales\"}")));
        store.create(assistant("telco", "D", null));

        assertThat(store.search(query(null, json("{\"limits\":{\"region\":\"eu\"}}"), null))).containsExactly(match);
        assertThat(store.search(query(null, json("{\"tags\":[\"beta\"]}"), null))).containsExactly(match);
        assertThat(store.search(query(null, json("{\"team\":\"care\"}"), null))).hasSize(2);
        assertThat(store.search(query(null, json("{\"team\":\"nobody\"}"), null))).isEmpty();
    }

    @Test
    void search_byMetadataNull_matchesOnlyAnExplicitNull() {
        Assistant explicitNull = store.create(assistant("telco", "A", json("{\"owner\":null}")));
        store.create(assistant("telco", "B", json("{\"owner\":\"ada\"}")));
        store.create(assistant("telco", "C", null));

        assertThat(store.search(query(null, json("{\"owner\":null}"), null))).containsExactly(explicitNull);
    }

    @Test
    void search_byName_matchesSubstringIgnoringCase() {
        Assistant support = store.create(assistant("telco", "Telco Support", null));
        Assistant supportDesk = store.create(assistant("telco", "support desk", null));
        store.create(assistant("telco", "Billing", null));

        assertThat(store.search(query(null, null, "SUPP"))).containsExactly(support, supportDesk);
        assertThat(store.search(query(null, null, "co sup"))).containsExactly(support);
        assertThat(store.search(query(null, null, "billing"))).hasSize(1);
        assertThat(store.search(query(null, null, "nothing"))).isEmpty();
    }

    @Test
    void search_byName_treatsLikeWildcardsLiterally() {
        Assistant percent = store.create(assistant("telco", "50% off", null));
        store.create(assistant("telco", "500 off", null));
        Assistant underscore = store.create(assistant("telco", "plan_a", null));
        store.create(assistant("telco", "planXa", null));
        Assistant backslash = store.create(assistant("telco", "back\\slash", null));
        store.create(assistant("telco", "backslash", null));

        assertThat(store.search(query(null, null, "0%"))).containsExactly(percent);
        assertThat(store.search(query(null, null, "n_a"))).containsExactly(underscore);
        assertThat(store.search(query(null, null, "k\\s"))).containsExactly(backslash);
        assertThat(store.search(query(null, null, "%"))).containsExactly(percent);
    }

    @Test
    void search_combinedFilters_requireAll() {
        Assistant hit = store.create(assistant("telco", "Telco Support", json("{\"team\":\"care\"}")));
        store.create(assistant("other", "Telco Support", json("{\"team\":\"care\"}")));
        store.create(assistant("telco", "Billing", json("{\"team\":\"care\"}")));
        store.create(assistant("telco", "Telco Support", json("{\"team\":\"sales\"}")));

        AssistantQuery q = query("telco", json("{\"team\":\"care\"}"), "support");

        assertThat(store.search(q)).containsExactly(hit);
        assertThat(store.count(q)).isEqualTo(1);
    }

    @Test
    void search_limitAndOffset_pageOldestFirst() {
        List<Assistant> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(store.create(assistant("telco", "A" + i, null)));
        }

        assertThat(store.search(new AssistantQuery(null, null, null, 3, 0))).containsExactlyElementsOf(created.subList(0, 3));
        assertThat(store.search(new AssistantQuery(null, null, null, 3, 3))).containsExactlyElementsOf(created.subList(3, 6));
        assertThat(store.search(new AssistantQuery(null, null, null, 3, 6))).containsExactlyElementsOf(created.subList(6, 7));
        assertThat(store.search(new AssistantQuery(null, null, null, 3, 7))).isEmpty();
    }

    @Test
    void search_limitAndOffset_applyAfterFiltering() {
        List<Assistant> telco = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Assistant a = store.create(assistant(i % 2 == 0 ? "telco" : "other", "A" + i, null));
            if (i % 2 == 0) {
                telco.add(a);
            }
        }

        assertThat(store.search(new AssistantQuery("telco", null, null, 1, 1))).containsExactly(telco.get(1));
    }

    // --- count ------------------------------------------------------------------------------------

    @Test
    void count_matchesSearchAndIgnoresThePage() {
        for (int i = 0; i < 5; i++) {
            store.create(assistant("telco", "Support " + i, json("{\"team\":\"care\"}")));
        }
        store.create(assistant("other", "Sales", json("{\"team\":\"sales\"}")));

        assertThat(store.count(AssistantQuery.all())).isEqualTo(6);
        assertThat(store.count(new AssistantQuery("telco", null, null, 2, 1))).isEqualTo(5);
        assertThat(store.count(query(null, json("{\"team\":\"sales\"}"), null))).isEqualTo(1);
        assertThat(store.count(query(null, null, "SUPPORT"))).isEqualTo(5);
        assertThat(store.count(query("other", null, "support"))).isZero();
    }

    @Test
    void count_followsCreatesAndDeletes() {
        Assistant a = store.create(assistant("telco", "A", null));
        store.create(assistant("telco", "B", null));
        assertThat(store.count(AssistantQuery.all())).isEqualTo(2);

        store.delete(a.assistantId());

        assertThat(store.count(AssistantQuery.all())).isEqualTo(1);
    }

    // --- versions ---------------------------------------------------------------------------------

    @Test
    void versions_afterCreate_isTheFirstVersion() {
        Assistant a = store.create(assistant("telco", "A", null));

        assertThat(store.versions(a.assistantId(), null, 10, 0)).containsExactly(a);
    }

    @Test
    void versions_afterUpdates_newestFirstAndPaged() {
        Assistant v1 = store.create(assistant("telco", "A", json("{\"tier\":\"one\"}")));
        Assistant v2 = bumped(v1, "B", json("{\"tier\":\"two\"}"));
        store.update(v2);
        Assistant v3 = bumped(v2, "C", json("{\"tier\":\"two\",\"x\":1}"));
        store.update(v3);

        assertThat(store.versions(v1.assistantId(), null, 10, 0)).extracting(Assistant::version)
                .containsExactly(3, 2, 1);
        assertThat(store.versions(v1.assistantId(), null, 1, 1)).extracting(Assistant::name).containsExactly("B");
        assertThat(store.versions(v1.assistantId(), json("{\"tier\":\"two\"}"), 10, 0))
                .extracting(Assistant::version).containsExactly(3, 2);
        assertThat(store.get(v1.assistantId())).contains(v3);
    }

    @Test
    void setLatest_olderVersion_becomesLiveAndVersionsStayAll() {
        Assistant v1 = store.create(assistant("telco", "A", null));
        store.update(bumped(v1, "B", null));

        Assistant live = store.setLatest(v1.assistantId(), 1);

        assertThat(live.version()).isEqualTo(1);
        assertThat(live.name()).isEqualTo("A");
        assertThat(live.config()).isEqualTo(v1.config());
        assertThat(store.get(v1.assistantId()).orElseThrow().name()).isEqualTo("A");
        assertThat(store.versions(v1.assistantId(), null, 10, 0)).hasSize(2);
    }

    @Test
    void setLatest_unknownVersionOrAssistant_isNotFoundAndChangesNothing() {
        Assistant v1 = store.create(assistant("telco", "A", null));

        assertThatThrownBy(() -> store.setLatest(v1.assistantId(), 7))
                .isInstanceOf(SwitchboardException.NotFound.class);
        assertThatThrownBy(() -> store.setLatest(Ids.newId(), 1)).isInstanceOf(SwitchboardException.NotFound.class);
        assertThat(store.get(v1.assistantId())).contains(v1);
    }

    @Test
    void delete_removesTheVersionsToo() {
        Assistant v1 = store.create(assistant("telco", "A", null));
        store.update(bumped(v1, "B", null));

        store.delete(v1.assistantId());

        assertThat(store.versions(v1.assistantId(), null, 10, 0)).isEmpty();
        assertThat(store.get(v1.assistantId())).isEmpty();
    }

    private Assistant bumped(Assistant a, String name, ObjectNode metadata) {
        Instant now = clock.advance(Duration.ofSeconds(1));
        return new Assistant(a.assistantId(), a.graphId(), a.config(), a.context(), metadata, a.version() + 1, name,
                a.description(), a.createdAt(), now);
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A version-1 assistant created one clock second after the previous one. */
    protected Assistant assistant(String graphId, String name, ObjectNode metadata) {
        Instant now = clock.advance(Duration.ofSeconds(1));
        return new Assistant(Ids.newId(), graphId, json("{\"configurable\":{\"model\":\"scripted\"}}"), null,
                metadata, 1, name, "about " + name, now, now);
    }

    private static Assistant assistantCreatedAt(Instant createdAt, String name) {
        return new Assistant(Ids.newId(), "telco", null, null, null, 1, name, null, createdAt, createdAt);
    }

    protected static AssistantQuery query(String graphId, ObjectNode metadata, String name) {
        return new AssistantQuery(graphId, metadata, name, 1000, 0);
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }
}
