package dev.switchboard.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A lock-free histogram of durations in whole milliseconds, for figures with too many samples to keep (the
 * scale run sees millions of token gaps). Percentiles are exact to the millisecond; min and max are exact.
 */
final class Histogram {
    private final AtomicLongArray counts;
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong total = new AtomicLong();

    Histogram(int maxMillis) {
        counts = new AtomicLongArray(maxMillis + 1);
    }

    void recordNanos(long nanos) {
        long micros = nanos / 1_000;
        min.accumulateAndGet(micros, Math::min);
        max.accumulateAndGet(micros, Math::max);
        sum.addAndGet(micros);
        total.incrementAndGet();
        int bucket = (int) Math.min(counts.length() - 1, Math.max(0, micros / 1_000));
        counts.incrementAndGet(bucket);
    }

    long count() {
        return total.get();
    }

    /** The spread in milliseconds; percentiles are bucket floors (1 ms resolution). */
    Stats stats() {
        long n = total.get();
        if (n == 0) {
            return Stats.of(new double[0]);
        }
        return new Stats((int) Math.min(Integer.MAX_VALUE, n), min.get() / 1000.0, percentile(n, 50),
                percentile(n, 99), max.get() / 1000.0, sum.get() / 1000.0 / n);
    }

    private double percentile(long n, double p) {
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return i;
            }
        }
        return counts.length() - 1;
    }
}
