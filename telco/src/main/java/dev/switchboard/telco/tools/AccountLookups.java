package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.Json;
import dev.switchboard.telco.backend.AddOn;
import dev.switchboard.telco.backend.CountryZone;
import dev.switchboard.telco.backend.Customer;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.backend.RoamingPass;
import dev.switchboard.telco.backend.RoamingZone;
import dev.switchboard.telco.backend.Subscription;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.backend.TelcoException;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The five quick, read-only telco tools (both lanes may call them), as LangChain4j {@code @Tool} methods: one
 * backend read each for the conversation owner's account, answered as JSON.
 */
public final class AccountLookups {
    private final TelcoBackend backend;

    public AccountLookups(TelcoBackend backend) {
        this.backend = backend;
    }

    /** One read for the resolved customer. */
    @FunctionalInterface
    private interface Read {
        ObjectNode answer(String customerId) throws ToolException;
    }

    private String read(String tool, ToolContext context, Read read) throws ToolException {
        try {
            return Json.write(read.answer(Customers.resolve(context, backend)));
        } catch (TelcoException refused) {
            throw new ToolException(refused.getMessage());
        } catch (RuntimeException broken) {
            throw Customers.unexpected(tool, broken);
        }
    }

    @Tool(name = TelcoTools.GET_CURRENT_PACKAGE, value = "The customer's current package, phone number and contract.")
    public String currentPackage(ToolContext context) throws ToolException {
        return read(TelcoTools.GET_CURRENT_PACKAGE, context, customerId -> {
            Customer customer = backend.customer(customerId);
            Subscription s = backend.subscription(customerId);
            ObjectNode out = Json.object();
            out.put("customer_id", customerId);
            out.put("name", customer.name());
            out.put("msisdn", customer.msisdn());
            out.set("package", Views.mobilePackage(s.mobilePackage()));
            out.put("since", Views.day(s.since()));
            out.set("contract", Views.contract(backend.contract(customerId), backend.today()));
            return out;
        });
    }

    @Tool(name = TelcoTools.GET_DATA_BALANCE,
            value = "How much of this month's data the customer has used and has left, and active roaming passes.")
    public String dataBalance(ToolContext context) throws ToolException {
        return read(TelcoTools.GET_DATA_BALANCE, context, customerId -> {
            ObjectNode out = Views.balance(backend.dataBalance(customerId));
            out.put("package", backend.subscription(customerId).mobilePackage().name());
            out.set("active_passes", Views.purchases(backend.passPurchases(customerId), backend.today()));
            return out;
        });
    }

    @Tool(name = TelcoTools.LIST_AVAILABLE_PACKAGES,
            value = "The package catalogue with prices and allowances, marking the customer's current package.")
    public String availablePackages(ToolContext context) throws ToolException {
        return read(TelcoTools.LIST_AVAILABLE_PACKAGES, context, customerId -> {
            MobilePackage current = backend.subscription(customerId).mobilePackage();
            ObjectNode out = Json.object();
            out.put("current", current.name());
            out.put("current_package_id", current.packageId());
            ArrayNode packages = out.putArray("packages");
            for (MobilePackage p : backend.packages()) {
                packages.add(Views.mobilePackage(p).put("current", p.packageId().equals(current.packageId())));
            }
            return out;
        });
    }

    @Tool(name = TelcoTools.GET_ROAMING_INFO, value = "Roaming zones and passes: for one country (its zone and the "
            + "passes there) or, without a country, for every zone. Also lists the customer's active passes.")
    public String roamingInfo(@P(value = "a country name, e.g. Spain or the USA", required = false) String country,
            ToolContext context) throws ToolException {
        String where = country == null ? "" : country.strip();
        return read(TelcoTools.GET_ROAMING_INFO, context, customerId -> {
            backend.customer(customerId);
            ObjectNode out = Json.object();
            if (!where.isEmpty()) {
                CountryZone zoneOf = backend.countryZone(where).orElseThrow(() -> new ToolException(
                        "I don't know a country called '" + where + "'. Try a name such as Spain, the USA or Japan."));
                out.put("country", zoneOf.country());
                out.put("zone", zoneOf.zone().name());
                out.put("zone_id", zoneOf.zone().zoneId());
                out.put("home", zoneOf.zone().home());
                out.set("passes", passes(zoneOf.zone()));
            } else {
                ArrayNode zones = out.putArray("zones");
                for (RoamingZone zone : backend.zones()) {
                    if (zone.home()) {
                        continue;
                    }
                    ObjectNode z = zones.addObject();
                    z.put("zone", zone.name());
                    z.put("zone_id", zone.zoneId());
                    List<String> countries = backend.countries(zone.zoneId());
                    z.put("example_countries", countries.stream().limit(4).collect(Collectors.joining(", ")));
                    z.set("passes", passes(zone));
                }
            }
            out.set("active_passes", Views.purchases(backend.passPurchases(customerId), backend.today()));
            return out;
        });
    }

    private ArrayNode passes(RoamingZone zone) {
        ArrayNode out = Json.array();
        for (RoamingPass p : backend.roamingPasses(zone.zoneId())) {
            out.add(Views.pass(p));
        }
        return out;
    }

    @Tool(name = TelcoTools.LIST_ADDONS,
            value = "The add-on catalogue (monthly extras) and which add-ons the customer has.")
    public String addOns(ToolContext context) throws ToolException {
        return read(TelcoTools.LIST_ADDONS, context, customerId -> {
            Set<String> active = backend.activeAddOns(customerId).stream().map(AddOn::addOnId)
                    .collect(Collectors.toSet());
            ObjectNode out = Json.object();
            ArrayNode all = out.putArray("addons");
            ArrayNode mine = out.putArray("active");
            for (AddOn a : backend.addOns()) {
                all.add(Views.addOn(a, active.contains(a.addOnId())));
                if (active.contains(a.addOnId())) {
                    mine.add(a.name());
                }
            }
            return out;
        });
    }
}
