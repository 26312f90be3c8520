package dev.switchboard.server.api;

import java.util.concurrent.atomic.AtomicLong;

/** Request ids: echoed in {@code x-request-id} and in every log line written while handling the request. */
public final class RequestIds {
    public static final String ATTRIBUTE = "switchboard.request-id";
    public static final String HEADER = "x-request-id";
    private static final AtomicLong NEXT = new AtomicLong();
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestIds() {
    }

    /** Keeps a caller's id if it is short and printable, else mints one. */
    public static String accept(String offered) {
        if (offered != null && offered.matches("[A-Za-z0-9._:-]{1,64}")) {
            return offered;
        }
        return "req-" + Long.toString(System.currentTimeMillis(), 36) + "-" + NEXT.incrementAndGet();
    }

    public static void bind(String id) {
        CURRENT.set(id);
    }

    public static void unbind() {
        CURRENT.remove();
    }

    /** The id of the request the current thread is handling, or null. */
    public static String current() {
        return CURRENT.get();
    }
}
