package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * P6: process start to the first 200 on {@code /ok}. Ours: the java command {@code bin/switchboard serve}
 * runs (with -Xmx1g and a fresh SQLite file, so migrations run each time); the peer: its {@code start.sh}
 * (which wipes its state). One unmeasured start of each first warms the disk cache.
 */
final class Startup {
    private Startup() {
    }

    static List<Row> run(Fleet fleet, boolean withPeer, Plan plan) throws Exception {
        List<Double> ours = new ArrayList<>();
        List<Double> peer = new ArrayList<>();
        if (fleet.shared()) {
            // Smoke mode: the shared server's own start is the sample; no extra JVM.
            ours.add(fleet.acquire(ServerProcess.Kind.OURS, "shared").startupNanos / 1e6);
            if (withPeer) {
                peer.add(fleet.acquire(ServerProcess.Kind.PEER, "shared").startupNanos / 1e6);
            }
        } else {
            for (int i = -1; i < plan.startups(); i++) {
                double o = once(fleet, ServerProcess.Kind.OURS, i);
                if (i >= 0) {
                    ours.add(o);
                }
                if (withPeer) {
                    double p = once(fleet, ServerProcess.Kind.PEER, i);
                    if (i >= 0) {
                        peer.add(p);
                    }
                }
            }
        }
        Stats o = Stats.of(ours);
        return List.of(new Row("P6", "start-up: process start → /ok answers", "ms", Row.Better.LOWER, o,
                withPeer ? Stats.of(peer) : null, "≤ 1.0 s", !o.isEmpty() && o.p50() <= 1000,
                "ours: java -Xmx1g -cp … dev.switchboard.server.cli.Main serve on a new SQLite file (what "
                        + "bin/switchboard serve execs, without its build check); peer: start.sh (langgraphjs dev, "
                        + "node_modules installed); " + (fleet.shared() ? "smoke: one start"
                        : "1 warm-up start each excluded, then " + plan.startups() + " alternating")));
    }

    private static double once(Fleet fleet, ServerProcess.Kind kind, int index) throws Exception {
        ServerProcess server = fleet.acquire(kind, "p6-" + (index < 0 ? "warmup" : Integer.toString(index)));
        fleet.release(server);
        return server.startupNanos / 1e6;
    }
}
