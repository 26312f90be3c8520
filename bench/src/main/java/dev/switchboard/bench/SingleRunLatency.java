package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** P0: one client, an idle thread, {@code POST /threads/{id}/runs/wait}, 10 tokens at 0 ms each. */
final class SingleRunLatency {
    private SingleRunLatency() {
    }

    static List<Row> run(List<ServerProcess> servers, Plan plan) throws InterruptedException {
        Map<ServerProcess.Kind, List<Double>> samples = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Integer> errors = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, String> firstError = new EnumMap<>(ServerProcess.Kind.class);
        int total = plan.latencyWarmup() + plan.latencyReps();
        Map<ServerProcess.Kind, Integer> done = new EnumMap<>(ServerProcess.Kind.class);
        // Interleaved batches, so both servers see the same stretches of machine noise.
        while (servers.stream().anyMatch(s -> done.getOrDefault(s.kind, 0) < total)) {
            for (ServerProcess server : servers) {
                for (int i = 0; i < plan.latencyBatch() && done.getOrDefault(server.kind, 0) < total; i++) {
                    int index = done.merge(server.kind, 1, Integer::sum);
                    try {
                        double ms = once(server);
                        if (index > plan.latencyWarmup()) {
                            samples.computeIfAbsent(server.kind, k -> new ArrayList<>()).add(ms);
                        }
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            throw (InterruptedException) e;
                        }
                        errors.merge(server.kind, 1, Integer::sum);
                        firstError.putIfAbsent(server.kind, String.valueOf(e.getMessage()));
                    }
                }
            }
        }
        Stats ours = Stats.of(samples.getOrDefault(ServerProcess.Kind.OURS, List.of()));
        Stats peer = servers.size() > 1 ? Stats.of(samples.getOrDefault(ServerProcess.Kind.PEER, List.of())) : null;
        String note = "fresh thread per run (created untimed), " + plan.latencyWarmup() + " warm-up runs excluded"
                + Bench.errorNote(errors, firstError);
        return List.of(new Row("P0", "single-run latency (runs/wait, 10 tokens × 0 ms)", "ms", Row.Better.LOWER,
                ours, peer, "p50 ≤ 3 ms", !ours.isEmpty() && ours.p50() <= 3.0, note));
    }

    private static double once(ServerProcess server) throws Exception {
        String thread = server.client.createThread();
        var body = Client.runBody(server.assistant(), "hello", 10, 0);
        long start = System.nanoTime();
        String answer = server.client.postText("/threads/" + thread + "/runs/wait", body, java.time.Duration.ofSeconds(60));
        long took = System.nanoTime() - start;
        if (!answer.contains("t9")) {
            throw new Client.Failure("runs/wait answered without the last token: " + answer);
        }
        return took / 1e6;
    }
}
