package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.Json;
import dev.switchboard.agent.Idempotent;
import dev.switchboard.agent.LongRunning;
import dev.switchboard.agent.PointOfNoReturn;
import dev.switchboard.agent.SideEffects;
import dev.switchboard.agent.NeedsApproval;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Bill;
import dev.switchboard.telco.backend.Contract;
import dev.switchboard.telco.backend.ContractClosure;
import dev.switchboard.telco.backend.CountryZone;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.backend.PackageChange;
import dev.switchboard.telco.backend.PassPurchase;
import dev.switchboard.telco.backend.RoamingPass;
import dev.switchboard.telco.backend.RoamingZone;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The four long-running telco tools, defined as any team defines theirs: LangChain4j {@code @Tool} methods with
 * Switchboard's annotations for how they run. Each walks its {@link Procedure} through {@link Walk}; the durations
 * and points of no return are constants so the annotations and the procedures cannot disagree.
 */
public final class AccountChanges {
    static final int CLOSE_SECONDS = 10;
    static final int CLOSE_COMMIT = 70;
    static final Procedure CLOSE = new Procedure(Duration.ofSeconds(CLOSE_SECONDS), List.of(
            new Step(10, "checking the contract", 0.2),
            new Step(40, "settling the final bill", 0.3),
            new Step(CLOSE_COMMIT, "closing the contract", 0.3),
            new Step(90, "sending the confirmation", 0.2)), CLOSE_COMMIT);

    static final int PASS_SECONDS = 8;
    static final int PASS_COMMIT = 50;
    static final Procedure PASS = new Procedure(Duration.ofSeconds(PASS_SECONDS), List.of(
            new Step(10, "checking eligibility", 0.25),
            new Step(PASS_COMMIT, "activating the pass on the network", 0.5),
            new Step(90, "updating billing", 0.25)), PASS_COMMIT);

    static final int CHANGE_SECONDS = 10;
    static final int CHANGE_COMMIT = 60;
    static final Procedure CHANGE = new Procedure(Duration.ofSeconds(CHANGE_SECONDS), List.of(
            new Step(10, "checking eligibility", 0.2),
            new Step(30, "reserving the new package", 0.2),
            new Step(CHANGE_COMMIT, "provisioning on the network", 0.4),
            new Step(90, "updating billing", 0.2)), CHANGE_COMMIT);

    static final int BILL_SECONDS = 6;
    static final int DEFAULT_PREVIOUS = 2;
    static final int MAX_PREVIOUS = 12;
    /** Read-only but slow (the billing system rates usage on demand): cancellable at any step. */
    static final Procedure BILL = new Procedure(Duration.ofSeconds(BILL_SECONDS), List.of(
            new Step(10, "fetching usage records", 1 / 3.0),
            new Step(50, "rating calls and data", 1 / 3.0),
            new Step(90, "compiling the summary", 1 / 3.0)), 100);

    private final TelcoBackend backend;
    private final Walk walk;

    public AccountChanges(TelcoBackend backend, TelcoSettings settings) {
        this.backend = backend;
        this.walk = new Walk(backend, settings);
    }

    @Tool(name = TelcoTools.CLOSE_CONTRACT, value = "Closes the customer's contract (an early termination fee applies "
            + "inside the minimum term). Takes about 10 seconds and runs in the background; it cannot be cancelled "
            + "once the contract is being closed.")
    @LongRunning(seconds = CLOSE_SECONDS)
    @SideEffects
    @Idempotent
    @PointOfNoReturn(CLOSE_COMMIT)
    @NeedsApproval(description = "closeContractRequest")
    public String closeContract(@P(value = "why the customer is leaving, if they said", required = false) String reason,
            ToolContext context) throws Exception {
        return walk.run(TelcoTools.CLOSE_CONTRACT, context, CLOSE, customerId -> {
            Contract contract = backend.contract(customerId);
            if (!contract.isActive()) {
                throw new ToolException("Your contract was already closed on " + Views.day(contract.closedOn()) + ".");
            }
            return key -> Views.closure(Walk.refusable(() -> backend.closeContract(customerId, key)));
        }, recorded -> recorded instanceof ContractClosure c ? Optional.of(Views.closure(c)) : Optional.empty());
    }

    /**
     * What the customer is asked before their contract is closed: what it costs today (the early termination fee
     * inside the minimum term), read from their contract when the call is made.
     */
    public String closeContractRequest(com.fasterxml.jackson.databind.node.ObjectNode arguments, ToolContext context)
            throws Exception {
        String customerId = Customers.resolve(context, backend);
        Contract contract = backend.contract(customerId);
        if (!contract.isActive()) {
            return "Close your contract? (It was already closed on " + Views.day(contract.closedOn()) + ".)";
        }
        dev.switchboard.telco.backend.Money fee = contract.feeIfClosedOn(backend.today());
        return fee.isZero()
                ? "Close your contract " + contract.contractId() + "? Your minimum term has ended, so there is no fee."
                : "Close your contract " + contract.contractId() + "? An early termination fee of " + fee.format()
                        + " applies (minimum term until " + Views.day(contract.minimumTermEnds()) + ").";
    }

    @Tool(name = TelcoTools.PURCHASE_ROAMING_PASS, value = "Buys a roaming pass for a trip: a day or a week pass for "
            + "the zone of the country, valid from today and added to this month's bill. Takes about 8 seconds and "
            + "runs in the background; it cannot be cancelled once the pass is being activated.")
    @LongRunning(seconds = PASS_SECONDS)
    @SideEffects
    @Idempotent
    @PointOfNoReturn(PASS_COMMIT)
    public String purchaseRoamingPass(@P("the country the customer travels to, e.g. Spain") String country,
            @P("'day' or 'week' (or a pass id such as eu_week)") String pass, ToolContext context) throws Exception {
        return walk.run(TelcoTools.PURCHASE_ROAMING_PASS, context, PASS, customerId -> preparePass(customerId,
                strip(country), strip(pass).toLowerCase(Locale.ROOT)), recorded -> {
                    if (!(recorded instanceof PassPurchase p)) {
                        return Optional.empty();
                    }
                    String zoneName = backend.zones().stream().filter(z -> z.zoneId().equals(p.pass().zoneId()))
                            .map(RoamingZone::name).findFirst().orElse(p.pass().zoneId());
                    return Optional.of(Views.purchaseResult(p, zoneName));
                });
    }

    private Walk.Effect preparePass(String customerId, String country, String wanted) throws ToolException {
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
        if (wanted.isEmpty()) {
            throw new ToolException("Which pass for " + where.country() + ": " + offer + "?");
        }
        RoamingPass chosen = passes.stream().filter(p -> matches(p, wanted)).findFirst()
                .orElseThrow(() -> new ToolException("There is no '" + wanted + "' pass for " + where.country()
                        + " (" + zone.name() + "). The passes there are " + offer + "."));
        Contract contract = backend.contract(customerId);
        if (!contract.isActive()) {
            throw new ToolException("Your contract was closed on " + Views.day(contract.closedOn())
                    + ", so no pass can be added to it.");
        }
        return key -> Views.purchaseResult(Walk.refusable(
                () -> backend.purchaseRoamingPass(customerId, chosen.passId(), where.country(), key)), zone.name());
    }

    private static boolean matches(RoamingPass pass, String wanted) {
        return pass.passId().equals(wanted) || switch (wanted) {
            case "day", "daily", "day pass", "1 day", "1" -> pass.days() == 1;
            case "week", "weekly", "week pass", "7 days", "7" -> pass.days() == 7;
            default -> false;
        };
    }

    @Tool(name = TelcoTools.CHANGE_PACKAGE, value = "Changes the customer's mobile package. Takes about 10 seconds "
            + "and runs in the background; the change is applied at the network provisioning step and cannot be "
            + "cancelled after that.")
    @LongRunning(seconds = CHANGE_SECONDS)
    @SideEffects
    @Idempotent
    @PointOfNoReturn(CHANGE_COMMIT)
    public String changePackage(@P(name = "package", value = "the package to move to, by id or name (e.g. premium; "
            + "list_available_packages lists them)") String wanted, ToolContext context) throws Exception {
        String name = strip(wanted);
        return walk.run(TelcoTools.CHANGE_PACKAGE, context, CHANGE, customerId -> {
            List<MobilePackage> catalogue = backend.packages();
            String names = catalogue.stream().map(MobilePackage::name).collect(Collectors.joining(", "));
            if (name.isEmpty()) {
                throw new ToolException("Which package? The packages are " + names + ".");
            }
            MobilePackage target = backend.findPackage(name).orElseThrow(() -> new ToolException(
                    "There is no package called '" + name + "'. The packages are " + names + "."));
            Contract contract = backend.contract(customerId);
            if (!contract.isActive()) {
                throw new ToolException("Your contract was closed on " + Views.day(contract.closedOn())
                        + ", so the package can't be changed.");
            }
            MobilePackage current = backend.subscription(customerId).mobilePackage();
            if (current.packageId().equals(target.packageId())) {
                throw new ToolException("You're already on the " + current.name() + " package.");
            }
            return key -> Views.packageChange(Walk.refusable(
                    () -> backend.changePackage(customerId, target.packageId(), key)));
        }, recorded -> recorded instanceof PackageChange c ? Optional.of(Views.packageChange(c)) : Optional.empty());
    }

    @Tool(name = TelcoTools.GET_BILLING_SUMMARY, value = "Summarises this month's bill so far (line by line) and the "
            + "previous bills. Read-only, but takes about 6 seconds and runs in the background.")
    @LongRunning(seconds = BILL_SECONDS)
    @Idempotent
    public String billingSummary(@P(name = "previous_months", value = "how many previous bills to include, 0-"
            + MAX_PREVIOUS + " (default " + DEFAULT_PREVIOUS + ")", required = false) Integer previousMonths,
            ToolContext context) throws Exception {
        int previous = previousMonths == null ? DEFAULT_PREVIOUS : previousMonths;
        return walk.run(TelcoTools.GET_BILLING_SUMMARY, context, BILL, customerId -> {
            if (previous < 0 || previous > MAX_PREVIOUS) {
                throw new ToolException("previous_months must be between 0 and " + MAX_PREVIOUS + ", not " + previous
                        + ".");
            }
            backend.customer(customerId);
            return key -> {
                List<Bill> bills = backend.bills(customerId, previous);
                ObjectNode out = Json.object();
                out.set("current", Views.bill(bills.getFirst()));
                ArrayNode earlier = out.putArray("previous");
                bills.subList(1, bills.size()).forEach(b -> earlier.add(Views.bill(b)));
                return out;
            };
        }, null);
    }

    private static String strip(String text) {
        return text == null ? "" : text.strip();
    }
}
