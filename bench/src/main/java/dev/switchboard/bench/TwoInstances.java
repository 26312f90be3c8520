package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * P7: two instances of ours ({@code serve}, each on its own port) on one PostgreSQL database. (a) runs/s with the
 * P3 clients spread over both instances, same client code as P3; (b) a double-text across instances: the thread
 * and its first run made through instance A, the interrupting second run sent to instance B, timed like P1 from
 * the second run's send to the first stream closing and to the second run's first token.
 */
final class TwoInstances {
    private TwoInstances() {
    }

    static List<Row> run(Launch launch, Plan plan) throws Exception {
        String url = launch.postgres().newDatabase("p7");
        List<Row> rows = new ArrayList<>();
        Bench.say("P7 starting two instances of ours on one PostgreSQL database");
        try (ServerProcess a = ServerProcess.startOurs(launch, "p7-a", Fleet.OURS_ENV, url);
                ServerProcess b = ServerProcess.startOurs(launch, "p7-b", Fleet.OURS_ENV, url)) {
            Bench.say("P7 instances up in " + a.startupNanos / 1_000_000 + " and " + b.startupNanos / 1_000_000
                    + " ms, pids " + a.pid() + " and " + b.pid());
            rows.addAll(throughput(a, b, plan));
            rows.addAll(handover(a, b, plan));
        }
        return rows;
    }

    private static List<Row> throughput(ServerProcess a, ServerProcess b, Plan plan) throws InterruptedException {
        List<Double> rates = new ArrayList<>();
        List<Double> latencies = new ArrayList<>();
        int errors = 0;
        String firstError = null;
        for (int round = 0; round < plan.throughputRounds(); round++) {
            Throughput.Window w = Throughput.window(List.of(a.client, b.client), a.assistant(), plan);
            Bench.say("P7a round " + (round + 1) + ": " + Math.round(Arrays.stream(w.perSecond()).average().orElse(0))
                    + " runs/s, " + w.errors() + " errors");
            Arrays.stream(w.perSecond()).forEach(rates::add);
            latencies.addAll(w.latencies());
            errors += w.errors();
            if (firstError == null) {
                firstError = w.firstError();
            }
        }
        String note = "two instances of ours on one PostgreSQL database; " + plan.throughputClients()
                + " clients, client i on instance i mod 2, stateless runs/wait, 10 tokens × 0 ms; "
                + plan.throughputRounds() + " rounds of " + plan.throughputSeconds() + " s after "
                + plan.throughputWarmupSeconds() + " s warm-up each; spread over one-second buckets"
                + (errors == 0 ? "" : "; " + errors + " errors, first: " + firstError);
        return List.of(
                new Row("P7a", "throughput over two instances (" + plan.throughputClients() + " clients)", "runs/s",
                        Row.Better.HIGHER, Stats.of(rates), null, null, null, note),
                new Row("P7a-latency", "run latency under that load", "ms", Row.Better.LOWER, Stats.of(latencies),
                        null, null, null, null));
    }

    private static List<Row> handover(ServerProcess a, ServerProcess b, Plan plan) throws InterruptedException {
        int total = plan.handoverWarmup() + plan.handoverReps();
        Bench.say("P7b interrupt across instances: " + plan.handoverReps() + " double-texts");
        List<Handover.Sample> samples = new ArrayList<>();
        int errors = 0;
        String firstError = null;
        for (int i = 0; i < total; i++) {
            try {
                Handover.Sample s = Handover.once(a.client, b.client, a.assistant(), "interrupt",
                        plan.handoverAfterTokens());
                if (i >= plan.handoverWarmup()) {
                    samples.add(s);
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
        long before = samples.stream().filter(s -> s.closedMs() < s.firstTokenMs()).count();
        String note = "first run (" + Handover.TOKENS + " tokens × " + Handover.DELAY_MS + " ms) started through "
                + "instance A, the interrupting second run sent to instance B once " + plan.handoverAfterTokens()
                + " tokens arrived; " + plan.handoverWarmup() + " warm-up repetitions excluded; first stream closed "
                + "before the second run's first token " + before + "/" + samples.size()
                + (errors == 0 ? "" : "; " + errors + " errors, first: " + firstError);
        return List.of(
                new Row("P7b", "interrupt across instances: second run sent (B) → first stream closed (A)", "ms",
                        Row.Better.LOWER, Stats.of(samples.stream().map(Handover.Sample::closedMs).toList()), null,
                        null, null, note),
                new Row("P7b-first", "interrupt across instances: second run sent (B) → its first token (raw)", "ms",
                        Row.Better.LOWER, Stats.of(samples.stream().map(Handover.Sample::firstTokenMs).toList()),
                        null, null, null, "includes the model's 50 ms wait before its first token"),
                new Row("P7b-overhead", "interrupt across instances: handover overhead (raw − 50 ms)", "ms",
                        Row.Better.LOWER, Stats.of(samples.stream()
                                .map(s -> s.firstTokenMs() - Handover.DELAY_MS).toList()), null, null, null, null));
    }
}
