package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.Http.Response;
import dev.switchboard.server.auth.ApiKeys;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DESIGN.md §6 as an attacker tries it: two users and an admin, with the real telco agent on a real backend.
 * Every way of naming another user's account or operation (config and context overrides, ids planted in the
 * store, a coordination namespace borrowed from their thread, create-with-id, squatting /api/agent/run) is
 * refused, 403 or as a missing thing (404), and the backend shows no change. (The HTTP endpoints one by one, by id,
 * are AuthHttpTest's walk; recovery of a rolled-back run's operation for its own user is CrashRecoveryTest's.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationMatrixHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InMemoryTelcoBackend telco = new InMemoryTelcoBackend();
    private final TestServer t = TestServer.startWithTelco(s -> s
            .withApiKeys(ApiKeys.parse("ka:alice,kb:bob,kc:carol,kd:dave,ko:ops,ks:billing-svc"))
            .withAdminUsers(Set.of("ops")).withServiceUsers(Set.of("billing-svc")), telco);
    private final Http alice = t.http.key("ka");
    private final Http bob = t.http.key("kb");
    private final Http carol = t.http.key("kc");
    private final Http dave = t.http.key("kd");
    private final Http ops = t.http.key("ko");
    private final Http service = t.http.key("ks");

    @AfterAll
    void stop() {
        t.close();
    }

    private static String threadOf(Http who) {
        return who.post("/threads", obj()).json().path("thread_id").asText();
    }

    private static ObjectNode telcoRun(String text) {
        ObjectNode body = obj("assistant_id", "telco");
        body.set("input", Http.humanInput(text));
        body.putObject("config").putObject("configurable");
        return body;
    }

    private static String lastAnswer(Response wait) {
        JsonNode messages = wait.json().path("messages");
        return messages.get(messages.size() - 1).path("content").asText();
    }

    /** What an account looks like, enough to see any change the tools could make. */
    private String account(String customer) {
        return telco.subscription(customer) + "|" + telco.contract(customer) + "|" + telco.passPurchases(customer)
                + "|" + telco.currentBill(customer);
    }

    @Test
    void configOrContextNamingAnotherAccount_is403_andNoAccountChanges() {
        String thread = threadOf(bob);
        String alicesBefore = account("alice");
        String bobsBefore = account("bob");
        List<String> refused = new ArrayList<>();
        for (String where : List.of("config", "context")) {
            for (String key : List.of("customer_id", "user_id", "owner")) {
                ObjectNode body = telcoRun("switch me to unlimited");
                ObjectNode target = where.equals("config") ? Http.configurable(body) : body.putObject("context");
                target.put(key, "alice");
                Response r = bob.post("/threads/" + thread + "/runs/wait", body);
                assertThat(r.status()).as("%s.%s", where, key).isEqualTo(403);
                assertThat(r.code()).isEqualTo("forbidden");
                refused.add(where + "." + key);
            }
        }

        assertThat(refused).hasSize(6);
        assertThat(account("alice")).isEqualTo(alicesBefore);
        assertThat(account("bob")).isEqualTo(bobsBefore);
        assertThat(bob.get("/threads/" + thread + "/runs").json()).as("no run was made").isEmpty();
    }

    @Test
    void restatingTheCallersOwnAccount_isAccepted_andActsOnIt() {
        String thread = threadOf(carol);
        ObjectNode body = telcoRun("what package am I on?");
        Http.configurable(body).put("user_id", "carol");

        Response r = carol.post("/threads/" + thread + "/runs/wait", body);

        assertThat(r.status()).isEqualTo(200);
        assertThat(telco.findCustomer("carol")).as("carol's demo account, provisioned on first sight").isPresent();
        assertThat(r.json().path("messages").toString()).contains("\\\"customer_id\\\":\\\"carol\\\"");
    }

    @Test
    void theAdmin_mayActOnAnotherAccount_andOnAUsersThreadActsForThatUser() {
        String opsThread = threadOf(ops);
        ObjectNode forDave = telcoRun("switch me to unlimited");
        Http.configurable(forDave).put("customer_id", "dave");
        String alicesBefore = account("alice");

        assertThat(ops.post("/threads/" + opsThread + "/runs/wait", forDave).status()).isEqualTo(200);
        assertThat(telco.subscription("dave").mobilePackage().packageId()).isEqualTo("unlimited");

        String davesThread = threadOf(dave);
        dave.post("/threads/" + davesThread + "/runs/wait", telcoRun("what package am I on?"));
        assertThat(ops.get("/threads/" + davesThread).status()).as("the admin sees every thread").isEqualTo(200);
        assertThat(ops.post("/threads/" + davesThread + "/runs/wait", telcoRun("switch me to basic")).status())
                .isEqualTo(200);
        assertThat(telco.subscription("dave").mobilePackage().packageId()).as("the thread owner's account")
                .isEqualTo("basic");
        assertThat(telco.findCustomer("ops")).as("never the admin's own").isEmpty();
        assertThat(account("alice")).isEqualTo(alicesBefore);
    }

    @Test
    void theServiceRole_mayNameTheAccount_fromItsOwnThread_butSeesNoOtherUsersThreads() {
        String erin = "erin";
        String own = threadOf(service);
        ObjectNode forErin = telcoRun("switch me to unlimited");
        Http.configurable(forErin).put("user_id", erin);

        assertThat(service.post("/threads/" + own + "/runs/wait", forErin).status()).isEqualTo(200);
        assertThat(telco.subscription(erin).mobilePackage().packageId()).isEqualTo("unlimited");
        assertThat(service.get("/threads/" + threadOf(alice)).status()).isEqualTo(404);
    }

    @Test
    void aStatusPointerPlantedInTheCallersStore_toAnotherUsersOperation_findsAndCancelsNothing() {
        String alicesThread = threadOf(alice);
        String alicesRun = alice.post("/threads/" + alicesThread + "/runs", TestServer.lanesRun("please change my plan"))
                .json().path("run_id").asText();
        String alicesOp = operationOf(alice, alicesThread);
        String bobsThread = threadOf(bob);
        String bobsRun = bob.post("/threads/" + bobsThread + "/runs", TestServer.lanesRun("please change my plan"))
                .json().path("run_id").asText();
        String bobsOp = operationOf(bob, bobsThread);
        await().atMost(WAIT).until(() -> bob.get("/store/items?namespace=threads." + bobsThread
                + "&key=working-tool-status-update").json().path("value").path("operation_id").asText().equals(bobsOp));

        // Bob points his own status key at alice's operation, then asks his secondary lane to cancel "it".
        assertThat(bob.put("/store/items", obj("namespace", List.of("threads", bobsThread), "key",
                "working-tool-status-update", "value", Map.of("operation_id", alicesOp))).status()).isEqualTo(204);
        JsonNode cancel = bob.post("/threads/" + bobsThread + "/runs/wait", TestServer.lanesRun("cancel it")).json();
        JsonNode status = bob.post("/threads/" + bobsThread + "/runs/wait", TestServer.lanesRun("how far is it?"))
                .json();
        // And through a secondary thread that borrows the visible labels of alice's coordination namespace.
        String borrowed = threadOf(bob);
        ObjectNode viaAlicesNamespace = TestServer.lanesRun("cancel it");
        ((ObjectNode) viaAlicesNamespace.get("input")).put("thread_type", "secondary");
        Http.configurable(viaAlicesNamespace).putArray("namespace_for_memory").add("threads").add(alicesThread);
        bob.post("/threads/" + borrowed + "/runs/wait", viaAlicesNamespace);

        assertThat(alice.get("/operations/" + alicesOp).json().path("cancel_requested").asBoolean()).isFalse();
        assertThat(bob.get("/operations/" + bobsOp).json().path("cancel_requested").asBoolean()).isFalse();
        assertThat(cancel.toString()).doesNotContain(alicesOp);
        assertThat(status.toString()).doesNotContain(alicesOp);
        assertThat(bob.get("/operations/" + alicesOp).status()).isEqualTo(404);
        t.release();
        alice.get("/threads/" + alicesThread + "/runs/" + alicesRun + "/join");
        bob.get("/threads/" + bobsThread + "/runs/" + bobsRun + "/join");
        assertThat(alice.get("/operations/" + alicesOp).json().path("status").asText()).isEqualTo("succeeded");
    }

    private static String operationOf(Http who, String thread) {
        return await().atMost(WAIT).until(() -> {
            JsonNode ops = who.get("/threads/" + thread + "/operations").json();
            return ops.isEmpty() ? null : ops.get(0).path("operation_id").asText();
        }, java.util.Objects::nonNull);
    }

    @Test
    void createWithId_ofAnotherUsersThread_is404_withEitherIfExists_whileTheOwnerGets409() {
        String alicesThread = threadOf(alice);

        for (String ifExists : List.of("raise", "do_nothing")) {
            Response r = bob.post("/threads", obj("thread_id", alicesThread, "if_exists", ifExists));
            assertThat(r.status()).as(ifExists).isEqualTo(404);
        }
        assertThat(bob.post("/threads/" + alicesThread + "/runs", telcoRun("hi").put("if_not_exists", "create"))
                .status()).isEqualTo(404);
        assertThat(alice.post("/threads", obj("thread_id", alicesThread, "if_exists", "raise")).status()).isEqualTo(409);
        assertThat(alice.get("/threads/" + alicesThread).json().path("metadata").path("owner").asText())
                .isEqualTo("alice");
    }

    @Test
    void agentRun_cannotBeSquatted_byThreadsAnotherUserMadeFirst() {
        for (String key : List.of("agent_run_user", "user_id")) {
            bob.post("/threads", obj("metadata", Map.of(key, "carol")));
        }
        List<String> bobs = Http.texts(bob.post("/threads/search", obj("limit", 1000)).json(), "thread_id");

        Response first = carol.post("/api/agent/run", obj("task", "hello", "assistant_id", "telco"));
        Response second = carol.post("/api/agent/run", obj("task", "what package am I on?", "assistant_id", "telco"));

        assertThat(first.status()).isEqualTo(202);
        String thread = first.json().path("thread_id").asText();
        assertThat(bobs).doesNotContain(thread);
        assertThat(second.json().path("thread_id").asText()).as("one thread per user").isEqualTo(thread);
        assertThat(carol.get("/threads/" + thread).json().path("metadata").path("owner").asText()).isEqualTo("carol");
        assertThat(bob.get("/threads/" + thread).status()).isEqualTo(404);
    }

    @Test
    void anotherUsersRunOrCheckpointId_underTheCallersOwnThread_is404() {
        String alicesThread = threadOf(alice);
        Response wait = alice.post("/threads/" + alicesThread + "/runs/wait", Http.scriptedRun("hello", 2, 0));
        String alicesRun = wait.header("Content-Location").orElseThrow().replaceAll(".*/runs/", "");
        String alicesCheckpoint = alice.get("/threads/" + alicesThread + "/state").json().path("checkpoint")
                .path("checkpoint_id").asText();
        String bobsThread = threadOf(bob);
        String mine = "/threads/" + bobsThread;

        for (Object[] step : List.<Object[]>of(new Object[] {"GET", mine + "/runs/" + alicesRun, null},
                new Object[] {"GET", mine + "/runs/" + alicesRun + "/join", null},
                new Object[] {"POST", mine + "/runs/" + alicesRun + "/cancel", null},
                new Object[] {"DELETE", mine + "/runs/" + alicesRun, null},
                new Object[] {"GET", mine + "/state/" + alicesCheckpoint, null},
                new Object[] {"POST", mine + "/state/checkpoint", obj("checkpoint",
                        Map.of("checkpoint_id", alicesCheckpoint))},
                new Object[] {"POST", mine + "/runs/wait", Http.scriptedRun("fork", 1, 0, "checkpoint_id",
                        alicesCheckpoint)})) {
            Response r = bob.send((String) step[0], (String) step[1], step[2]);
            assertThat(r.status()).as("%s %s", step[0], step[1]).isEqualTo(404);
            assertThat(r.body()).doesNotContain("hello");
        }
        assertThat(alice.get("/threads/" + alicesThread + "/runs/" + alicesRun).status()).isEqualTo(200);
    }

    @Test
    void threadSearch_isTheCallersOwnThreads_butEveryonesForTheAdmin() {
        String tag = java.util.UUID.randomUUID().toString();
        String alices = alice.post("/threads", obj("metadata", Map.of("tag", tag))).json().path("thread_id").asText();
        String bobs = bob.post("/threads", obj("metadata", Map.of("tag", tag))).json().path("thread_id").asText();

        assertThat(Http.texts(ops.post("/threads/search", obj("metadata", Map.of("tag", tag))).json(), "thread_id"))
                .containsExactlyInAnyOrder(alices, bobs);
        assertThat(Http.texts(ops.post("/threads/search", obj("metadata", Map.of("tag", tag, "owner", "alice")))
                .json(), "thread_id")).containsExactly(alices);
        assertThat(Http.texts(bob.post("/threads/search", obj("metadata", Map.of("tag", tag))).json(), "thread_id"))
                .containsExactly(bobs);
        assertThat(Http.texts(service.post("/threads/search", obj("metadata", Map.of("tag", tag))).json(),
                "thread_id")).isEmpty();
    }

    @Test
    void storeItems_areTheOwners_theAdminSeesThemAsStored_anotherUserNever() {
        alice.put("/store/items", obj("namespace", List.of("notes"), "key", "card", "value", Map.of("last4", "4242")));

        JsonNode asAdmin = ops.post("/store/items/search", obj("namespace_prefix", List.of("user:alice"))).json();
        JsonNode asBob = bob.post("/store/items/search", obj("namespace_prefix", List.of("user:alice"))).json();

        assertThat(asAdmin.path("items").toString()).contains("4242");
        assertThat(asBob.path("items")).isEmpty();
        assertThat(bob.get("/store/items?namespace=user:alice.notes&key=card").body()).isEqualTo("null");
    }

    @Test
    void theAdmin_seesEveryUsersThreadRunAndOperation_aUserNoOthers() {
        String thread = threadOf(alice);
        String run = alice.post("/threads/" + thread + "/runs", TestServer.lanesRun("please change my plan")).json()
                .path("run_id").asText();
        String op = operationOf(alice, thread);

        for (String path : List.of("/threads/" + thread, "/threads/" + thread + "/runs/" + run, "/operations/" + op,
                "/threads/" + thread + "/operations")) {
            assertThat(ops.get(path).status()).as(path).isEqualTo(200);
            assertThat(bob.get(path).status()).as(path).isEqualTo(404);
        }
        t.release();
        alice.get("/threads/" + thread + "/runs/" + run + "/join");
    }
}
