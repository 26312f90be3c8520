package dev.switchboard.server;

import static dev.switchboard.server.Http.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.Http.Response;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Without sign-in (what a newcomer meets), each visitor has a demo account of their own: the seed's three flows,
 * run at once by three visitors, each change only their own account and never the shared demo customer. A bare
 * API client without any identity gets an account per conversation, which the seed's two-thread form (a
 * secondary thread sharing {@code namespace_for_memory}) shares.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnonymousVisitorsHttpTest {
    private static final Pattern CUSTOMER = Pattern.compile("\\\\\"customer_id\\\\\":\\\\\"([^\\\\\"]+)\\\\\"");

    private final InMemoryTelcoBackend telco = new InMemoryTelcoBackend();
    private final TestServer t = TestServer.startWithTelco(s -> s, telco);
    private final String demoBefore = account("demo");

    @AfterAll
    void stop() {
        t.close();
    }

    private String account(String customer) {
        return telco.subscription(customer) + "|" + telco.contract(customer) + "|" + telco.passPurchases(customer);
    }

    private static ObjectNode telcoRun(String text) {
        ObjectNode body = obj("assistant_id", "telco");
        body.set("input", Http.humanInput(text));
        body.putObject("config").putObject("configurable");
        return body;
    }

    private static String say(Http who, String thread, String text) {
        Response r = who.post("/threads/" + thread + "/runs/wait", telcoRun(text));
        assertThat(r.status()).as(text).isEqualTo(200);
        return r.body();
    }

    private static String newThread(Http who) {
        return who.post("/threads", obj()).json().path("thread_id").asText();
    }

    private static String customerIn(String body) {
        Matcher m = CUSTOMER.matcher(body);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    @Test
    void threeVisitors_runTheSeedsThreeFlowsAtOnce_eachSeeingOnlyTheirOwnAccount() throws Exception {
        Http v1 = t.http.with("X-Switchboard-Visitor", "visitor-one-1111");
        Http v2 = t.http.with("X-Switchboard-Visitor", "visitor-two-2222");
        Http v3 = t.http.with("X-Switchboard-Visitor", "visitor-three-3333");
        String a1 = TelcoTools.accountOf("visitor:visitor-one-1111");
        String a2 = TelcoTools.accountOf("visitor:visitor-two-2222");
        String a3 = TelcoTools.accountOf("visitor:visitor-three-3333");
        List<Callable<Void>> flows = List.of(
                () -> {
                    String thread = newThread(v1);
                    say(v1, thread, "change my package to premium");
                    return null;
                },
                () -> {
                    String thread = newThread(v2);
                    say(v2, thread, "close my contract");
                    if (telco.findCustomer(a2).isPresent() && telco.contract(a2).isActive()) {
                        say(v2, thread, "yes please");
                    }
                    return null;
                },
                () -> {
                    String thread = newThread(v3);
                    say(v3, thread, "buy a roaming pass for Greece");
                    say(v3, thread, "a week");
                    return null;
                });
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (Future<Void> f : pool.invokeAll(flows)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        assertThat(telco.subscription(a1).mobilePackage().packageId()).isEqualTo("premium");
        assertThat(telco.contract(a1).isActive()).isTrue();
        assertThat(telco.passPurchases(a1)).isEmpty();
        assertThat(telco.contract(a2).isActive()).as("visitor two closed their own contract").isFalse();
        assertThat(telco.subscription(a2).mobilePackage().packageId()).isNotEqualTo("premium");
        assertThat(telco.passPurchases(a2)).isEmpty();
        assertThat(telco.passPurchases(a3)).singleElement()
                .satisfies(p -> assertThat(p.country()).isEqualTo("Greece"));
        assertThat(telco.contract(a3).isActive()).isTrue();
        assertThat(account("demo")).as("the shared demo customer is nobody's account").isEqualTo(demoBefore);

        // A later conversation of visitor one still can change packages: visitor two's closure is not theirs.
        String later = newThread(v1);
        assertThat(say(v1, later, "switch me to basic")).doesNotContain("contract is closed");
        assertThat(telco.subscription(a1).mobilePackage().packageId()).isEqualTo("basic");
    }

    @Test
    void aBareClient_getsAnAccountPerConversation_andTheTwoThreadFormSharesOne() {
        String first = newThread(t.http);
        String second = newThread(t.http);
        String a = customerIn(say(t.http, first, "what package am I on?"));
        String b = customerIn(say(t.http, second, "what package am I on?"));

        assertThat(a).startsWith("conv-");
        assertThat(b).startsWith("conv-").isNotEqualTo(a);

        String secondary = newThread(t.http);
        ObjectNode shared = telcoRun("what package am I on?");
        Http.configurable(shared).putArray("namespace_for_memory").add("threads").add(first);
        Response r = t.http.post("/threads/" + secondary + "/runs/wait", shared);
        assertThat(customerIn(r.body())).as("shares the main thread's account").isEqualTo(a);
        assertThat(account("demo")).isEqualTo(demoBefore);
    }

    @Test
    void withoutSignIn_aClientSuppliedAccount_is403_andABadVisitorIdIs422() {
        String thread = newThread(t.http);
        ObjectNode body = telcoRun("switch me to unlimited");
        Http.configurable(body).put("customer_id", "alice");

        Response r = t.http.post("/threads/" + thread + "/runs/wait", body);

        assertThat(r.status()).isEqualTo(403);
        assertThat(r.json().path("detail").asText()).contains("X-Switchboard-Visitor");
        assertThat(telco.subscription("alice").mobilePackage().packageId()).isEqualTo("basic");
        assertThat(t.http.with("X-Switchboard-Visitor", "bad id!").post("/threads", obj()).status()).isEqualTo(422);
    }

    @Test
    void agentRun_withoutSignIn_actsOnTheVisitorsOwnAccount_notTheSeededCustomerOfThatName() {
        Response r = t.http.post("/api/agent/run", obj("user_id", "bob", "task", "switch me to basic",
                "assistant_id", "telco"));
        assertThat(r.status()).isEqualTo(202);
        String account = TelcoTools.accountOf("visitor:bob");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                telco.findCustomer(account).isPresent()
                        && telco.subscription(account).mobilePackage().packageId().equals("basic"));
        assertThat(telco.subscription("bob").mobilePackage().packageId()).as("the seeded bob").isEqualTo("premium");
        JsonNode thread = t.http.get("/threads/" + r.json().path("thread_id").asText()).json();
        assertThat(thread.path("metadata").path("agent_run_user").asText()).isEqualTo("bob");
    }
}
