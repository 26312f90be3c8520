package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.run.AdmissionRule;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.run.RunStore;
import dev.switchboard.run.RunStore.Admission;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link RunStore} must have: admission and claiming are atomic, so that at most one run
 * per thread and lane is ever running (DESIGN.md §2), and transitions follow {@link RunStatus#canTransitionTo}.
 * Extend it and answer {@link #newStore} with an empty store that reads time only from the given clock; each
 * test gets a fresh one.
 *
 * <p>Time starts at a whole second and moves in whole milliseconds or more, so a store must keep instants
 * to at least millisecond precision and give them back exactly. JSON is built from text, as a store that
 * keeps JSON text would read it back. Runs are admitted one clock second apart unless a test says otherwise,
 * so "oldest" is never a tie. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code RunStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class RunStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    /** Admits whatever it is given. */
    protected static final AdmissionRule ACCEPT = (candidate, active) -> candidate;

    /** Refuses a run while the thread's lane has an active one, as the {@code reject} strategy does. */
    protected static final AdmissionRule REJECT_WHEN_BUSY = (candidate, active) -> {
        if (!active.isEmpty()) {
            throw SwitchboardException.Conflict.threadBusy(candidate.threadId());
        }
        return candidate;
    };

    private static final UUID ASSISTANT = Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "telco");

    /** The instance that claims runs in these tests, and how long its claims hold. */
    protected static final String OWNER = "instance-a";
    protected static final Duration LEASE = Duration.ofSeconds(30);

    protected ManualClock clock;
    protected RunStore store;
    protected final UUID thread = Ids.newId();
    protected final UUID otherThread = Ids.newId();

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract RunStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- admit ------------------------------------------------------------------------------------

    @Test
    void admit_emptyThread_insertsPendingRunAndSawNoActiveRuns() {
        Run candidate = candidate(thread, Lane.MAIN);

        Admission admission = store.admit(candidate, ACCEPT);

        assertThat(admission.activeBefore()).isEmpty();
        assertThat(admission.admitted().status()).isEqualTo(RunStatus.PENDING);
        assertThat(admission.admitted().runId()).isEqualTo(candidate.runId());
        assertThat(store.get(candidate.runId())).contains(admission.admitted());
    }

    @Test
    void admit_fullRecord_roundTripsExactly() {
        Instant created = clock.advance(Duration.ofMillis(1_234));
        Run candidate = new Run(Ids.newId(), thread, ASSISTANT, created, created, RunStatus.PENDING,
                json("{\"owner\":\"ada\",\"nothing\":null,\"nested\":{\"tags\":[\"a\",1,true,null]}}"),
                json("""
                        {"input":{"messages":[{"type":"human","content":"grüße, 你好, \\"q\\"\\n"}]},
                         "config":{"configurable":{"user_id":"u1","model":null}},
                         "stream_mode":["values","messages-tuple"],"superseded_input":"carry","n":-1.5}
                        """),
                MultitaskStrategy.ROLLBACK, Lane.SECONDARY);

        Admission admission = store.admit(candidate, ACCEPT);

        assertThat(admission.admitted()).isEqualTo(candidate);
        assertThat(store.get(candidate.runId())).contains(candidate);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(MultitaskStrategy.class)
    void admit_eachMultitaskStrategy_roundTrips(MultitaskStrategy strategy) {
        Run candidate = candidate(thread, Lane.MAIN, strategy);

        store.admit(candidate, ACCEPT);

        assertThat(store.get(candidate.runId())).get().extracting(Run::multitaskStrategy).isEqualTo(strategy);
    }

    @Test
    void admit_candidateWithAnotherStatus_isInsertedAsPending() {
        Run candidate = candidate(thread, Lane.MAIN).withStatus(RunStatus.RUNNING, clock.instant());

        Admission admission = store.admit(candidate, ACCEPT);

        assertThat(admission.admitted().status()).isEqualTo(RunStatus.PENDING);
        assertThat(store.get(candidate.runId())).get().extracting(Run::status).isEqualTo(RunStatus.PENDING);
        assertThat(store.active(thread, Lane.MAIN)).extracting(Run::status).containsExactly(RunStatus.PENDING);
    }

    @Test
    void admit_busyThread_returnsActiveRunsOfThreadAndLaneOldestFirst() {
        Run finished = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        store.transition(finished.runId(), RunStatus.SUCCESS);
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run waiting = enqueue(thread, Lane.MAIN);
        enqueue(thread, Lane.SECONDARY);
        enqueue(otherThread, Lane.MAIN);

        Admission admission = store.admit(candidate(thread, Lane.MAIN), ACCEPT);

        assertThat(runIds(admission.activeBefore())).containsExactly(running.runId(), waiting.runId());
        assertThat(admission.activeBefore()).extracting(Run::status).containsExactly(RunStatus.RUNNING, RunStatus.PENDING);
        assertThat(admission.activeBefore().getFirst()).isEqualTo(store.get(running.runId()).orElseThrow());
    }

    @Test
    void admit_secondaryLaneRuns_doNotCountForMainLane() {
        enqueue(thread, Lane.SECONDARY);
        claim(thread, Lane.SECONDARY);
        enqueue(thread, Lane.SECONDARY);

        Admission admission = store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY);

        assertThat(admission.activeBefore()).isEmpty();
    }

    @Test
    void admit_mainLaneRuns_doNotCountForSecondaryLane() {
        enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        enqueue(thread, Lane.MAIN);

        Admission admission = store.admit(candidate(thread, Lane.SECONDARY), REJECT_WHEN_BUSY);

        assertThat(admission.activeBefore()).isEmpty();
    }

    @Test
    void admit_otherThreadsRuns_doNotCount() {
        enqueue(otherThread, Lane.MAIN);
        claim(otherThread, Lane.MAIN);

        assertThat(store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY).activeBefore()).isEmpty();
    }

    @Test
    void admit_terminalRuns_doNotCount() {
        for (RunStatus terminal : List.of(RunStatus.SUCCESS, RunStatus.ERROR, RunStatus.TIMEOUT, RunStatus.INTERRUPTED)) {
            Run run = enqueue(thread, Lane.MAIN);
            claim(thread, Lane.MAIN);
            store.transition(run.runId(), terminal);
        }

        Admission admission = store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY);

        assertThat(admission.activeBefore()).isEmpty();
    }

    @Test
    void admit_ruleSeesTheActiveRunsItReturns() {
        Run first = enqueue(thread, Lane.MAIN);
        Run second = enqueue(thread, Lane.MAIN);
        AtomicReference<List<Run>> seen = new AtomicReference<>();

        Admission admission = store.admit(candidate(thread, Lane.MAIN), (candidate, active) -> {
            seen.set(List.copyOf(active));
            return candidate;
        });

        assertThat(runIds(seen.get())).containsExactly(first.runId(), second.runId());
        assertThat(admission.activeBefore()).isEqualTo(seen.get());
    }

    @Test
    void admit_ruleRewritesCandidate_storesTheRewrite() {
        Run earlier = enqueue(thread, Lane.MAIN);
        Run candidate = candidate(thread, Lane.MAIN);

        Admission admission = store.admit(candidate, (c, active) -> c.withKwargs(json(
                "{\"input\":{\"messages\":[{\"type\":\"human\",\"content\":\"first\"},"
                        + "{\"type\":\"human\",\"content\":\"second\"}]},\"carried_from\":\"" + active.getFirst().runId() + "\"}")));

        ObjectNode expectedKwargs = json("{\"input\":{\"messages\":[{\"type\":\"human\",\"content\":\"first\"},"
                + "{\"type\":\"human\",\"content\":\"second\"}]},\"carried_from\":\"" + earlier.runId() + "\"}");
        assertThat(admission.admitted().kwargs()).isEqualTo(expectedKwargs);
        assertThat(admission.admitted().status()).isEqualTo(RunStatus.PENDING);
        assertThat(store.get(candidate.runId())).contains(admission.admitted());
    }

    @Test
    void admit_ruleSubstitutesAnotherRecord_storesThatRecord() {
        Run candidate = candidate(thread, Lane.MAIN);
        Run substitute = new Run(Ids.newId(), thread, ASSISTANT, candidate.createdAt(), candidate.updatedAt(),
                RunStatus.PENDING, json("{\"rewritten\":true}"), json("{\"input\":null}"),
                MultitaskStrategy.INTERRUPT, Lane.MAIN);

        Admission admission = store.admit(candidate, (c, active) -> substitute);

        assertThat(admission.admitted()).isEqualTo(substitute);
        assertThat(store.get(substitute.runId())).contains(substitute);
        assertThat(store.get(candidate.runId())).isEmpty();
    }

    @Test
    void admit_rejectRuleThrows_insertsNothing() {
        Run first = store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY).admitted();
        Run refused = candidate(thread, Lane.MAIN);

        assertThatThrownBy(() -> store.admit(refused, REJECT_WHEN_BUSY))
                .isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                        e -> assertThat(e.code()).isEqualTo("thread_busy"));

        assertThat(store.get(refused.runId())).isEmpty();
        assertThat(runIds(store.list(thread, RunQuery.all()))).containsExactly(first.runId());
        assertThat(runIds(store.active(thread, Lane.MAIN))).containsExactly(first.runId());
        assertThat(runIds(store.pending())).containsExactly(first.runId());
    }

    @Test
    void admit_ruleThrowsOnEmptyThread_insertsNothing() {
        Run candidate = candidate(thread, Lane.MAIN);

        assertThatThrownBy(() -> store.admit(candidate, (c, active) -> {
            throw new SwitchboardException.InvalidRequest("bad_input", "no");
        })).isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class, e -> assertThat(e.code()).isEqualTo("bad_input"));

        assertThat(store.get(candidate.runId())).isEmpty();
        assertThat(store.list(thread, RunQuery.all())).isEmpty();
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void admit_afterRefusal_storeStillAdmits() {
        Run first = store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY).admitted();
        assertThatThrownBy(() -> store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY))
                .isInstanceOf(SwitchboardException.Conflict.class);

        Admission queued = store.admit(candidate(thread, Lane.MAIN), ACCEPT);

        assertThat(runIds(queued.activeBefore())).containsExactly(first.runId());
        assertThat(store.list(thread, RunQuery.all())).hasSize(2);
    }

    // --- get, active ------------------------------------------------------------------------------

    @Test
    void get_missingRun_isEmpty() {
        enqueue(thread, Lane.MAIN);

        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void active_listsPendingAndRunningOfThatThreadAndLaneOldestFirst() {
        Run done = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        store.transition(done.runId(), RunStatus.SUCCESS);
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run pending1 = enqueue(thread, Lane.MAIN);
        Run secondary = enqueue(thread, Lane.SECONDARY);
        Run pending2 = enqueue(thread, Lane.MAIN);
        enqueue(otherThread, Lane.MAIN);

        assertThat(runIds(store.active(thread, Lane.MAIN)))
                .containsExactly(running.runId(), pending1.runId(), pending2.runId());
        assertThat(runIds(store.active(thread, Lane.SECONDARY))).containsExactly(secondary.runId());
        assertThat(store.active(Ids.newId(), Lane.MAIN)).isEmpty();
    }

    // --- transition -------------------------------------------------------------------------------

    static Stream<Arguments> allStatusPairs() {
        return Arrays.stream(RunStatus.values())
                .flatMap(from -> Arrays.stream(RunStatus.values()).map(to -> Arguments.of(from, to)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("allStatusPairs")
    void transition_everyPair_followsCanTransitionTo(RunStatus from, RunStatus to) {
        Run before = runIn(from);
        Instant later = clock.advance(Duration.ofSeconds(7));

        Optional<Run> result = store.transition(before.runId(), to);

        if (from.canTransitionTo(to)) {
            Run expected = before.withStatus(to, later);
            assertThat(result).contains(expected);
            assertThat(store.get(before.runId())).contains(expected);
        } else {
            assertThat(result).isEmpty();
            assertThat(store.get(before.runId())).contains(before);
        }
    }

    @Test
    void transition_pendingToRunning_stampsUpdatedAtFromClockAndKeepsTheRest() {
        Run run = enqueue(thread, Lane.MAIN);
        Instant later = clock.advance(Duration.ofMillis(2_500));

        Run running = store.transition(run.runId(), RunStatus.RUNNING).orElseThrow();

        assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.updatedAt()).isEqualTo(later);
        assertThat(running.createdAt()).isEqualTo(run.createdAt());
        assertThat(running.kwargs()).isEqualTo(run.kwargs());
        assertThat(running.metadata()).isEqualTo(run.metadata());
        assertThat(running.lane()).isEqualTo(run.lane());
        assertThat(running.multitaskStrategy()).isEqualTo(run.multitaskStrategy());
        assertThat(running.assistantId()).isEqualTo(run.assistantId());
        assertThat(running.threadId()).isEqualTo(run.threadId());
    }

    @Test
    void transition_fromTerminal_isRefused() {
        Run run = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run success = store.transition(run.runId(), RunStatus.SUCCESS).orElseThrow();
        clock.advance(Duration.ofSeconds(1));

        for (RunStatus next : RunStatus.values()) {
            assertThat(store.transition(run.runId(), next)).as("success -> " + next.wireName()).isEmpty();
        }
        assertThat(store.get(run.runId())).contains(success);
    }

    @Test
    void transition_pendingStraightToInterrupted_isAllowed() {
        Run run = enqueue(thread, Lane.MAIN);

        assertThat(store.transition(run.runId(), RunStatus.INTERRUPTED)).get()
                .extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
        assertThat(store.active(thread, Lane.MAIN)).isEmpty();
        assertThat(store.pending()).isEmpty();
    }

    @Test
    void transition_missingRun_isEmpty() {
        assertThat(store.transition(Ids.newId(), RunStatus.RUNNING)).isEmpty();
        assertThat(store.list(thread, RunQuery.all())).isEmpty();
    }

    @Test
    void transition_deletedRun_isEmpty() {
        Run run = enqueue(thread, Lane.MAIN);
        store.delete(run.runId());

        assertThat(store.transition(run.runId(), RunStatus.RUNNING)).isEmpty();
        assertThat(store.get(run.runId())).isEmpty();
    }

    // --- claimNext --------------------------------------------------------------------------------

    @Test
    void claimNext_picksOldestPendingAndMarksItRunning() {
        Run oldest = enqueue(thread, Lane.MAIN);
        Run younger = enqueue(thread, Lane.MAIN);
        Instant later = clock.advance(Duration.ofSeconds(3));

        Run claimed = claim(thread, Lane.MAIN).orElseThrow();

        assertThat(claimed).isEqualTo(oldest.withStatus(RunStatus.RUNNING, later).withLease(OWNER, later.plus(LEASE)));
        assertThat(store.get(oldest.runId())).contains(claimed);
        assertThat(store.get(younger.runId())).contains(younger);
    }

    @Test
    void claimNext_whileOneRunning_returnsEmpty() {
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run waiting = enqueue(thread, Lane.MAIN);

        assertThat(claim(thread, Lane.MAIN)).isEmpty();

        assertThat(store.get(waiting.runId())).contains(waiting);
        assertThat(store.get(running.runId())).get().extracting(Run::status).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void claimNext_whileRunningAndNothingPending_returnsEmpty() {
        enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);

        assertThat(claim(thread, Lane.MAIN)).isEmpty();
    }

    @Test
    void claimNext_noRuns_returnsEmpty() {
        assertThat(claim(thread, Lane.MAIN)).isEmpty();
    }

    @Test
    void claimNext_onlyTerminalRuns_returnsEmpty() {
        Run run = enqueue(thread, Lane.MAIN);
        store.transition(run.runId(), RunStatus.INTERRUPTED);

        assertThat(claim(thread, Lane.MAIN)).isEmpty();
        assertThat(store.get(run.runId())).get().extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
    }

    @Test
    void claimNext_afterRunningFinishes_picksTheNextInFifoOrder() {
        Run first = enqueue(thread, Lane.MAIN);
        Run second = enqueue(thread, Lane.MAIN);
        Run third = enqueue(thread, Lane.MAIN);

        List<UUID> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Run claimed = claim(thread, Lane.MAIN).orElseThrow();
            order.add(claimed.runId());
            assertThat(claim(thread, Lane.MAIN)).isEmpty();
            store.transition(claimed.runId(), i == 1 ? RunStatus.ERROR : RunStatus.SUCCESS).orElseThrow();
        }

        assertThat(order).containsExactly(first.runId(), second.runId(), third.runId());
        assertThat(claim(thread, Lane.MAIN)).isEmpty();
    }

    @Test
    void claimNext_skipsARunCancelledBeforeItStarted() {
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run cancelled = enqueue(thread, Lane.MAIN);
        Run next = enqueue(thread, Lane.MAIN);
        store.transition(cancelled.runId(), RunStatus.INTERRUPTED);
        store.transition(running.runId(), RunStatus.INTERRUPTED);

        assertThat(claim(thread, Lane.MAIN)).get().extracting(Run::runId).isEqualTo(next.runId());
    }

    @Test
    void claimNext_afterRunningRunDeleted_picksTheNext() {
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run next = enqueue(thread, Lane.MAIN);

        store.delete(running.runId());

        assertThat(claim(thread, Lane.MAIN)).get().extracting(Run::runId).isEqualTo(next.runId());
    }

    @Test
    void claimNext_lanesAreIndependent() {
        Run main = enqueue(thread, Lane.MAIN);
        Run secondary = enqueue(thread, Lane.SECONDARY);

        assertThat(claim(thread, Lane.MAIN)).get().extracting(Run::runId).isEqualTo(main.runId());
        assertThat(claim(thread, Lane.MAIN)).as("main lane has nothing more").isEmpty();
        assertThat(claim(thread, Lane.SECONDARY)).get().extracting(Run::runId).isEqualTo(secondary.runId());

        assertThat(store.active(thread, Lane.MAIN)).extracting(Run::status).containsExactly(RunStatus.RUNNING);
        assertThat(store.active(thread, Lane.SECONDARY)).extracting(Run::status).containsExactly(RunStatus.RUNNING);
    }

    @Test
    void claimNext_onOneLane_neverTakesTheOtherLanesPendingRun() {
        Run secondary = enqueue(thread, Lane.SECONDARY);

        assertThat(claim(thread, Lane.MAIN)).isEmpty();
        assertThat(store.get(secondary.runId())).contains(secondary);
    }

    @Test
    void claimNext_threadsAreIndependent() {
        enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        enqueue(thread, Lane.MAIN);
        Run other = enqueue(otherThread, Lane.MAIN);

        assertThat(claim(otherThread, Lane.MAIN)).get().extracting(Run::runId).isEqualTo(other.runId());
        assertThat(claim(thread, Lane.MAIN)).isEmpty();
    }

    // --- pending ----------------------------------------------------------------------------------

    @Test
    void pending_listsEveryPendingRunOfEveryThreadAndLaneOldestFirst() {
        Run a = enqueue(thread, Lane.MAIN);
        Run b = enqueue(otherThread, Lane.MAIN);
        Run c = enqueue(thread, Lane.SECONDARY);
        Run d = enqueue(thread, Lane.MAIN);
        Run e = enqueue(otherThread, Lane.SECONDARY);
        claim(thread, Lane.MAIN); // a is running now
        store.transition(e.runId(), RunStatus.INTERRUPTED);

        List<Run> pending = store.pending();

        assertThat(runIds(pending)).containsExactly(b.runId(), c.runId(), d.runId());
        assertThat(pending).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.PENDING));
        assertThat(pending.getFirst()).isEqualTo(b);
        assertThat(runIds(pending)).doesNotContain(a.runId());
    }

    @Test
    void pending_nothingPending_isEmpty() {
        assertThat(store.pending()).isEmpty();

        Run run = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        store.transition(run.runId(), RunStatus.SUCCESS);

        assertThat(store.pending()).isEmpty();
    }

    // --- list -------------------------------------------------------------------------------------

    @Test
    void list_returnsThreadsRunsOfBothLanesNewestFirst() {
        Run first = enqueue(thread, Lane.MAIN);
        Run second = enqueue(thread, Lane.SECONDARY);
        enqueue(otherThread, Lane.MAIN);
        Run third = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);

        List<Run> runs = store.list(thread, RunQuery.all());

        assertThat(runIds(runs)).containsExactly(third.runId(), second.runId(), first.runId());
        assertThat(runs.getLast()).isEqualTo(store.get(first.runId()).orElseThrow());
    }

    @Test
    void list_statusFilter_returnsOnlyThatStatus() {
        Run done = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        store.transition(done.runId(), RunStatus.SUCCESS);
        Run running = enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        Run pending1 = enqueue(thread, Lane.MAIN);
        Run pending2 = enqueue(thread, Lane.MAIN);
        enqueue(otherThread, Lane.MAIN);

        assertThat(runIds(store.list(thread, new RunQuery(RunStatus.PENDING, 10, 0))))
                .containsExactly(pending2.runId(), pending1.runId());
        assertThat(runIds(store.list(thread, new RunQuery(RunStatus.RUNNING, 10, 0)))).containsExactly(running.runId());
        assertThat(runIds(store.list(thread, new RunQuery(RunStatus.SUCCESS, 10, 0)))).containsExactly(done.runId());
        assertThat(store.list(thread, new RunQuery(RunStatus.TIMEOUT, 10, 0))).isEmpty();
    }

    @Test
    void list_limitAndOffset_pageNewestFirst() {
        List<UUID> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(enqueue(thread, Lane.MAIN).runId());
        }
        List<UUID> newestFirst = created.reversed();

        assertThat(runIds(store.list(thread, new RunQuery(null, 3, 0)))).containsExactlyElementsOf(newestFirst.subList(0, 3));
        assertThat(runIds(store.list(thread, new RunQuery(null, 3, 3)))).containsExactlyElementsOf(newestFirst.subList(3, 6));
        assertThat(runIds(store.list(thread, new RunQuery(null, 3, 6)))).containsExactlyElementsOf(newestFirst.subList(6, 7));
        assertThat(store.list(thread, new RunQuery(null, 3, 7))).isEmpty();
    }

    @Test
    void list_statusFilterWithPage_pagesTheFilteredRuns() {
        List<UUID> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Run run = enqueue(thread, Lane.MAIN);
            if (i % 2 == 0) {
                store.transition(run.runId(), RunStatus.INTERRUPTED);
            } else {
                pending.add(run.runId());
            }
        }

        assertThat(runIds(store.list(thread, new RunQuery(RunStatus.PENDING, 1, 1)))).containsExactly(pending.get(1));
    }

    @Test
    void list_unknownThread_isEmpty() {
        enqueue(thread, Lane.MAIN);

        assertThat(store.list(Ids.newId(), RunQuery.all())).isEmpty();
    }

    // --- delete -----------------------------------------------------------------------------------

    @Test
    void delete_existingRun_returnsTrueAndRemovesItEverywhere() {
        Run kept = enqueue(thread, Lane.MAIN);
        Run gone = enqueue(thread, Lane.MAIN);

        assertThat(store.delete(gone.runId())).isTrue();

        assertThat(store.get(gone.runId())).isEmpty();
        assertThat(runIds(store.list(thread, RunQuery.all()))).containsExactly(kept.runId());
        assertThat(runIds(store.active(thread, Lane.MAIN))).containsExactly(kept.runId());
        assertThat(runIds(store.pending())).containsExactly(kept.runId());
    }

    @Test
    void delete_missingRun_returnsFalse() {
        Run run = enqueue(thread, Lane.MAIN);

        assertThat(store.delete(Ids.newId())).isFalse();
        assertThat(store.delete(run.runId())).isTrue();
        assertThat(store.delete(run.runId())).as("second delete").isFalse();
    }

    @Test
    void deleteByThread_removesOnlyThatThreadsRunsAndCountsThem() {
        enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        enqueue(thread, Lane.MAIN);
        enqueue(thread, Lane.SECONDARY);
        Run other = enqueue(otherThread, Lane.MAIN);

        assertThat(store.deleteByThread(thread)).isEqualTo(3);

        assertThat(store.list(thread, RunQuery.all())).isEmpty();
        assertThat(store.active(thread, Lane.MAIN)).isEmpty();
        assertThat(store.active(thread, Lane.SECONDARY)).isEmpty();
        assertThat(runIds(store.pending())).containsExactly(other.runId());
        assertThat(store.get(other.runId())).contains(other);
        assertThat(store.deleteByThread(thread)).as("second delete").isZero();
    }

    @Test
    void deleteByThread_unknownThread_returnsZero() {
        enqueue(thread, Lane.MAIN);

        assertThat(store.deleteByThread(Ids.newId())).isZero();
        assertThat(store.list(thread, RunQuery.all())).hasSize(1);
    }

    @Test
    void deleteFinished_removesOnlyThatThreadsTerminalRuns() {
        Run done = enqueue(thread, Lane.MAIN);
        store.transition(done.runId(), RunStatus.RUNNING);
        store.transition(done.runId(), RunStatus.SUCCESS);
        Run running = enqueue(thread, Lane.MAIN);
        store.transition(running.runId(), RunStatus.RUNNING);
        Run pending = enqueue(thread, Lane.SECONDARY);
        Run otherDone = enqueue(otherThread, Lane.MAIN);
        store.transition(otherDone.runId(), RunStatus.RUNNING);
        store.transition(otherDone.runId(), RunStatus.ERROR);

        assertThat(store.deleteFinished(thread)).isEqualTo(1);

        assertThat(runIds(store.list(thread, RunQuery.all()))).containsExactlyInAnyOrder(running.runId(),
                pending.runId());
        assertThat(store.get(otherDone.runId())).isPresent();
        assertThat(store.deleteFinished(thread)).as("again").isZero();
    }

    @Test
    void admit_afterDeleteByThread_startsAfresh() {
        enqueue(thread, Lane.MAIN);
        claim(thread, Lane.MAIN);
        store.deleteByThread(thread);

        Admission admission = store.admit(candidate(thread, Lane.MAIN), REJECT_WHEN_BUSY);

        assertThat(admission.activeBefore()).isEmpty();
        assertThat(claim(thread, Lane.MAIN)).get().extracting(Run::runId).isEqualTo(admission.admitted().runId());
    }

    // --- nobody can change a stored run behind the store's back -----------------------------------

    @Test
    void admit_callerMutatesCandidateAfterwards_storedRunUnchanged() {
        Run candidate = candidate(thread, Lane.MAIN);
        ObjectNode kwargs = candidate.kwargs().deepCopy();
        Admission admission = store.admit(candidate, ACCEPT);

        candidate.kwargs().put("input", "changed");
        admission.admitted().kwargs().put("input", "changed too");
        admission.admitted().metadata().put("sneaky", true);

        Run stored = store.get(candidate.runId()).orElseThrow();
        assertThat(stored.kwargs()).isEqualTo(kwargs);
        assertThat(stored.metadata()).isEqualTo(Json.object());
    }

    @Test
    void get_callerMutatesReturnedRun_storedRunUnchanged() {
        Run run = enqueue(thread, Lane.MAIN);
        ObjectNode kwargs = run.kwargs().deepCopy();

        store.get(run.runId()).orElseThrow().kwargs().put("input", "changed");
        store.list(thread, RunQuery.all()).getFirst().kwargs().put("input", "changed");
        store.pending().getFirst().kwargs().put("input", "changed");
        store.active(thread, Lane.MAIN).getFirst().kwargs().put("input", "changed");
        claim(thread, Lane.MAIN).orElseThrow().kwargs().put("input", "changed");
        store.transition(run.runId(), RunStatus.SUCCESS).orElseThrow().kwargs().put("input", "changed");

        assertThat(store.get(run.runId())).get().extracting(Run::kwargs).isEqualTo(kwargs);
    }

    // --- concurrency ------------------------------------------------------------------------------

    @Test
    void admitAndClaim_fromManyVirtualThreads_neverRunTwoOnOneThreadAndLane() throws Exception {
        int workers = 8;
        int iterations = 50;
        List<UUID> threads = List.of(thread, otherThread);
        ConcurrentHashMap<String, AtomicInteger> runningNow = new ConcurrentHashMap<>();
        Set<UUID> claimed = ConcurrentHashMap.newKeySet();
        AtomicInteger violations = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < workers; w++) {
                int worker = w;
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        UUID t = threads.get((worker + i) % threads.size());
                        Lane lane = (worker / 2 + i) % 2 == 0 ? Lane.MAIN : Lane.SECONDARY;
                        store.admit(candidate(t, lane), ACCEPT);
                        Optional<Run> next = claim(t, lane);
                        if (next.isPresent()) {
                            finish(next.get(), runningNow, claimed, violations);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        }
        // Whatever was left pending once the workers stopped still runs, one at a time.
        for (UUID t : threads) {
            for (Lane lane : Lane.values()) {
                Optional<Run> next;
                while ((next = claim(t, lane)).isPresent()) {
                    finish(next.get(), runningNow, claimed, violations);
                }
            }
        }

        assertThat(violations.get()).as("claims while another run of the thread and lane was running").isZero();
        assertThat(claimed).hasSize(workers * iterations);
        assertThat(store.pending()).isEmpty();
        List<Run> all = new ArrayList<>(store.list(thread, RunQuery.all()));
        all.addAll(store.list(otherThread, RunQuery.all()));
        assertThat(all).hasSize(workers * iterations);
        assertThat(all).allSatisfy(r -> assertThat(r.status()).isEqualTo(RunStatus.SUCCESS));
    }

    private void finish(Run run, ConcurrentHashMap<String, AtomicInteger> runningNow, Set<UUID> claimed,
                        AtomicInteger violations) {
        if (!claimed.add(run.runId())) {
            violations.incrementAndGet(); // the same run was claimed twice
        }
        AtomicInteger counter = runningNow.computeIfAbsent(run.threadId() + "/" + run.lane(), k -> new AtomicInteger());
        if (counter.incrementAndGet() > 1) {
            violations.incrementAndGet();
        }
        long running = store.active(run.threadId(), run.lane()).stream()
                .filter(r -> r.status() == RunStatus.RUNNING).count();
        if (running != 1) {
            violations.incrementAndGet();
        }
        counter.decrementAndGet();
        if (store.transition(run.runId(), RunStatus.SUCCESS).isEmpty()) {
            violations.incrementAndGet();
        }
    }

    // --- leases -----------------------------------------------------------------------------------

    @Test
    void claimNext_stampsTheOwnerAndLeaseAndLeavesPendingRunsUnheld() {
        Run first = enqueue(thread, Lane.MAIN);
        Run second = enqueue(thread, Lane.MAIN);

        Run claimed = store.claimNext(thread, Lane.MAIN, "instance-b", clock.instant().plusSeconds(7)).orElseThrow();

        assertThat(claimed.runId()).isEqualTo(first.runId());
        assertThat(store.get(first.runId())).get().satisfies(r -> {
            assertThat(r.owner()).isEqualTo("instance-b");
            assertThat(r.leaseUntil()).isEqualTo(clock.instant().plusSeconds(7));
        });
        assertThat(store.get(second.runId())).get().satisfies(r -> {
            assertThat(r.owner()).isNull();
            assertThat(r.leaseUntil()).isNull();
        });
    }

    @Test
    void renewLeases_extendsOnlyRunningRunsOfThatOwnerAndAnswersThem() {
        Run mine = claimedBy(thread, Lane.MAIN, OWNER);
        Run theirs = claimedBy(otherThread, Lane.MAIN, "instance-b");
        Run pending = enqueue(thread, Lane.MAIN);
        Run ended = claimedBy(otherThread, Lane.SECONDARY, OWNER);
        store.finish(ended.runId(), OWNER, RunStatus.SUCCESS).orElseThrow();
        Instant until = clock.advance(Duration.ofSeconds(20)).plus(LEASE);

        Set<UUID> held = store.renewLeases(OWNER,
                List.of(mine.runId(), theirs.runId(), pending.runId(), ended.runId(), Ids.newId()), until);

        assertThat(held).containsExactly(mine.runId());
        assertThat(store.get(mine.runId())).get().satisfies(r -> {
            assertThat(r.leaseUntil()).isEqualTo(until);
            assertThat(r.owner()).isEqualTo(OWNER);
            assertThat(r.updatedAt()).as("a heartbeat is not an update").isEqualTo(mine.updatedAt());
        });
        assertThat(store.get(theirs.runId())).contains(theirs);
        assertThat(store.get(pending.runId())).contains(pending);
        assertThat(store.get(ended.runId())).get().extracting(Run::leaseUntil).isEqualTo(ended.leaseUntil());
    }

    @Test
    void renewLeases_noRuns_answersNothing() {
        claimedBy(thread, Lane.MAIN, OWNER);

        assertThat(store.renewLeases(OWNER, List.of(), clock.instant().plus(LEASE))).isEmpty();
    }

    @Test
    void takeOver_leaseAsSeen_movesTheRunToTheNewOwnerAndKeepsItRunning() {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        Instant until = clock.advance(LEASE.plusSeconds(1)).plus(LEASE);

        Run taken = store.takeOver(seen, "instance-b", until).orElseThrow();

        assertThat(taken).isEqualTo(seen.withLease("instance-b", until));
        assertThat(store.get(seen.runId())).contains(taken);
    }

    @Test
    void takeOver_leaseRenewedSinceItWasRead_isRefusedAndChangesNothing() {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        store.renewLeases(OWNER, List.of(seen.runId()), clock.advance(Duration.ofSeconds(10)).plus(LEASE));
        Run renewed = store.get(seen.runId()).orElseThrow();

        assertThat(store.takeOver(seen, "instance-b", clock.instant().plus(LEASE))).isEmpty();

        assertThat(store.get(seen.runId())).contains(renewed);
    }

    @Test
    void takeOver_takenByAnotherRecovererFirst_isRefused() {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        store.takeOver(seen, "instance-b", clock.instant().plus(LEASE)).orElseThrow();

        assertThat(store.takeOver(seen, "instance-c", clock.instant().plus(LEASE))).isEmpty();

        assertThat(store.get(seen.runId())).get().extracting(Run::owner).isEqualTo("instance-b");
    }

    @Test
    void takeOver_runNoLongerRunning_isRefused() {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        store.finish(seen.runId(), OWNER, RunStatus.SUCCESS).orElseThrow();

        assertThat(store.takeOver(seen, "instance-b", clock.instant().plus(LEASE))).isEmpty();

        assertThat(store.get(seen.runId())).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
            assertThat(r.owner()).isEqualTo(OWNER);
        });
    }

    @Test
    void takeOver_runningRunWithoutLease_isTakenLikeAnExpiredOne() {
        Run run = runIn(RunStatus.RUNNING);
        assertThat(run.owner()).isNull();
        assertThat(run.leaseExpired(clock.instant())).isTrue();

        Run taken = store.takeOver(run, "instance-b", clock.instant().plus(LEASE)).orElseThrow();

        assertThat(taken.owner()).isEqualTo("instance-b");
        assertThat(taken.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void takeOver_fromManyVirtualThreads_exactlyOneRecovererWins() throws Exception {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        int racers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < racers; r++) {
                String recoverer = "recoverer-" + r;
                futures.add(executor.submit(() -> {
                    start.await();
                    return store.takeOver(seen, recoverer, clock.instant().plus(LEASE)).isPresent();
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> f : futures) {
                winners += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
        assertThat(store.get(seen.runId())).get().extracting(Run::owner).asString().startsWith("recoverer-");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = RunStatus.class, names = {"SUCCESS", "ERROR", "TIMEOUT", "INTERRUPTED"})
    void finish_byTheOwner_endsTheRunAndStampsUpdatedAt(RunStatus end) {
        Run run = claimedBy(thread, Lane.MAIN, OWNER);
        Instant later = clock.advance(Duration.ofSeconds(2));

        Run ended = store.finish(run.runId(), OWNER, end).orElseThrow();

        assertThat(ended).isEqualTo(run.withStatus(end, later));
        assertThat(store.get(run.runId())).contains(ended);
    }

    @Test
    void finish_byAStaleOwner_isRefusedAndChangesNothing() {
        Run seen = claimedBy(thread, Lane.MAIN, OWNER);
        Run taken = store.takeOver(seen, "instance-b", clock.instant().plus(LEASE)).orElseThrow();

        assertThat(store.finish(seen.runId(), OWNER, RunStatus.SUCCESS)).as("the stale owner's late write").isEmpty();

        assertThat(store.get(seen.runId())).contains(taken);
        assertThat(store.finish(seen.runId(), "instance-b", RunStatus.INTERRUPTED)).get()
                .extracting(Run::status).isEqualTo(RunStatus.INTERRUPTED);
    }

    @Test
    void finish_aRunThatIsNotRunning_isRefused() {
        Run pending = enqueue(thread, Lane.MAIN);
        Run done = claimedBy(otherThread, Lane.MAIN, OWNER);
        store.finish(done.runId(), OWNER, RunStatus.SUCCESS).orElseThrow();

        assertThat(store.finish(pending.runId(), OWNER, RunStatus.INTERRUPTED)).isEmpty();
        assertThat(store.finish(done.runId(), OWNER, RunStatus.ERROR)).as("a terminal status never changes").isEmpty();
        assertThat(store.finish(Ids.newId(), OWNER, RunStatus.SUCCESS)).isEmpty();

        assertThat(store.get(pending.runId())).contains(pending);
        assertThat(store.get(done.runId())).get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    @Test
    void finish_toANonTerminalStatus_isRefused() {
        Run run = claimedBy(thread, Lane.MAIN, OWNER);

        assertThat(store.finish(run.runId(), OWNER, RunStatus.PENDING)).isEmpty();
        assertThat(store.finish(run.runId(), OWNER, RunStatus.RUNNING)).isEmpty();

        assertThat(store.get(run.runId())).contains(run);
    }

    @Test
    void running_listsEveryRunningRunOfEveryThreadAndLaneOldestFirst() {
        Run first = claimedBy(thread, Lane.MAIN, OWNER);
        Run second = claimedBy(otherThread, Lane.SECONDARY, "instance-b");
        enqueue(thread, Lane.MAIN);
        Run ended = claimedBy(otherThread, Lane.MAIN, OWNER);
        store.finish(ended.runId(), OWNER, RunStatus.SUCCESS).orElseThrow();
        Run third = claimedBy(otherThread, Lane.MAIN, OWNER);

        assertThat(store.running()).containsExactly(first, second, third);
    }

    @Test
    void running_nothingRunning_isEmpty() {
        enqueue(thread, Lane.MAIN);

        assertThat(store.running()).isEmpty();
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** Claims the next run of the thread and lane for {@link #OWNER}, its lease {@link #LEASE} from now. */
    protected Optional<Run> claim(UUID threadId, Lane lane) {
        return store.claimNext(threadId, lane, OWNER, clock.instant().plus(LEASE));
    }

    /** A new run of the thread and lane, claimed by {@code owner} for {@link #LEASE}, as stored. */
    protected Run claimedBy(UUID threadId, Lane lane, String owner) {
        Run run = enqueue(threadId, lane);
        Run claimed = store.claimNext(threadId, lane, owner, clock.instant().plus(LEASE)).orElseThrow();
        assertThat(claimed.runId()).as("set-up: nothing else was pending").isEqualTo(run.runId());
        return store.get(run.runId()).orElseThrow();
    }

    /** A pending candidate stamped with the clock's current time. */
    protected Run candidate(UUID threadId, Lane lane) {
        return candidate(threadId, lane, MultitaskStrategy.ENQUEUE);
    }

    protected Run candidate(UUID threadId, Lane lane, MultitaskStrategy strategy) {
        Instant now = clock.instant();
        UUID runId = Ids.newId();
        return new Run(runId, threadId, ASSISTANT, now, now, RunStatus.PENDING, null,
                json("{\"input\":{\"messages\":[{\"type\":\"human\",\"content\":\"run " + runId + "\"}]},"
                        + "\"config\":{\"configurable\":{\"thread_id\":\"" + threadId + "\"}}}"),
                strategy, lane);
    }

    /** Admits a run with {@link #ACCEPT}, then moves the clock one second so the next run is younger. */
    protected Run enqueue(UUID threadId, Lane lane) {
        Run admitted = store.admit(candidate(threadId, lane), ACCEPT).admitted();
        clock.advance(Duration.ofSeconds(1));
        return admitted;
    }

    /** A run of {@link #thread} brought to {@code status} through the store, as it is stored now. */
    protected Run runIn(RunStatus status) {
        Run run = enqueue(thread, Lane.MAIN);
        switch (status) {
            case PENDING -> {
            }
            case INTERRUPTED -> store.transition(run.runId(), RunStatus.INTERRUPTED).orElseThrow();
            default -> {
                store.transition(run.runId(), RunStatus.RUNNING).orElseThrow();
                if (status != RunStatus.RUNNING) {
                    clock.advance(Duration.ofSeconds(1));
                    store.transition(run.runId(), status).orElseThrow();
                }
            }
        }
        Run stored = store.get(run.runId()).orElseThrow();
        assertThat(stored.status()).as("set-up").isEqualTo(status);
        return stored;
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }

    protected static List<UUID> runIds(List<Run> runs) {
        return runs.stream().map(Run::runId).toList();
    }

    @org.junit.jupiter.api.Test
    void transitionFrom_expectedStatusNoLongerCurrent_isRefusedAndChangesNothing() {
        java.util.UUID thread = Ids.newId();
        var now = java.time.Instant.now();
        Run run = new Run(Ids.newId(), thread, Ids.newId(), now, now, RunStatus.PENDING, null, null,
                dev.switchboard.run.MultitaskStrategy.ENQUEUE, Lane.MAIN);
        store.admit(run, (c, active) -> c);
        org.assertj.core.api.Assertions.assertThat(claim(thread, Lane.MAIN)).isPresent();
        org.assertj.core.api.Assertions.assertThat(store.transition(run.runId(), RunStatus.PENDING, RunStatus.INTERRUPTED))
                .isEmpty();
        org.assertj.core.api.Assertions.assertThat(store.get(run.runId())).get().extracting(Run::status)
                .isEqualTo(RunStatus.RUNNING);
        org.assertj.core.api.Assertions.assertThat(store.transition(run.runId(), RunStatus.RUNNING, RunStatus.SUCCESS))
                .get().extracting(Run::status).isEqualTo(RunStatus.SUCCESS);
    }

    @org.junit.jupiter.api.Test
    void claimNext_oldestPendingNotYetDue_isSkippedForADueOne() {
        java.util.UUID thread = Ids.newId();
        var now = java.time.Instant.now();
        ObjectNode later = Json.object();
        later.put("not_before", now.plusSeconds(3600).toString());
        Run delayed = new Run(Ids.newId(), thread, Ids.newId(), now, now, RunStatus.PENDING, null, later,
                MultitaskStrategy.ENQUEUE, Lane.MAIN);
        Run due = new Run(Ids.newId(), thread, Ids.newId(), now.plusMillis(1), now.plusMillis(1), RunStatus.PENDING,
                null, null, MultitaskStrategy.ENQUEUE, Lane.MAIN);
        store.admit(delayed, (c, active) -> c);
        store.admit(due, (c, active) -> c);
        org.assertj.core.api.Assertions.assertThat(claim(thread, Lane.MAIN)).get().extracting(Run::runId)
                .isEqualTo(due.runId());
        store.transition(due.runId(), RunStatus.SUCCESS);
        org.assertj.core.api.Assertions.assertThat(claim(thread, Lane.MAIN)).as("not due yet").isEmpty();
    }
}
