package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static dev.switchboard.server.Http.scriptedRun;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crons over HTTP as the SDKs' crons client calls them, with sign-in on and a manual clock: create, search,
 * count, update, delete; each firing runs as the cron's owner; another user's cron is a 404 everywhere; bad
 * schedules, time zones and fields are one 4xx with a code and change nothing.
 */
class CronsHttpTest {
    private static final Instant START = ManualClock.DEFAULT_START;
    private final ManualClock clock = new ManualClock(START);
    private final TestServer t = TestServer.startWithClock(s -> s.withApiKeys(ApiKeys.parse("ka:alice,kb:bob")),
            clock);
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");

    @AfterEach
    void stop() {
        t.close();
    }

    private String thread(Http who) {
        return who.post("/threads", obj()).json().path("thread_id").asText();
    }

    private static ObjectNode cronBody(String schedule, Object... more) {
        ObjectNode body = scriptedRun("tick", 2, 0, more);
        body.put("schedule", schedule);
        return body;
    }

    /**
     * Fires what is due. The runtime's own loop may win the claim instead (a cron's creation wakes it, and it can
     * read the manual clock after the test moved it), so the callers check the firing by its effect.
     */
    private static void fire(dev.switchboard.Switchboard switchboard) {
        assertThat(switchboard.fireDueCrons()).isBetween(0, 1);
    }

    private List<JsonNode> runsOf(Http who, String thread, int atLeast) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode runs = who.get("/threads/" + thread + "/runs").json();
            int done = 0;
            for (JsonNode r : runs) {
                done += r.path("status").asText().equals("success") ? 1 : 0;
            }
            return done >= atLeast;
        });
        List<JsonNode> out = new java.util.ArrayList<>();
        who.get("/threads/" + thread + "/runs").json().forEach(out::add);
        return out;
    }

    @Test
    void threadCron_lifecycle_firesAsItsOwner() {
        String thread = thread(alice);
        Response created = alice.post("/threads/" + thread + "/runs/crons", cronBody("*/5 * * * *",
                "metadata", Map.of("purpose", "reminder"), "timezone", "Europe/Paris"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode cron = created.json();
        String id = cron.path("cron_id").asText();
        assertThat(cron.path("thread_id").asText()).isEqualTo(thread);
        assertThat(cron.path("user_id").asText()).isEqualTo("alice");
        assertThat(cron.path("next_run_date").asText()).isEqualTo("2026-01-01T00:05:00Z");
        assertThat(cron.path("enabled").asBoolean()).isTrue();
        assertThat(cron.path("timezone").asText()).isEqualTo("Europe/Paris");
        assertThat(cron.path("payload").path("input").path("messages").get(0).path("content").asText())
                .isEqualTo("tick");
        assertThat(cron.path("metadata").path("purpose").asText()).isEqualTo("reminder");
        assertThat(alice.get("/runs/crons/" + id).json()).isEqualTo(cron);

        clock.advance(Duration.ofMinutes(5));
        fire(t.switchboard);
        JsonNode run = runsOf(alice, thread, 1).get(0);
        assertThat(run.path("metadata").path("cron_id").asText()).isEqualTo(id);
        JsonNode configurable = run.path("kwargs").path("config").path("configurable");
        assertThat(configurable.path("user_id").asText()).isEqualTo("alice");
        assertThat(configurable.path("namespace_for_memory").get(0).asText()).isEqualTo("user:alice");

        Response patched = alice.patch("/runs/crons/" + id, obj("schedule", "0 9 * * *", "metadata",
                Map.of("purpose", "daily")));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        // 09:00 in Paris is 08:00 UTC in winter.
        assertThat(patched.json().path("next_run_date").asText()).isEqualTo("2026-01-01T08:00:00Z");
        assertThat(patched.json().path("metadata").path("purpose").asText()).isEqualTo("daily");
        assertThat(alice.patch("/runs/crons/" + id, obj("enabled", false)).json().path("next_run_date").isNull())
                .isTrue();
        assertThat(alice.post("/runs/crons/search", obj("thread_id", thread)).json()).hasSize(1);
        assertThat(alice.post("/runs/crons/count", obj("assistant_id", "scripted")).json().asLong()).isEqualTo(1);

        assertThat(alice.delete("/runs/crons/" + id).status()).isEqualTo(204);
        assertThat(alice.get("/runs/crons/" + id).status()).isEqualTo(404);
    }

    @Test
    void anotherUsersCron_is404Everywhere_andNeverListed() {
        String thread = thread(alice);
        String id = alice.post("/threads/" + thread + "/runs/crons", cronBody("*/5 * * * *")).json().path("cron_id")
                .asText();
        String stateless = alice.post("/runs/crons", cronBody("0 * * * *")).json().path("cron_id").asText();

        assertThat(bob.get("/runs/crons/" + id).status()).isEqualTo(404);
        assertThat(bob.patch("/runs/crons/" + id, obj("enabled", false)).status()).isEqualTo(404);
        assertThat(bob.delete("/runs/crons/" + stateless).status()).isEqualTo(404);
        assertThat(bob.post("/threads/" + thread + "/runs/crons", cronBody("*/5 * * * *")).status()).isEqualTo(404);
        assertThat(bob.post("/runs/crons/search", obj()).json()).isEmpty();
        assertThat(bob.post("/runs/crons/count", obj()).json().asLong()).isZero();
        assertThat(alice.post("/runs/crons/count", obj()).json().asLong()).isEqualTo(2);
        assertThat(alice.get("/runs/crons/" + id).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void statelessCron_keep_leavesAThreadOfItsOwner() {
        Response created = alice.post("/runs/crons", cronBody("0 * * * *", "on_run_completed", "keep"));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().path("thread_id").isNull()).isTrue();
        assertThat(created.json().path("on_run_completed").asText()).isEqualTo("keep");

        clock.advance(Duration.ofHours(1));
        fire(t.switchboard);
        await().atMost(Duration.ofSeconds(20)).until(() -> alice.post("/threads/search", obj()).json().size() == 1);
        JsonNode threads = alice.post("/threads/search", obj()).json();
        assertThat(threads).hasSize(1);
        String thread = threads.get(0).path("thread_id").asText();
        assertThat(runsOf(alice, thread, 1)).hasSize(1);
        assertThat(bob.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void statelessCron_byDefault_deletesItsThreadWhenTheRunEnds() {
        String id = alice.post("/runs/crons", cronBody("0 * * * *")).json().path("cron_id").asText();
        clock.advance(Duration.ofHours(1));
        fire(t.switchboard);
        assertThat(alice.get("/runs/crons/" + id).json().path("next_run_date").asText()).as("the 01:00 firing was claimed")
                .isEqualTo("2026-01-01T02:00:00Z");
        await().atMost(Duration.ofSeconds(20)).until(() -> alice.post("/threads/search", obj()).json().isEmpty());
    }

    @Test
    void badInput_isOne4xxWithACode_andCreatesNothing() {
        String thread = thread(alice);
        String path = "/threads/" + thread + "/runs/crons";
        Map<ObjectNode, String> cases = new java.util.LinkedHashMap<>();
        cases.put(cronBody("every minute"), "invalid_cron");
        cases.put(cronBody("* * * *"), "invalid_cron");
        cases.put(cronBody("61 * * * *"), "invalid_cron");
        cases.put(cronBody("0 0 30 2 *"), "invalid_cron");
        cases.put(cronBody("0 0 1 1 *", "end_time", "2026-01-02T00:00:00Z"), "invalid_cron");
        cases.put(cronBody("* * * * *", "timezone", "Mars/Olympus"), "invalid_timezone");
        cases.put(cronBody("* * * * *", "end_time", "tomorrow"), "invalid_field");
        cases.put(cronBody("* * * * *", "on_run_completed", "keep"), "invalid_field");
        cases.put(cronBody("* * * * *", "multitask_strategy", "shout"), "invalid_multitask_strategy");
        cases.put(cronBody("* * * * *", "stream_mode", "telepathy"), "invalid_stream_mode");
        cases.put(cronBody("* * * * *", "frequency", "often"), "unknown_field");
        ObjectNode noSchedule = scriptedRun("tick", 2, 0);
        cases.put(noSchedule, "missing_field");
        ObjectNode badInput = cronBody("* * * * *");
        badInput.put("input", 42);
        cases.put(badInput, null);
        cases.forEach((body, code) -> {
            Response r = alice.post(path, body);
            assertThat(r.status()).as(body + " -> " + r.body()).isBetween(400, 499);
            if (code != null) {
                assertThat(r.code()).as(body.toString()).isEqualTo(code);
            }
        });
        assertThat(alice.post("/runs/crons", cronBody("* * * * *", "on_run_completed", "sometimes")).code())
                .isEqualTo("invalid_field");
        assertThat(alice.post("/runs/crons/search", obj("sort_by", "mood")).code()).isEqualTo("invalid_field");
        assertThat(alice.post("/runs/crons/search", obj("select", List.of("secret"))).code())
                .isEqualTo("invalid_field");
        assertThat(alice.post("/runs/crons/count", obj()).json().asLong()).isZero();

        String id = alice.post(path, cronBody("*/5 * * * *")).json().path("cron_id").asText();
        Response badPatch = alice.patch("/runs/crons/" + id, obj("schedule", "nope", "enabled", false));
        assertThat(badPatch.code()).isEqualTo("invalid_cron");
        assertThat(alice.get("/runs/crons/" + id).json().path("enabled").asBoolean()).isTrue();
    }

    @Test
    void cronWebhook_isPostedWhenTheFiringsRunEnds_andAnInternalOneIsRefusedAtCreation() throws Exception {
        assertThat(alice.post("/runs/crons", cronBody("0 * * * *", "webhook", "http://127.0.0.1:9/hook")).code())
                .isEqualTo("webhook_refused");
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        ManualClock own = new ManualClock(START);
        try (TestServer allowing = TestServer.startWithClock(s -> s.withWebhooks(
                dev.switchboard.server.webhook.WebhookPolicy.fromEnvironment(Map.of("SWITCHBOARD_WEBHOOK_ALLOW",
                        "127.0.0.0/8"))), own)) {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            String thread = allowing.http.post("/threads", obj()).json().path("thread_id").asText();
            Response created = allowing.http.post("/threads/" + thread + "/runs/crons",
                    cronBody("*/5 * * * *", "webhook", hook));
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            own.advance(Duration.ofMinutes(5));
            fire(allowing.switchboard);
            String body = received.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(body).isNotNull();
            JsonNode payload = dev.switchboard.Json.parse(body);
            assertThat(payload.path("thread_id").asText()).isEqualTo(thread);
            assertThat(payload.path("status").asText()).isEqualTo("success");
            assertThat(payload.path("metadata").path("cron_id").asText())
                    .isEqualTo(created.json().path("cron_id").asText());
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void search_sortsSelectsAndPages_andInfoReportsCrons() {
        String thread = thread(alice);
        for (String schedule : List.of("0 3 * * *", "0 1 * * *", "0 2 * * *")) {
            clock.advance(Duration.ofSeconds(1));
            alice.post("/threads/" + thread + "/runs/crons", cronBody(schedule));
        }
        JsonNode byNext = alice.post("/runs/crons/search", obj("sort_by", "next_run_date", "sort_order", "asc",
                "select", List.of("schedule", "next_run_date"))).json();
        assertThat(Http.texts(byNext, "schedule")).containsExactly("0 1 * * *", "0 2 * * *", "0 3 * * *");
        assertThat(byNext.get(0).size()).isEqualTo(2);
        JsonNode page = alice.post("/runs/crons/search", obj("limit", 1, "offset", 1)).json();
        assertThat(Http.texts(page, "schedule")).containsExactly("0 1 * * *");
        assertThat(t.http.get("/info").json().path("flags").path("crons").asBoolean()).isTrue();
    }
}
