package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.Http.Response;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code x-request-id} on every answer. {@link Http} checks its presence on every response of every test; this
 * class checks that a caller's id is echoed, a bad one replaced, and that ids are unique.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestIdHttpTest {
    private final TestServer t = TestServer.start();
    private final Http http = t.http;

    @AfterAll
    void stop() {
        t.close();
    }

    @Test
    void callersRequestId_isEchoed_onSuccessesErrorsAndStreams() throws Exception {
        Http traced = http.with("x-request-id", "trace-42.a:b_c");
        assertThat(traced.get("/ok").header("x-request-id")).contains("trace-42.a:b_c");
        assertThat(traced.post("/threads", obj()).header("x-request-id")).contains("trace-42.a:b_c");
        Response notFound = traced.get("/threads/00000000-0000-7000-8000-000000000000");
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.header("x-request-id")).contains("trace-42.a:b_c");
        Response malformed = traced.post("/threads", "{");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("x-request-id")).contains("trace-42.a:b_c");
        Response noRoute = traced.get("/nowhere");
        assertThat(noRoute.header("x-request-id")).contains("trace-42.a:b_c");
        try (Sse sse = traced.stream("/runs/stream", Http.scriptedRun("traced", 2, 0))) {
            assertThat(sse.header("x-request-id")).contains("trace-42.a:b_c");
            sse.readToEnd();
        }
        Response run = traced.post("/runs", Http.scriptedRun("traced run", 2, 0));
        assertThat(run.json().path("metadata").path("request_id").asText()).isEqualTo("trace-42.a:b_c");
    }

    @Test
    void unusableRequestId_isReplacedByAMintedOne_andMintedIdsAreUnique() {
        for (String bad : List.of("has space", "x".repeat(65), "semi;colon")) {
            String id = http.with("x-request-id", bad).get("/ok").header("x-request-id").orElseThrow();
            assertThat(id).isNotEqualTo(bad).matches("[A-Za-z0-9._:-]{1,64}");
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ids.add(http.get("/ok").header("x-request-id").orElseThrow());
        }
        assertThat(ids).hasSize(20);
    }

    @Test
    void errorsOfTheWebLayerItself_carryTheRequestIdToo() {
        try (TestServer keyed = TestServer.start(s -> s.withApiKeys(dev.switchboard.server.auth.ApiKeys.parse("k:u"))
                .withMaxBodyBytes(2048))) {
            Response unauthorized = keyed.http.with("x-request-id", "r-401").post("/threads", obj());
            assertThat(unauthorized.status()).isEqualTo(401);
            assertThat(unauthorized.header("x-request-id")).contains("r-401");
            Response tooBig = keyed.http.key("k").with("x-request-id", "r-413").post("/threads",
                    "{\"metadata\":{\"p\":\"" + "x".repeat(4096) + "\"}}");
            assertThat(tooBig.status()).isEqualTo(413);
            assertThat(tooBig.header("x-request-id")).contains("r-413");
        }
    }
}
