package dev.switchboard.telco.tools;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The steps of a long-running tool and its point of no return: the percent of the step at which its effect
 * is applied (so a cancel is refused from then on), or 100 for a tool without side effects, which can be
 * cancelled at any step.
 */
record Procedure(Duration nominal, List<Step> steps, int pointOfNoReturn) {

    Procedure {
        Objects.requireNonNull(nominal, "nominal");
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a procedure has at least one step");
        }
        for (int i = 1; i < steps.size(); i++) {
            if (steps.get(i).percent() <= steps.get(i - 1).percent()) {
                throw new IllegalArgumentException("step percents must increase: " + steps);
            }
        }
        double shares = steps.stream().mapToDouble(Step::share).sum();
        if (Math.abs(shares - 1.0) > 1e-9) {
            throw new IllegalArgumentException("step shares must add up to 1, got " + shares);
        }
        int ponr = pointOfNoReturn;
        if (ponr != 100 && steps.stream().noneMatch(s -> s.percent() == ponr)) {
            throw new IllegalArgumentException("the point of no return must be one step's percent (or 100): " + ponr);
        }
    }

    /** True when the effect happens at a step rather than after the last one. */
    boolean commitsAtAStep() {
        return pointOfNoReturn != 100;
    }

    Duration durationOf(Step step) {
        return Duration.ofNanos(Math.round(nominal.toNanos() * step.share()));
    }
}
