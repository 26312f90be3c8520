package dev.switchboard.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * API keys from {@code SWITCHBOARD_API_KEYS=key:user,key:user}. Empty means no API keys. Keys are compared in
 * constant time so response timing does not reveal how much of a key was right, and never appear in an error
 * or a log: a malformed entry is reported by its position only, since it may be a bare key.
 */
public final class ApiKeys {
    private final Map<String, String> userByKey;

    private ApiKeys(Map<String, String> userByKey) {
        this.userByKey = Map.copyOf(userByKey);
    }

    public static ApiKeys none() {
        return new ApiKeys(Map.of());
    }

    public static ApiKeys parse(String spec) {
        Map<String, String> keys = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            String[] pairs = spec.split(",");
            for (int i = 0; i < pairs.length; i++) {
                String trimmed = pairs[i].trim();
                int colon = trimmed.lastIndexOf(':');
                if (colon <= 0 || colon == trimmed.length() - 1) {
                    // The entry itself is a secret: say which one is wrong, never what it holds.
                    throw new IllegalArgumentException("SWITCHBOARD_API_KEYS entry " + (i + 1) + " of " + pairs.length
                            + " is not key:user; write it as key:user,key:user");
                }
                keys.put(trimmed.substring(0, colon), trimmed.substring(colon + 1));
            }
        }
        return new ApiKeys(keys);
    }

    /** How many keys there are (start-up says so; the keys themselves are never printed). */
    public int size() {
        return userByKey.size();
    }

    public boolean enabled() {
        return !userByKey.isEmpty();
    }

    /** The user of a presented key, if it is one of the configured keys. */
    public Optional<String> userFor(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String match = null;
        for (Map.Entry<String, String> e : userByKey.entrySet()) {
            // Every key is compared, so the time taken does not say which one matched.
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                match = e.getValue();
            }
        }
        return Optional.ofNullable(match);
    }
}
