package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * P6: process start to the first 200 on {@code /ok}. Ours: the java command {@code bin/switchboard serve} runs
 * (-Xmx1g, and its class cache unless {@code --no-class-cache}), measured two ways: {@code P6} restarts on an
 * existing database (the common case: the schema is already at the code's version), {@code P6-new} starts on a new
 * database (migrations run). The peer: its {@code start.sh}, which wipes its state, so every peer start is a new
 * one; its figure sits in both rows. One unmeasured start of each first warms the disk cache, makes our class
 * cache and creates the database the restarts reopen.
 */
final class Startup {
    private static final String RESTART = "p6-restart";

    private Startup() {
    }

    static List<Row> run(Fleet fleet, boolean withPeer, Plan plan) throws Exception {
        List<Double> restart = new ArrayList<>();
        List<Double> fresh = new ArrayList<>();
        List<Double> peer = new ArrayList<>();
        String cache = ClassCache.describe(fleet.launch());
        if (fleet.shared()) {
            // Smoke mode: the shared server's own start is the one sample; no extra JVM.
            fresh.add(fleet.acquire(ServerProcess.Kind.OURS, "shared").startupNanos / 1e6);
            if (withPeer) {
                peer.add(fleet.acquire(ServerProcess.Kind.PEER, "shared").startupNanos / 1e6);
            }
            Stats o = Stats.of(fresh);
            return List.of(new Row("P6-new", "start-up on a new database: process start → /ok answers", "ms",
                    Row.Better.LOWER, o, withPeer ? Stats.of(peer) : null, "≤ 1.0 s", !o.isEmpty() && o.p50() <= 1000,
                    "smoke: one start, " + cache));
        }
        // Warm-up: makes the class cache and the database every restart reopens.
        once(fleet, ServerProcess.Kind.OURS, RESTART, true);
        if (withPeer) {
            once(fleet, ServerProcess.Kind.PEER, "p6-warmup", true);
        }
        for (int i = 0; i < plan.startups(); i++) {
            restart.add(once(fleet, ServerProcess.Kind.OURS, RESTART, false));
            if (withPeer) {
                peer.add(once(fleet, ServerProcess.Kind.PEER, "p6-" + i, true));
            }
            fresh.add(once(fleet, ServerProcess.Kind.OURS, "p6-new-" + i, true));
        }
        Stats r = Stats.of(restart);
        Stats n = Stats.of(fresh);
        Stats p = withPeer ? Stats.of(peer) : null;
        String how = "ours: java -Xmx1g -cp … dev.switchboard.server.cli.Main serve (what bin/switchboard serve "
                + "execs, without its build check), " + cache + (withPeer ? "; peer: start.sh (langgraphjs dev, "
                + "node_modules installed, state wiped on every start)" : "") + "; 1 warm-up start each excluded, then "
                + plan.startups() + " of each alternating";
        return List.of(
                new Row("P6", "start-up, restart on an existing database: process start → /ok answers", "ms",
                        Row.Better.LOWER, r, p, "≤ 1.0 s", !r.isEmpty() && r.p50() <= 1000, how),
                new Row("P6-new", "start-up on a new database (migrations run): process start → /ok answers", "ms",
                        Row.Better.LOWER, n, p, "≤ 1.0 s", !n.isEmpty() && n.p50() <= 1000, how));
    }

    private static double once(Fleet fleet, ServerProcess.Kind kind, String label, boolean fresh) throws Exception {
        ServerProcess server = fleet.acquire(kind, label, Map.of(), fresh);
        fleet.release(server);
        return server.startupNanos / 1e6;
    }
}
