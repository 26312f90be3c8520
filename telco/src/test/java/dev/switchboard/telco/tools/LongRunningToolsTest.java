package dev.switchboard.telco.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.ContractStatus;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.backend.LineKind;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext.OperationCancelledException;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The long-running tools: their steps, where their effect lands, cancellation, idempotency and refusals. */
class LongRunningToolsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

    private final TelcoBackend backend = new InMemoryTelcoBackend(CLOCK);
    private final List<Duration> pauses = new ArrayList<>();
    private final Map<String, Tool> tools = byName(TelcoTools.all(backend,
            new TelcoSettings(1.0, pauses::add)));

    private static Map<String, Tool> byName(List<Tool> tools) {
        Map<String, Tool> out = new LinkedHashMap<>();
        tools.forEach(t -> out.put(t.spec().name(), t));
        return out;
    }

    private static ObjectNode args(String json) {
        return (ObjectNode) Json.parse(json);
    }

    private String packageOfDemo() {
        return backend.subscription("demo").mobilePackage().packageId();
    }

    @Test
    void theAgentHasExactlyTheNineTelcoTools_withTheirKindsDurationsAndPointsOfNoReturn() {
        assertThat(tools.keySet()).containsExactlyInAnyOrder("close_contract", "purchase_roaming_pass", "change_package",
                "get_billing_summary", "get_current_package", "get_data_balance", "list_available_packages",
                "get_roaming_info", "list_addons");
        assertThat(tools.get("close_contract").spec()).satisfies(s -> {
            assertThat(s.kind()).isEqualTo(ToolKind.LONG_RUNNING);
            assertThat(s.nominalDuration()).isEqualTo(Duration.ofSeconds(10));
            assertThat(s.sideEffects()).isTrue();
            assertThat(s.idempotent()).isTrue();
            assertThat(s.pointOfNoReturn()).isEqualTo(70);
        });
        assertThat(tools.get("purchase_roaming_pass").spec().nominalDuration()).isEqualTo(Duration.ofSeconds(8));
        assertThat(tools.get("purchase_roaming_pass").spec().pointOfNoReturn()).isEqualTo(50);
        assertThat(tools.get("change_package").spec().nominalDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(tools.get("change_package").spec().pointOfNoReturn()).isEqualTo(60);
        assertThat(tools.get("get_billing_summary").spec()).satisfies(s -> {
            assertThat(s.kind()).isEqualTo(ToolKind.LONG_RUNNING);
            assertThat(s.nominalDuration()).isEqualTo(Duration.ofSeconds(6));
            assertThat(s.sideEffects()).isFalse();
            assertThat(s.pointOfNoReturn()).isEqualTo(100);
        });
        for (String quick : List.of("get_current_package", "get_data_balance", "list_available_packages",
                "get_roaming_info", "list_addons")) {
            assertThat(tools.get(quick).spec().kind()).as(quick).isEqualTo(ToolKind.QUICK);
            assertThat(tools.get(quick).spec().sideEffects()).as(quick).isFalse();
        }
        assertThat(tools.get("change_package").spec().parameters().path("required").toString()).contains("package");
        assertThat(tools.get("purchase_roaming_pass").spec().parameters().path("required").toString())
                .contains("country", "pass");
    }

    @Test
    void changePackage_walksItsSteps_andChangesThePackageOnlyAfterThePointOfNoReturnReport() throws Exception {
        Map<Integer, String> packageAtReport = new LinkedHashMap<>();
        FakeToolContext context = new FakeToolContext().onReport(p -> packageAtReport.put(p, packageOfDemo()));

        JsonNode result = Json.parse(tools.get("change_package").call(args("{\"package\":\"premium\"}"), context));

        assertThat(context.reports).extracting(FakeToolContext.Report::message).containsExactly(
                "checking eligibility", "reserving the new package", "provisioning on the network", "updating billing");
        assertThat(context.percents()).containsExactly(10, 30, 60, 90);
        // The report at 60 returns before the change is applied: a cancel racing it is either refused or wins.
        assertThat(packageAtReport).containsExactly(Map.entry(10, "standard"), Map.entry(30, "standard"),
                Map.entry(60, "standard"), Map.entry(90, "premium"));
        assertThat(result.path("status").asText()).isEqualTo("changed");
        assertThat(result.path("from").path("name").asText()).isEqualTo("Standard");
        assertThat(result.path("to").path("summary").asText()).isEqualTo("£30.00/month, 100 GB data, unlimited minutes");
        assertThat(result.path("pro_rata_adjustment").asText()).isEqualTo("-£7.00");
        assertThat(packageOfDemo()).isEqualTo("premium");
    }

    @Test
    void changePackage_cancelledBeforeItsPointOfNoReturn_changesNothing() {
        FakeToolContext context = new FakeToolContext().cancelledAt(30, 60);

        assertThatThrownBy(() -> tools.get("change_package").call(args("{\"package\":\"premium\"}"), context))
                .isInstanceOf(OperationCancelledException.class);

        assertThat(context.percents()).containsExactly(10);
        assertThat(packageOfDemo()).isEqualTo("standard");
        assertThat(backend.currentBill("demo").lines()).hasSize(1);
    }

    @Test
    void changePackage_cancelledAfterItsPointOfNoReturn_completes() throws Exception {
        FakeToolContext context = new FakeToolContext().cancelledAt(90, 60);

        tools.get("change_package").call(args("{\"package\":\"premium\"}"), context);

        assertThat(context.percents()).containsExactly(10, 30, 60, 90);
        assertThat(packageOfDemo()).isEqualTo("premium");
    }

    @Test
    void changePackage_runTwiceWithOneIdempotencyKey_appliesOnce_andReplaysTheFirstResult() throws Exception {
        FakeToolContext first = new FakeToolContext("call_same", Json.object().put("user_id", "demo"));
        String result = tools.get("change_package").call(args("{\"package\":\"premium\"}"), first);
        // A resumed operation: same thread, run and call id. Already on Premium now, yet no refusal.
        FakeToolContext resumed = first.resumed();

        String again = tools.get("change_package").call(args("{\"package\":\"premium\"}"), resumed);

        assertThat(again).isEqualTo(result);
        assertThat(resumed.reports).containsExactly(new FakeToolContext.Report(100, "already done"));
        assertThat(backend.currentBill("demo").lines()).filteredOn(l -> l.kind() == LineKind.ADJUSTMENT).hasSize(1);
    }

    @Test
    void changePackage_refusesBadRequestsAtOnce_withAMessageToRelay() {
        Tool change = tools.get("change_package");
        assertThatThrownBy(() -> change.call(args("{\"package\":\"gold\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class)
                .hasMessage("There is no package called 'gold'. The packages are Basic, Standard, Premium, Unlimited.");
        assertThatThrownBy(() -> change.call(args("{\"package\":\"standard\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("You're already on the Standard package.");
        assertThatThrownBy(() -> change.call(args("{}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessageStartingWith("Which package?");
        backend.closeContract("demo", "closed-before");
        assertThatThrownBy(() -> change.call(args("{\"package\":\"premium\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("Your contract was closed on 22 November 2026, so the package can't be changed.");
        assertThat(packageOfDemo()).isEqualTo("standard");
        assertThat(pauses).as("a refusal costs no waiting").isEmpty();
    }

    @Test
    void closeContract_closesAtSeventyPercent_andRefusesAClosedContract() throws Exception {
        Map<Integer, ContractStatus> statusAtReport = new LinkedHashMap<>();
        FakeToolContext context = new FakeToolContext()
                .onReport(p -> statusAtReport.put(p, backend.contract("demo").status()));

        JsonNode result = Json.parse(tools.get("close_contract").call(Json.object(), context));

        assertThat(context.reports).extracting(FakeToolContext.Report::message).containsExactly(
                "checking the contract", "settling the final bill", "closing the contract", "sending the confirmation");
        assertThat(statusAtReport).containsExactly(Map.entry(10, ContractStatus.ACTIVE),
                Map.entry(40, ContractStatus.ACTIVE), Map.entry(70, ContractStatus.ACTIVE),
                Map.entry(90, ContractStatus.CLOSED));
        assertThat(result.path("early_termination_fee").asText()).isEqualTo("£45.00");
        assertThat(result.path("fee_charged").asBoolean()).isTrue();
        assertThatThrownBy(() -> tools.get("close_contract").call(Json.object(), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("Your contract was already closed on 22 November 2026.");
    }

    @Test
    void closeContract_cancelledBeforeItsPointOfNoReturn_leavesTheContractActive() {
        FakeToolContext context = new FakeToolContext().cancelledAt(70, 70);
        assertThatThrownBy(() -> tools.get("close_contract").call(Json.object(), context))
                .isInstanceOf(OperationCancelledException.class);
        assertThat(backend.contract("demo").isActive()).isTrue();
    }

    @Test
    void purchaseRoamingPass_buysTheZonesPassForTheCountry_atFiftyPercent() throws Exception {
        Map<Integer, Integer> passesAtReport = new LinkedHashMap<>();
        FakeToolContext context = new FakeToolContext()
                .onReport(p -> passesAtReport.put(p, backend.passPurchases("demo").size()));

        JsonNode result = Json.parse(tools.get("purchase_roaming_pass")
                .call(args("{\"country\":\"spain\",\"pass\":\"week\"}"), context));

        assertThat(context.reports).extracting(FakeToolContext.Report::message).containsExactly(
                "checking eligibility", "activating the pass on the network", "updating billing");
        assertThat(passesAtReport).containsExactly(Map.entry(10, 0), Map.entry(50, 0), Map.entry(90, 1));
        assertThat(result.path("pass").path("name").asText()).isEqualTo("Europe Week Pass");
        assertThat(result.path("country").asText()).isEqualTo("Spain");
        assertThat(result.path("zone").asText()).isEqualTo("Europe");
        assertThat(result.path("valid_until").asText()).isEqualTo("28 November 2026");
        assertThat(backend.currentBill("demo").lines()).filteredOn(l -> l.kind() == LineKind.ROAMING).hasSize(1);
    }

    @Test
    void purchaseRoamingPass_refusesUnknownCountriesMissingPassesAndHome() {
        Tool buy = tools.get("purchase_roaming_pass");
        assertThatThrownBy(() -> buy.call(args("{\"country\":\"Narnia\",\"pass\":\"day\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("I don't know a country called 'Narnia'.");
        assertThatThrownBy(() -> buy.call(args("{\"country\":\"Japan\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class)
                .hasMessage("Which pass for Japan: Asia Pacific Day Pass (£7.00) or Asia Pacific Week Pass (£30.00)?");
        assertThatThrownBy(() -> buy.call(args("{\"country\":\"Japan\",\"pass\":\"month\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessageStartingWith("There is no 'month' pass for Japan");
        assertThatThrownBy(() -> buy.call(args("{\"country\":\"England\",\"pass\":\"day\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("United Kingdom is home, so no roaming pass is needed there.");
        assertThatThrownBy(() -> buy.call(args("{\"pass\":\"day\"}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class).hasMessage("Which country are you travelling to?");
        assertThat(backend.passPurchases("demo")).isEmpty();
    }

    @Test
    void billingSummary_isReadOnly_cancellableAtEveryStep_andReturnsTheBills() throws Exception {
        FakeToolContext context = new FakeToolContext();
        JsonNode result = Json.parse(tools.get("get_billing_summary").call(Json.object(), context));

        assertThat(context.reports).extracting(FakeToolContext.Report::message)
                .containsExactly("fetching usage records", "rating calls and data", "compiling the summary");
        assertThat(result.path("current").path("period").asText()).isEqualTo("November 2026");
        assertThat(result.path("current").path("total").asText()).isEqualTo("£20.00");
        assertThat(result.path("previous")).hasSize(2);
        assertThat(result.path("previous").get(0).path("period").asText()).isEqualTo("October 2026");

        FakeToolContext cancelled = new FakeToolContext().cancelledAt(90, 100);
        assertThatThrownBy(() -> tools.get("get_billing_summary").call(Json.object(), cancelled))
                .isInstanceOf(OperationCancelledException.class);
        assertThatThrownBy(() -> tools.get("get_billing_summary").call(args("{\"previous_months\":99}"), new FakeToolContext()))
                .isInstanceOf(ToolException.class);
    }

    @Test
    void stepPauses_addUpToTheNominalDurationTimesTheScale() throws Exception {
        tools.get("change_package").call(args("{\"package\":\"premium\"}"), new FakeToolContext());
        assertThat(pauses.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(10));

        List<Duration> scaledPauses = new ArrayList<>();
        Tool scaled = byName(TelcoTools.all(backend, new TelcoSettings(0.01, scaledPauses::add))).get("purchase_roaming_pass");
        scaled.call(args("{\"country\":\"France\",\"pass\":\"day\"}"), new FakeToolContext());
        assertThat(scaledPauses.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofMillis(80));
    }

    @Test
    void theAccount_isTheConversationOwners_aKnownCustomerAsIs_aNewUserProvisioned() throws Exception {
        Tool current = tools.get("get_current_package");

        assertThat(customerOf(current, FakeToolContext.forCustomer("alice"))).isEqualTo("alice");
        assertThat(customerOf(current, FakeToolContext.forCustomer("bob"))).isEqualTo("bob");
        String newcomer = customerOf(current, FakeToolContext.forCustomer("someone-else"));

        assertThat(newcomer).isEqualTo("someone-else").isNotEqualTo("demo");
        assertThat(backend.findCustomer("someone-else")).isPresent();
    }

    @Test
    void aUserIdThatIsNoValidCustomerId_getsADigestAccount_neverAnotherUsers() throws Exception {
        Tool current = tools.get("get_current_package");

        String visitor = customerOf(current, FakeToolContext.forCustomer("visitor:Alice"));

        assertThat(visitor).startsWith("acct-").isNotEqualTo("alice");
        assertThat(customerOf(current, FakeToolContext.forCustomer("visitor:Alice"))).isEqualTo(visitor);
    }

    @Test
    void noUserIdentity_theConversationsOwnAccount_neverTheDemoCustomer() throws Exception {
        Tool close = tools.get("close_contract");

        close.call(Json.object(), new FakeToolContext("c1", Json.object()));

        assertThat(backend.contract("demo").isActive()).as("no fallback to the demo customer").isTrue();
        assertThat(customerOf(tools.get("get_current_package"), new FakeToolContext("c2", Json.object())))
                .startsWith("conv-");
    }

    @Test
    void aClientSuppliedCustomerId_isRefused_andNothingChanges() {
        ObjectNode planted = Json.object().put("user_id", "mallory").put("customer_id", "alice");

        assertThatThrownBy(() -> tools.get("close_contract").call(Json.object(), new FakeToolContext("c", planted)))
                .isInstanceOf(ToolException.class).hasMessageContaining("customer_id is not accepted");
        assertThatThrownBy(() -> tools.get("get_data_balance").call(Json.object(), new FakeToolContext("c", planted)))
                .isInstanceOf(ToolException.class);
        assertThat(backend.contract("alice").isActive()).isTrue();
    }

    private static String customerOf(Tool tool, FakeToolContext context) throws Exception {
        return Json.parse(tool.call(Json.object(), context)).path("customer_id").asText();
    }
}
