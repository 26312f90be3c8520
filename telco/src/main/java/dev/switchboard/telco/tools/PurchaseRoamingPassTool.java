package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Change;
import dev.switchboard.telco.backend.Contract;
import dev.switchboard.telco.backend.CountryZone;
import dev.switchboard.telco.backend.PassPurchase;
import dev.switchboard.telco.backend.RoamingPass;
import dev.switchboard.telco.backend.RoamingZone;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Buys a roaming pass for a country; activating it on the network is the point of no return. */
final class PurchaseRoamingPassTool extends LongRunningTool {
    static final Procedure PROCEDURE = new Procedure(Duration.ofSeconds(8), List.of(
            new Step(10, "checking eligibility", 0.25),
            new Step(50, "activating the pass on the network", 0.5),
            new Step(90, "updating billing", 0.25)), 50);

    PurchaseRoamingPassTool(TelcoBackend backend, TelcoSettings settings) {
        super(backend, settings, TelcoTools.PURCHASE_ROAMING_PASS,
                "Buys a roaming pass for a trip: a day or a week pass for the zone of the country, valid from "
                        + "today and added to this month's bill. Takes about 8 seconds and runs in the background; "
                        + "it cannot be cancelled once the pass is being activated.",
                Schemas.object(
                        Schemas.Property.required("country", "the country the customer travels to, e.g. Spain", List.of()),
                        Schemas.Property.required("pass", "'day' or 'week' (or a pass id such as eu_week)", List.of())),
                true, PROCEDURE);
    }

    @Override
    Effect prepare(ObjectNode arguments, String customerId) throws ToolException {
        String country = arguments.path("country").asText("").strip();
        if (country.isEmpty()) {
            throw new ToolException("Which country are you travelling to?");
        }
        CountryZone where = backend.countryZone(country)
                .orElseThrow(() -> new ToolException("I don't know a country called '" + country + "'."));
        RoamingZone zone = where.zone();
        if (zone.home()) {
            throw new ToolException(where.country() + " is home, so no roaming pass is needed there.");
        }
        List<RoamingPass> passes = backend.roamingPasses(zone.zoneId());
        String offer = passes.stream().map(p -> p.name() + " (" + p.price().format() + ")")
                .collect(Collectors.joining(" or "));
        String wanted = arguments.path("pass").asText("").strip().toLowerCase(Locale.ROOT);
        if (wanted.isEmpty()) {
            throw new ToolException("Which pass for " + where.country() + ": " + offer + "?");
        }
        RoamingPass pass = passes.stream().filter(p -> matches(p, wanted)).findFirst()
                .orElseThrow(() -> new ToolException("There is no '" + wanted + "' pass for " + where.country()
                        + " (" + zone.name() + "). The passes there are " + offer + "."));
        Contract contract = backend.contract(customerId);
        if (!contract.isActive()) {
            throw new ToolException("Your contract was closed on " + Views.day(contract.closedOn())
                    + ", so no pass can be added to it.");
        }
        return key -> Views.purchaseResult(
                refusable(() -> backend.purchaseRoamingPass(customerId, pass.passId(), where.country(), key)), zone.name());
    }

    private static boolean matches(RoamingPass pass, String wanted) {
        return pass.passId().equals(wanted) || switch (wanted) {
            case "day", "daily", "day pass", "1 day", "1" -> pass.days() == 1;
            case "week", "weekly", "week pass", "7 days", "7" -> pass.days() == 7;
            default -> false;
        };
    }

    @Override
    Optional<ObjectNode> replay(Change recorded) {
        if (!(recorded instanceof PassPurchase p)) {
            return Optional.empty();
        }
        String zoneName = backend.zones().stream().filter(z -> z.zoneId().equals(p.pass().zoneId()))
                .map(RoamingZone::name).findFirst().orElse(p.pass().zoneId());
        return Optional.of(Views.purchaseResult(p, zoneName));
    }
}
