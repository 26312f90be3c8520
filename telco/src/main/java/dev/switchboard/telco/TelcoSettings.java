package dev.switchboard.telco;

import java.time.Duration;
import java.util.Objects;

/**
 * How the telco agent paces its long-running tools. {@code timeScale} multiplies every nominal duration
 * ({@value #TIME_SCALE_ENV}: 1.0 in production, 0.01 in tests, 0 for no waiting at all); {@code pacer} is how
 * a tool waits between its steps, {@link Pacer#SLEEP} unless a test wants to hold an operation at a step.
 */
public record TelcoSettings(double timeScale, Pacer pacer) {

    public static final String TIME_SCALE_ENV = "TELCO_TIME_SCALE";

    /** Waits between the steps of a long-running tool; must throw {@link InterruptedException} when interrupted. */
    @FunctionalInterface
    public interface Pacer {
        void pause(Duration duration) throws InterruptedException;

        Pacer SLEEP = duration -> {
            if (duration.isPositive()) {
                Thread.sleep(duration);
            } else if (Thread.interrupted()) {
                // Like a real sleep: a pending interrupt is consumed and thrown.
                throw new InterruptedException("interrupted between steps");
            }
        };
    }

    public TelcoSettings {
        if (!Double.isFinite(timeScale) || timeScale < 0) {
            throw new IllegalArgumentException("timeScale must be a finite number >= 0, got " + timeScale);
        }
        Objects.requireNonNull(pacer, "pacer");
    }

    public static TelcoSettings ofScale(double timeScale) {
        return new TelcoSettings(timeScale, Pacer.SLEEP);
    }

    /** Nominal durations, real sleeps. */
    public static TelcoSettings defaults() {
        return ofScale(1.0);
    }

    /** {@value #TIME_SCALE_ENV} from the environment; 1.0 when unset or not a number >= 0. */
    public static TelcoSettings fromEnv() {
        return ofScale(parseScale(System.getenv(TIME_SCALE_ENV)));
    }

    static double parseScale(String raw) {
        if (raw == null || raw.isBlank()) {
            return 1.0;
        }
        try {
            double value = Double.parseDouble(raw.strip());
            return Double.isFinite(value) && value >= 0 ? value : 1.0;
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    public TelcoSettings withPacer(Pacer newPacer) {
        return new TelcoSettings(timeScale, newPacer);
    }

    /** {@code nominal} times the scale. */
    public Duration scaled(Duration nominal) {
        return Duration.ofNanos(Math.round(nominal.toNanos() * timeScale));
    }
}
