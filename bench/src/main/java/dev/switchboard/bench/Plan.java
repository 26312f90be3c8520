package dev.switchboard.bench;

import java.util.List;

/**
 * How much of each measure to run. {@link #fullRun()} is the real benchmark (tens of minutes); {@link #smokeRun()}
 * runs every measure once in miniature, in about ten seconds, to prove the harness works (CI).
 */
record Plan(boolean smoke,
        int startups,
        int latencyWarmup, int latencyReps, int latencyBatch,
        int handoverWarmup, int handoverReps, int handoverBatch, int handoverAfterTokens,
        int throughputClients, int throughputWarmupSeconds, int throughputSeconds, int throughputRounds,
        List<Integer> scaleLevels, int scaleSeconds, int scaleTokens,
        List<Integer> secondaryOperations, int secondarySamples, int secondaryWarmup) {

    static Plan fullRun() {
        return new Plan(false,
                5,
                20, 300, 50,
                10, 200, 20, 5,
                64, 5, 15, 2,
                List.of(100, 250, 500, 1000, 2000, 4000, 8000, 10000), 60, 200,
                List.of(100, 1000), 200, 10);
    }

    static Plan smokeRun() {
        return new Plan(true,
                1,
                2, 6, 6,
                1, 2, 2, 2,
                8, 1, 1, 1,
                List.of(8), 2, 20,
                List.of(3), 3, 1);
    }

    Plan withScale(List<Integer> levels, int seconds) {
        return new Plan(smoke, startups, latencyWarmup, latencyReps, latencyBatch, handoverWarmup, handoverReps,
                handoverBatch, handoverAfterTokens, throughputClients, throughputWarmupSeconds, throughputSeconds,
                throughputRounds, List.copyOf(levels), seconds, scaleTokens,
                secondaryOperations, secondarySamples, secondaryWarmup);
    }
}
