package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * P1 (interrupt) and P2 (rollback): a first run streams 40 tokens × 50 ms; after a few of its tokens the
 * client double-texts with the strategy under test and times, from the moment it sends the second run,
 * (a) the first run's stream closing and (b) the second run's first token. The model waits 50 ms before
 * its first token, so (b) minus 50 ms is what the server adds.
 */
final class Handover {
    static final int TOKENS = 40;
    static final int DELAY_MS = 50;

    record Sample(double closedMs, double firstTokenMs) {
    }

    private Handover() {
    }

    static List<Row> run(List<ServerProcess> servers, Plan plan) throws InterruptedException {
        List<Row> rows = new ArrayList<>();
        rows.addAll(strategy("P1", "interrupt", servers, plan));
        rows.addAll(strategy("P2", "rollback", servers, plan));
        return rows;
    }

    private static List<Row> strategy(String id, String strategy, List<ServerProcess> servers, Plan plan)
            throws InterruptedException {
        Bench.say(id + " " + strategy + ": " + plan.handoverReps() + " double-texts per server");
        Map<ServerProcess.Kind, List<Sample>> samples = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Integer> errors = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, String> firstError = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Integer> done = new EnumMap<>(ServerProcess.Kind.class);
        int total = plan.handoverWarmup() + plan.handoverReps();
        while (servers.stream().anyMatch(s -> done.getOrDefault(s.kind, 0) < total)) {
            for (ServerProcess server : servers) {
                for (int i = 0; i < plan.handoverBatch() && done.getOrDefault(server.kind, 0) < total; i++) {
                    int index = done.merge(server.kind, 1, Integer::sum);
                    try {
                        Sample s = once(server, strategy, plan.handoverAfterTokens());
                        if (index > plan.handoverWarmup()) {
                            samples.computeIfAbsent(server.kind, k -> new ArrayList<>()).add(s);
                        }
                    } catch (InterruptedException e) {
                        throw e;
                    } catch (Exception e) {
                        errors.merge(server.kind, 1, Integer::sum);
                        firstError.putIfAbsent(server.kind, e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                }
            }
        }
        boolean withPeer = servers.size() > 1;
        List<Sample> ours = samples.getOrDefault(ServerProcess.Kind.OURS, List.of());
        List<Sample> peer = samples.getOrDefault(ServerProcess.Kind.PEER, List.of());
        Stats oursClosed = Stats.of(ours.stream().map(Sample::closedMs).toList());
        Stats oursFirst = Stats.of(ours.stream().map(Sample::firstTokenMs).toList());
        Stats oursOverhead = Stats.of(ours.stream().map(s -> s.firstTokenMs() - DELAY_MS).toList());
        Stats peerClosed = withPeer ? Stats.of(peer.stream().map(Sample::closedMs).toList()) : null;
        Stats peerFirst = withPeer ? Stats.of(peer.stream().map(Sample::firstTokenMs).toList()) : null;
        Stats peerOverhead = withPeer ? Stats.of(peer.stream().map(s -> s.firstTokenMs() - DELAY_MS).toList()) : null;
        String common = "first run " + TOKENS + " tokens × " + DELAY_MS + " ms, second run sent once "
                + plan.handoverAfterTokens() + " of its tokens arrived; fresh thread per repetition; " + plan.handoverWarmup()
                + " warm-up repetitions excluded" + Bench.errorNote(errors, firstError);
        String order = "first stream closed before the second run's first token: ours " + before(ours)
                + (withPeer ? ", peer " + before(peer) : "");
        List<Row> rows = new ArrayList<>();
        if (strategy.equals("interrupt")) {
            rows.add(new Row(id + "a", "interrupt: second run sent → first stream closed", "ms", Row.Better.LOWER,
                    oursClosed, peerClosed, null, null, common + "; " + order));
            rows.add(new Row(id + "b", "interrupt: second run sent → its first token (raw)", "ms", Row.Better.LOWER,
                    oursFirst, peerFirst, null, null, "includes the model's 50 ms wait before its first token"));
            rows.add(new Row(id + "b-overhead", "interrupt: handover overhead (raw − 50 ms)", "ms", Row.Better.LOWER,
                    oursOverhead, peerOverhead, "p50 ≤ 2 ms, p99 ≤ 10 ms",
                    !oursOverhead.isEmpty() && oursOverhead.p50() <= 2 && oursOverhead.p99() <= 10, null));
        } else {
            boolean always = !ours.isEmpty() && ours.stream().allMatch(s -> s.closedMs() < s.firstTokenMs());
            rows.add(new Row(id + "a", "rollback: second run sent → first stream closed", "ms", Row.Better.LOWER,
                    oursClosed, peerClosed, "p50 ≤ 5 ms, always before the new run's first token",
                    !oursClosed.isEmpty() && oursClosed.p50() <= 5 && always, common + "; " + order));
            rows.add(new Row(id + "b", "rollback: second run sent → its first token (raw)", "ms", Row.Better.LOWER,
                    oursFirst, peerFirst, null, null, "includes the model's 50 ms wait before its first token"));
            rows.add(new Row(id + "b-overhead", "rollback: handover overhead (raw − 50 ms)", "ms", Row.Better.LOWER,
                    oursOverhead, peerOverhead, null, null, null));
        }
        return rows;
    }

    private static String before(List<Sample> samples) {
        long n = samples.stream().filter(s -> s.closedMs() < s.firstTokenMs()).count();
        return n + "/" + samples.size();
    }

    static Sample once(ServerProcess server, String strategy, int afterTokens) throws Exception {
        return once(server.client, server.client, server.assistant(), strategy, afterTokens);
    }

    /**
     * One double-text: the thread and its first run made through {@code client}, the interrupting second run
     * sent through {@code second} (the same server, or another instance on the same database for P7).
     */
    static Sample once(Client client, Client second, String assistant, String strategy, int afterTokens)
            throws Exception {
        String thread = client.createThread();
        String path = "/threads/" + thread + "/runs/stream";
        ObjectNode first = Client.runBody(assistant, "first", TOKENS, DELAY_MS);
        first.putArray("stream_mode").add("messages-tuple");
        CompletableFuture<Void> midway = new CompletableFuture<>();
        AtomicLong closedAt = new AtomicLong();
        SseReader firstStream = client.stream(path, first);
        Thread reader = Thread.ofVirtual().name("first-stream").start(() -> {
            int tokens = 0;
            try (firstStream) {
                SseReader.Event e;
                while ((e = firstStream.next()) != null) {
                    if (e.isToken() && ++tokens == afterTokens) {
                        midway.complete(null);
                    }
                }
                closedAt.set(System.nanoTime());
            } catch (Exception ex) {
                midway.completeExceptionally(ex);
            }
            midway.completeExceptionally(new Client.Failure("first run ended after " + tokens + " tokens"));
        });
        try {
            midway.get(30, TimeUnit.SECONDS);
            ObjectNode body = Client.runBody(assistant, "second", TOKENS, DELAY_MS);
            body.putArray("stream_mode").add("messages-tuple");
            body.put("multitask_strategy", strategy);
            // The client abandons the second stream after its first token; the server may stop that run then.
            body.put("on_disconnect", "cancel");
            long sent = System.nanoTime();
            long firstToken = 0;
            try (SseReader secondStream = second.stream(path, body)) {
                SseReader.Event e;
                while ((e = secondStream.next()) != null) {
                    if (e.isToken()) {
                        firstToken = e.nanos();
                        break;
                    }
                }
            }
            if (firstToken == 0) {
                throw new Client.Failure("the second run's stream ended without a token");
            }
            reader.join(java.time.Duration.ofSeconds(30));
            if (closedAt.get() == 0) {
                throw new Client.Failure("the first run's stream did not close within 30 s of the double-text");
            }
            return new Sample((closedAt.get() - sent) / 1e6, (firstToken - sent) / 1e6);
        } finally {
            firstStream.close();
            reader.interrupt();
        }
    }
}
