package dev.switchboard.testkit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake side-effecting backend that counts how often each idempotency key asked for a change and how often
 * the change was really applied (once per key, as a real backend that honours idempotency keys would).
 */
public final class RecordingBackend {
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, String> applied = new ConcurrentHashMap<>();

    /** Applies {@code change} under {@code key} unless that key was applied before; returns what stands. */
    public String apply(String key, String change) {
        requests.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return applied.computeIfAbsent(key, k -> change);
    }

    public int requests(String key) {
        AtomicInteger n = requests.get(key);
        return n == null ? 0 : n.get();
    }

    public int appliedCount() {
        return applied.size();
    }

    public Map<String, String> applied() {
        return Map.copyOf(applied);
    }
}
