package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.checkpoint.Checkpoint;
import dev.switchboard.operation.Operation;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.testkit.ManualClock;
import dev.switchboard.thread.ThreadTtl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The expiry sweeper on a real database (the test): expired threads go with their runs, checkpoints and
 * operations; a thread with a running run and one with an operation in flight are kept, then removed on the
 * first sweep after they are idle. Runs and operations held by another (live) instance are written straight
 * into the stores, so nothing in this process executes or recovers them.
 */
abstract class ThreadExpiryOnDatabase {
    protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final String ELSEWHERE = "instance-elsewhere";

    protected final ManualClock clock = new ManualClock(START);
    protected Database database;
    private final java.util.List<Switchboard> opened = new java.util.ArrayList<>();

    abstract TestDatabase db();

    protected Switchboard instance(String id) {
        Database d = db().open(clock);
        if (database == null) {
            database = d;
        }
        Switchboard sb = Switchboard.builder().instanceId(id).clock(clock)
                .threadStore(d.threads()).runStore(d.runs()).checkpointStore(d.checkpoints())
                .operationStore(d.operations()).itemStore(d.items())
                .assistantStore(d.assistants()).cronStore(d.crons())
                .graph(ScriptedAgent.graph(2, 0, 0)).build();
        opened.add(sb);
        return sb;
    }

    @AfterEach
    void closeInstances() {
        opened.forEach(Switchboard::close);
    }

    protected UUID expiringThread(Switchboard sb, ThreadTtl.Strategy strategy) {
        UUID id = sb.createThread(null, null, false, new ThreadTtl(strategy, TTL)).threadId();
        UUID run = finishedRun(id);
        for (int step = 0; step < 3; step++) {
            database.checkpoints().put(new Checkpoint(Ids.newId(), id, null, run, step, Checkpoint.Source.LOOP,
                    Json.object().put("step", step), List.of(), Json.object(), clock.instant()));
        }
        return id;
    }

    private Run candidate(UUID threadId) {
        Instant now = clock.instant();
        return new Run(Ids.newId(), threadId, Ids.newId(), now, now, RunStatus.PENDING, null, Json.object(),
                MultitaskStrategy.ENQUEUE, Lane.MAIN);
    }

    private UUID finishedRun(UUID threadId) {
        Run run = database.runs().admit(candidate(threadId), (c, active) -> c).admitted();
        database.runs().transition(run.runId(), RunStatus.RUNNING);
        database.runs().transition(run.runId(), RunStatus.SUCCESS);
        return run.runId();
    }

    /** A run another instance holds for a day. */
    private Run runningElsewhere(UUID threadId) {
        Run run = database.runs().admit(candidate(threadId), (c, active) -> c).admitted();
        return database.runs().claimNext(threadId, Lane.MAIN, ELSEWHERE, clock.instant().plus(Duration.ofDays(1)))
                .orElseThrow();
    }

    /** An operation another instance is executing, its lease a day long. */
    private Operation operationElsewhere(UUID threadId) {
        Instant now = clock.instant();
        UUID run = Ids.newId();
        String call = "call_" + Ids.newId();
        return database.operations().create(new Operation(Ids.newId(), threadId, run, call, "change_package",
                Json.object(), Operation.idempotencyKey(threadId, run, call), List.of("threads", threadId.toString()),
                OperationStatus.RUNNING, 0, "queued", null, null, false, false, ELSEWHERE,
                now.plus(Duration.ofDays(1)), now, now));
    }

    /** Ended and reported, so no report run is due for it. */
    private Operation succeeded(Operation op) {
        return op.finished(OperationStatus.SUCCEEDED, "done", null, clock.instant()).withReported(clock.instant());
    }

    private boolean exists(UUID threadId) {
        return database.threads().get(threadId).isPresent();
    }

    @Test
    void sweep_deletesExpiredThreadsWithAllTheyOwn_keepsBusyOnes_thenRemovesThemOnceIdle() {
        Switchboard sb = instance("instance-a");
        UUID idle = expiringThread(sb, ThreadTtl.Strategy.DELETE);
        UUID withOperation = expiringThread(sb, ThreadTtl.Strategy.DELETE);
        UUID withRun = expiringThread(sb, ThreadTtl.Strategy.DELETE);
        UUID notExpiring = sb.createThread(null, null, false).threadId();
        Operation done = operationElsewhere(idle);
        database.operations().update(done.operationId(), this::succeeded);
        Operation inFlight = operationElsewhere(withOperation);
        Run running = runningElsewhere(withRun);
        var idleLane = new dev.switchboard.store.Namespace(dev.switchboard.operation.CoordinationKeys
                .defaultNamespace(idle));
        var keptLane = new dev.switchboard.store.Namespace(dev.switchboard.operation.CoordinationKeys
                .defaultNamespace(notExpiring));
        database.items().put(idleLane, "secondary_status", Json.object().put("processing", false), null);
        database.items().put(keptLane, "secondary_status", Json.object().put("processing", false), null);

        clock.advance(TTL.minusSeconds(1));
        assertThat(sb.expiry().sweep()).as("not yet due").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sb.expiry().sweep()).isEqualTo(1);

        assertThat(exists(idle)).isFalse();
        assertThat(database.runs().list(idle, RunQuery.all())).isEmpty();
        assertThat(database.checkpoints().list(idle, 100, null)).isEmpty();
        assertThat(database.operations().listByThread(idle)).isEmpty();
        assertThat(database.items().get(idleLane, "secondary_status")).as("its lane items").isEmpty();
        assertThat(database.items().get(keptLane, "secondary_status")).isPresent();
        assertThat(exists(withOperation)).as("operation in flight").isTrue();
        assertThat(database.checkpoints().list(withOperation, 100, null)).hasSize(3);
        assertThat(exists(withRun)).as("run running").isTrue();
        assertThat(database.runs().list(withRun, RunQuery.all())).hasSize(2);
        assertThat(exists(notExpiring)).isTrue();

        database.operations().update(inFlight.operationId(), this::succeeded);
        database.runs().finish(running.runId(), ELSEWHERE, RunStatus.SUCCESS).orElseThrow();
        assertThat(sb.expiry().sweep()).isEqualTo(2);

        assertThat(exists(withOperation)).isFalse();
        assertThat(database.operations().listByThread(withOperation)).isEmpty();
        assertThat(exists(withRun)).isFalse();
        assertThat(database.runs().list(withRun, RunQuery.all())).isEmpty();
        assertThat(database.checkpoints().list(withRun, 100, null)).isEmpty();
        assertThat(exists(notExpiring)).isTrue();
    }

    @Test
    void sweep_keepLatest_keepsTheThreadWithItsLatestCheckpointOnly() {
        Switchboard sb = instance("instance-a");
        UUID thread = expiringThread(sb, ThreadTtl.Strategy.KEEP_LATEST);
        Checkpoint latest = database.checkpoints().latest(thread).orElseThrow();

        clock.advance(TTL);
        assertThat(sb.expiry().sweep()).isEqualTo(1);

        assertThat(exists(thread)).isTrue();
        assertThat(database.checkpoints().list(thread, 100, null)).containsExactly(latest);
        assertThat(database.runs().list(thread, RunQuery.all())).isEmpty();
        assertThat(sb.expiry().sweep()).as("the ttl starts again from the prune").isZero();
        clock.advance(TTL);
        assertThat(sb.expiry().sweep()).isEqualTo(1);
        assertThat(database.checkpoints().list(thread, 100, null)).containsExactly(latest);
    }

    @Test
    void timer_sweepsExpiredThreads_andPurgesExpiredItemRows() throws Exception {
        Switchboard sb = instance("instance-a");
        UUID thread = expiringThread(sb, ThreadTtl.Strategy.DELETE);
        var ns = new dev.switchboard.store.Namespace(List.of("notes"));
        database.items().put(ns, "k", Json.object(), Duration.ofMinutes(1));
        clock.advance(TTL);

        sb.expiry().start(Duration.ofMillis(20));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !exists(thread)
                && itemRows() == 0);
        assertThat(sb.expiry().started()).isTrue();
    }

    /** Rows in store_items, expired or not: what only a purge removes. */
    private long itemRows() throws java.sql.SQLException {
        try (var c = database.dataSource().getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM store_items")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void sweep_goesOnPastAFullBatch() {
        Switchboard sb = instance("instance-a");
        int count = dev.switchboard.ThreadExpiry.BATCH + 5;
        for (int i = 0; i < count; i++) {
            sb.createThread(null, null, false, new ThreadTtl(ThreadTtl.Strategy.DELETE, TTL));
        }
        clock.advance(TTL);

        assertThat(sb.expiry().sweep()).isEqualTo(count);
        assertThat(database.threads().count(dev.switchboard.thread.ThreadQuery.all())).isZero();
    }
}
