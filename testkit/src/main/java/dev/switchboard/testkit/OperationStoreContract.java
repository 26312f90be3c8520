package dev.switchboard.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.operation.OperationStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The behaviour every {@link OperationStore} must have: the idempotency key is unique, listings are oldest
 * first, and {@link OperationStore#update} is an atomic read-modify-write that never moves a terminal status.
 * Extend it and answer {@link #newStore} with an empty store; each test gets a fresh one. Operations carry
 * their own timestamps, so the clock is there only for a store that wants one.
 *
 * <p>Time starts at a whole second and moves in whole milliseconds or more, so a store must keep instants
 * to at least millisecond precision and give them back exactly. Operations are created one clock second
 * apart unless a test says otherwise, so "oldest first" is never a tie. JSON is built from text, as a store
 * that keeps JSON text would read it back. Tests observe the store only through its interface.
 *
 * <p>{@code newStore} is called from this class's {@code @BeforeEach}, which JUnit runs before any
 * {@code @BeforeEach} of the subclass; make per-test resources (a database file, a schema) inside
 * {@code newStore} and release them in the subclass's own {@code @AfterEach}.
 *
 * <p>Long on purpose: it is the whole contract of {@code OperationStore} in one suite, so that every implementation
 * runs exactly the same list of behaviours; splitting it would let an implementation run half of it.
 */
public abstract class OperationStoreContract {

    protected static final Instant START = ManualClock.DEFAULT_START;

    protected ManualClock clock;
    protected OperationStore store;
    protected final UUID thread = Ids.newId();
    protected final UUID otherThread = Ids.newId();

    /** A new, empty store on {@code clock}. Called before every test. */
    protected abstract OperationStore newStore(Clock clock);

    @BeforeEach
    void createStore() {
        clock = new ManualClock(START);
        store = newStore(clock);
    }

    // --- create, get, byIdempotencyKey ------------------------------------------------------------

    @Test
    void create_newOperation_returnsItAndGetFindsIt() {
        Operation operation = running(thread);

        assertThat(store.create(operation)).isEqualTo(operation);
        assertThat(store.get(operation.operationId())).contains(operation);
    }

    @Test
    void create_fullRecord_roundTripsExactly() {
        Instant created = clock.advance(Duration.ofMillis(1_234));
        Instant updated = clock.advance(Duration.ofMillis(4_321));
        UUID run = Ids.newId();
        Operation operation = new Operation(Ids.newId(), thread, run, "call_7", "change_package",
                json("""
                        {"package":"5g-max","note":"grüße, 你好, \\"q\\"\\n","options":{"keep_number":true,"addons":[1,"two",null]},
                         "nothing":null,"price":-12.25}
                        """),
                Operation.idempotencyKey(thread, run, "call_7"), List.of("threads", thread.toString(), "ops"),
                OperationStatus.FAILED, 37, "step 2 of 5: porting — 37 %", "partial \"result\"\n",
                "backend said: no", true, true, "instance-a", updated.plusSeconds(30), created, updated, "alice@example");

        store.create(operation);

        assertThat(store.get(operation.operationId())).contains(operation);
        assertThat(store.byIdempotencyKey(operation.idempotencyKey())).contains(operation);
        assertThat(store.listByThread(thread)).containsExactly(operation);
    }

    @Test
    void userId_isKeptThroughEveryUpdate_andAnUpdateThatChangesItIsRefused() {
        Operation op = store.create(running(thread).withUserId("alice"));

        store.update(op.operationId(), o -> o.withProgress(40, "porting", o.updatedAt()));
        store.update(op.operationId(), o -> o.withLease("instance-b", o.updatedAt().plusSeconds(5), o.updatedAt()));

        assertThat(store.get(op.operationId())).get().extracting(Operation::userId).isEqualTo("alice");
        assertThatThrownBy(() -> store.update(op.operationId(), o -> o.withUserId("mallory")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.get(op.operationId())).get().extracting(Operation::userId).isEqualTo("alice");
        assertThat(store.inFlight()).extracting(Operation::userId).containsExactly("alice");
    }

    @Test
    void create_minimalRecord_keepsNullsAndEmptyMessage() {
        UUID run = Ids.newId();
        Operation operation = new Operation(Ids.newId(), thread, run, "c1", "close_contract", null,
                Operation.idempotencyKey(thread, run, "c1"), List.of(), OperationStatus.RUNNING, 0, null, null, null,
                false, false, null, null, clock.instant(), clock.instant());

        store.create(operation);

        Operation stored = store.get(operation.operationId()).orElseThrow();
        assertThat(stored).isEqualTo(operation);
        assertThat(stored.arguments()).isEqualTo(Json.object());
        assertThat(stored.namespace()).isEmpty();
        assertThat(stored.message()).isEmpty();
        assertThat(stored.result()).isNull();
        assertThat(stored.error()).isNull();
        assertThat(stored.owner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(OperationStatus.class)
    void create_eachStatus_roundTrips(OperationStatus status) {
        Operation operation = withStatus(running(thread), status);

        store.create(operation);

        assertThat(store.get(operation.operationId())).get().extracting(Operation::status).isEqualTo(status);
    }

    @Test
    void create_namespaceOrder_isKept() {
        Operation base = running(thread);
        Operation operation = new Operation(base.operationId(), base.threadId(), base.runId(), base.toolCallId(),
                base.toolName(), base.arguments(), base.idempotencyKey(), List.of("zeta", "alpha", "mid"),
                base.status(), base.percent(), base.message(), base.result(), base.error(), base.cancelRequested(),
                base.reported(), base.owner(), base.leaseUntil(), base.createdAt(), base.updatedAt());

        store.create(operation);

        assertThat(store.get(operation.operationId())).get().extracting(Operation::namespace)
                .isEqualTo(List.of("zeta", "alpha", "mid"));
    }

    @Test
    void create_duplicateIdempotencyKey_isConflictOperationExistsAndKeepsOriginal() {
        Operation original = store.create(running(thread));
        Operation clash = new Operation(Ids.newId(), otherThread, Ids.newId(), "other_call", "purchase_roaming_pass",
                json("{\"country\":\"FR\"}"), original.idempotencyKey(), List.of("x"), OperationStatus.RUNNING, 5,
                "clash", null, null, false, false, null, null, clock.instant(), clock.instant());

        assertConflict(() -> store.create(clash));

        assertThat(store.get(clash.operationId())).isEmpty();
        assertThat(store.byIdempotencyKey(original.idempotencyKey())).contains(original);
        assertThat(store.listByThread(otherThread)).isEmpty();
        assertThat(store.inFlight()).containsExactly(original);
    }

    @Test
    void create_duplicateId_isConflictOperationExistsAndKeepsOriginal() {
        Operation original = store.create(running(thread));
        UUID run = Ids.newId();
        Operation clash = new Operation(original.operationId(), thread, run, "other_call", "get_billing_summary",
                null, Operation.idempotencyKey(thread, run, "other_call"), List.of(), OperationStatus.RUNNING, 0, null,
                null, null, false, false, null, null, clock.instant(), clock.instant());

        assertConflict(() -> store.create(clash));

        assertThat(store.get(original.operationId())).contains(original);
        assertThat(store.byIdempotencyKey(clash.idempotencyKey())).isEmpty();
        assertThat(store.listByThread(thread)).containsExactly(original);
    }

    @Test
    void create_afterConflict_storeStillCreates() {
        Operation original = store.create(running(thread));
        assertConflict(() -> store.create(original));

        Operation next = store.create(running(thread));

        assertThat(store.listByThread(thread)).containsExactly(original, next);
    }

    @Test
    void get_missingOperation_isEmpty() {
        store.create(running(thread));

        assertThat(store.get(Ids.newId())).isEmpty();
    }

    @Test
    void byIdempotencyKey_findsTheOperationWithThatKeyOnly() {
        Operation first = store.create(running(thread));
        Operation second = store.create(running(thread));

        assertThat(store.byIdempotencyKey(first.idempotencyKey())).contains(first);
        assertThat(store.byIdempotencyKey(second.idempotencyKey())).contains(second);
        assertThat(store.byIdempotencyKey(thread + ":" + Ids.newId() + ":nope")).isEmpty();
        assertThat(store.byIdempotencyKey("")).isEmpty();
    }

    // --- listings ---------------------------------------------------------------------------------

    @Test
    void listByThread_returnsThatThreadsOperationsOldestFirst() {
        Operation first = store.create(running(thread));
        Operation theirs = store.create(running(otherThread));
        Operation second = store.create(finished(running(thread), OperationStatus.SUCCEEDED));
        Operation third = store.create(running(thread));

        assertThat(store.listByThread(thread)).containsExactly(first, second, third);
        assertThat(store.listByThread(otherThread)).containsExactly(theirs);
        assertThat(store.listByThread(Ids.newId())).isEmpty();
    }

    @Test
    void listByThread_ordersByCreatedAtNotByInsertion() {
        Operation late = createdAt(running(thread), START.plusSeconds(30));
        Operation early = createdAt(running(thread), START.plusSeconds(10));
        Operation middle = createdAt(running(thread), START.plusSeconds(20));
        store.create(late);
        store.create(early);
        store.create(middle);

        assertThat(store.listByThread(thread)).containsExactly(early, middle, late);
    }

    @Test
    void inFlight_returnsEveryRunningOperationOfEveryThreadOldestFirst() {
        Operation a = store.create(running(thread));
        store.create(finished(running(thread), OperationStatus.SUCCEEDED));
        Operation b = store.create(running(otherThread));
        store.create(finished(running(otherThread), OperationStatus.FAILED));
        store.create(finished(running(thread), OperationStatus.CANCELLED));
        Operation c = store.create(running(thread));

        assertThat(store.inFlight()).containsExactly(a, b, c);
    }

    @Test
    void inFlight_noneRunning_isEmpty() {
        assertThat(store.inFlight()).isEmpty();

        Operation op = store.create(running(thread));
        store.update(op.operationId(), o -> finished(o, OperationStatus.SUCCEEDED));

        assertThat(store.inFlight()).isEmpty();
    }

    @Test
    void unreported_returnsTerminalOperationsNotYetReportedOldestFirst() {
        store.create(running(thread));
        Operation succeeded = store.create(finished(running(thread), OperationStatus.SUCCEEDED));
        store.create(finished(running(thread), OperationStatus.FAILED).withReported(clock.instant()));
        Operation failed = store.create(finished(running(otherThread), OperationStatus.FAILED));
        Operation cancelled = store.create(finished(running(thread), OperationStatus.CANCELLED));
        store.create(running(otherThread).withReported(clock.instant()));

        assertThat(store.unreported()).containsExactly(succeeded, failed, cancelled);
    }

    @Test
    void unreported_afterReporting_dropsTheOperation() {
        Operation op = store.create(running(thread));
        store.update(op.operationId(), o -> finished(o, OperationStatus.SUCCEEDED));
        assertThat(store.unreported()).extracting(Operation::operationId).containsExactly(op.operationId());

        store.update(op.operationId(), o -> o.withReported(clock.advance(Duration.ofSeconds(1))));

        assertThat(store.unreported()).isEmpty();
    }

    // --- update -----------------------------------------------------------------------------------

    @Test
    void update_progress_replacesTheOperationAndReturnsIt() {
        Operation op = store.create(running(thread));
        Instant later = clock.advance(Duration.ofMillis(2_500));

        Optional<Operation> updated = store.update(op.operationId(), o -> o.withProgress(40, "step 2 of 5", later));

        Operation expected = op.withProgress(40, "step 2 of 5", later);
        assertThat(updated).contains(expected);
        assertThat(store.get(op.operationId())).contains(expected);
        assertThat(store.byIdempotencyKey(op.idempotencyKey())).contains(expected);
    }

    @Test
    void update_everyMutableField_isStored() {
        Operation op = store.create(running(thread));
        Instant later = clock.advance(Duration.ofSeconds(3));

        store.update(op.operationId(), o -> o.withProgress(99, "almost", later)
                .withCancelRequested(later)
                .withLease("instance-b", later.plusSeconds(15), later)
                .finished(OperationStatus.CANCELLED, "partial", "cancelled by the user", later)
                .withReported(later));

        Operation stored = store.get(op.operationId()).orElseThrow();
        assertThat(stored.status()).isEqualTo(OperationStatus.CANCELLED);
        assertThat(stored.percent()).isEqualTo(99);
        assertThat(stored.message()).isEqualTo("almost");
        assertThat(stored.result()).isEqualTo("partial");
        assertThat(stored.error()).isEqualTo("cancelled by the user");
        assertThat(stored.cancelRequested()).isTrue();
        assertThat(stored.reported()).isTrue();
        assertThat(stored.owner()).isEqualTo("instance-b");
        assertThat(stored.leaseUntil()).isEqualTo(later.plusSeconds(15));
        assertThat(stored.updatedAt()).isEqualTo(later);
        assertThat(stored.createdAt()).isEqualTo(op.createdAt());
        assertThat(stored.arguments()).isEqualTo(op.arguments());
    }

    @Test
    void update_leaseBackToNull_storesNull() {
        Operation op = store.create(running(thread).withLease("instance-a", START.plusSeconds(60), clock.instant()));

        store.update(op.operationId(), o -> o.withLease(null, null, clock.advance(Duration.ofSeconds(1))));

        Operation stored = store.get(op.operationId()).orElseThrow();
        assertThat(stored.owner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
    }

    @Test
    void update_missingOperation_isEmptyAndNeverCallsTheChange() {
        store.create(running(thread));
        AtomicBoolean called = new AtomicBoolean();

        Optional<Operation> result = store.update(Ids.newId(), o -> {
            called.set(true);
            return o;
        });

        assertThat(result).isEmpty();
        assertThat(called).isFalse();
        assertThat(store.listByThread(thread)).hasSize(1);
    }

    @Test
    void update_changeSeesTheCurrentlyStoredOperation() {
        Operation op = store.create(running(thread));
        store.update(op.operationId(), o -> o.withProgress(10, "first", clock.advance(Duration.ofSeconds(1))));
        List<Operation> seen = new ArrayList<>();

        store.update(op.operationId(), o -> {
            seen.add(o);
            return o.withProgress(20, "second", clock.advance(Duration.ofSeconds(1)));
        });

        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.percent()).isEqualTo(10);
            assertThat(o.message()).isEqualTo("first");
        });
    }

    @ParameterizedTest(name = "running -> {0}")
    @EnumSource(value = OperationStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void update_runningToTerminal_isAllowed(OperationStatus end) {
        Operation op = store.create(running(thread));
        Instant later = clock.advance(Duration.ofSeconds(8));

        Optional<Operation> result = store.update(op.operationId(), o -> finished(o, end, later));

        assertThat(result).get().extracting(Operation::status).isEqualTo(end);
        assertThat(store.get(op.operationId())).get().extracting(Operation::status).isEqualTo(end);
        assertThat(store.inFlight()).isEmpty();
    }

    static List<OperationStatus[]> terminalToOther() {
        List<OperationStatus[]> pairs = new ArrayList<>();
        for (OperationStatus from : OperationStatus.values()) {
            for (OperationStatus to : OperationStatus.values()) {
                if (from.isTerminal() && to != from) {
                    pairs.add(new OperationStatus[] {from, to});
                }
            }
        }
        return pairs;
    }

    @Test
    void update_terminalToAnyOtherStatus_isRefusedAndLeavesItUnchanged() {
        for (OperationStatus[] pair : terminalToOther()) {
            OperationStatus from = pair[0];
            OperationStatus to = pair[1];
            Operation op = store.create(running(thread));
            Operation terminal = store.update(op.operationId(), o -> finished(o, from)).orElseThrow();
            clock.advance(Duration.ofSeconds(1));

            assertThatThrownBy(() -> store.update(op.operationId(), o -> withStatus(o, to)
                    .withProgress(77, "sneaky", clock.instant())))
                    .as(from.wireName() + " -> " + to.wireName())
                    .isInstanceOf(IllegalStateException.class);

            assertThat(store.get(op.operationId())).as(from.wireName() + " -> " + to.wireName()).contains(terminal);
        }
    }

    @ParameterizedTest(name = "{0} stays {0}")
    @EnumSource(value = OperationStatus.class, names = {"SUCCEEDED", "FAILED", "CANCELLED"})
    void update_terminalKeepingItsStatus_isAllowed(OperationStatus end) {
        Operation op = store.create(running(thread));
        store.update(op.operationId(), o -> finished(o, end));
        Instant later = clock.advance(Duration.ofSeconds(1));

        Optional<Operation> reported = store.update(op.operationId(), o -> o.withReported(later));

        assertThat(reported).get().satisfies(o -> {
            assertThat(o.reported()).isTrue();
            assertThat(o.status()).isEqualTo(end);
            assertThat(o.updatedAt()).isEqualTo(later);
        });
        assertThat(store.get(op.operationId())).isEqualTo(reported);
    }

    @Test
    void update_changeThatThrows_passesTheExceptionOnAndLeavesItUnchanged() {
        Operation op = store.create(running(thread));

        assertThatThrownBy(() -> store.update(op.operationId(), o -> {
            throw new IllegalArgumentException("tool said no");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("tool said no");

        assertThat(store.get(op.operationId())).contains(op);
        assertThat(store.update(op.operationId(), o -> o.withProgress(5, "still works", o.updatedAt())))
                .get().extracting(Operation::percent).isEqualTo(5);
    }

    @Test
    void update_changingTheIdentity_isRefusedAndLeavesItUnchanged() {
        Operation op = store.create(running(thread));

        assertThatThrownBy(() -> store.update(op.operationId(), o -> new Operation(Ids.newId(), o.threadId(), o.runId(),
                o.toolCallId(), o.toolName(), o.arguments(), o.idempotencyKey(), o.namespace(), o.status(), 50,
                o.message(), o.result(), o.error(), o.cancelRequested(), o.reported(), o.owner(), o.leaseUntil(),
                o.createdAt(), o.updatedAt()))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.update(op.operationId(), o -> new Operation(o.operationId(), o.threadId(),
                o.runId(), o.toolCallId(), o.toolName(), o.arguments(), "another-key", o.namespace(), o.status(), 50,
                o.message(), o.result(), o.error(), o.cancelRequested(), o.reported(), o.owner(), o.leaseUntil(),
                o.createdAt(), o.updatedAt()))).isInstanceOf(IllegalStateException.class);

        assertThat(store.get(op.operationId())).contains(op);
        assertThat(store.byIdempotencyKey("another-key")).isEmpty();
        assertThat(store.listByThread(thread)).containsExactly(op);
    }

    @Test
    void update_afterDeleteByThread_isEmpty() {
        Operation op = store.create(running(thread));
        store.deleteByThread(thread);

        assertThat(store.update(op.operationId(), o -> o.withProgress(1, "x", o.updatedAt()))).isEmpty();
        assertThat(store.get(op.operationId())).isEmpty();
    }

    // --- deleteByThread ---------------------------------------------------------------------------

    @Test
    void deleteByThread_removesOnlyThatThreadsOperationsAndCountsThem() {
        Operation a = store.create(running(thread));
        Operation b = store.create(finished(running(thread), OperationStatus.SUCCEEDED));
        store.create(finished(running(thread), OperationStatus.FAILED));
        Operation theirs = store.create(running(otherThread));

        assertThat(store.deleteByThread(thread)).isEqualTo(3);

        assertThat(store.listByThread(thread)).isEmpty();
        assertThat(store.get(a.operationId())).isEmpty();
        assertThat(store.byIdempotencyKey(b.idempotencyKey())).isEmpty();
        assertThat(store.inFlight()).containsExactly(theirs);
        assertThat(store.unreported()).isEmpty();
        assertThat(store.get(theirs.operationId())).contains(theirs);
        assertThat(store.deleteByThread(thread)).as("second delete").isZero();
    }

    @Test
    void deleteByThread_unknownThread_returnsZero() {
        store.create(running(thread));

        assertThat(store.deleteByThread(Ids.newId())).isZero();
        assertThat(store.listByThread(thread)).hasSize(1);
    }

    @Test
    void deleteByThread_freesTheIdempotencyKeys() {
        Operation op = store.create(running(thread));
        store.deleteByThread(thread);

        Operation again = store.create(createdAt(op, clock.advance(Duration.ofSeconds(1))));

        assertThat(store.byIdempotencyKey(op.idempotencyKey())).contains(again);
    }

    // --- nobody can change a stored operation behind the store's back -----------------------------

    @Test
    void create_callerMutatesRecordAfterwards_storedOperationUnchanged() {
        Operation op = running(thread);
        ObjectNode arguments = op.arguments().deepCopy();
        Operation created = store.create(op);

        op.arguments().put("package", "changed");
        created.arguments().put("sneaky", true);

        assertThat(store.get(op.operationId())).get().extracting(Operation::arguments).isEqualTo(arguments);
    }

    @Test
    void get_callerMutatesReturnedRecord_storedOperationUnchanged() {
        Operation op = store.create(running(thread));
        ObjectNode arguments = op.arguments().deepCopy();

        store.get(op.operationId()).orElseThrow().arguments().put("package", "changed");
        store.byIdempotencyKey(op.idempotencyKey()).orElseThrow().arguments().put("package", "changed");
        store.listByThread(thread).getFirst().arguments().put("package", "changed");
        store.inFlight().getFirst().arguments().put("package", "changed");
        store.update(op.operationId(), o -> o).orElseThrow().arguments().put("package", "changed");

        assertThat(store.get(op.operationId())).get().extracting(Operation::arguments).isEqualTo(arguments);
    }

    // --- concurrency ------------------------------------------------------------------------------

    @Test
    void update_fromManyVirtualThreadsAtOnce_losesNoUpdate() throws Exception {
        int writers = 25;
        int updatesEach = 4;
        Operation op = store.create(running(thread));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < updatesEach; i++) {
                        String token = writer + "." + i;
                        // Each update adds one percent and appends its token: a lost update shows in both.
                        store.update(op.operationId(), o -> o.withProgress(o.percent() + 1,
                                o.message() + " " + token, o.updatedAt()));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        }

        Set<String> expected = new HashSet<>();
        expected.add(op.message());
        for (int w = 0; w < writers; w++) {
            for (int i = 0; i < updatesEach; i++) {
                expected.add(w + "." + i);
            }
        }
        Operation stored = store.get(op.operationId()).orElseThrow();
        assertThat(stored.percent()).isEqualTo(writers * updatesEach);
        assertThat(stored.message().split(" ")).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void update_racingToFinish_exactlyOneTerminalStatusWins() throws Exception {
        int racers = 12;
        Operation op = store.create(running(thread));
        List<OperationStatus> ends = List.of(OperationStatus.SUCCEEDED, OperationStatus.FAILED, OperationStatus.CANCELLED);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < racers; r++) {
                OperationStatus end = ends.get(r % ends.size());
                futures.add(executor.submit(() -> {
                    start.await();
                    try {
                        store.update(op.operationId(), o -> finished(o, end));
                        return true;
                    } catch (IllegalStateException refused) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Boolean> f : futures) {
                applied += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
            }
            // The first to finish wins; a later racer with the same end changes nothing that matters and is
            // let through, every racer with another end is refused.
            assertThat(store.get(op.operationId())).get().extracting(Operation::status).isIn(ends);
            assertThat(applied).isEqualTo(racers / ends.size());
        }
    }

    @Test
    void create_sameIdempotencyKeyFromManyVirtualThreads_exactlyOneWins() throws Exception {
        int racers = 24;
        UUID run = Ids.newId();
        String key = Operation.idempotencyKey(thread, run, "call_1");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < racers; r++) {
                Operation candidate = new Operation(Ids.newId(), thread, run, "call_1", "change_package",
                        json("{\"racer\":" + r + "}"), key, List.of(), OperationStatus.RUNNING, 0, null, null, null,
                        false, false, null, null, clock.instant(), clock.instant());
                futures.add(executor.submit(() -> {
                    start.await();
                    try {
                        store.create(candidate);
                        return true;
                    } catch (SwitchboardException.Conflict e) {
                        assertThat(e.code()).isEqualTo("operation_exists");
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
        assertThat(store.listByThread(thread)).hasSize(1);
        assertThat(store.byIdempotencyKey(key)).isPresent();
    }

    // --- leases -----------------------------------------------------------------------------------

    @Test
    void renewLeases_extendsOnlyRunningOperationsOfThatOwnerAndAnswersThem() {
        Operation mine = store.create(running(thread));
        Operation theirs = store.create(running(thread).withLease("instance-b", clock.instant().plusSeconds(30),
                clock.instant()));
        Operation ended = store.create(running(otherThread));
        store.update(ended.operationId(), o -> finished(o, OperationStatus.SUCCEEDED));
        Operation endedStored = store.get(ended.operationId()).orElseThrow();
        Instant until = clock.advance(Duration.ofSeconds(20)).plusSeconds(30);

        Set<UUID> held = store.renewLeases("instance-a",
                List.of(mine.operationId(), theirs.operationId(), ended.operationId(), Ids.newId()), until);

        assertThat(held).containsExactly(mine.operationId());
        assertThat(store.get(mine.operationId())).get().satisfies(o -> {
            assertThat(o.leaseUntil()).isEqualTo(until);
            assertThat(o.owner()).isEqualTo("instance-a");
            assertThat(o.updatedAt()).as("a heartbeat is not an update").isEqualTo(mine.updatedAt());
        });
        assertThat(store.get(theirs.operationId())).contains(theirs);
        assertThat(store.get(ended.operationId())).contains(endedStored);
    }

    @Test
    void renewLeases_noOperations_answersNothing() {
        store.create(running(thread));

        assertThat(store.renewLeases("instance-a", List.of(), clock.instant().plusSeconds(30))).isEmpty();
    }

    @Test
    void update_asACompareAndSetOnTheLease_fromManyVirtualThreads_exactlyOneRecovererTakesIt() throws Exception {
        // Crash recovery's idiom: take the operation only if its lease is still the expired one that was read.
        Operation seen = store.create(running(thread));
        clock.advance(Duration.ofMinutes(5));
        int racers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < racers; r++) {
                String recoverer = "recoverer-" + r;
                futures.add(executor.submit(() -> {
                    start.await();
                    AtomicBoolean took = new AtomicBoolean();
                    store.update(seen.operationId(), o -> {
                        if (!java.util.Objects.equals(o.owner(), seen.owner())
                                || !java.util.Objects.equals(o.leaseUntil(), seen.leaseUntil())) {
                            return o;
                        }
                        took.set(true);
                        return o.withLease(recoverer, clock.instant().plusSeconds(30), o.updatedAt());
                    });
                    return took.get();
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> f : futures) {
                winners += f.get(2, TimeUnit.MINUTES) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
        assertThat(store.get(seen.operationId())).get().extracting(Operation::owner).asString()
                .startsWith("recoverer-");
    }

    @Test
    void update_fencedOnTheOwner_refusesAStaleOwnersWriteAndKeepsTheNewOwners() {
        // The runner's fence: a change that finds another owner throws, and the store keeps what it had.
        Operation op = store.create(running(thread));
        store.update(op.operationId(), o -> o.withLease("instance-b", clock.instant().plusSeconds(30), o.updatedAt()));
        Operation taken = store.get(op.operationId()).orElseThrow();

        assertThatThrownBy(() -> store.update(op.operationId(), o -> {
            if (!"instance-a".equals(o.owner())) {
                throw new IllegalStateException("fenced");
            }
            return finished(o, OperationStatus.SUCCEEDED);
        })).hasMessage("fenced");

        assertThat(store.get(op.operationId())).contains(taken);
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A fresh running operation of {@code threadId}, created one clock second after the previous one. */
    protected Operation running(UUID threadId) {
        Instant now = clock.advance(Duration.ofSeconds(1));
        UUID run = Ids.newId();
        String call = "call_" + Ids.newId();
        return new Operation(Ids.newId(), threadId, run, call, "change_package",
                json("{\"package\":\"5g-max\",\"keep_number\":true}"), Operation.idempotencyKey(threadId, run, call),
                List.of("threads", threadId.toString()), OperationStatus.RUNNING, 0, "queued", null, null, false, false,
                "instance-a", now.plusSeconds(30), now, now);
    }

    protected static Operation finished(Operation o, OperationStatus end) {
        return finished(o, end, o.updatedAt());
    }

    protected static Operation finished(Operation o, OperationStatus end, Instant now) {
        return o.finished(end, end == OperationStatus.SUCCEEDED ? "done: " + o.toolName() : null,
                end == OperationStatus.SUCCEEDED ? null : end.wireName() + " on purpose", now);
    }

    /** {@code o} with {@code status} set directly, bypassing {@link Operation#finished}. */
    protected static Operation withStatus(Operation o, OperationStatus status) {
        return new Operation(o.operationId(), o.threadId(), o.runId(), o.toolCallId(), o.toolName(), o.arguments(),
                o.idempotencyKey(), o.namespace(), status, o.percent(), o.message(), o.result(), o.error(),
                o.cancelRequested(), o.reported(), o.owner(), o.leaseUntil(), o.createdAt(), o.updatedAt());
    }

    private static Operation createdAt(Operation o, Instant at) {
        return new Operation(o.operationId(), o.threadId(), o.runId(), o.toolCallId(), o.toolName(), o.arguments(),
                o.idempotencyKey(), o.namespace(), o.status(), o.percent(), o.message(), o.result(), o.error(),
                o.cancelRequested(), o.reported(), o.owner(), o.leaseUntil(), at, at);
    }

    private static void assertConflict(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SwitchboardException.Conflict.class,
                e -> assertThat(e.code()).isEqualTo("operation_exists"));
    }

    protected static ObjectNode json(String text) {
        return (ObjectNode) Json.parse(text);
    }
}
