package dev.switchboard.server.auth;

import dev.switchboard.SwitchboardException;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a request's credentials into a {@link Caller}. Sign-in is on when API keys or JWT are configured; then an
 * {@code x-api-key}, or an {@code Authorization: Bearer} value that is an API key or a JWT, is required, and
 * anything else is a 401 that names neither the key nor the token. API-key users listed in
 * {@code SWITCHBOARD_ADMIN_USERS} get the admin role, those in {@code SWITCHBOARD_SERVICE_USERS} the service role;
 * a JWT's roles come from its roles claim. With sign-in off,
 * the caller is anonymous, known only by the visitor id its browser or terminal sends in
 * {@value #VISITOR_HEADER}, which decides whose demo account the tools act on and nothing else.
 */
public final class Authenticator {
    public static final String VISITOR_HEADER = "X-Switchboard-Visitor";
    private static final String VISITOR_PATTERN = "[A-Za-z0-9._-]{8,128}";

    private final ApiKeys keys;
    private final JwtVerifier jwt;
    private final Set<String> adminUsers;
    private final Set<String> serviceUsers;

    public Authenticator(ApiKeys keys, JwtVerifier jwt, Set<String> adminUsers, Set<String> serviceUsers) {
        this.keys = keys;
        this.jwt = jwt;
        this.adminUsers = Set.copyOf(adminUsers);
        this.serviceUsers = Set.copyOf(serviceUsers);
    }

    public boolean enabled() {
        return keys.enabled() || jwt != null;
    }

    public Caller authenticate(String apiKey, String authorization, String visitor) {
        if (!enabled()) {
            if (visitor == null || visitor.isBlank()) {
                return Caller.ANONYMOUS;
            }
            if (!visitor.strip().matches(VISITOR_PATTERN)) {
                throw new SwitchboardException.InvalidRequest("invalid_header", VISITOR_HEADER
                        + " must be 8-128 letters, digits, '.', '_' or '-'");
            }
            return Caller.visitor(visitor.strip());
        }
        if (apiKey != null && !apiKey.isBlank()) {
            return byKey(apiKey.strip()).orElseThrow(Authenticator::unauthorized);
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            boolean jwtShaped = token.chars().filter(c -> c == '.').count() == 2;
            Optional<Caller> caller = jwt != null && jwtShaped ? jwt.verify(token) : Optional.empty();
            if (caller.isEmpty()) {
                caller = byKey(token); // an API key may contain dots too
            }
            return caller.orElseThrow(Authenticator::unauthorized);
        }
        throw unauthorized();
    }

    private Optional<Caller> byKey(String key) {
        return keys.userFor(key).map(user -> {
            Set<String> roles = new java.util.HashSet<>();
            if (adminUsers.contains(user)) {
                roles.add(Caller.ADMIN);
            }
            if (serviceUsers.contains(user)) {
                roles.add(Caller.SERVICE);
            }
            return new Caller(user, roles, null);
        });
    }

    private static SwitchboardException.InvalidRequest unauthorized() {
        return new SwitchboardException.InvalidRequest("unauthorized", "missing, unknown, invalid or expired "
                + "credentials: send an API key as x-api-key, or an API key or a JWT as Authorization: Bearer");
    }
}
