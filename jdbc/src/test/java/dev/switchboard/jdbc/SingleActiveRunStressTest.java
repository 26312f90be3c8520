package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.jdbc.TestDatabase.Engine;
import dev.switchboard.run.AdmissionRule;
import dev.switchboard.run.Lane;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.run.RunStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two server instances (two {@link Database}s, two pools) on one database, many virtual threads admitting,
 * claiming, cancelling and finishing runs on the same few conversation threads at once. After every claim a
 * query counts the running runs of that thread and lane: it must be exactly the one just claimed. At the end
 * every admitted run exists and has finished, and each was claimed at most once.
 */
class SingleActiveRunStressTest {
    private static final int WORKERS = 32;
    private static final int ITERATIONS = 20;
    private static final AdmissionRule ACCEPT = (candidate, active) -> candidate;

    @RegisterExtension
    final TestDatabase sqlite = TestDatabase.sqlite();

    @RegisterExtension
    final TestDatabase postgres = TestDatabase.postgres();

    private final List<UUID> threads = List.of(Ids.newId(), Ids.newId(), Ids.newId());
    private final Set<UUID> admitted = ConcurrentHashMap.newKeySet();
    private final Set<UUID> claimed = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @ParameterizedTest
    @EnumSource(Engine.class)
    void twoInstancesRacing_neverRunTwoOnOneThreadAndLane_andLoseNoRun(Engine engine) throws Exception {
        TestDatabase database = engine == Engine.SQLITE ? sqlite : postgres;
        List<Database> instances = List.of(database.open(Clock.systemUTC()), database.open(Clock.systemUTC()));
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WORKERS; w++) {
                Database db = instances.get(w % instances.size());
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < ITERATIONS; i++) {
                        work(db);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        }
        // What was left pending once the workers stopped still runs, one at a time, on either instance.
        for (UUID thread : threads) {
            for (Lane lane : Lane.values()) {
                Optional<Run> next;
                while ((next = instances.getFirst().runs().claimNext(thread, lane, "test-instance",
                        Instant.now().plusSeconds(30))).isPresent()) {
                    finish(instances.getLast(), next.get());
                }
            }
        }

        assertThat(violations).isEmpty();
        List<Run> all = new ArrayList<>();
        for (UUID thread : threads) {
            all.addAll(instances.getLast().runs().list(thread, RunQuery.all()));
        }
        assertThat(all).extracting(Run::runId).containsExactlyInAnyOrderElementsOf(admitted);
        assertThat(all).allSatisfy(r -> assertThat(r.status().isTerminal()).as(r.runId() + " finished").isTrue());
        assertThat(all.stream().filter(r -> r.status() == RunStatus.SUCCESS).map(Run::runId))
                .as("every run that succeeded was claimed").allSatisfy(id -> assertThat(claimed).contains(id));
        assertThat(instances.getFirst().runs().pending()).isEmpty();
        assertThat(claimed).isNotEmpty();
    }

    /** One step of a scheduler: admit a run, maybe cancel a queued one, start what may start, finish it. */
    private void work(Database db) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        UUID thread = threads.get(random.nextInt(threads.size()));
        Lane lane = random.nextInt(4) == 0 ? Lane.SECONDARY : Lane.MAIN;
        Run run = db.runs().admit(candidate(thread, lane), ACCEPT).admitted();
        admitted.add(run.runId());
        if (random.nextInt(5) == 0) {
            // A double-text cancelling a queued run races the claims below, possibly on the other instance.
            db.runs().active(thread, lane).stream()
                    .filter(r -> r.status() == RunStatus.PENDING)
                    .reduce((a, b) -> b)
                    .ifPresent(r -> db.runs().transition(r.runId(), RunStatus.PENDING, RunStatus.INTERRUPTED));
        }
        Optional<Run> next = db.runs().claimNext(thread, lane, "test-instance", Instant.now().plusSeconds(30));
        next.ifPresent(r -> finish(db, r));
    }

    private void finish(Database db, Run run) {
        if (!claimed.add(run.runId())) {
            violations.add("claimed twice: " + run.runId());
        }
        long running = runningCount(db, run.threadId(), run.lane());
        if (running != 1) {
            violations.add(running + " running on " + run.threadId() + "/" + run.lane().wireName() + " after claiming " + run.runId());
        }
        if (db.runs().transition(run.runId(), RunStatus.SUCCESS).isEmpty()) {
            // A double-text that read the run while it was still pending may have interrupted it since
            // (running -> interrupted is allowed); any other reason is a bug.
            RunStatus now = db.runs().get(run.runId()).map(Run::status).orElse(null);
            if (now != RunStatus.INTERRUPTED) {
                violations.add("could not finish " + run.runId() + ", which is " + now);
            }
        }
    }

    private static long runningCount(Database db, UUID thread, Lane lane) {
        return db.transactions().read(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT COUNT(*) FROM runs WHERE thread_id = ? AND lane = ? AND status = 'running'")) {
                st.setString(1, thread.toString());
                st.setString(2, lane.wireName());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    private static Run candidate(UUID thread, Lane lane) {
        Instant now = Instant.now();
        return new Run(Ids.newId(), thread, Ids.nameBased(Ids.ASSISTANT_NAMESPACE, "telco"), now, now,
                RunStatus.PENDING, null, Json.object(), MultitaskStrategy.ENQUEUE, lane);
    }
}
