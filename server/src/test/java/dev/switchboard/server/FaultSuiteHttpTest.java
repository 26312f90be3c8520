package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.History;
import dev.switchboard.message.MessageJson;
import dev.switchboard.run.Lane;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * R2 of the fault suite over HTTP (docs/reliability.md): three Switchboard servers on one PostgreSQL, and several
 * clients sending a seeded random mix of requests, each to a random instance. Seed: printed at the end and in every
 * failure; {@code -Dswitchboard.faults.seed=N} replays a seed's schedule (the clients' choices; the timing between
 * them is the machine's), {@code -Dswitchboard.faults.full=true} runs the full size.
 *
 * <p>Longer than our usual class: the request mix, the settling and the final checks share the ledger (runs given
 * out, rollbacks asked, acknowledged updates) that the checks read; split, that ledger would become a public
 * surface of its own for one scenario.
 */
@Tag("faults")
class FaultSuiteHttpTest {
    private static final boolean FULL = Boolean.getBoolean("switchboard.faults.full");
    private static final Set<String> TERMINAL = Set.of("success", "error", "timeout", "interrupted");
    /** No stream of this mix has a reason to stay open longer (the longest run takes a few seconds). */
    private static final Duration STREAM_LIMIT = Duration.ofSeconds(60);
    private static final String[] STRATEGIES = {"reject", "enqueue", "interrupt", "rollback"};
    private static final String[] SECONDARY = {"how far along is it?", "what's my balance?", "cancel that please"};

    private final long seed = Long.getLong("switchboard.faults.seed", System.nanoTime());
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> tally = new ConcurrentHashMap<>();
    /** Every run id a client was given, with its thread. */
    private final Map<String, String> runs = new ConcurrentHashMap<>();
    private final List<String> runOrder = new CopyOnWriteArrayList<>();
    /** Rollbacks asked for per thread (counted before the request), which explain a run that is gone. */
    private final Map<String, AtomicInteger> rollbacks = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Future<?>> streams = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    /** Threads an approval was asked on (a set: the order of a replay's choices must not depend on timing). */
    private final Set<String> askedApproval = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** The messages each acknowledged state update added, per thread: none may be lost. */
    private final Map<String, Set<String>> notes = new ConcurrentHashMap<>();
    /** The instance failure messages read from. */
    private volatile Http streamNode;

    /**
     * R2 over HTTP: double-texts with every strategy (sent in the background, waited on, or streamed), secondary
     * messages while an operation runs, approvals and resumes, cancels, state updates and patches, joins. At most
     * one running main run per thread at every sample; every response a 2xx or an expected 4xx; every stream ends
     * with {@code end}; at the end every run ended (or was rolled back), nothing active, every history valid and
     * its checkpoint chain whole, every operation ended and its change applied at most once, applied exactly when
     * it succeeded, and known to its thread.
     */
    @Test
    void r2_randomInterleavingsOverHttpOnThreeInstances_keepEveryInvariant() throws Exception {
        int clients = FULL ? 6 : 4;
        int operations = FULL ? 10_002 : 600;
        int threadCount = FULL ? 12 : 4;
        long started = System.nanoTime();
        try (HttpCluster cluster = new HttpCluster("r2h", 3)) {
            List<Http> nodes = cluster.clients;
            streamNode = nodes.getFirst();
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < threadCount; i++) {
                threads.add(nodes.get(i % 3).post("/threads", Http.obj()).json().path("thread_id").asText());
            }
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger samples = new AtomicInteger();
            java.lang.Thread sampler = java.lang.Thread.ofPlatform().name("r2-sampler").start(() -> {
                while (sampling.get()) {
                    for (String t : threads) {
                        List<Run> active = cluster.observer.runs().active(UUID.fromString(t), Lane.MAIN);
                        long running = active.stream().filter(r -> r.status() == RunStatus.RUNNING).count();
                        if (running > 1) {
                            fail("thread %s had %d running main runs: %s", t, running, active);
                        }
                    }
                    samples.incrementAndGet();
                    // A sample every few milliseconds: often enough to catch an overlap, without starving the servers.
                    java.util.concurrent.locks.LockSupport.parkNanos(3_000_000);
                }
            });
            try {
                mix(cluster, nodes, threads, clients, operations, started, samples);
            } finally {
                sampling.set(false);
                sampler.join();
            }
        }
    }

    private void mix(HttpCluster cluster, List<Http> nodes, List<String> threads, int clients, int operations,
            long started, AtomicInteger samples) throws Exception {
        {
            int threadCount = threads.size();
            ExecutorService streamReaders = Executors.newVirtualThreadPerTaskExecutor();
            ExecutorService workers = Executors.newFixedThreadPool(clients);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                int steps = operations / clients;
                done.add(workers.submit(() -> client(client, steps, nodes, threads, streamReaders)));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.MINUTES);
            }
            workers.shutdown();
            for (Future<?> s : streams) {
                s.get(STREAM_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
            }
            streamReaders.shutdown();
            long mixEnded = System.nanoTime();
            settle(cluster, nodes, threads);
            check(cluster, nodes, threads);
            System.out.printf("R2 over HTTP seed %d: %d requests from %d clients on %d threads, %d runs, %d samples, "
                    + "mix %.1f s, total %.1f s; %s%n", seed, requests.get(), clients, threadCount, runs.size(),
                    samples.get(), (mixEnded - started) / 1e9, (System.nanoTime() - started) / 1e9,
                    new java.util.TreeMap<>(Map.copyOf(tally)));
            assertThat(failures).as("seed %d: failures (replay with -Dswitchboard.faults.seed=%d)", seed, seed)
                    .isEmpty();
        }
    }

    private void client(int client, int steps, List<Http> nodes, List<String> threads, ExecutorService readers) {
        Random random = new Random(seed * 31 + client);
        for (int step = 0; step < steps; step++) {
            Http http = nodes.get(random.nextInt(nodes.size()));
            String thread = threads.get(random.nextInt(threads.size()));
            int kind = random.nextInt(100);
            String where = "client " + client + " step " + step;
            try {
                if (kind < 28) {
                    send(http, thread, plain(random, "hello " + client + "-" + step), random, readers, where);
                } else if (kind < 40) {
                    send(http, thread, operation(random, false, client, step), random, readers, where);
                } else if (kind < 47) {
                    askedApproval.add(thread);
                    send(http, thread, operation(random, true, client, step), random, readers, where);
                } else if (kind < 54) {
                    // Mostly a thread that asked for approval lately, so that resumes meet pauses.
                    List<String> asked = List.copyOf(askedApproval);
                    resume(http, random.nextInt(4) > 0 && !asked.isEmpty() ? asked.get(random.nextInt(asked.size()))
                            : thread, random, where);
                } else if (kind < 66) {
                    ObjectNode body = lanesRun(SECONDARY[random.nextInt(SECONDARY.length)], random);
                    expect(where, "secondary", http.post("/threads/" + thread + "/runs", body), 200, 409)
                            .ifPresent(json -> record(thread, json));
                } else if (kind < 77) {
                    cancel(http, random, where);
                } else if (kind < 85) {
                    patchState(http, thread, random, where);
                } else if (kind < 93) {
                    join(http, random, readers, where);
                } else {
                    expect(where, "thread", http.get("/threads/" + thread), 200);
                }
            } catch (Throwable e) {
                fail("%s: %s", where, e);
            }
        }
    }

    // ---- the requests -------------------------------------------------------------------------------------

    /** A double-text: in the background, waited on, or streamed; every strategy. */
    private void send(Http http, String thread, ObjectNode body, Random random, ExecutorService readers, String where) {
        String strategy = STRATEGIES[random.nextInt(STRATEGIES.length)];
        body.put("multitask_strategy", strategy);
        if (strategy.equals("rollback")) {
            rollbacks.computeIfAbsent(thread, t -> new AtomicInteger()).incrementAndGet();
        }
        int mode = random.nextInt(10);
        if (mode < 6) {
            expect(where, "run " + strategy, http.post("/threads/" + thread + "/runs", body), 200, 409)
                    .ifPresent(json -> record(thread, json));
        } else if (mode < 8) {
            expect(where, "wait " + strategy, http.post("/threads/" + thread + "/runs/wait", body), 200, 409);
        } else {
            body.set("stream_mode", Json.parse("[\"values\", \"custom\"]"));
            stream(http.stream("/threads/" + thread + "/runs/stream", body), where, "stream " + strategy, thread,
                    readers);
        }
    }

    private void resume(Http http, String thread, Random random, String where) {
        ObjectNode body = Http.obj("assistant_id", HttpCluster.GRAPH);
        String decision = random.nextBoolean() ? "approve" : "reject";
        body.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"" + decision + "\"}]}}"));
        configurable(body, random);
        expect(where, "resume " + decision, http.post("/threads/" + thread + "/runs", body), 200, 409)
                .ifPresent(json -> record(thread, json));
    }

    private void cancel(Http http, Random random, String where) {
        if (runOrder.isEmpty()) {
            return;
        }
        String run = runOrder.get(random.nextInt(runOrder.size()));
        String thread = runs.get(run);
        String action = random.nextBoolean() ? "interrupt" : "rollback";
        boolean wait = random.nextBoolean();
        if (action.equals("rollback")) {
            rollbacks.computeIfAbsent(thread, t -> new AtomicInteger()).incrementAndGet();
        }
        expect(where, "cancel " + action, http.post("/threads/" + thread + "/runs/" + run + "/cancel?action=" + action
                + "&wait=" + wait, null), 200, 202, 204, 404, 409);
    }

    private void patchState(Http http, String thread, Random random, String where) {
        if (random.nextBoolean()) {
            ObjectNode values = Json.object();
            values.putArray("messages").addObject().put("type", "human").put("content", "a note " + where);
            expect(where, "update state", http.post("/threads/" + thread + "/state", Http.obj("values", values)), 200,
                    409).ifPresent(ok -> notes.computeIfAbsent(thread, t -> ConcurrentHashMap.newKeySet())
                            .add("a note " + where));
        } else {
            ObjectNode patch = Http.obj("metadata", Map.of("patched_by", where));
            expect(where, "patch state", http.patch("/threads/" + thread + "/state", patch), 204, 409);
        }
    }

    /** Waits for a random run ({@code /join}) or joins its stream, on a random instance. */
    private void join(Http http, Random random, ExecutorService readers, String where) {
        if (runOrder.isEmpty()) {
            return;
        }
        String run = runOrder.get(random.nextInt(runOrder.size()));
        String thread = runs.get(run);
        if (random.nextBoolean()) {
            expect(where, "join", http.get("/threads/" + thread + "/runs/" + run + "/join"), 200, 404);
            Http.Response after = http.get("/threads/" + thread + "/runs/" + run);
            if (after.status() == 200 && !TERMINAL.contains(after.json().path("status").asText())) {
                fail("%s: run %s after its join is %s", where, run, after.json().path("status").asText());
            }
        } else {
            stream(http.join("/threads/" + thread + "/runs/" + run + "/stream"), where, "join stream", thread, readers);
        }
    }

    /** Reads a stream to its end on its own thread: it must end with {@code end}, or be a 404/409 answer. */
    private void stream(Sse sse, String where, String what, String thread, ExecutorService readers) {
        requests.incrementAndGet();
        count(what + " " + sse.status());
        if (!sse.isEventStream()) {
            if (sse.status() != 409 && sse.status() != 404) {
                fail("%s: %s answered %d %s", where, what, sse.status(), sse.errorBody());
            }
            return;
        }
        streams.add(readers.submit(() -> {
            try (sse) {
                long deadline = System.nanoTime() + STREAM_LIMIT.toNanos();
                while (sse.nextAny(Sse.WAIT).isPresent()) {
                    if (System.nanoTime() > deadline) {
                        List<Sse.Frame> events = sse.events();
                        fail("%s: %s on thread %s still open after %s (%d comments); last events %s; runs %s",
                                where, what, thread, STREAM_LIMIT, sse.all().size() - events.size(),
                                events.subList(Math.max(0, events.size() - 4), events.size()),
                                runsOf(thread));
                        return;
                    }
                }
                List<Sse.Frame> events = sse.events();
                if (events.isEmpty() || !"end".equals(events.getLast().event())) {
                    fail("%s: %s did not end with end: %s", where, what, events.isEmpty() ? "nothing"
                            : events.subList(Math.max(0, events.size() - 3), events.size()));
                }
                if (!events.isEmpty() && "metadata".equals(events.getFirst().event()) && what.startsWith("stream")) {
                    record(thread, events.getFirst().json());
                }
            } catch (Throwable e) {
                fail("%s: %s: %s", where, what, e);
            }
        }));
    }

    // ---- settling and the final checks ---------------------------------------------------------------------

    /**
     * Waits for every run the clients were given, then until all is quiet: every operation ended (they run on in
     * the background after an interrupt), its report run done, no run active, every approval still pending
     * answered with a rejection. Bounded: what never settles fails the checks that follow.
     */
    private void settle(HttpCluster cluster, List<Http> nodes, List<String> threads) {
        Random random = new Random(seed);
        for (String run : runOrder) {
            nodes.get(random.nextInt(3)).get("/threads/" + runs.get(run) + "/runs/" + run + "/join");
        }
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> quiet(cluster, nodes, threads, random));
        } catch (org.awaitility.core.ConditionTimeoutException stillBusy) {
            count("did not settle within 60 s");
        }
    }

    private boolean quiet(HttpCluster cluster, List<Http> nodes, List<String> threads, Random random) {
        boolean quiet = true;
        for (String t : threads) {
            UUID id = UUID.fromString(t);
            if (!cluster.observer.runs().active(id, Lane.MAIN).isEmpty()
                    || !cluster.observer.runs().active(id, Lane.SECONDARY).isEmpty()) {
                quiet = false;
                continue;
            }
            for (JsonNode op : nodes.getFirst().get("/threads/" + t + "/operations").json()) {
                quiet &= !op.path("status").asText().equals("running") && op.path("reported").asBoolean();
            }
            if (nodes.get(random.nextInt(3)).get("/threads/" + t).json().path("status").asText().equals("interrupted")) {
                quiet = false;
                ObjectNode body = Http.obj("assistant_id", HttpCluster.GRAPH);
                body.set("command", Json.parse("{\"resume\": {\"decisions\": [{\"type\": \"reject\"}]}}"));
                nodes.get(random.nextInt(3)).post("/threads/" + t + "/runs/wait", body);
            }
        }
        return quiet;
    }

    private void check(HttpCluster cluster, List<Http> nodes, List<String> threads) {
        Http http = nodes.getFirst();
        for (String run : runOrder) {
            String thread = runs.get(run);
            Http.Response r = nodes.get(Math.floorMod(run.hashCode(), 3)).get("/threads/" + thread + "/runs/" + run);
            if (r.status() == 404) {
                if (rollbacks.getOrDefault(thread, new AtomicInteger()).get() == 0) {
                    fail("run %s of thread %s is gone, and nothing rolled that thread back", run, thread);
                }
                count("run gone (rolled back)");
                continue;
            }
            String status = r.json().path("status").asText();
            count("run " + status);
            if (!TERMINAL.contains(status)) {
                fail("run %s of thread %s never ended: %s", run, thread, status);
            }
        }
        Set<String> knownKeys = new HashSet<>();
        for (String t : threads) {
            UUID id = UUID.fromString(t);
            for (Lane lane : Lane.values()) {
                List<Run> active = cluster.observer.runs().active(id, lane);
                if (!active.isEmpty()) {
                    fail("thread %s still has active %s runs: %s", t, lane, active);
                }
            }
            String status = http.get("/threads/" + t).json().path("status").asText();
            count("thread " + status);
            if (!status.equals("idle")) {
                fail("thread %s ended %s", t, status);
            }
            JsonNode messages = http.get("/threads/" + t + "/state").json().path("values").path("messages");
            List<String> violations = History.violations(MessageJson.fromJsonList(messages));
            if (!violations.isEmpty()) {
                fail("history of %s: %s%s", t, violations, trace(http, t, violations.getFirst()));
            }
            checkChain(http, t);
            Set<String> contents = new HashSet<>();
            messages.forEach(m -> contents.add(m.path("content").asText()));
            for (String note : notes.getOrDefault(t, Set.of())) {
                if (!contents.contains(note)) {
                    fail("thread %s lost an acknowledged state update: %s", t, note);
                }
            }
            for (JsonNode op : http.get("/threads/" + t + "/operations").json()) {
                checkOperation(cluster, t, op, messages);
                knownKeys.add(op.path("idempotency_key").asText());
            }
        }
        for (String key : cluster.backend.applied().keySet()) {
            if (!knownKeys.contains(key)) {
                fail("a change was applied under key %s, and no thread knows an operation with it", key);
            }
        }
        count("changes applied " + cluster.backend.appliedCount());
    }

    /**
     * The checkpoint chain: one root; every other checkpoint's parent is an older checkpoint of the thread (none
     * dangling after a rollback). Siblings are allowed: a secondary exchange is written on the latest checkpoint
     * while the main lane's next step builds on its own previous one (and carries the exchange over).
     */
    private void checkChain(Http http, String thread) {
        JsonNode history = http.get("/threads/" + thread + "/history?limit=1000").json();
        Map<String, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < history.size(); i++) {
            position.put(history.get(i).path("checkpoint").path("checkpoint_id").asText(), i);
        }
        int roots = 0;
        for (int i = 0; i < history.size(); i++) {
            JsonNode parent = history.get(i).path("parent_checkpoint");
            if (parent.isNull() || parent.isMissingNode()) {
                roots++;
                continue;
            }
            Integer at = position.get(parent.path("checkpoint_id").asText());
            if (at == null || at <= i) {
                JsonNode md = history.get(i).path("metadata");
                fail("checkpoint %d of %d of thread %s (%s, source %s, run %s, lane %s, preserved from %s, step %s) has "
                        + "parent %s, %s", i, history.size(), thread,
                        history.get(i).path("checkpoint").path("checkpoint_id").asText(), md.path("source").asText(),
                        md.path("run_id").asText(), md.path("lane").asText(), md.path("preserved_from_run").asText(),
                        md.path("step").asText(), parent.path("checkpoint_id").asText(),
                        at == null ? "which is not in its history" : "which is newer");
            }
        }
        if (!history.isEmpty() && roots != 1) {
            fail("thread %s has %d root checkpoints", thread, roots);
        }
        count("checkpoints " + (history.size() / 50 * 50) + "+");
    }

    private void checkOperation(HttpCluster cluster, String thread, JsonNode op, JsonNode messages) {
        String key = op.path("idempotency_key").asText();
        String status = op.path("status").asText();
        count("operation " + status);
        int asked = cluster.backend.requests(key);
        boolean applied = cluster.backend.applied().containsKey(key);
        if (asked > 1) {
            fail("operation %s of %s asked the backend %d times", op.path("operation_id").asText(), thread, asked);
        }
        switch (status) {
            case "succeeded" -> {
                if (!applied) {
                    fail("operation %s of %s succeeded but its change was never applied", op, thread);
                }
            }
            case "cancelled" -> {
                if (applied) {
                    fail("operation %s of %s was cancelled after its change was applied", op, thread);
                }
            }
            case "failed" -> count("operation failed: " + op.path("error").asText());
            default -> fail("operation %s of %s never ended: %s", op.path("operation_id").asText(), thread, status);
        }
        if (!op.path("reported").asBoolean()) {
            fail("operation %s of %s (%s) was never reported to its thread", op.path("operation_id").asText(), thread,
                    status);
        }
    }

    // ---- bodies and bookkeeping ---------------------------------------------------------------------------

    private static ObjectNode lanesRun(String text, Random random) {
        ObjectNode body = Http.obj("assistant_id", HttpCluster.GRAPH);
        body.set("input", Http.humanInput(text));
        configurable(body, random);
        return body;
    }

    private static void configurable(ObjectNode body, Random random) {
        ObjectNode configurable = body.putObject("config").putObject("configurable");
        configurable.put("delay_ms", random.nextInt(12));
        configurable.put("step_ms", 5 + random.nextInt(40));
    }

    /** A plain message: the model streams its words back, a word every delay_ms. */
    private static ObjectNode plain(Random random, String text) {
        StringBuilder words = new StringBuilder(text);
        for (int i = random.nextInt(10); i > 0; i--) {
            words.append(" w").append(i);
        }
        return lanesRun(words.toString(), random);
    }

    /** A long-running operation (change_plan, or now and then close_account), approval asked for or not. */
    private static ObjectNode operation(Random random, boolean approval, int client, int step) {
        String tool = random.nextInt(4) == 0 ? HttpCluster.CLOSE : HttpCluster.CHANGE;
        String text = tool.equals(HttpCluster.CLOSE) ? "close my contract " + client + "-" + step
                : "please change my plan to gold " + client + "-" + step;
        ObjectNode body = lanesRun(text, random);
        if (approval) {
            ((ObjectNode) body.get("config").get("configurable")).putObject("interrupt_on").put(tool, true);
        }
        return body;
    }

    private java.util.Optional<JsonNode> expect(String where, String what, Http.Response response, int... allowed) {
        requests.incrementAndGet();
        String code = response.status() >= 400 ? " " + response.code() : "";
        count(what.split(" ")[0] + " " + response.status() + code);
        for (int s : allowed) {
            if (s == response.status()) {
                return response.status() == 200 && !response.body().isBlank()
                        ? java.util.Optional.of(response.json()) : java.util.Optional.empty();
            }
        }
        fail("%s: %s answered %s", where, what, response);
        return java.util.Optional.empty();
    }

    private void record(String thread, JsonNode json) {
        String run = json.path("run_id").asText("");
        if (!run.isEmpty() && runs.putIfAbsent(run, thread) == null) {
            runOrder.add(run);
        }
    }

    /** For a failure message: the checkpoints from the first one holding the message a violation names. */
    private String trace(Http http, String thread, String violation) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("id (run-[0-9a-f-]+|[0-9a-f-]{36})").matcher(violation);
        if (!m.find()) {
            return "";
        }
        String id = m.group(1);
        JsonNode history = http.get("/threads/" + thread + "/history?limit=1000").json();
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (int i = history.size() - 1; i >= 0 && shown < 8; i--) {
            JsonNode e = history.get(i);
            JsonNode msgs = e.path("values").path("messages");
            boolean holds = false;
            for (JsonNode msg : msgs) {
                holds |= id.equals(msg.path("id").asText());
            }
            if (!holds && shown == 0) {
                continue;
            }
            shown++;
            JsonNode md = e.path("metadata");
            JsonNode last = msgs.size() == 0 ? null : msgs.get(msgs.size() - 1);
            out.append("\n    ").append(e.path("checkpoint").path("checkpoint_id").asText()).append(" parent ")
                    .append(e.path("parent_checkpoint").path("checkpoint_id").asText()).append(' ')
                    .append(md.path("source").asText()).append(" run ").append(md.path("run_id").asText())
                    .append(" lane ").append(md.path("lane").asText()).append(" preserved ")
                    .append(md.path("preserved_from_run").asText()).append(" next ").append(e.path("next"))
                    .append(" holds ").append(holds).append(' ').append(msgs.size()).append(" msgs, last ")
                    .append(last == null ? "-" : last.path("type").asText() + " " + last.path("id").asText() + " "
                            + last.path("content").asText().substring(0, Math.min(60, last.path("content").asText().length())));
        }
        return out.toString();
    }

    /** The thread's runs, for a failure message: id, lane, status, strategy, newest first. */
    private String runsOf(String thread) {
        StringBuilder out = new StringBuilder();
        for (JsonNode r : streamNode.get("/threads/" + thread + "/runs?limit=6").json()) {
            out.append("\n    ").append(r.path("run_id").asText()).append(' ').append(r.path("lane").asText())
                    .append(' ').append(r.path("status").asText()).append(' ')
                    .append(r.path("multitask_strategy").asText()).append(' ').append(r.path("created_at").asText());
        }
        return out.toString();
    }

    private void count(String what) {
        tally.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private void fail(String format, Object... args) {
        String message = "seed " + seed + ": " + String.format(format, args);
        if (failures.size() < 200) {
            failures.add(message);
        }
    }
}
