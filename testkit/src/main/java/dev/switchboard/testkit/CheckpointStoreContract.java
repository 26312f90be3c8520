package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.checkpoint.Checkpoint.Source;
import dev.switchboard.checkpoint.CheckpointStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The behaviour every {@link CheckpointStore} must have. Extend it and answer {@link #newStore} with an
 * empty store; each test gets a fresh one. Checkpoints carry their own timestamps, so the clock is there
 * only for a store that wants one.
 *
 * <p>"Latest" and "newest first" are by checkpoint id (time-ordered UUIDv7 from {@link Ids#newId()}), not
 * by the order of {@code put} calls nor by {@code createdAt}; some tests put checkpoints out of order to
 * tell these apart. Time starts at a whole second and moves in whole milliseconds or more, so a store must
 * keep instants to at least millisecond precision and give them back exactly. JSON is built from text, as
 * a store that keeps JSON text would read it back. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code CheckpointStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class CheckpointStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    protected ManualClock clock;
    protected CheckpointStore store;
    protected final UUID thread = Ids.newId();
    protected final UUID otherThread = Ids.newId();

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract CheckpointStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- put, get ---------------------------------------------------------------------------------

    @Test
    void put_thenGet_returnsEqualCheckpoint() {
        Checkpoint checkpoint = checkpoint(thread, Ids.newId(), 0);

        store.put(checkpoint);

        assertThat(store.get(thread, checkpoint.checkpointId())).contains(checkpoint);
    }

    @Test
    void put_fullRecord_roundTripsExactly() {
        UUID parent = Ids.newId();
        Instant created = clock.advance(Duration.ofMillis(4_321));
        Checkpoint checkpoint = new Checkpoint(Ids.newId(), thread, parent, Ids.newId(), 7, Source.UPDATE,
                json("""
                        {"messages":[{"type":"human","content":"grüße, 你好, \\"q\\"\\n","id":"m1"},
                                     {"type":"ai","content":"","tool_calls":[{"id":"c1","name":"change_package","args":{"plan":"5g","note":null}}]},
                                     {"type":"tool","content":"ok","tool_call_id":"c1","status":"success"}],
                         "interim_messages":[],"customer":{"balance":-12.25,"vip":true,"nothing":null,"tags":[1,"two",[],{}]}}
                        """),
                List.of("tools", "agent"),
                json("{\"source\":\"update\",\"step\":7,\"writes\":{\"agent\":{\"n\":1}},\"parents\":{},\"x\":null}"),
                created);

        store.put(checkpoint);

        assertThat(store.get(thread, checkpoint.checkpointId())).contains(checkpoint);
        assertThat(store.latest(thread)).contains(checkpoint);
        assertThat(store.list(thread, 10, null)).containsExactly(checkpoint);
    }

    /** What {@code PATCH /threads/{id}/state} rests on: a put with a stored id replaces that checkpoint. */
    @Test
    void put_withAStoredId_replacesThatCheckpoint_andLeavesItLatest() {
        Checkpoint original = checkpoint(thread, Ids.newId(), 0);
        store.put(original);
        Checkpoint patched = new Checkpoint(original.checkpointId(), thread, original.parentId(), original.runId(),
                original.step(), original.source(), original.values(), original.next(),
                json("{\"source\":\"loop\",\"reviewed\":true}"), original.createdAt());

        store.put(patched);

        assertThat(store.get(thread, original.checkpointId())).contains(patched);
        assertThat(store.latest(thread)).contains(patched);
        assertThat(store.list(thread, 10, null)).containsExactly(patched);
    }

    @Test
    void put_minimalRecord_keepsNullParentAndRunAndEmptyNext() {
        Checkpoint checkpoint = new Checkpoint(Ids.newId(), thread, null, null, -1, Source.INPUT, null, null, null,
                clock.instant());

        store.put(checkpoint);

        Checkpoint stored = store.get(thread, checkpoint.checkpointId()).orElseThrow();
        assertThat(stored).isEqualTo(checkpoint);
        assertThat(stored.parentId()).isNull();
        assertThat(stored.runId()).isNull();
        assertThat(stored.next()).isEmpty();
        assertThat(stored.values()).isEqualTo(Json.object());
        assertThat(stored.metadata()).isEqualTo(Json.object());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Source.class)
    void put_eachSource_roundTrips(Source source) {
        Checkpoint checkpoint = new Checkpoint(Ids.newId(), thread, null, null, 0, source, json("{\"a\":1}"),
                List.of("agent"), null, clock.instant());

        store.put(checkpoint);

        assertThat(store.get(thread, checkpoint.checkpointId())).contains(checkpoint);
    }

    @Test
    void put_nextOrder_isKept() {
        Checkpoint checkpoint = new Checkpoint(Ids.newId(), thread, null, null, 1, Source.LOOP, null,
                List.of("zeta", "alpha", "mid"), null, clock.instant());

        store.put(checkpoint);

        assertThat(store.get(thread, checkpoint.checkpointId())).get().extracting(Checkpoint::next)
                .isEqualTo(List.of("zeta", "alpha", "mid"));
    }

    @Test
    void get_missingCheckpoint_isEmpty() {
        store.put(checkpoint(thread, null, 0));

        assertThat(store.get(thread, Ids.newId())).isEmpty();
        assertThat(store.get(Ids.newId(), Ids.newId())).isEmpty();
    }

    @Test
    void get_withAnotherThreadsId_isEmpty() {
        Checkpoint checkpoint = checkpoint(thread, null, 0);
        store.put(checkpoint);

        assertThat(store.get(otherThread, checkpoint.checkpointId())).isEmpty();
    }

    // --- latest -----------------------------------------------------------------------------------

    @Test
    void latest_emptyThread_isEmpty() {
        store.put(checkpoint(otherThread, null, 0));

        assertThat(store.latest(thread)).isEmpty();
    }

    @Test
    void latest_isTheCheckpointWithGreatestId() {
        Checkpoint c1 = checkpoint(thread, null, 0);
        Checkpoint c2 = checkpoint(thread, null, 1);
        Checkpoint c3 = checkpoint(thread, null, 2);
        store.put(c1);
        store.put(c2);
        store.put(c3);

        assertThat(store.latest(thread)).contains(c3);
    }

    @Test
    void latest_followsIdsNotTheOrderOfPuts() {
        Checkpoint c1 = checkpoint(thread, null, 0);
        Checkpoint c2 = checkpoint(thread, null, 1);
        Checkpoint c3 = checkpoint(thread, null, 2);
        store.put(c2);
        store.put(c3);
        store.put(c1);

        assertThat(store.latest(thread)).contains(c3);
    }

    @Test
    void latest_followsIdsNotCreatedAt() {
        UUID olderId = Ids.newId();
        UUID newerId = Ids.newId();
        Checkpoint newerIdEarlierTime = new Checkpoint(newerId, thread, olderId, null, 1, Source.LOOP, null, null, null,
                START.plusSeconds(1));
        Checkpoint olderIdLaterTime = new Checkpoint(olderId, thread, null, null, 0, Source.INPUT, null, null, null,
                START.plusSeconds(60));
        store.put(olderIdLaterTime);
        store.put(newerIdEarlierTime);

        assertThat(store.latest(thread)).contains(newerIdEarlierTime);
        assertThat(store.list(thread, 10, null)).containsExactly(newerIdEarlierTime, olderIdLaterTime);
    }

    @Test
    void latest_ignoresOtherThreads() {
        Checkpoint mine = checkpoint(thread, null, 0);
        store.put(mine);
        Checkpoint theirs = checkpoint(otherThread, null, 0);
        store.put(theirs);

        assertThat(store.latest(thread)).contains(mine);
        assertThat(store.latest(otherThread)).contains(theirs);
    }

    // --- list -------------------------------------------------------------------------------------

    @Test
    void list_returnsNewestFirst() {
        List<Checkpoint> written = putChain(thread, null, 5);

        assertThat(store.list(thread, 100, null)).containsExactlyElementsOf(written.reversed());
    }

    @Test
    void list_limit_keepsTheNewest() {
        List<Checkpoint> written = putChain(thread, null, 5);

        assertThat(store.list(thread, 2, null)).containsExactly(written.get(4), written.get(3));
        assertThat(store.list(thread, 1, null)).containsExactly(written.get(4));
    }

    @Test
    void list_before_returnsOnlyOlderCheckpointsNewestFirst() {
        List<Checkpoint> written = putChain(thread, null, 5);

        assertThat(store.list(thread, 100, written.get(3).checkpointId()))
                .containsExactly(written.get(2), written.get(1), written.get(0));
    }

    @Test
    void list_beforeWithLimit_returnsTheNextOlderPage() {
        List<Checkpoint> written = putChain(thread, null, 6);

        List<Checkpoint> firstPage = store.list(thread, 2, null);
        List<Checkpoint> secondPage = store.list(thread, 2, firstPage.getLast().checkpointId());
        List<Checkpoint> thirdPage = store.list(thread, 2, secondPage.getLast().checkpointId());
        List<Checkpoint> fourthPage = store.list(thread, 2, thirdPage.getLast().checkpointId());

        assertThat(firstPage).containsExactly(written.get(5), written.get(4));
        assertThat(secondPage).containsExactly(written.get(3), written.get(2));
        assertThat(thirdPage).containsExactly(written.get(1), written.get(0));
        assertThat(fourthPage).isEmpty();
    }

    @Test
    void list_beforeTheOldest_isEmpty() {
        List<Checkpoint> written = putChain(thread, null, 3);

        assertThat(store.list(thread, 100, written.getFirst().checkpointId())).isEmpty();
    }

    @Test
    void list_beforeAnIdNewerThanAll_returnsEverything() {
        List<Checkpoint> written = putChain(thread, null, 3);

        assertThat(store.list(thread, 100, Ids.newId())).containsExactlyElementsOf(written.reversed());
    }

    @Test
    void list_onlyThatThreadsCheckpoints() {
        List<Checkpoint> mine = putChain(thread, null, 2);
        putChain(otherThread, null, 3);

        assertThat(store.list(thread, 100, null)).containsExactlyElementsOf(mine.reversed());
        assertThat(store.list(Ids.newId(), 100, null)).isEmpty();
    }

    @Test
    void list_interleavedThreads_keepEachThreadsOrder() {
        List<Checkpoint> mine = new ArrayList<>();
        List<Checkpoint> theirs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Checkpoint a = checkpoint(thread, null, i);
            Checkpoint b = checkpoint(otherThread, null, i);
            store.put(a);
            store.put(b);
            mine.add(a);
            theirs.add(b);
        }

        assertThat(store.list(thread, 100, null)).containsExactlyElementsOf(mine.reversed());
        assertThat(store.list(otherThread, 100, null)).containsExactlyElementsOf(theirs.reversed());
    }

    // --- deleteByRun ------------------------------------------------------------------------------

    @Test
    void deleteByRun_removesThatRunsCheckpointsAndCountsThem() {
        UUID run = Ids.newId();
        putChain(thread, run, 3);

        assertThat(store.deleteByRun(thread, run)).isEqualTo(3);

        assertThat(store.list(thread, 100, null)).isEmpty();
        assertThat(store.latest(thread)).isEmpty();
        assertThat(store.deleteByRun(thread, run)).as("second delete").isZero();
    }

    @Test
    void deleteByRun_leavesOtherRunsCheckpoints() {
        UUID firstRun = Ids.newId();
        UUID rolledBack = Ids.newId();
        UUID laterRun = Ids.newId();
        Checkpoint manual = checkpoint(thread, null, -1);
        store.put(manual);
        List<Checkpoint> first = putChain(thread, firstRun, 2);
        putChain(thread, rolledBack, 3);
        List<Checkpoint> later = putChain(thread, laterRun, 1);

        assertThat(store.deleteByRun(thread, rolledBack)).isEqualTo(3);

        assertThat(store.list(thread, 100, null))
                .containsExactly(later.get(0), first.get(1), first.get(0), manual);
    }

    @Test
    void deleteRunAndLater_removesTheRunAndWhatOtherRunsWroteAfterItsFirst_keepsEarlierAndRunlessOnes() {
        UUID firstRun = Ids.newId();
        UUID rolledBack = Ids.newId();
        UUID secondary = Ids.newId();
        UUID otherThreadRun = Ids.newId();
        List<Checkpoint> first = putChain(thread, firstRun, 2);
        putChain(thread, rolledBack, 2);
        putChain(thread, secondary, 1);
        Checkpoint manual = checkpoint(thread, null, 9);
        store.put(manual);
        UUID otherThread = Ids.newId();
        List<Checkpoint> elsewhere = putChain(otherThread, otherThreadRun, 1);

        assertThat(store.deleteRunAndLater(thread, rolledBack)).isEqualTo(3);

        assertThat(store.list(thread, 100, null)).containsExactly(manual, first.get(1), first.get(0));
        assertThat(store.list(otherThread, 100, null)).containsExactlyElementsOf(elsewhere);
        assertThat(store.deleteRunAndLater(thread, rolledBack)).as("a run with no checkpoints").isZero();
    }

    @Test
    void deleteByRun_ofTheLastRun_makesLatestTheCheckpointBeforeIt() {
        UUID firstRun = Ids.newId();
        UUID rolledBack = Ids.newId();
        List<Checkpoint> first = putChain(thread, firstRun, 2);
        putChain(thread, rolledBack, 2);

        store.deleteByRun(thread, rolledBack);

        assertThat(store.latest(thread)).contains(first.getLast());
    }

    @Test
    void deleteByRun_onlyInTheGivenThread() {
        UUID run = Ids.newId();
        List<Checkpoint> mine = putChain(thread, run, 2);

        assertThat(store.deleteByRun(otherThread, run)).isZero();

        assertThat(store.list(thread, 100, null)).containsExactlyElementsOf(mine.reversed());
    }

    @Test
    void deleteByRun_unknownRun_returnsZero() {
        List<Checkpoint> written = putChain(thread, Ids.newId(), 2);
        store.put(checkpoint(thread, null, 9));

        assertThat(store.deleteByRun(thread, Ids.newId())).isZero();
        assertThat(store.deleteByRun(Ids.newId(), Ids.newId())).isZero();
        assertThat(store.list(thread, 100, null)).hasSize(written.size() + 1);
    }

    // --- deleteByThread ---------------------------------------------------------------------------

    @Test
    void deleteByThread_removesEveryCheckpointOfTheThreadAndCountsThem() {
        putChain(thread, Ids.newId(), 3);
        store.put(checkpoint(thread, null, 3));
        List<Checkpoint> theirs = putChain(otherThread, Ids.newId(), 2);

        assertThat(store.deleteByThread(thread)).isEqualTo(4);

        assertThat(store.list(thread, 100, null)).isEmpty();
        assertThat(store.latest(thread)).isEmpty();
        assertThat(store.list(otherThread, 100, null)).containsExactlyElementsOf(theirs.reversed());
        assertThat(store.deleteByThread(thread)).as("second delete").isZero();
    }

    @Test
    void deleteByThread_unknownThread_returnsZero() {
        putChain(thread, null, 2);

        assertThat(store.deleteByThread(Ids.newId())).isZero();
        assertThat(store.list(thread, 100, null)).hasSize(2);
    }

    @Test
    void put_afterDeleteByThread_startsAfresh() {
        putChain(thread, null, 2);
        store.deleteByThread(thread);

        Checkpoint fresh = checkpoint(thread, null, 0);
        store.put(fresh);

        assertThat(store.list(thread, 100, null)).containsExactly(fresh);
        assertThat(store.latest(thread)).contains(fresh);
    }

    // --- nobody can change a stored checkpoint behind the store's back ----------------------------

    @Test
    void put_callerMutatesCheckpointAfterwards_storedCheckpointUnchanged() {
        Checkpoint checkpoint = checkpoint(thread, null, 0);
        ObjectNode values = checkpoint.values().deepCopy();
        store.put(checkpoint);

        checkpoint.values().put("sneaky", true);
        checkpoint.metadata().put("sneaky", true);

        Checkpoint stored = store.get(thread, checkpoint.checkpointId()).orElseThrow();
        assertThat(stored.values()).isEqualTo(values);
        assertThat(stored.metadata().has("sneaky")).isFalse();
    }

    @Test
    void get_callerMutatesReturnedCheckpoint_storedCheckpointUnchanged() {
        Checkpoint checkpoint = checkpoint(thread, null, 0);
        ObjectNode values = checkpoint.values().deepCopy();
        store.put(checkpoint);

        store.get(thread, checkpoint.checkpointId()).orElseThrow().values().put("sneaky", 1);
        store.latest(thread).orElseThrow().values().put("sneaky", 2);
        store.list(thread, 10, null).getFirst().values().put("sneaky", 3);

        assertThat(store.get(thread, checkpoint.checkpointId())).get().extracting(Checkpoint::values).isEqualTo(values);
    }

    // --- concurrency ------------------------------------------------------------------------------

    @Test
    void put_fromManyVirtualThreadsAtOnce_losesNothing() throws Exception {
        int writers = 16;
        int putsEach = 25;
        List<UUID> threads = List.of(thread, otherThread);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                UUID t = threads.get(w % threads.size());
                UUID run = Ids.newId();
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < putsEach; i++) {
                        store.put(new Checkpoint(Ids.newId(), t, null, run, i, Source.LOOP, json("{\"i\":" + i + "}"),
                                null, null, START));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        }

        for (UUID t : threads) {
            List<Checkpoint> all = store.list(t, 1000, null);
            assertThat(all).hasSize(writers / threads.size() * putsEach);
            List<UUID> ids = all.stream().map(Checkpoint::checkpointId).toList();
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(store.latest(t)).contains(all.getFirst());
        }
    }

    // --- keep-latest ------------------------------------------------------------------------------

    @Test
    void deleteAllButLatest_keepsOnlyTheLatestOfThatThread() {
        List<Checkpoint> chain = putChain(thread, Ids.newId(), 4);
        List<Checkpoint> other = putChain(otherThread, Ids.newId(), 2);

        assertThat(store.deleteAllButLatest(thread)).isEqualTo(3);

        assertThat(store.list(thread, 10, null)).containsExactly(chain.get(3));
        assertThat(store.latest(thread)).contains(chain.get(3));
        assertThat(store.list(otherThread, 10, null)).hasSize(2).containsAll(other);
        assertThat(store.deleteAllButLatest(thread)).as("again").isZero();
        assertThat(store.deleteAllButLatest(Ids.newId())).as("unknown thread").isZero();
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A loop checkpoint with a fresh (greater than every earlier) id, one clock second after the last. */
    protected Checkpoint checkpoint(UUID threadId, UUID runId, int step) {
        Instant now = clock.advance(Duration.ofSeconds(1));
        return new Checkpoint(Ids.newId(), threadId, null, runId, step, Source.LOOP,
                json("{\"messages\":[{\"type\":\"human\",\"content\":\"step " + step + "\"}],\"step\":" + step + "}"),
                List.of("agent"), json("{\"source\":\"loop\",\"step\":" + step + "}"), now);
    }

    /** Puts {@code count} checkpoints of one run, each the parent of the next; answers them oldest first. */
    protected List<Checkpoint> putChain(UUID threadId, UUID runId, int count) {
        List<Checkpoint> written = new ArrayList<>();
        UUID parent = null;
        for (int i = 0; i < count; i++) {
            Checkpoint plain = checkpoint(threadId, runId, i);
            Checkpoint linked = new Checkpoint(plain.checkpointId(), threadId, parent, runId, i, plain.source(),
                    plain.values(), plain.next(), plain.metadata(), plain.createdAt());
            store.put(linked);
            written.add(linked);
            parent = linked.checkpointId();
        }
        return written;
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }
}
