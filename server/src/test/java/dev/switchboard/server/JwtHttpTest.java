package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.server.auth.JwtSettings;
import dev.switchboard.server.auth.JwtVerifier;
import dev.switchboard.thread.ThreadQuery;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * JWT bearer tokens against a real JWKS served by a local HTTP server: tokens the test signs with keys it
 * generates. A good token is a user (its {@code sub}, its roles); every bad one (expired, wrong audience, wrong
 * issuer, unknown key id, {@code alg: none}, HMAC with the public key, tampered payload, no expiry) is a 401 that
 * changes nothing. A rotated key is picked up by refetching the JWKS. API keys keep working alongside.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtHttpTest {
    private static final String ISSUER = "https://login.example/realms/telco";
    private static final String AUDIENCE = "switchboard";

    private final RSAKey first = generate("k1");
    private final RSAKey second = generate("k2");
    private final RSAKey stranger = generate("k-unknown");
    private final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(first.toPublicJWK()));
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final HttpServer jwks = serveJwks();
    private final TestServer t = TestServer.start(s -> s.withApiKeys(ApiKeys.parse("ops-key:ops"))
            .withJwt(JwtSettings.jwks("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json", ISSUER,
                    AUDIENCE).withMinRefresh(Duration.ZERO).withLeeway(Duration.ofSeconds(5))));
    private final Http ops = t.http.key("ops-key");

    @AfterAll
    void stop() {
        t.close();
        jwks.stop(0);
    }

    private static RSAKey generate(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpServer serveJwks() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/jwks.json", exchange -> {
                jwksFetches.incrementAndGet();
                byte[] body = published.get().toString(true).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Http bearer(String token) {
        return t.http.with("Authorization", "Bearer " + token);
    }

    /** Every thread in the store, whoever owns it. */
    private long threadCount() {
        return t.switchboard.countThreads(new ThreadQuery(null, null, null, null, 1000, 0, null, false));
    }

    @Test
    void aValidToken_isItsSubject_whoOwnsWhatTheyCreate() {
        Http carol = bearer(sign(first, claims("carol").build()));
        String thread = carol.post("/threads", obj()).json().path("thread_id").asText();

        assertThat(carol.get("/threads/" + thread).json().path("metadata").path("owner").asText()).isEqualTo("carol");
        assertThat(bearer(sign(first, claims("dave").build())).get("/threads/" + thread).status()).isEqualTo(404);
        assertThat(ops.get("/threads/" + thread).status()).as("an API-key user without the admin role").isEqualTo(404);
    }

    @Test
    void aTokenJustPastItsExpiry_isAcceptedWithinTheLeeway() {
        Instant now = Instant.now();
        String justExpired = sign(first, claims("ivan").issueTime(Date.from(now.minusSeconds(300)))
                .expirationTime(Date.from(now.minusSeconds(2))).build());

        assertThat(bearer(justExpired).post("/threads", obj()).status()).isEqualTo(200);
    }

    @Test
    void everyBadToken_is401_andCreatesNothing() throws Exception {
        Instant now = Instant.now();
        String good = sign(first, claims("mallory").build());
        String[] parts = good.split("\\.");
        String forgedPayload = Base64URL.encode(claims("carol").build().toString()).toString();
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
                claims("mallory").build());
        hmac.sign(new MACSigner(first.toRSAPublicKey().getEncoded()));
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("expired", sign(first, claims("mallory").issueTime(Date.from(now.minusSeconds(600)))
                .expirationTime(Date.from(now.minusSeconds(60))).build()));
        bad.put("wrong audience", sign(first, claims("mallory").audience("another-service").build()));
        bad.put("wrong issuer", sign(first, claims("mallory").issuer("https://evil.example").build()));
        bad.put("unknown kid", sign(stranger, claims("mallory").build()));
        bad.put("alg none", new PlainJWT(claims("mallory").build()).serialize());
        bad.put("HS256 keyed with the public key", hmac.serialize());
        bad.put("tampered payload", parts[0] + "." + forgedPayload + "." + parts[2]);
        bad.put("no expiry", sign(first, new JWTClaimsSet.Builder().subject("mallory").issuer(ISSUER)
                .audience(AUDIENCE).build()));
        bad.put("not yet valid", sign(first, claims("mallory").notBeforeTime(Date.from(now.plusSeconds(600))).build()));
        bad.put("garbage with two dots", "a.b.c");
        long before = threadCount();

        for (Map.Entry<String, String> e : bad.entrySet()) {
            Response r = bearer(e.getValue()).post("/threads", obj("metadata", Map.of("via", e.getKey())));
            assertThat(r.status()).as(e.getKey()).isEqualTo(401);
            assertThat(r.code()).as(e.getKey()).isEqualTo("unauthorized");
            assertThat(r.body()).as("the token is not echoed").doesNotContain(e.getValue());
        }

        assertThat(threadCount()).isEqualTo(before);
    }

    @Test
    void aRotatedKey_isFetchedFromTheJwks_andTheRetiredOneStopsWorking() {
        assertThat(bearer(sign(first, claims("erin").build())).post("/threads", obj()).status()).isEqualTo(200);
        assertThat(bearer(sign(second, claims("erin").build())).post("/threads", obj()).status())
                .as("k2 is not published yet").isEqualTo(401);

        published.set(new JWKSet(List.of(second.toPublicJWK())));
        int fetchesBefore = jwksFetches.get();

        assertThat(bearer(sign(second, claims("erin").build())).post("/threads", obj()).status()).isEqualTo(200);
        assertThat(jwksFetches.get()).as("the unknown kid made it refetch").isGreaterThan(fetchesBefore);
        assertThat(bearer(sign(first, claims("erin").build())).post("/threads", obj()).status())
                .as("k1 was retired").isEqualTo(401);
        published.set(new JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())));
    }

    @Test
    void theAdminRole_fromTheRolesClaim_seesOtherUsersThreads() {
        String thread = bearer(sign(first, claims("frank").build())).post("/threads", obj()).json()
                .path("thread_id").asText();
        Http admin = bearer(sign(first, claims("root").claim("roles", List.of("admin")).build()));
        Http notAdmin = bearer(sign(first, claims("grace").claim("roles", List.of("viewer")).build()));

        assertThat(admin.get("/threads/" + thread).status()).isEqualTo(200);
        assertThat(notAdmin.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void aStaticPemPublicKey_verifiesTokens_withoutAnyJwks() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(second.toRSAPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        try (TestServer pinned = TestServer.start(s -> s.withJwt(JwtSettings.publicKey(pem, ISSUER, AUDIENCE)))) {
            Http good = pinned.http.with("Authorization", "Bearer " + sign(second, claims("heidi").build()));
            Http other = pinned.http.with("Authorization", "Bearer " + sign(first, claims("heidi").build()));

            assertThat(good.post("/threads", obj()).status()).isEqualTo(200);
            assertThat(other.post("/threads", obj()).status()).isEqualTo(401);
        }
    }

    @Test
    void misconfiguredJwt_refusesToStart_withoutEchoingTheKey() {
        JwtSettings garbage = JwtSettings.publicKey("not-a-key-SECRET", ISSUER, AUDIENCE);

        assertThatThrownBy(() -> new JwtVerifier(garbage)).isInstanceOf(IllegalArgumentException.class)
                .message().doesNotContain("SECRET");
        assertThatThrownBy(() -> JwtSettings.fromEnvironment(Map.of("SWITCHBOARD_JWT_JWKS_URL",
                "https://login.example/jwks", "SWITCHBOARD_JWT_ISSUER", ISSUER)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SWITCHBOARD_JWT_AUDIENCE");
    }

    @Test
    void aMalformedApiKeysEntry_refusesToStart_withoutEchoingIt() {
        assertThatThrownBy(() -> ApiKeys.parse("good-key:alice,sk-live-BAREKEY"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry 2 of 2")
                .message().doesNotContain("BAREKEY");
    }

    @Test
    void apiKeys_keepWorking_alongsideJwt_andNoCredentialsIs401() {
        assertThat(ops.post("/threads", obj()).status()).isEqualTo(200);
        assertThat(t.http.with("Authorization", "Bearer ops-key").post("/threads", obj()).status()).isEqualTo(200);
        assertThat(t.http.post("/threads", obj()).status()).isEqualTo(401);
        assertThat(t.http.get("/info").json().path("flags").path("auth").asBoolean()).isTrue();
    }
}
