package dev.switchboard.server.api;

import dev.switchboard.Switchboard;
import dev.switchboard.operation.OperationStatus;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunListener;
import dev.switchboard.run.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prometheus metrics: runs by status and strategy, double-texts, cancel latency, operations in flight, SSE
 * subscribers, request latency. Run figures come from the scheduler's listener, so runs the runtime starts
 * itself (operation reports) count too.
 */
public final class Metrics implements RunListener {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger subscribers = new AtomicInteger();
    private final ThreadRunFeed threadRuns = new ThreadRunFeed();

    public Metrics(Switchboard switchboard) {
        Gauge.builder("switchboard_sse_subscribers", subscribers, AtomicInteger::get)
                .description("open SSE streams").register(registry);
        Gauge.builder("switchboard_operations_in_flight", switchboard,
                        sb -> sb.operationStore().inFlight().stream().filter(o -> o.status() == OperationStatus.RUNNING).count())
                .description("long-running operations executing now").register(registry);
        switchboard.listen(this);
    }

    /** The runs admitted per thread, for thread streams: this class holds the runtime's one run listener. */
    public ThreadRunFeed threadRuns() {
        return threadRuns;
    }

    @Override
    public void admitted(Run run, List<Run> superseded) {
        threadRuns.admitted(run);
        // Prometheus reserves the _created suffix (and strips it, with _total), so "runs created" would be
        // exported as switchboard_runs_total; "admitted" survives as switchboard_runs_admitted_total.
        Counter.builder("switchboard_runs_admitted").description("runs created (admitted by the scheduler)")
                .tag("strategy", run.multitaskStrategy().wireName())
                .tag("lane", run.lane().wireName()).register(registry).increment();
        if (!superseded.isEmpty()) {
            Counter.builder("switchboard_double_texts_total").tag("strategy", run.multitaskStrategy().wireName())
                    .register(registry).increment();
        }
    }

    @Override
    public void ended(Run run, RunStatus status, Duration cancelLatency) {
        Counter.builder("switchboard_runs_ended_total").tag("status", status == null ? "rolled_back" : status.wireName())
                .tag("strategy", run.multitaskStrategy().wireName()).register(registry).increment();
        if (cancelLatency != null) {
            Timer.builder("switchboard_cancel_latency").description("cancel request to the run's end")
                    .publishPercentiles(0.5, 0.99).register(registry).record(cancelLatency);
        }
    }

    void subscriberOpened() {
        subscribers.incrementAndGet();
    }

    void subscriberClosed() {
        subscribers.decrementAndGet();
    }

    public void request(String method, String route, int status, Duration took) {
        Timer.builder("switchboard_http_requests").tag("method", method).tag("route", route)
                .tag("status", Integer.toString(status)).publishPercentiles(0.5, 0.99).register(registry).record(took);
    }

    public String scrape() {
        return registry.scrape();
    }
}
