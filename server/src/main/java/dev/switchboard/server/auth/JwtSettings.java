package dev.switchboard.server.auth;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * JWT bearer tokens (OIDC). Keys come from a JWKS URL ({@code SWITCHBOARD_JWT_JWKS_URL}, cached, refetched when a
 * token names a key id it does not know, which is how a key rotation arrives) or from one static public key
 * ({@code SWITCHBOARD_JWT_PUBLIC_KEY}: a PEM {@code PUBLIC KEY} or a JWK in JSON). Issuer and audience are
 * required: a token minted for another service must not work here.
 *
 * @param userClaim the claim that holds the user id ({@code sub} by default)
 * @param rolesClaim the claim that holds the roles, a list or a space-separated string; a dotted path reaches into
 *        an object ({@code realm_access.roles})
 * @param leeway the clock skew allowed on {@code exp}, {@code nbf} and {@code iat}
 * @param jwksCacheTtl how long a fetched JWKS is used before it is fetched again
 * @param jwksMinRefresh the least time between two fetches of the JWKS (an unknown key id cannot force more)
 */
public record JwtSettings(String jwksUrl, String publicKey, String issuer, String audience, String userClaim,
        String rolesClaim, Duration leeway, Duration jwksCacheTtl, Duration jwksMinRefresh) {

    public JwtSettings {
        if ((jwksUrl == null) == (publicKey == null)) {
            throw new IllegalArgumentException("JWT needs exactly one of SWITCHBOARD_JWT_JWKS_URL and "
                    + "SWITCHBOARD_JWT_PUBLIC_KEY");
        }
        if (jwksUrl != null) {
            URI uri;
            try {
                uri = URI.create(jwksUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SWITCHBOARD_JWT_JWKS_URL is not a URL");
            }
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("SWITCHBOARD_JWT_JWKS_URL must be an absolute http(s) URL");
            }
        }
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("SWITCHBOARD_JWT_ISSUER is required with JWT sign-in");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("SWITCHBOARD_JWT_AUDIENCE is required with JWT sign-in");
        }
        userClaim = userClaim == null || userClaim.isBlank() ? "sub" : userClaim.strip();
        rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim.strip();
        leeway = leeway == null ? Duration.ofSeconds(60) : leeway;
        jwksCacheTtl = jwksCacheTtl == null ? Duration.ofMinutes(5) : jwksCacheTtl;
        jwksMinRefresh = jwksMinRefresh == null ? Duration.ofSeconds(10) : jwksMinRefresh;
        if (leeway.isNegative() || jwksCacheTtl.isNegative() || jwksMinRefresh.isNegative()) {
            throw new IllegalArgumentException("JWT durations must not be negative");
        }
    }

    /** A JWKS-based configuration with the defaults. */
    public static JwtSettings jwks(String url, String issuer, String audience) {
        return new JwtSettings(url, null, issuer, audience, null, null, null, null, null);
    }

    /** A static-key configuration with the defaults. */
    public static JwtSettings publicKey(String key, String issuer, String audience) {
        return new JwtSettings(null, key, issuer, audience, null, null, null, null, null);
    }

    public JwtSettings withMinRefresh(Duration every) {
        return new JwtSettings(jwksUrl, publicKey, issuer, audience, userClaim, rolesClaim, leeway, jwksCacheTtl, every);
    }

    public JwtSettings withLeeway(Duration skew) {
        return new JwtSettings(jwksUrl, publicKey, issuer, audience, userClaim, rolesClaim, skew, jwksCacheTtl,
                jwksMinRefresh);
    }

    public JwtSettings withClaims(String user, String roles) {
        return new JwtSettings(jwksUrl, publicKey, issuer, audience, user, roles, leeway, jwksCacheTtl, jwksMinRefresh);
    }

    /** The settings in {@code env}, or null when JWT sign-in is not configured. */
    public static JwtSettings fromEnvironment(Map<String, String> env) {
        String url = blankToNull(env.get("SWITCHBOARD_JWT_JWKS_URL"));
        String key = blankToNull(env.get("SWITCHBOARD_JWT_PUBLIC_KEY"));
        if (url == null && key == null) {
            for (String other : new String[] {"SWITCHBOARD_JWT_ISSUER", "SWITCHBOARD_JWT_AUDIENCE"}) {
                if (blankToNull(env.get(other)) != null) {
                    throw new IllegalArgumentException(other + " is set but neither SWITCHBOARD_JWT_JWKS_URL nor "
                            + "SWITCHBOARD_JWT_PUBLIC_KEY is: JWT sign-in needs its keys");
                }
            }
            return null;
        }
        return new JwtSettings(url, key, env.get("SWITCHBOARD_JWT_ISSUER"), env.get("SWITCHBOARD_JWT_AUDIENCE"),
                env.get("SWITCHBOARD_JWT_USER_CLAIM"), env.get("SWITCHBOARD_JWT_ROLES_CLAIM"),
                seconds(env, "SWITCHBOARD_JWT_LEEWAY_SECONDS"), seconds(env, "SWITCHBOARD_JWT_JWKS_CACHE_SECONDS"),
                null);
    }

    private static Duration seconds(Map<String, String> env, String name) {
        String raw = blankToNull(env.get(name));
        if (raw == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(raw.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
