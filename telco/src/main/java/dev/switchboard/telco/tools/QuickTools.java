package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.backend.AddOn;
import dev.switchboard.telco.backend.Customer;
import dev.switchboard.telco.backend.CountryZone;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.backend.RoamingPass;
import dev.switchboard.telco.backend.RoamingZone;
import dev.switchboard.telco.backend.Subscription;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The five quick, read-only tools; both lanes may call them. */
final class QuickTools {
    private QuickTools() {
    }

    static List<Tool> all(TelcoBackend backend) {
        return List.of(currentPackage(backend), dataBalance(backend), availablePackages(backend), roamingInfo(backend),
                addOns(backend));
    }

    static Tool currentPackage(TelcoBackend backend) {
        return new QuickTool(backend, TelcoTools.GET_CURRENT_PACKAGE,
                "The customer's current package, phone number and contract.", Schemas.object()) {
            @Override
            ObjectNode answer(ObjectNode arguments, String customerId) {
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
            }
        };
    }

    static Tool dataBalance(TelcoBackend backend) {
        return new QuickTool(backend, TelcoTools.GET_DATA_BALANCE,
                "How much of this month's data the customer has used and has left, and active roaming passes.",
                Schemas.object()) {
            @Override
            ObjectNode answer(ObjectNode arguments, String customerId) {
                ObjectNode out = Views.balance(backend.dataBalance(customerId));
                out.put("package", backend.subscription(customerId).mobilePackage().name());
                out.set("active_passes", Views.purchases(backend.passPurchases(customerId), backend.today()));
                return out;
            }
        };
    }

    static Tool availablePackages(TelcoBackend backend) {
        return new QuickTool(backend, TelcoTools.LIST_AVAILABLE_PACKAGES,
                "The package catalogue with prices and allowances, marking the customer's current package.",
                Schemas.object()) {
            @Override
            ObjectNode answer(ObjectNode arguments, String customerId) {
                MobilePackage current = backend.subscription(customerId).mobilePackage();
                ObjectNode out = Json.object();
                out.put("current", current.name());
                out.put("current_package_id", current.packageId());
                ArrayNode packages = out.putArray("packages");
                for (MobilePackage p : backend.packages()) {
                    packages.add(Views.mobilePackage(p).put("current", p.packageId().equals(current.packageId())));
                }
                return out;
            }
        };
    }

    static Tool roamingInfo(TelcoBackend backend) {
        return new QuickTool(backend, TelcoTools.GET_ROAMING_INFO,
                "Roaming zones and passes: for one country (its zone and the passes there) or, without a country, "
                        + "for every zone. Also lists the customer's active passes.",
                Schemas.object(Schemas.Property.optional("country", "a country name, e.g. Spain or the USA", List.of()))) {
            @Override
            ObjectNode answer(ObjectNode arguments, String customerId) throws ToolException {
                backend.customer(customerId);
                String country = arguments.path("country").asText("").strip();
                ObjectNode out = Json.object();
                if (!country.isEmpty()) {
                    CountryZone where = backend.countryZone(country).orElseThrow(() -> new ToolException(
                            "I don't know a country called '" + country + "'. Try a name such as Spain, the USA or Japan."));
                    out.put("country", where.country());
                    out.put("zone", where.zone().name());
                    out.put("zone_id", where.zone().zoneId());
                    out.put("home", where.zone().home());
                    out.set("passes", passes(backend, where.zone()));
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
                        z.set("passes", passes(backend, zone));
                    }
                }
                out.set("active_passes", Views.purchases(backend.passPurchases(customerId), backend.today()));
                return out;
            }
        };
    }

    private static ArrayNode passes(TelcoBackend backend, RoamingZone zone) {
        ArrayNode out = Json.array();
        for (RoamingPass p : backend.roamingPasses(zone.zoneId())) {
            out.add(Views.pass(p));
        }
        return out;
    }

    static Tool addOns(TelcoBackend backend) {
        return new QuickTool(backend, TelcoTools.LIST_ADDONS,
                "The add-on catalogue (monthly extras) and which add-ons the customer has.", Schemas.object()) {
            @Override
            ObjectNode answer(ObjectNode arguments, String customerId) {
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
            }
        };
    }
}
