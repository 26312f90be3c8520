package dev.switchboard.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * P3: completed runs per second with 64 concurrent clients, each looping stateless {@code POST /runs/wait}
 * (10 tokens at 0 ms; the server creates and deletes a temporary thread per run). Counted in one-second
 * buckets after a warm-up, so the spread is the second-to-second variation.
 */
final class Throughput {
    private Throughput() {
    }

    record Window(double[] perSecond, List<Double> latencies, int errors, String firstError) {
    }

    static List<Row> run(List<ServerProcess> servers, Plan plan) throws InterruptedException {
        Map<ServerProcess.Kind, List<Double>> rates = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, List<Double>> latencies = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Integer> errors = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, String> firstError = new EnumMap<>(ServerProcess.Kind.class);
        for (int round = 0; round < plan.throughputRounds(); round++) {
            for (ServerProcess server : servers) {
                Window w = window(List.of(server.client), server.assistant(), plan);
                Bench.say("P3 " + server.kind.label + " round " + (round + 1) + ": "
                        + Math.round(java.util.Arrays.stream(w.perSecond()).average().orElse(0)) + " runs/s, "
                        + w.errors() + " errors");
                for (double r : w.perSecond()) {
                    rates.computeIfAbsent(server.kind, k -> new ArrayList<>()).add(r);
                }
                latencies.computeIfAbsent(server.kind, k -> new ArrayList<>()).addAll(w.latencies());
                if (w.errors() > 0) {
                    errors.merge(server.kind, w.errors(), Integer::sum);
                    firstError.putIfAbsent(server.kind, w.firstError());
                }
            }
        }
        boolean withPeer = servers.size() > 1;
        Stats ours = Stats.of(rates.getOrDefault(ServerProcess.Kind.OURS, List.of()));
        Stats peer = withPeer ? Stats.of(rates.getOrDefault(ServerProcess.Kind.PEER, List.of())) : null;
        Stats oursLatency = Stats.of(latencies.getOrDefault(ServerProcess.Kind.OURS, List.of()));
        Stats peerLatency = withPeer ? Stats.of(latencies.getOrDefault(ServerProcess.Kind.PEER, List.of())) : null;
        String note = plan.throughputClients() + " clients, stateless runs/wait, 10 tokens × 0 ms; "
                + plan.throughputRounds() + " rounds of " + plan.throughputSeconds() + " s after "
                + plan.throughputWarmupSeconds() + " s warm-up each; spread over one-second buckets"
                + Bench.errorNote(errors, firstError);
        Boolean met = withPeer && !ours.isEmpty() && !peer.isEmpty() ? ours.p50() >= 10 * peer.p50() : null;
        return List.of(
                new Row("P3", "throughput (" + plan.throughputClients() + " concurrent clients)", "runs/s",
                        Row.Better.HIGHER, ours, peer, "≥ 10× the peer", met, note),
                new Row("P3-latency", "run latency under that load", "ms", Row.Better.LOWER, oursLatency,
                        peerLatency, null, null, null));
    }

    /** One window of {@code plan.throughputClients()} clients, client i sending to {@code targets[i % size]}. */
    static Window window(List<Client> targets, String assistant, Plan plan) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(plan.throughputWarmupSeconds()).toNanos();
        long end = measureFrom + Duration.ofSeconds(plan.throughputSeconds()).toNanos();
        AtomicIntegerArray buckets = new AtomicIntegerArray(plan.throughputSeconds());
        ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        var body = Client.runBody(assistant, "hello", 10, 0);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < plan.throughputClients(); c++) {
                Client target = targets.get(c % targets.size());
                clients.submit(() -> {
                    while (System.nanoTime() < end) {
                        long sent = System.nanoTime();
                        try {
                            String answer = target.postText("/runs/wait", body, Duration.ofSeconds(120));
                            long done = System.nanoTime();
                            if (!answer.contains("t9")) {
                                throw new Client.Failure("runs/wait answered without the last token");
                            }
                            if (done >= measureFrom && done < end) {
                                buckets.incrementAndGet((int) ((done - measureFrom) / 1_000_000_000L));
                                latencies.add((done - sent) / 1e6);
                            }
                        } catch (InterruptedException e) {
                            return null;
                        } catch (Exception e) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
                            Thread.sleep(10);
                        }
                    }
                    return null;
                });
            }
        }
        double[] perSecond = new double[buckets.length()];
        for (int i = 0; i < perSecond.length; i++) {
            perSecond[i] = buckets.get(i);
        }
        return new Window(perSecond, new ArrayList<>(latencies), errors.get(), firstError.get());
    }
}
