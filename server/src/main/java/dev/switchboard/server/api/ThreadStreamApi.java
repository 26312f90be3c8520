package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Ids;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.event.Subscription;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunQuery;
import dev.switchboard.server.stream.SseStream;
import dev.switchboard.server.stream.StreamModes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * {@code GET /threads/{id}/stream}: every run of a thread, as it runs, on one open stream (the SDKs'
 * {@code threads.joinStream}). Without {@code Last-Event-ID} it starts with the thread's active runs and follows
 * each run admitted afterwards; frame ids are {@code <run_id>_<n>}, and a reconnect with the last one resumes after
 * that frame of that run, then every later run whose events are still retained. Runs that overlap (a secondary
 * lane answering during an operation) stream side by side, whole frames interleaved. Each run's frames are what
 * its own join sends, in {@code stream_mode} (query, repeated) or else the run's own modes, without the per-run
 * {@code end}: the stream lasts until the client leaves. Runs are learnt of from this instance's scheduler
 * (with several instances, a run admitted on another one joins the stream when the client reconnects).
 */
final class ThreadStreamApi {
    private static final Logger LOG = Logger.getLogger(ThreadStreamApi.class.getName());
    /** How many retained runs a resume replays at most. */
    private static final int MAX_RESUMED_RUNS = 100;

    private final Api api;

    ThreadStreamApi(Api api) {
        this.api = api;
    }

    void register(RoutesConfig r) {
        r.get("/threads/{thread_id}/stream", this::stream);
    }

    private record Resume(UUID runId, long afterFrame) {
    }

    private void stream(Context ctx) throws Exception {
        UUID threadId = Api.pathId(ctx, "thread_id");
        api.thread(ctx, threadId);
        List<String> requested = ctx.queryParams("stream_mode");
        StreamModes fixed = requested.isEmpty() ? null : StreamModes.of(requested);
        Resume resume = resume(ctx.header("Last-Event-ID"));
        try (ThreadRunFeed.Subscription feed = api.metrics().threadRuns().subscribe(threadId)) {
            // Subscribed before the runs are listed, so a run admitted in between is in one or the other (or both).
            List<Run> first = firstRuns(threadId, resume);
            ctx.status(200);
            ctx.header("Content-Type", "text/event-stream; charset=utf-8");
            ctx.header("Cache-Control", "no-cache");
            ctx.header("X-Accel-Buffering", "no");
            OutputStream raw = ctx.res().getOutputStream();
            OneFrameAtATime out = new OneFrameAtATime(raw);
            out.flush();
            AtomicBoolean gone = new AtomicBoolean();
            Set<UUID> started = new HashSet<>();
            List<Thread> pumps = new ArrayList<>();
            api.metrics().subscriberOpened();
            try {
                for (Run run : first) {
                    long after = resume != null && resume.runId().equals(run.runId()) ? resume.afterFrame() : -1;
                    if (started.add(run.runId())) {
                        Thread pump = pump(out, run, fixed, after, gone);
                        pumps.add(pump);
                        if (!run.status().isActive()) {
                            // A finished run's retained frames are replayed whole before the next run's, so a
                            // resume reads the runs in the order they ran; only live runs stream side by side.
                            pump.join();
                        }
                    }
                }
                long interval = api.settings().heartbeat().toMillis();
                while (!gone.get()) {
                    Run next = feed.runs.poll(interval, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        try {
                            out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        } catch (IOException e) {
                            gone.set(true);
                        }
                    } else if (started.add(next.runId())) {
                        pumps.add(pump(out, next, fixed, -1, gone));
                    }
                }
            } finally {
                gone.set(true);
                pumps.forEach(Thread::interrupt);
                api.metrics().subscriberClosed();
            }
        }
    }

    /** The runs a stream starts with: the active ones, or on a resume the named run and every later one still kept. */
    private List<Run> firstRuns(UUID threadId, Resume resume) {
        List<Run> all = new ArrayList<>(api.switchboard().runs(threadId, new RunQuery(null, MAX_RESUMED_RUNS, 0)));
        all.sort(Comparator.comparing(Run::createdAt).thenComparing(Run::runId));
        if (resume == null) {
            return all.stream().filter(r -> r.status().isActive()).toList();
        }
        Run from = all.stream().filter(r -> r.runId().equals(resume.runId())).findFirst().orElse(null);
        if (from == null) {
            return all.stream().filter(r -> r.status().isActive()).toList();
        }
        return all.stream().filter(r -> !r.createdAt().isBefore(from.createdAt()))
                .filter(r -> r.status().isActive() || api.switchboard().eventLog(r.runId()).isPresent())
                .toList();
    }

    private Thread pump(OneFrameAtATime out, Run run, StreamModes fixed, long after, AtomicBoolean gone) {
        return Thread.ofVirtual().name("thread-stream-" + run.runId()).start(() -> {
            StreamModes modes = fixed != null ? fixed : StreamModes.of(runModes(run));
            try (Subscription sub = api.switchboard().subscribe(run.runId(), -1)) {
                SseStream.ofThreadRun(out, modes, api.settings().heartbeat(), after, run.runId().toString())
                        .pump(sub);
            } catch (SseStream.ClientGone e) {
                gone.set(true);
            } catch (InterruptedException e) {
                // the stream closed
            } catch (IOException | SwitchboardException e) {
                LOG.fine("thread stream: run " + run.runId() + " could not be followed: " + e.getMessage());
            }
        });
    }

    private static List<String> runModes(Run run) {
        JsonNode modes = run.kwargs().get("stream_mode");
        return modes == null ? List.of() : Json.mapper().convertValue(modes,
                Json.mapper().getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** {@code Last-Event-ID} of a thread stream: {@code <run_id>_<n>}; absent or {@code -1} starts afresh. */
    private static Resume resume(String raw) {
        if (raw == null || raw.isBlank() || raw.trim().equals("-1")) {
            return null;
        }
        String text = raw.trim();
        int cut = text.lastIndexOf('_');
        if (cut < 0) {
            throw new InvalidRequest("invalid_header", "Last-Event-ID of a thread stream is <run_id>_<n>, got '"
                    + raw + "'");
        }
        try {
            return new Resume(Ids.parse("Last-Event-ID", text.substring(0, cut)), Long.parseLong(text.substring(cut + 1)));
        } catch (NumberFormatException e) {
            throw new InvalidRequest("invalid_header", "Last-Event-ID of a thread stream is <run_id>_<n>, got '"
                    + raw + "'");
        }
    }

    /** The response shared by the thread's runs: each write is one whole frame, never interleaved with another. */
    private static final class OneFrameAtATime extends OutputStream {
        private final OutputStream out;

        OneFrameAtATime(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }
    }
}
