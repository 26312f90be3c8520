package dev.switchboard;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Cancellation is interruption, but not in the middle of a database call. An interrupt that reaches a virtual
 * thread blocked on a socket closes the socket: the call in flight fails, and a pooled connection is lost with
 * it. So a store runs each call {@link #deferredDuring} it, and whoever cancels a worker calls
 * {@link #interrupt}: a worker outside a store call is interrupted at once; one inside is interrupted the moment
 * the call returns. Store calls are bounded (connection and lock waits time out), so the delay is too.
 *
 * <p>Both sides go through one atomic map operation per thread, so an interrupt either happens before the call
 * starts (the call clears it and sets it again after) or finds the call registered (and is left to it); it never
 * lands inside.
 */
public final class Interruptions {
    /** Threads inside a store call, and whether an interrupt is waiting for the call to end. */
    private static final ConcurrentHashMap<java.lang.Thread, Boolean> IN_CALL = new ConcurrentHashMap<>();

    private Interruptions() {
    }

    /** Interrupts {@code worker} now, or as soon as the store call it is in returns. */
    public static void interrupt(java.lang.Thread worker) {
        IN_CALL.compute(worker, (t, pending) -> {
            if (pending == null) {
                t.interrupt();
                return null;
            }
            return Boolean.TRUE;
        });
    }

    /**
     * Runs one store call that an interrupt must not cut short. An interrupt already set is held back until the
     * call returns; a call made inside another runs as part of it.
     */
    public static <T> T deferredDuring(Supplier<T> call) {
        java.lang.Thread me = java.lang.Thread.currentThread();
        boolean[] outermost = {false};
        IN_CALL.compute(me, (t, pending) -> {
            if (pending != null) {
                return pending;
            }
            outermost[0] = true;
            return java.lang.Thread.interrupted();
        });
        if (!outermost[0]) {
            return call.get();
        }
        try {
            return call.get();
        } finally {
            IN_CALL.compute(me, (t, pending) -> {
                if (Boolean.TRUE.equals(pending) || java.lang.Thread.interrupted()) {
                    t.interrupt();
                }
                return null;
            });
        }
    }
}
