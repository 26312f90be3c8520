package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.Arrays;
import java.util.Collection;

/**
 * The spread of one figure: min, p50, p99, max (nearest-rank percentiles), mean and the sample count. A
 * single measured value (a capacity, a ratio) is a {@code Stats} of one sample, so every figure is printed the
 * same way.
 */
record Stats(int n, double min, double p50, double p99, double max, double mean) {

    static Stats of(Collection<Double> samples) {
        return of(samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    static Stats of(double[] samples) {
        if (samples.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Stats(sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 99), sorted[sorted.length - 1],
                sum / sorted.length);
    }

    static Stats single(double value) {
        return new Stats(1, value, value, value, value, value);
    }

    boolean isEmpty() {
        return n == 0;
    }

    /** Nearest rank: the smallest sample with at least {@code p} percent of the samples at or below it. */
    private static double rank(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("n", n);
        if (n > 0) {
            node.put("min", round(min));
            node.put("p50", round(p50));
            node.put("p99", round(p99));
            node.put("max", round(max));
            node.put("mean", round(mean));
        }
        return node;
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
