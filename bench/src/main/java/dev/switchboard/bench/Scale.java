package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * P4: how many conversations can stream at once. Each conversation is a thread on which the client streams
 * one answer after another ({@code scaleTokens} tokens × 50 ms, no pause between turns) for a 60-second window,
 * the conversations' starts spread over one answer's length. Two judgements per level:
 * <ul>
 *   <li>sustained (the brief's criterion): every request and stream completes, 0 errors, on -Xmx1g: no
 *       stream silent for 10 s at the end of the window, no OutOfMemoryError in the server's log;</li>
 *   <li>keeps pace (ours, stricter): the mean gap between two tokens of an answer within 10 % of the model's
 *       50 ms, the p99 gap within 250 ms (a stall a reader notices) and an answer's first token within 2 s at
 *       p99 (no queueing).</li>
 * </ul>
 * Levels go up until a side fails with errors or collapses (first token p50 over 10 s: streams queue rather
 * than stream). The time between one answer's end and the next request (the peer closes a stream ~500 ms
 * after its run) shows as the share of nominal tokens delivered and is not judged. Every level runs on a fresh
 * server, so its memory figures start from the same baseline.
 */
final class Scale {
    static final int DELAY_MS = 50;
    /** Mean gap within an answer above this: the streams fall behind the model. */
    static final double MAX_MEAN_GAP_MS = DELAY_MS * 1.1;
    /** A p99 gap above this is a stall a reader notices. */
    static final double MAX_P99_GAP_MS = 250;
    /** A p99 wait for an answer's first token above this (model's own 50 ms included) is a queue, not a stream. */
    static final double MAX_P99_FIRST_TOKEN_MS = 2000;
    /** A median wait for the first token above this: the server queues answers rather than streams them. */
    static final double COLLAPSED_FIRST_TOKEN_MS = 10_000;
    /** No event for this long while the model emits one every 50 ms: the stream hangs. */
    static final long STALL_NANOS = 10_000_000_000L;
    /** One HttpClient (one selector thread) per this many connections, so the client side spreads its I/O. */
    static final int CONNECTIONS_PER_CLIENT = 500;

    record Level(int conversations, long errors, int stalled, long outOfMemory, String firstError, double delivered,
            long runs, Stats gaps,
            Stats firstToken, Optional<Double> heapPerConversationKiB, double rssPerConversationKiB, long rssKiB,
            double serverCpuPercent, double clientCpuPercent) {

        boolean sustained() {
            return errors == 0 && stalled == 0 && outOfMemory == 0 && gaps.n() > 0;
        }

        boolean keepsPace() {
            return sustained() && gaps.mean() <= MAX_MEAN_GAP_MS && gaps.p99() <= MAX_P99_GAP_MS
                    && firstToken.p99() <= MAX_P99_FIRST_TOKEN_MS;
        }

        /** Worth no higher level: requests fail, or answers wait in a queue instead of streaming. */
        boolean collapsed() {
            return !sustained() || firstToken.p50() > COLLAPSED_FIRST_TOKEN_MS;
        }

        String summary() {
            return String.format(Locale.ROOT, "%d: %s (errors %d, stalled streams %d, server OutOfMemoryErrors %d, token gap mean %.1f ms p99 %.0f ms, first token "
                            + "p50 %.0f ms p99 %.0f ms, %.0f %% of nominal tokens delivered, of the machine's %d cores the server had "
                            + "%.0f %% and the load-generating client %.0f %%, server RSS %d MiB, %.0f KiB RSS%s per "
                            + "conversation)",
                    conversations, keepsPace() ? "sustained, keeps pace" : sustained() ? "sustained, falls behind"
                            : "NOT sustained", errors, stalled, outOfMemory, gaps.mean(), gaps.p99(),
                    firstToken.p50(), firstToken.p99(), delivered * 100, Runtime.getRuntime().availableProcessors(),
                    serverCpuPercent, clientCpuPercent,
                    rssKiB / 1024, rssPerConversationKiB,
                    heapPerConversationKiB.map(h -> String.format(Locale.ROOT, " and %.0f KiB heap", h)).orElse(""))
                    + (firstError == null ? "" : " first error: " + firstError);
        }
    }

    private Scale() {
    }

    static List<Row> run(Fleet fleet, boolean withPeer, Plan plan) throws Exception {
        List<ServerProcess.Kind> kinds = withPeer ? List.of(ServerProcess.Kind.OURS, ServerProcess.Kind.PEER)
                : List.of(ServerProcess.Kind.OURS);
        Map<ServerProcess.Kind, Level> best = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Level> paced = new EnumMap<>(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, Level> stopped = new EnumMap<>(ServerProcess.Kind.class);
        java.util.Set<ServerProcess.Kind> lostPace = java.util.EnumSet.noneOf(ServerProcess.Kind.class);
        Map<ServerProcess.Kind, List<String>> history = new EnumMap<>(ServerProcess.Kind.class);
        for (int conversations : plan.scaleLevels()) {
            for (ServerProcess.Kind kind : kinds) {
                if (stopped.containsKey(kind)) {
                    continue;
                }
                // The peer runs at most N_JOBS runs at once (10 by default) and queues the rest: give it one
                // worker per conversation so that it is measured on streaming, not on its default pool size.
                ServerProcess server = fleet.acquire(kind, "p4-" + conversations,
                        Map.of("N_JOBS", Integer.toString(conversations)));
                Level level;
                try {
                    level = level(server, conversations, plan, fleet.launch());
                } finally {
                    fleet.release(server);
                }
                Bench.say("P4 " + kind.label + " " + level.summary());
                history.computeIfAbsent(kind, k -> new ArrayList<>()).add(level.summary());
                if (level.sustained()) {
                    best.put(kind, level);
                }
                // Pace counts only while every lower level kept it too.
                if (level.keepsPace() && !lostPace.contains(kind)) {
                    paced.put(kind, level);
                } else {
                    lostPace.add(kind);
                }
                if (level.collapsed()) {
                    stopped.put(kind, level);
                }
            }
            if (stopped.size() == kinds.size()) {
                break;
            }
        }
        Level ours = best.get(ServerProcess.Kind.OURS);
        Level peer = best.get(ServerProcess.Kind.PEER);
        Level oursPaced = paced.get(ServerProcess.Kind.OURS);
        Level peerPaced = paced.get(ServerProcess.Kind.PEER);
        String note = "each conversation streams " + plan.scaleTokens() + "-token answers × " + DELAY_MS
                + " ms back to back for " + plan.scaleSeconds() + " s; levels tried: " + plan.scaleLevels()
                + "; ours: " + String.join("; ", history.getOrDefault(ServerProcess.Kind.OURS, List.of()))
                + (withPeer ? " | peer: " + String.join("; ", history.getOrDefault(ServerProcess.Kind.PEER, List.of())) : "")
                + "; the peer started with N_JOBS = conversations; a side stops at errors or when its median first "
                + "token exceeds 10 s; a top level passed means the search stopped there";
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("P4", "concurrent streaming conversations sustained (" + plan.scaleSeconds()
                + " s, 0 errors)", "conversations", Row.Better.HIGHER, count(ours), withPeer ? count(peer) : null,
                "10,000", ours != null && ours.conversations() >= 10_000, note));
        rows.add(new Row("P4-pace", "… of which keep pace (gap mean ≤ 55 ms, p99 ≤ 250 ms; first token p99 ≤ 2 s)",
                "conversations", Row.Better.HIGHER, count(oursPaced), withPeer ? count(peerPaced) : null, null, null,
                "largest level, every level below it also keeping pace"));
        rows.add(new Row("P4-rss", "resident memory per conversation at the sustained level", "KiB", Row.Better.LOWER,
                ours == null ? Stats.of(new double[0]) : Stats.single(ours.rssPerConversationKiB()),
                withPeer ? (peer == null ? Stats.of(new double[0]) : Stats.single(peer.rssPerConversationKiB())) : null,
                null, null, "(RSS at the end of the window − RSS of the idle fresh server) / conversations; "
                + "process tree for the peer"));
        rows.add(new Row("P4-heap", "heap per conversation at the sustained level (after full GC)", "KiB",
                Row.Better.LOWER, ours == null || ours.heapPerConversationKiB().isEmpty() ? Stats.of(new double[0])
                        : Stats.single(ours.heapPerConversationKiB().get()), null, null, null,
                "ours only (-Xmx1g): jcmd GC.run then GC.heap_info, minus the idle server's"));
        rows.add(new Row("P4-gap", "gap between tokens at the sustained level", "ms", Row.Better.LOWER,
                ours == null ? Stats.of(new double[0]) : ours.gaps(),
                withPeer ? (peer == null ? Stats.of(new double[0]) : peer.gaps()) : null, null, null,
                "nominal 50 ms; 1 ms resolution"));
        rows.add(new Row("P4-first", "first token of an answer at the sustained level", "ms", Row.Better.LOWER,
                ours == null ? Stats.of(new double[0]) : ours.firstToken(),
                withPeer ? (peer == null ? Stats.of(new double[0]) : peer.firstToken()) : null, null, null,
                "request sent → first token; the model waits 50 ms"));
        return rows;
    }

    private static Stats count(Level level) {
        return level == null ? Stats.of(new double[0]) : Stats.single(level.conversations());
    }

    static Level level(ServerProcess server, int conversations, Plan plan, Launch launch) throws Exception {
        Optional<Long> heapBefore = server.heapUsedAfterGcKiB(launch);
        long rssBefore = server.rssKiB();
        Histogram gaps = new Histogram(60_000);
        Histogram first = new Histogram(60_000);
        LongAdder tokens = new LongAdder();
        LongAdder runs = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        Client[] clients = new Client[(conversations + CONNECTIONS_PER_CLIENT - 1) / CONNECTIONS_PER_CLIENT];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new Client(server.client.base());
        }
        // Starts are spread over one answer's length, so turns end and begin evenly rather than in waves of
        // thousands at once (steady state: conversations / answer length runs per second).
        long rampNanos = Duration.ofMillis((long) plan.scaleTokens() * DELAY_MS).toNanos();
        long start = System.nanoTime();
        // Two seconds after the last conversation started, every stream is past its first request.
        long windowStart = start + rampNanos + Duration.ofSeconds(2).toNanos();
        long windowEnd = windowStart + Duration.ofSeconds(plan.scaleSeconds()).toNanos();
        AtomicBoolean stop = new AtomicBoolean();
        // Last sign of life per conversation: a stream that hangs is as broken as one that fails.
        AtomicLongArray alive = new AtomicLongArray(conversations);
        ObjectNode body = Client.runBody(server.assistant(), "hello", plan.scaleTokens(), DELAY_MS);
        body.putArray("stream_mode").add("messages-tuple");
        double serverCpu;
        double clientCpu;
        int stalled = 0;
        long rssAfter;
        Optional<Long> heapAfter;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < conversations; i++) {
                long startAt = start + rampNanos * i / conversations;
                int index = i;
                Client client = clients[i % clients.length];
                pool.submit(() -> {
                    conversation(client, body, plan.scaleTokens(), startAt, windowStart, windowEnd, stop, gaps,
                            first, tokens, runs, errors, firstError, alive, index);
                    return null;
                });
            }
            sleepUntil(windowStart);
            long wall0 = System.nanoTime();
            Duration server0 = server.cpu();
            Duration client0 = ownCpu();
            sleepUntil(windowEnd);
            long now = System.nanoTime();
            for (int i = 0; i < conversations; i++) {
                if (now - alive.get(i) > STALL_NANOS) {
                    stalled++;
                }
            }
            double wall = (System.nanoTime() - wall0) * Runtime.getRuntime().availableProcessors();
            serverCpu = (server.cpu().minus(server0).toNanos()) / wall * 100;
            clientCpu = (ownCpu().minus(client0).toNanos()) / wall * 100;
            // Measured with every conversation still open: that is the memory they hold.
            rssAfter = server.rssKiB();
            heapAfter = server.heapUsedAfterGcKiB(launch);
        } finally {
            stop.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                pool.shutdownNow();
                pool.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        double nominal = (double) conversations * plan.scaleSeconds() * 1000 / DELAY_MS;
        Optional<Double> heapPer = heapBefore.isPresent() && heapAfter.isPresent()
                ? Optional.of((double) (heapAfter.get() - heapBefore.get()) / conversations) : Optional.empty();
        return new Level(conversations, errors.sum(), stalled, outOfMemoryErrors(server), firstError.get(), tokens.sum() / nominal, runs.sum(),
                gaps.stats(), first.stats(), heapPer, (double) (rssAfter - rssBefore) / conversations, rssAfter,
                serverCpu, clientCpu);
    }

    private static void conversation(Client client, ObjectNode body, int expected, long startAt, long windowStart,
            long windowEnd, AtomicBoolean stop, Histogram gaps, Histogram first, LongAdder tokens,
            LongAdder runs, LongAdder errors, AtomicReference<String> firstError, AtomicLongArray alive, int index) {
        alive.set(index, System.nanoTime());
        try {
            sleepUntil(startAt);
            alive.set(index, System.nanoTime());
            String thread = client.createThread();
            String path = "/threads/" + thread + "/runs/stream";
            while (!stop.get()) {
                long sent = System.nanoTime();
                long last = 0;
                int received = 0;
                try (SseReader stream = client.stream(path, body)) {
                    SseReader.Event e;
                    // Every messages event of the scripted model is one token: no JSON parsing on the hot path.
                    while (!stop.get() && (e = stream.next()) != null) {
                        alive.set(index, e.nanos());
                        if (!"messages".equals(e.name())) {
                            continue;
                        }
                        received++;
                        long now = e.nanos();
                        if (now >= windowStart && now < windowEnd) {
                            tokens.increment();
                            if (last == 0) {
                                first.recordNanos(now - sent);
                            } else {
                                gaps.recordNanos(now - last);
                            }
                        }
                        last = now;
                    }
                }
                if (stop.get()) {
                    return;
                }
                if (received < expected) {
                    throw new Client.Failure("stream ended after " + received + " of " + expected + " tokens");
                }
                runs.increment();
            }
        } catch (Exception e) {
            if (!stop.get()) {
                errors.increment();
                firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    /** The server's own account of running out of heap: runs that die that way may leave streams hanging. */
    private static long outOfMemoryErrors(ServerProcess server) {
        try (var lines = java.nio.file.Files.lines(server.log)) {
            return lines.filter(l -> l.contains("OutOfMemoryError")).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    private static Duration ownCpu() {
        return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }
}
