package dev.switchboard.telco.backend;

import static dev.switchboard.telco.backend.TelcoException.Reason.CONTRACT_CLOSED;
import static dev.switchboard.telco.backend.TelcoException.Reason.KEY_REUSED;
import static dev.switchboard.telco.backend.TelcoException.Reason.NO_PASS_NEEDED;
import static dev.switchboard.telco.backend.TelcoException.Reason.SAME_PACKAGE;
import static dev.switchboard.telco.backend.TelcoException.Reason.UNKNOWN_COUNTRY;
import static dev.switchboard.telco.backend.TelcoException.Reason.UNKNOWN_PACKAGE;
import static dev.switchboard.telco.backend.TelcoException.Reason.UNKNOWN_PASS;

import java.text.Normalizer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The business rules both backends apply, so that they cannot drift apart: what a change costs, when data
 * resets, what a bill's recurring lines are, and the refusals with their wording.
 */
final class Rules {
    static final long MB_PER_GB = 1024;

    private Rules() {
    }

    /**
     * The form country aliases are stored in: lower case, no accents, no punctuation, no leading "the". Dots
     * go without a space, so that "U.S." is "us".
     */
    static String aliasKey(String name) {
        String text = Normalizer.normalize(Objects.requireNonNullElse(name, ""), Normalizer.Form.NFD)
                .replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT)
                .replace(".", "")
                .replaceAll("[^a-z0-9]+", " ")
                .strip();
        return text.startsWith("the ") ? text.substring(4) : text;
    }

    static LocalDate resetsOn(LocalDate today) {
        return today.withDayOfMonth(1).plusMonths(1);
    }

    static DataBalance balance(String customerId, MobilePackage pkg, List<AddOn> addOns, long usedMb, LocalDate today) {
        if (pkg.unlimitedData()) {
            return new DataBalance(customerId, MobilePackage.UNLIMITED, usedMb, MobilePackage.UNLIMITED, resetsOn(today));
        }
        long allowance = (pkg.dataGb() + addOns.stream().mapToLong(AddOn::extraDataGb).sum()) * MB_PER_GB;
        return new DataBalance(customerId, allowance, usedMb, Math.max(0, allowance - usedMb), resetsOn(today));
    }

    /**
     * The open bill charges the package the customer is on for the whole month, so a change credits (or
     * charges) the price difference for the days already spent on the old one.
     */
    static Money proRata(MobilePackage from, MobilePackage to, LocalDate day) {
        long elapsed = day.getDayOfMonth() - 1L;
        long diff = from.monthlyPrice().pence() - to.monthlyPrice().pence();
        return Money.ofPence(Math.round((double) diff * elapsed / day.lengthOfMonth()));
    }

    static List<BillLine> recurringLines(MobilePackage pkg, List<AddOn> addOns) {
        List<BillLine> lines = new ArrayList<>();
        lines.add(new BillLine(LineKind.PACKAGE, pkg.name() + " package", pkg.monthlyPrice()));
        for (AddOn a : addOns) {
            lines.add(new BillLine(LineKind.ADD_ON, a.name(), a.monthlyPrice()));
        }
        return lines;
    }

    static BillLine proRataLine(PackageChange change) {
        return new BillLine(LineKind.ADJUSTMENT, "Pro-rata adjustment: " + change.from().name() + " to "
                + change.to().name(), change.proRataAdjustment());
    }

    static BillLine feeLine(ContractClosure closure) {
        return new BillLine(LineKind.FEE, "Early termination fee", closure.fee());
    }

    static BillLine passLine(PassPurchase purchase) {
        return new BillLine(LineKind.ROAMING, purchase.pass().name() + " (" + purchase.country() + ")",
                purchase.pass().price());
    }

    static PassPurchase purchase(String purchaseId, String customerId, RoamingPass pass, String country, LocalDate today) {
        return new PassPurchase(purchaseId, customerId, pass, country, today, today.plusDays(pass.days() - 1L));
    }

    // ---- refusals --------------------------------------------------------------------------------------------

    static void requireActive(Contract contract) {
        if (!contract.isActive()) {
            throw new TelcoException(CONTRACT_CLOSED, "Your contract was already closed on " + contract.closedOn()
                    + ", so nothing more can be changed on it.");
        }
    }

    static TelcoException unknownPackage(String wanted, List<MobilePackage> catalogue) {
        return new TelcoException(UNKNOWN_PACKAGE, "There is no package called '" + wanted + "'. The packages are "
                + catalogue.stream().map(MobilePackage::name).collect(Collectors.joining(", ")) + ".");
    }

    static void requireDifferent(MobilePackage current, MobilePackage wanted) {
        if (current.packageId().equals(wanted.packageId())) {
            throw new TelcoException(SAME_PACKAGE, "You're already on the " + current.name() + " package.");
        }
    }

    static TelcoException unknownCountry(String country) {
        return new TelcoException(UNKNOWN_COUNTRY, "I don't know a country called '" + country + "'.");
    }

    static RoamingPass passFor(CountryZone where, String passId, List<RoamingPass> zonePasses) {
        if (where.zone().home()) {
            throw new TelcoException(NO_PASS_NEEDED, where.country() + " is home: no roaming pass is needed there.");
        }
        return zonePasses.stream().filter(p -> p.passId().equals(passId)).findFirst()
                .orElseThrow(() -> new TelcoException(UNKNOWN_PASS, "There is no pass '" + passId + "' for "
                        + where.country() + " (" + where.zone().name() + "). The passes there are "
                        + zonePasses.stream().map(p -> p.passId() + " (" + p.name() + ")")
                                .collect(Collectors.joining(", ")) + "."));
    }

    /** A key may only ever stand for one request; a repeat for another action or customer is a caller bug. */
    static Change replay(Change recorded, String action, String customerId, String key) {
        if (!recorded.action().equals(action) || !recorded.customerId().equals(customerId)) {
            throw new TelcoException(KEY_REUSED, "The idempotency key " + key + " was already used for "
                    + recorded.action() + " of customer " + recorded.customerId() + ".");
        }
        return recorded;
    }
}
