package dev.switchboard.run;

import java.util.List;

/**
 * Decides, atomically with the store's view of a thread's active runs, what to insert: the candidate,
 * the candidate with a changed input (carried-over messages), or nothing (throw a {@code Conflict}).
 */
@FunctionalInterface
public interface AdmissionRule {
    Run admit(Run candidate, List<Run> activeRuns);
}
