package dev.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Verifies JWT bearer tokens with Nimbus JOSE + JWT: the signature against the configured keys (asymmetric
 * algorithms only, so a token signed with the public key as an HMAC secret, or with {@code alg: none}, never
 * passes), then issuer, audience, expiry and not-before with the configured leeway, then the user claim. Why a
 * token was refused is logged without the token; the client hears only that it was.
 */
public final class JwtVerifier {
    private static final Logger LOG = Logger.getLogger(JwtVerifier.class.getName());
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final JwtSettings settings;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public JwtVerifier(JwtSettings settings) {
        this.settings = settings;
        if (settings.jwksUrl() != null) {
            processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, source(settings)));
        } else {
            // One pinned key: whatever key id a token names, only this key of the matching family verifies it.
            JWK key = staticKey(settings.publicKey().strip());
            processor.setJWSKeySelector((header, context) -> {
                JWSAlgorithm alg = header.getAlgorithm();
                try {
                    if (ALGORITHMS.contains(alg) && key instanceof RSAKey rsa
                            && JWSAlgorithm.Family.RSA.contains(alg)) {
                        return List.of(rsa.toPublicKey());
                    }
                    if (ALGORITHMS.contains(alg) && key instanceof ECKey ec && JWSAlgorithm.Family.EC.contains(alg)) {
                        return List.of(ec.toPublicKey());
                    }
                } catch (JOSEException e) {
                    throw new com.nimbusds.jose.KeySourceException("the pinned key cannot be used", e);
                }
                return List.of();
            });
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(Set.of(settings.audience()),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp"), null);
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.leeway().toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
    }

    private static JWKSource<SecurityContext> source(JwtSettings s) {
        try {
            JWKSourceBuilder<SecurityContext> builder = JWKSourceBuilder.<SecurityContext>create(
                            URI.create(s.jwksUrl()).toURL())
                    .cache(s.jwksCacheTtl().toMillis(), JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT)
                    .retrying(true);
            builder = s.jwksMinRefresh().isZero() ? builder.rateLimited(false)
                    : builder.rateLimited(s.jwksMinRefresh().toMillis());
            return builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("SWITCHBOARD_JWT_JWKS_URL is not a URL");
        }
    }

    /** A PEM {@code PUBLIC KEY} (RSA or EC) or a public JWK in JSON. */
    static JWK staticKey(String text) {
        try {
            if (text.startsWith("{")) {
                JWK jwk = JWK.parse(text);
                if (jwk.isPrivate()) {
                    throw new IllegalArgumentException("SWITCHBOARD_JWT_PUBLIC_KEY must be a public key, not a "
                            + "private one");
                }
                return jwk;
            }
            String base64 = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            byte[] der = Base64.getDecoder().decode(base64);
            for (String algorithm : List.of("RSA", "EC")) {
                try {
                    PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                    if (key instanceof RSAPublicKey rsa) {
                        return new RSAKey.Builder(rsa).build();
                    }
                    if (key instanceof ECPublicKey ec) {
                        return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
                    }
                } catch (java.security.GeneralSecurityException wrongKind) {
                    // try the next algorithm
                }
            }
        } catch (ParseException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("SWITCHBOARD_")) {
                throw iae;
            }
        }
        // Never echo the value: a private key pasted by mistake must not reach a log.
        throw new IllegalArgumentException("SWITCHBOARD_JWT_PUBLIC_KEY is neither a PEM public key (RSA or EC) nor a "
                + "public JWK");
    }

    /** The caller the token names, or empty when it is refused for any reason. */
    public Optional<Caller> verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            LOG.info("bearer token refused: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            LOG.info("bearer token refused: " + e.getClass().getSimpleName());
            return Optional.empty();
        }
        Object user = claims.getClaim(settings.userClaim());
        if (!(user instanceof String id) || id.isBlank()) {
            LOG.info("bearer token refused: no string claim " + settings.userClaim());
            return Optional.empty();
        }
        return Optional.of(new Caller(id, roles(claims.getClaims()), null));
    }

    private Set<String> roles(Map<String, Object> claims) {
        Object node = claims;
        for (String part : settings.rolesClaim().split("\\.")) {
            node = node instanceof Map<?, ?> map ? map.get(part) : null;
        }
        Set<String> roles = new LinkedHashSet<>();
        if (node instanceof String text) {
            for (String r : text.split("[\\s,]+")) {
                if (!r.isBlank()) {
                    roles.add(r);
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object r : new ArrayList<>(list)) {
                if (r instanceof String text && !text.isBlank()) {
                    roles.add(text);
                }
            }
        }
        return roles;
    }
}
