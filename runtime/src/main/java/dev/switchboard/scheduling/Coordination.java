package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import dev.switchboard.operation.Operation;
import java.util.UUID;

/**
 * What the loop asks of whoever schedules runs; implemented by the scheduler, so calls go one way: the
 * scheduler starts the loop, the loop reports through this port.
 */
interface Coordination {
    /** An operation ended with no run awaiting it: its outcome needs a report run. */
    void operationOrphaned(Operation op);

    /** Stops a secondary run that outlived the main run's wait. */
    void abortSecondary(UUID threadId, UUID runId) throws InterruptedException;

    /** Folds secondary messages still queued when the lane closes into the interim exchange. */
    void foldPendingSecondary(UUID threadId, Lanes.Conversation conversation);
}
