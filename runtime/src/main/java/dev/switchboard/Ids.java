package dev.switchboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Identifiers. Threads, runs, checkpoints and operations get time-ordered UUIDv7 ids (as the
 * LangGraph servers mint them), so sorting by id sorts by creation; system assistants get a
 * name-based UUIDv5 so that the same graph id always maps to the same assistant id.
 */
public final class Ids {
    /** The namespace LangGraph uses for system assistants' uuidv5(graph_id). */
    public static final UUID ASSISTANT_NAMESPACE = UUID.fromString("6ba7b821-9dad-11d1-80b4-00c04fd430c8");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object LOCK = new Object();
    private static long lastMillis;
    private static long sequence;

    private Ids() {
    }

    /** A new UUIDv7: 48 bits of Unix milliseconds, then a counter so ids minted in one millisecond still sort. */
    public static UUID newId() {
        long millis;
        long seq;
        // Held for nanoseconds and never across blocking calls, so a monitor cannot pin a carrier for long.
        synchronized (LOCK) {
            millis = System.currentTimeMillis();
            if (millis <= lastMillis) {
                millis = lastMillis;
                sequence++;
                if (sequence > 0xFFF) {
                    millis++;
                    sequence = 0;
                }
            } else {
                sequence = RANDOM.nextInt(0x200);
            }
            lastMillis = millis;
            seq = sequence;
        }
        long msb = (millis << 16) | 0x7000L | seq;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** RFC 4122 name-based UUID (version 5, SHA-1). */
    public static UUID nameBased(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] ns = new byte[16];
            long msb = namespace.getMostSignificantBits();
            long lsb = namespace.getLeastSignificantBits();
            for (int i = 0; i < 8; i++) {
                ns[i] = (byte) (msb >>> (8 * (7 - i)));
                ns[8 + i] = (byte) (lsb >>> (8 * (7 - i)));
            }
            sha1.update(ns);
            byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            h[6] = (byte) ((h[6] & 0x0f) | 0x50);
            h[8] = (byte) ((h[8] & 0x3f) | 0x80);
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (h[i] & 0xff);
                lo = (lo << 8) | (h[8 + i] & 0xff);
            }
            return new UUID(hi, lo);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every JDK", e);
        }
    }

    /** Parses a UUID string, answering a clear 4xx-class error for anything else. */
    private static final java.util.regex.Pattern CANONICAL = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    public static UUID parse(String what, String text) {
        // UUID.fromString accepts short groups and reads them as another id; only the canonical form is an id.
        if (text == null || !CANONICAL.matcher(text).matches()) {
            throw new SwitchboardException.InvalidRequest("invalid_uuid", what + " must be a UUID, got: " + text);
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new SwitchboardException.InvalidRequest("invalid_uuid", what + " must be a UUID, got: " + text);
        }
    }
}
