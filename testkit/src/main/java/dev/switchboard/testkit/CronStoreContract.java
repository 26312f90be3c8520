package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.cron.Cron;
import dev.switchboard.cron.CronQuery;
import dev.switchboard.cron.CronStore;
import dev.switchboard.cron.OnRunCompleted;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CronStore} must have. Extend it and answer {@link #newStore} with an empty store;
 * each test gets a fresh one. {@link #newStore} may be called twice in one test (two instances on one database)
 * and must then answer a second store on the same data; a store that cannot share data answers the same object.
 */
public abstract class CronStoreContract {
    protected static final Instant START = ManualClock.DEFAULT_START;

    protected ManualClock clock;
    protected CronStore store;

    /** A store on this test's (fresh) data. */
    protected abstract CronStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    private Cron cron(UUID threadId, String user, Instant next) {
        Instant created = clock.advance(Duration.ofSeconds(1));
        return new Cron(Ids.newId(), Ids.newId(), threadId, user, "*/5 * * * *", null, null, null, true,
                json("{\"input\":{\"messages\":\"ping\"},\"config\":{\"configurable\":{\"k\":1}}}"),
                json("{\"team\":\"ops\"}"), next, created, created);
    }

    private static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }

    @Test
    void create_fullRecord_roundTripsExactly() {
        Instant end = START.plus(Duration.ofDays(30)).plusMillis(7);
        Cron c = new Cron(Ids.newId(), Ids.newId(), null, "alice", "30 9 * * 1-5", "Europe/Paris", end,
                OnRunCompleted.KEEP, false, json("{\"input\":{\"messages\":[{\"role\":\"user\",\"content\":\"Grüße\"}]},"
                + "\"stream_mode\":[\"values\"],\"nothing\":null}"), json("{\"nested\":{\"a\":[1,{}]}}"),
                START.plusMillis(1234), START, START.plusSeconds(1));

        store.create(c);

        assertThat(store.get(c.cronId())).contains(c);
    }

    @Test
    void create_sameIdTwice_isConflict() {
        Cron c = cron(null, null, START);
        store.create(c);
        assertThatThrownBy(() -> store.create(c)).isInstanceOf(SwitchboardException.Conflict.class);
    }

    @Test
    void update_replacesDefinition_andMissingCronIsNotFound() {
        Cron c = store.create(cron(Ids.newId(), "alice", START.plusSeconds(60)));
        Cron changed = new Cron(c.cronId(), c.assistantId(), c.threadId(), c.userId(), "0 * * * *", "UTC",
                START.plusSeconds(9999), null, false, json("{\"input\":null}"), json("{}"), null, c.createdAt(),
                c.updatedAt().plusSeconds(5));

        assertThat(store.update(changed)).isEqualTo(changed);
        assertThat(store.get(c.cronId())).contains(changed);
        assertThatThrownBy(() -> store.update(cron(null, null, START))).isInstanceOf(SwitchboardException.NotFound.class);
    }

    @Test
    void delete_andDeleteByThread() {
        UUID thread = Ids.newId();
        Cron a = store.create(cron(thread, null, START));
        Cron b = store.create(cron(thread, null, START));
        Cron other = store.create(cron(null, null, START));

        assertThat(store.delete(other.cronId())).isTrue();
        assertThat(store.delete(other.cronId())).isFalse();
        assertThat(store.deleteByThread(thread)).isEqualTo(2);
        assertThat(store.get(a.cronId())).isEmpty();
        assertThat(store.get(b.cronId())).isEmpty();
    }

    @Test
    void search_filtersByEveryField_andCountAgrees() {
        UUID thread = Ids.newId();
        Cron a = store.create(cron(thread, "alice", START));
        Cron b = store.create(cron(null, "bob", START));
        Cron disabled = cron(null, "alice", null);
        disabled = store.create(new Cron(disabled.cronId(), a.assistantId(), null, "alice", disabled.schedule(), null,
                null, null, false, disabled.payload(), json("{\"team\":\"sales\"}"), null, disabled.createdAt(),
                disabled.updatedAt()));

        assertThat(store.search(CronQuery.all())).containsExactly(a, b, disabled);
        CronQuery byUser = new CronQuery(null, null, null, null, "alice", null, false, 10, 0);
        assertThat(store.search(byUser)).containsExactly(a, disabled);
        assertThat(store.count(byUser)).isEqualTo(2);
        CronQuery byAssistant = new CronQuery(a.assistantId(), null, null, null, null, null, false, 10, 0);
        assertThat(store.search(byAssistant)).containsExactly(a, disabled);
        assertThat(store.search(new CronQuery(null, thread, null, null, null, null, false, 10, 0))).containsExactly(a);
        assertThat(store.search(new CronQuery(null, null, false, null, null, null, false, 10, 0)))
                .containsExactly(disabled);
        CronQuery ops = new CronQuery(null, null, null, json("{\"team\":\"ops\"}"), null, null, false, 10, 0);
        assertThat(store.search(ops)).containsExactly(a, b);
        assertThat(store.count(ops)).isEqualTo(2);
    }

    @Test
    void search_sortsPagesAndOrders() {
        List<Cron> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(store.create(cron(null, null, START.plusSeconds(100 - i))));
        }
        CronQuery newestFirst = new CronQuery(null, null, null, null, null, CronQuery.SortBy.CREATED_AT, true, 2, 1);
        assertThat(store.search(newestFirst)).containsExactly(made.get(3), made.get(2));
        CronQuery byNext = new CronQuery(null, null, null, null, null, CronQuery.SortBy.NEXT_RUN_DATE, false, 10, 0);
        assertThat(store.search(byNext)).containsExactly(made.get(4), made.get(3), made.get(2), made.get(1),
                made.get(0));
    }

    @Test
    void due_answersEnabledCronsDueNow_earliestFirst_andNextDueIsTheEarliest() {
        Cron later = store.create(cron(null, null, START.plusSeconds(120)));
        Cron due2 = store.create(cron(null, null, START.plusSeconds(2)));
        Cron due1 = store.create(cron(null, null, START.plusSeconds(1)));
        Cron off = cron(null, null, START);
        store.create(new Cron(off.cronId(), off.assistantId(), null, null, off.schedule(), null, null, null, false,
                off.payload(), off.metadata(), START, off.createdAt(), off.updatedAt()));
        store.create(cron(null, null, null));

        assertThat(store.due(START.plusSeconds(60), 10)).containsExactly(due1, due2);
        assertThat(store.due(START.plusSeconds(60), 1)).containsExactly(due1);
        assertThat(store.nextDue()).contains(START.plusSeconds(1));
        assertThat(store.due(START, 10)).isEmpty();
        assertThat(later.nextRunAt()).isAfter(START);
    }

    @Test
    void claim_movesNextOnlyFromTheExpectedValue() {
        Cron c = store.create(cron(null, null, START.plusSeconds(5)));

        Optional<Cron> won = store.claim(c.cronId(), START.plusSeconds(5), START.plusSeconds(305));
        assertThat(won).map(Cron::nextRunAt).contains(START.plusSeconds(305));
        assertThat(won.get().updatedAt()).isEqualTo(c.updatedAt());
        assertThat(store.claim(c.cronId(), START.plusSeconds(5), START.plusSeconds(605))).isEmpty();
        assertThat(store.get(c.cronId()).orElseThrow().nextRunAt()).isEqualTo(START.plusSeconds(305));
        Optional<Cron> last = store.claim(c.cronId(), START.plusSeconds(305), null);
        assertThat(last).isPresent();
        assertThat(last.get().nextRunAt()).isNull();
        assertThat(store.nextDue()).isEmpty();
        assertThat(store.claim(Ids.newId(), START, START)).isEmpty();
    }

    @Test
    void claim_concurrentClaimantsOnTwoStores_exactlyOneWins() throws Exception {
        CronStore second = newStore(clock);
        Cron c = store.create(cron(null, null, START.plusSeconds(5)));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                CronStore s = i % 2 == 0 ? store : second;
                int n = i;
                Callable<Boolean> claim = () -> s.claim(c.cronId(), START.plusSeconds(5),
                        START.plusSeconds(300 + n)).isPresent();
                results.add(pool.submit(claim));
            }
            int wins = 0;
            for (Future<Boolean> f : results) {
                wins += f.get() ? 1 : 0;
            }
            assertThat(wins).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
