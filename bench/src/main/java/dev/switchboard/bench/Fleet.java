package dev.switchboard.bench;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Hands out servers to the measures. In full runs each measure that needs a clean server (scale levels,
 * operations) gets a fresh one; in smoke mode every measure shares one server per side, because four JVM
 * start-ups alone would blow the ten-second budget.
 */
final class Fleet implements AutoCloseable {
    /**
     * Ours always runs with long telco operations (10 s nominal × 1000), so that the secondary-lane measure
     * finds them in flight; the scripted assistant the other measures use does not read it.
     */
    static final Map<String, String> OURS_ENV = Map.of("TELCO_TIME_SCALE", "1000");

    private final Launch launch;
    private final boolean share;
    private final Map<ServerProcess.Kind, ServerProcess> shared = new EnumMap<>(ServerProcess.Kind.class);

    Fleet(Launch launch, boolean share) {
        this.launch = launch;
        this.share = share;
    }

    Launch launch() {
        return launch;
    }

    ServerProcess acquire(ServerProcess.Kind kind, String label) throws IOException, InterruptedException {
        return acquire(kind, label, Map.of());
    }

    /** {@code peerEnv} goes to the peer's start script (e.g. {@code N_JOBS}); ours always gets {@link #OURS_ENV}. */
    ServerProcess acquire(ServerProcess.Kind kind, String label, Map<String, String> peerEnv) throws IOException,
            InterruptedException {
        return acquire(kind, label, peerEnv, true);
    }

    /**
     * With {@code fresh} false ours reopens the database of its last start under the same label (a restart);
     * the peer's start script always wipes its state.
     */
    ServerProcess acquire(ServerProcess.Kind kind, String label, Map<String, String> peerEnv, boolean fresh)
            throws IOException, InterruptedException {
        if (share && shared.containsKey(kind)) {
            return shared.get(kind);
        }
        String ours = label + launch.engine().idSuffix;
        Bench.say("starting " + kind.label + " server (" + (kind == ServerProcess.Kind.OURS ? ours + ", "
                + launch.engine().wireName() : label) + ")");
        ServerProcess server = kind == ServerProcess.Kind.OURS
                ? ServerProcess.startOurs(launch, ours, OURS_ENV, fresh)
                : ServerProcess.startPeer(launch, label, peerEnv);
        Bench.say(kind.label + " server up in " + server.startupNanos / 1_000_000 + " ms, pid " + server.pid());
        if (share) {
            shared.put(kind, server);
        }
        return server;
    }

    void release(ServerProcess server) {
        if (!share) {
            server.close();
        }
    }

    boolean shared() {
        return share;
    }

    @Override
    public void close() {
        shared.values().forEach(ServerProcess::close);
        shared.clear();
    }
}
