package dev.switchboard.telco.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The quick tools answer with display-ready JSON. */
class QuickToolsTest {
    private final InMemoryTelcoBackend backend = new InMemoryTelcoBackend(
            Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));

    private JsonNode call(String name, String args, String customer) throws Exception {
        Tool tool = TelcoTools.all(backend, TelcoSettings.ofScale(0)).stream()
                .filter(t -> t.spec().name().equals(name)).findFirst().orElseThrow();
        return Json.parse(tool.call((ObjectNode) Json.parse(args), FakeToolContext.forCustomer(customer)));
    }

    @Test
    void currentPackage_showsPackageNumberAndContract() throws Exception {
        JsonNode r = call("get_current_package", "{}", "demo");
        assertThat(r.path("msisdn").asText()).isEqualTo("+447700900000");
        assertThat(r.path("package").path("name").asText()).isEqualTo("Standard");
        assertThat(r.path("package").path("summary").asText()).isEqualTo("£20.00/month, 25 GB data, 1,000 minutes");
        assertThat(r.path("contract").path("minimum_term_ends").asText()).isEqualTo("28 February 2027");
        assertThat(r.path("contract").path("early_termination_fee_now").asText()).isEqualTo("£45.00");
    }

    @Test
    void dataBalance_showsUsedAndRemainingAsText() throws Exception {
        JsonNode r = call("get_data_balance", "{}", "demo");
        assertThat(r.path("remaining").asText()).isEqualTo("16.9 GB");
        assertThat(r.path("used").asText()).isEqualTo("8.1 GB");
        assertThat(r.path("allowance").asText()).isEqualTo("25 GB");
        assertThat(r.path("resets_on").asText()).isEqualTo("1 December 2026");
        assertThat(call("get_data_balance", "{}", "bob").path("allowance").asText()).isEqualTo("100 GB");
    }

    @Test
    void availablePackages_marksTheCurrentOne() throws Exception {
        JsonNode r = call("list_available_packages", "{}", "alice");
        assertThat(r.path("current").asText()).isEqualTo("Basic");
        assertThat(r.path("packages")).hasSize(4);
        assertThat(r.path("packages").get(0).path("current").asBoolean()).isTrue();
        assertThat(r.path("packages").get(3).path("data").asText()).isEqualTo("unlimited data");
    }

    @Test
    void roamingInfo_forACountry_listsItsZonesPasses_andWithoutOne_everyZone() throws Exception {
        JsonNode spain = call("get_roaming_info", "{\"country\":\"spain\"}", "demo");
        assertThat(spain.path("country").asText()).isEqualTo("Spain");
        assertThat(spain.path("zone").asText()).isEqualTo("Europe");
        assertThat(spain.path("passes").findValuesAsText("name")).containsExactly("Europe Day Pass", "Europe Week Pass");
        assertThat(spain.path("passes").get(0).path("data").asText()).isEqualTo("2 GB");

        JsonNode all = call("get_roaming_info", "{}", "demo");
        assertThat(all.path("zones").findValuesAsText("zone"))
                .containsExactly("Europe", "USA & Canada", "Asia Pacific", "Rest of the world");
        assertThatThrownBy(() -> call("get_roaming_info", "{\"country\":\"Atlantis\"}", "demo"))
                .isInstanceOf(ToolException.class).hasMessageStartingWith("I don't know a country called 'Atlantis'.");
    }

    @Test
    void roamingInfo_showsAPassBoughtToday_asActive() throws Exception {
        backend.purchaseRoamingPass("demo", "usa_week", "USA", "k");
        JsonNode r = call("get_roaming_info", "{\"country\":\"Canada\"}", "demo");
        assertThat(r.path("active_passes")).hasSize(1);
        assertThat(r.path("active_passes").get(0).path("country").asText()).isEqualTo("United States");
    }

    @Test
    void addOns_listTheCatalogue_andWhichTheCustomerHas() throws Exception {
        JsonNode r = call("list_addons", "{}", "bob");
        assertThat(r.path("addons")).hasSize(4);
        assertThat(r.path("active").toString()).isEqualTo("[\"International Calls 100\",\"Music Streaming\"]");
    }

    @Test
    void aBrokenBackend_isReportedWithoutItsExceptionText() {
        TelcoBackend broken = (TelcoBackend) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TelcoBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("subscription")) {
                        throw new IllegalStateException("SQLITE_BUSY at /srv/data/switchboard.db password=hunter2");
                    }
                    return method.invoke(backend, args);
                });
        Tool tool = TelcoTools.all(broken, TelcoSettings.ofScale(0)).stream()
                .filter(t -> t.spec().name().equals("get_current_package")).findFirst().orElseThrow();

        assertThatThrownBy(() -> tool.call(Json.object(), FakeToolContext.forCustomer("demo")))
                .isInstanceOf(dev.switchboard.tool.ToolException.class)
                .hasMessageContaining("could not complete get_current_package")
                .message().doesNotContain("hunter2").doesNotContain("/srv");
    }
}
