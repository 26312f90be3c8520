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

    /** Another instance joins a run executing here: its log, from the start, goes out over the cluster. */
    void relayIfLocal(UUID runId) {
        Optional<EventLog> log = events.find(runId);
        if (log.isEmpty() || !relaying.add(runId)) {
            return;
        }
        java.lang.Thread.ofVirtual().name("relay-" + runId).start(() -> {
            try (dev.switchboard.event.Subscription sub = log.get().subscribe(-1)) {
                while (!sub.isFinished()) {
                    Optional<dev.switchboard.event.SequencedEvent> next = sub.next(Duration.ofMinutes(30));
                    if (next.isEmpty()) {
                        continue;
                    }
                    cluster.relay(runId, next.get().sequence(),
                            dev.switchboard.Json.write(dev.switchboard.event.RunEventCodec.encode(next.get().event())));
                }
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            } finally {
                relaying.remove(runId);
            }
        });
    }

    /**
     * The local mirror of a run executing on another instance, filled by its relayed events in order; a join
     * here reads it like any log. An event already mirrored (a second follower asked) is skipped.
     */
    void mirror(UUID runId, long sequence, String event) {
        RunEvent decoded = dev.switchboard.event.RunEventCodec.decode(dev.switchboard.Json.parse(event));
        UUID threadId = decoded instanceof RunEvent.Metadata m ? m.threadId() : null;
        EventLog log = events.find(runId).orElseGet(() -> events.open(runId, threadId));
        mirrors.add(runId); // whoever opened it, a relay that stops short must not leave it open
        if (log.isClosed() || sequence != log.lastSequence() + 1) {
            return;
        }
        log.publish(decoded);
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
                continue;
            }
            if (executingHere.test(runId)) {
                continue;
            }
            Optional<Run> run = runs.get(runId);
            if (run.isEmpty() || run.get().status().isTerminal()) {
                log.get().close();
                mirrors.remove(runId);
            }
        }
    }

}
