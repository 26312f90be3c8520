package dev.switchboard.server.auth;

import dev.switchboard.SwitchboardException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * API keys from {@code SWITCHBOARD_API_KEYS=key:user,key:user}. Empty means auth is off. Keys are compared in
 * constant time so response timing does not reveal how much of a key was right.
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

    /** The caller for the given {@code x-api-key} or {@code Authorization: Bearer} value. */
    public Caller authenticate(String apiKey, String authorization) {
        if (!enabled()) {
            return Caller.ANONYMOUS;
        }
        String presented = apiKey;
        if ((presented == null || presented.isBlank()) && authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        if (presented != null) {
            byte[] given = presented.getBytes(StandardCharsets.UTF_8);
            String match = null;
            for (Map.Entry<String, String> e : userByKey.entrySet()) {
                if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                    match = e.getValue();
                }
            }
            if (match != null) {
                return new Caller(match);
            }
        }
        throw new SwitchboardException.InvalidRequest("unauthorized",
                "missing or unknown API key: send it as x-api-key or Authorization: Bearer");
    }
}
