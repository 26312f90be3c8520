package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.event.EventBus;
import dev.switchboard.event.EventLog;
import dev.switchboard.event.RunEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Any instance serves a join on any run (DESIGN.md §4): the instance executing a run relays its events, on
 * request, over the cluster channel; every other instance fills a local mirror log with the same sequence
 * numbers, which a join reads like any log. One relay per run at a time; relayed events arrive in order.
 */
final class ClusterRelay {
    private final EventBus events;
    private volatile Cluster cluster = Cluster.LOCAL;

    ClusterRelay(EventBus events) {
        this.events = events;
    }

    void join(Cluster signals) {
        this.cluster = signals;
    }

    private final java.util.Set<UUID> relaying = ConcurrentHashMap.newKeySet();

    /** Runs whose relay was asked for again while it was going: it starts over from the first retained event. */
    private final java.util.Set<UUID> rewinding = ConcurrentHashMap.newKeySet();

    /**
     * Another instance joins a run executing here (or retained here after its end): its log, from the start, goes
     * out over the cluster. Asked again while relaying (a follower lost an event), the relay starts over at its
     * next event; followers skip what they already have.
     */
    void relayIfLocal(UUID runId) {
        Optional<EventLog> log = events.find(runId);
        if (log.isEmpty()) {
            return;
        }
        if (!relaying.add(runId)) {
            rewinding.add(runId);
            return;
        }
        java.lang.Thread.ofVirtual().name("relay-" + runId).start(() -> {
            dev.switchboard.event.Subscription sub = log.get().subscribe(-1);
            try {
                while (!sub.isFinished()) {
                    Optional<dev.switchboard.event.SequencedEvent> next = sub.next(Duration.ofMinutes(30));
                    if (rewinding.remove(runId)) {
                        sub.close();
                        sub = log.get().subscribe(-1);
                        continue;
                    }
                    if (next.isEmpty()) {
                        continue;
                    }
                    cluster.relay(runId, next.get().sequence(),
                            dev.switchboard.Json.write(dev.switchboard.event.RunEventCodec.encode(next.get().event())));
                }
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            } finally {
                sub.close();
                relaying.remove(runId);
                rewinding.remove(runId);
            }
        });
    }

    /**
     * The local mirror of a run executing on another instance, filled by its relayed events in order; a join
     * here reads it like any log. An event already mirrored (a second follower asked) is skipped.
     */
    void mirror(UUID runId, long sequence, String event) {
        // Only a run someone here follows (a join opened its mirror) or admitted (its log opened then) has a log;
        // relays reach every instance, and the others have no use for them.
        Optional<EventLog> found = events.find(runId);
        if (found.isEmpty() || found.get().isClosed()) {
            return;
        }
        EventLog log = found.get();
        long expected = log.lastSequence() + 1;
        if (sequence < expected) {
            return; // already mirrored: a relay started over for another follower
        }
        if (sequence > expected) {
            // One was lost on the way: the events after it cannot be shown before it, so the relay is asked for again.
            askAgain(runId);
            return;
        }
        log.publish(dev.switchboard.event.RunEventCodec.decode(dev.switchboard.Json.parse(event)));
    }

    /**
     * Per run, how often a lost relayed event was asked for again, and when last: once a second at most, and
     * {@value #ASK_AGAIN_LIMIT} times in all (an event the executing instance no longer retains cannot come back;
     * then the mirror waits for the run's end, as {@link #closeEndedMirrors} closes it).
     */
    private final java.util.Map<UUID, long[]> askedAgain = new ConcurrentHashMap<>();
    private static final int ASK_AGAIN_LIMIT = 5;

    private void askAgain(UUID runId) {
        long now = System.nanoTime();
        long[] asked = askedAgain.computeIfAbsent(runId, id -> new long[] {0, now - 2_000_000_000L});
        boolean ask;
        synchronized (asked) {
            ask = asked[0] < ASK_AGAIN_LIMIT && now - asked[1] > 1_000_000_000L;
            if (ask) {
                asked[0]++;
                asked[1] = now;
            }
        }
        if (ask) {
            cluster.follow(runId);
        }
    }

    /**
     * A join on a run that executes on another instance: asks that instance to relay and answers the local
     * mirror log (empty until the first relayed event arrives).
     */
    EventLog followRemote(Run run) {
        EventLog mirror = events.open(run.runId(), run.threadId());
        mirrors.add(run.runId());
        cluster.follow(run.runId());
        return mirror;
    }

    /**
     * Runs whose log here may be filled by another instance's relay: mirrors opened to follow, and the logs this
     * instance opened when it admitted a run (which another instance may execute).
     */
    private final java.util.Set<UUID> mirrors = ConcurrentHashMap.newKeySet();
    /** Mirrors of ended runs whose relay was asked for once more before they are closed. */
    private final java.util.Set<UUID> endAsked = ConcurrentHashMap.newKeySet();

    /** A run admitted here, its log opened for its clients: another instance may execute it and relay to it. */
    void watch(UUID runId) {
        mirrors.add(runId);
    }

    /**
     * The repair of a lost relay, run by the heartbeat: relayed events travel as signals, which are lost while the
     * channel is down (the database cut off or restarting), and a mirror that missed one waits for ever, its later
     * events out of order. Once the store shows the run ended (or gone), its mirror is closed, so a join here ends;
     * what it missed is in the thread's state. A run executing here is left alone: its own end closes its log,
     * with the notice of why.
     */
    void closeEndedMirrors(RunStore runs, java.util.function.Predicate<UUID> executingHere) {
        for (UUID runId : java.util.List.copyOf(mirrors)) {
            Optional<EventLog> log = events.find(runId);
            if (log.isEmpty() || log.get().isClosed()) {
                mirrors.remove(runId);
                endAsked.remove(runId);
                askedAgain.remove(runId);
                continue;
            }
            if (executingHere.test(runId)) {
                continue;
            }
            Optional<Run> run = runs.get(runId);
            if (run.isEmpty() || run.get().status().isTerminal()) {
                // Its executing instance retains the log a while after the end: asked once more, it relays what
                // was lost (its end included). Closed at the next sweep if that did not arrive either.
                if (run.isPresent() && endAsked.add(runId)) {
                    cluster.follow(runId);
                    continue;
                }
                log.get().close();
                mirrors.remove(runId);
                endAsked.remove(runId);
                askedAgain.remove(runId);
            }
        }
    }

}
