package dev.switchboard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * P5 (ours only; the peer has no secondary lane): N telco threads each have a {@code change_package}
 * operation in flight (10 s nominal × {@code TELCO_TIME_SCALE} 1000, so none finishes during the measure);
 * then one client asks "how far along is it?" on those threads, one question at a time, and times the
 * first token of the answer, which the secondary lane gives (check_status, then the offline model streaming
 * with no token delay).
 */
final class SecondaryLane {
    private static final int STARTERS = 8;

    private SecondaryLane() {
    }

    static List<Row> run(Fleet fleet, Plan plan) throws Exception {
        ServerProcess server = fleet.acquire(ServerProcess.Kind.OURS, "p5");
        List<Row> rows = new ArrayList<>();
        try {
            List<String> threads = new ArrayList<>();
            Random random = new Random(42);
            for (int n : plan.secondaryOperations()) {
                startOperations(server.client, threads, n);
                List<Double> samples = new ArrayList<>();
                int errors = 0;
                String firstError = null;
                List<String> order = new ArrayList<>(threads);
                Collections.shuffle(order, random);
                int total = plan.secondaryWarmup() + plan.secondarySamples();
                for (int i = 0; i < total; i++) {
                    try {
                        double ms = ask(server.client, order.get(i % order.size()));
                        if (i >= plan.secondaryWarmup()) {
                            samples.add(ms);
                        }
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        errors++;
                        if (firstError == null) {
                            firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
                        }
                    }
                }
                long running = inFlight(server.client, threads);
                Stats stats = Stats.of(samples);
                Bench.say("P5 N=" + n + ": first token p50 " + Math.round(stats.p50()) + " ms, p99 "
                        + Math.round(stats.p99()) + " ms, " + running + " operations running, " + errors + " errors");
                rows.add(new Row("P5-" + n, "secondary answer, first token, with " + n + " operations in flight",
                        "ms", Row.Better.LOWER, stats, null, "p99 ≤ 50 ms",
                        !stats.isEmpty() && stats.p99() <= 50 && errors == 0,
                        "ours only: the peer has no secondary lane; " + running + " operations still running after "
                                + "the questions; questions one at a time on random threads among the N, "
                                + plan.secondaryWarmup() + " warm-up questions excluded; server RSS "
                                + server.rssKiB() / 1024 + " MiB"
                                + (errors == 0 ? "" : "; " + errors + " errors, first: " + firstError)));
            }
        } finally {
            fleet.release(server);
        }
        return rows;
    }

    /** Starts main runs on new threads until {@code n} threads have an operation running. */
    private static void startOperations(Client client, List<String> threads, int n) throws Exception {
        int missing = n - threads.size();
        if (missing <= 0) {
            return;
        }
        Bench.say("P5: starting " + missing + " change_package operations");
        List<String> added = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>();
        Semaphore permits = new Semaphore(STARTERS);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < missing; i++) {
                pool.submit(() -> {
                    permits.acquire();
                    try {
                        String thread = client.createThread();
                        ObjectNode body = Json.object();
                        body.put("assistant_id", "telco");
                        body.putObject("input").putArray("messages").addObject().put("role", "user")
                                .put("content", "change my package to premium");
                        body.putObject("config").putObject("configurable").put("token_delay_ms", 0);
                        client.post("/threads/" + thread + "/runs", body);
                        awaitRunning(client, thread);
                        added.add(thread);
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
                    } finally {
                        permits.release();
                    }
                    return null;
                });
            }
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " operations did not start; first: " + firstError.get());
        }
        threads.addAll(added);
    }

    private static void awaitRunning(Client client, String thread) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (JsonNode op : client.get("/threads/" + thread + "/operations")) {
                if (op.path("status").asText().equals("running")) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new Client.Failure("no operation running on thread " + thread + " after 120 s");
    }

    private static long inFlight(Client client, List<String> threads) throws Exception {
        long running = 0;
        for (String thread : threads) {
            for (JsonNode op : client.get("/threads/" + thread + "/operations")) {
                if (op.path("status").asText().equals("running")) {
                    running++;
                }
            }
        }
        return running;
    }

    private static double ask(Client client, String thread) throws Exception {
        ObjectNode body = Json.object();
        body.put("assistant_id", "telco");
        body.putObject("input").putArray("messages").addObject().put("role", "user").put("content",
                "how far along is it?");
        body.putArray("stream_mode").add("messages-tuple");
        body.putObject("config").putObject("configurable").put("token_delay_ms", 0);
        long sent = System.nanoTime();
        long firstToken = 0;
        StringBuilder answer = new StringBuilder();
        try (SseReader stream = client.stream("/threads/" + thread + "/runs/stream", body)) {
            SseReader.Event e;
            while ((e = stream.next()) != null) {
                if (e.isToken()) {
                    if (firstToken == 0) {
                        firstToken = e.nanos();
                    }
                    answer.append(e.tokenText());
                }
            }
        }
        if (firstToken == 0) {
            throw new Client.Failure("the answer had no token");
        }
        // The secondary lane reports progress; anything else means the question did not reach it.
        if (!answer.toString().contains("%")) {
            throw new Client.Failure("not a progress answer: " + answer);
        }
        return (firstToken - sent) / 1e6;
    }
}
