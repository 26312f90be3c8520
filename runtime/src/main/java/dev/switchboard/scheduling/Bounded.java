package dev.switchboard.scheduling;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one step's call (a model call, a quick tool call) on a virtual thread of its own and waits for it at most
 * a limit of silence. The run's thread only waits, so when the limit passes it interrupts the call and moves on
 * even if the call ignores interruption (a busy loop, an uninterruptible read): the stuck call keeps nothing of
 * the run's (no lock, no lease), which the run's thread releases as it ends. Cancelling the run (interrupting its
 * thread) interrupts the call too. Times are measured with {@link System#nanoTime}: they bound real waits, so a
 * test's manual {@code Clock} must not stretch or shrink them.
 */
final class Bounded {
    private Bounded() {
    }

    /**
     * {@code body}'s result, or its exception as it threw it. {@code lastSign} is when the call last showed life (the
     * body moves it forward, e.g. on each streamed token); the call is stopped once {@code silence} passes after it.
     */
    static <T> T call(Callable<T> body, Duration silence, AtomicLong lastSign, String onExpiry) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        java.lang.Thread worker = java.lang.Thread.ofVirtual().name("step-call").start(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        long limit = silence.toNanos();
        try {
            while (true) {
                long left = lastSign.get() + limit - System.nanoTime();
                if (left <= 0) {
                    worker.interrupt();
                    throw new StepTimeoutException(onExpiry);
                }
                try {
                    return result.get(left, TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // Wakes once per silence window at most; a call that showed life meanwhile gets a new window.
                }
            }
        } catch (InterruptedException e) {
            worker.interrupt();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception checkedOrNot) {
                throw checkedOrNot;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }
}
