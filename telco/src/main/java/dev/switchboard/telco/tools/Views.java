package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.backend.AddOn;
import dev.switchboard.telco.backend.Bill;
import dev.switchboard.telco.backend.BillLine;
import dev.switchboard.telco.backend.Contract;
import dev.switchboard.telco.backend.ContractClosure;
import dev.switchboard.telco.backend.DataBalance;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.backend.Money;
import dev.switchboard.telco.backend.PackageChange;
import dev.switchboard.telco.backend.PassPurchase;
import dev.switchboard.telco.backend.RoamingPass;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.YearMonth;
import java.util.List;
import java.util.Locale;

/**
 * Backend records as tool results: raw values plus the same values as text a person reads, so that a model
 * (the offline one fills templates with them) never has to format money, data or dates itself.
 */
final class Views {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.UK);

    private Views() {
    }

    static String day(LocalDate date) {
        return DAY.format(date);
    }

    static String month(YearMonth period) {
        return period.getMonth().getDisplayName(TextStyle.FULL, Locale.UK) + " " + period.getYear();
    }

    /** "25 GB", "16.9 GB", "512 MB", or "unlimited". */
    static String data(long mb) {
        if (mb == MobilePackage.UNLIMITED) {
            return "unlimited";
        }
        if (mb < 1024) {
            return mb + " MB";
        }
        double gb = mb / 1024.0;
        return (gb == Math.rint(gb) ? String.format(Locale.ROOT, "%.0f", gb) : String.format(Locale.ROOT, "%.1f", gb))
                + " GB";
    }

    static String minutes(long minutes) {
        return minutes == MobilePackage.UNLIMITED ? "unlimited minutes" : String.format(Locale.UK, "%,d minutes", minutes);
    }

    static ObjectNode mobilePackage(MobilePackage p) {
        ObjectNode out = Json.object();
        out.put("package_id", p.packageId());
        out.put("name", p.name());
        out.put("price", p.monthlyPrice().format());
        out.put("monthly_price_pence", p.monthlyPrice().pence());
        out.put("data", p.unlimitedData() ? "unlimited data" : p.dataGb() + " GB data");
        out.put("minutes", minutes(p.minutes()));
        out.put("data_gb", p.dataGb());
        out.put("minutes_count", p.minutes());
        out.put("summary", p.monthlyPrice().format() + "/month, " + out.path("data").asText() + ", "
                + out.path("minutes").asText());
        return out;
    }

    static ObjectNode contract(Contract c, LocalDate today) {
        ObjectNode out = Json.object();
        out.put("contract_id", c.contractId());
        out.put("status", c.status().wireName());
        out.put("active", c.isActive());
        out.put("started_on", day(c.startedOn()));
        out.put("minimum_term_ends", day(c.minimumTermEnds()));
        if (c.isActive()) {
            out.put("early_termination_fee_now", c.feeIfClosedOn(today).format());
            out.put("in_minimum_term", today.isBefore(c.minimumTermEnds()));
        } else {
            out.put("closed_on", day(c.closedOn()));
        }
        return out;
    }

    static ObjectNode balance(DataBalance b) {
        ObjectNode out = Json.object();
        out.put("unlimited", b.unlimited());
        out.put("allowance", data(b.allowanceMb()));
        out.put("used", data(b.usedMb()));
        out.put("remaining", data(b.remainingMb()));
        out.put("allowance_mb", b.allowanceMb());
        out.put("used_mb", b.usedMb());
        out.put("remaining_mb", b.remainingMb());
        out.put("resets_on", day(b.resetsOn()));
        return out;
    }

    static ObjectNode addOn(AddOn a, boolean active) {
        ObjectNode out = Json.object();
        out.put("addon_id", a.addOnId());
        out.put("name", a.name());
        out.put("description", a.description());
        out.put("price", a.monthlyPrice().format());
        out.put("active", active);
        return out;
    }

    static ObjectNode pass(RoamingPass p) {
        ObjectNode out = Json.object();
        out.put("pass_id", p.passId());
        out.put("name", p.name());
        out.put("days", p.days());
        out.put("validity", p.days() == 1 ? "1 day" : p.days() + " days");
        out.put("data", data(p.dataMb()));
        out.put("minutes", minutes(p.minutes()));
        out.put("price", p.price().format());
        out.put("price_pence", p.price().pence());
        return out;
    }

    static ObjectNode purchase(PassPurchase p) {
        ObjectNode out = Json.object();
        out.put("purchase_id", p.purchaseId());
        out.set("pass", pass(p.pass()));
        out.put("country", p.country());
        out.put("valid_from", day(p.validFrom()));
        out.put("valid_until", day(p.validUntil()));
        return out;
    }

    static ArrayNode purchases(List<PassPurchase> purchases, LocalDate today) {
        ArrayNode out = Json.array();
        purchases.stream().filter(p -> p.activeOn(today)).forEach(p -> out.add(purchase(p)));
        return out;
    }

    static ObjectNode bill(Bill bill) {
        ObjectNode out = Json.object();
        out.put("period", month(bill.period()));
        out.put("status", bill.open() ? "open" : "issued");
        out.put("total", bill.total().format());
        out.put("total_pence", bill.total().pence());
        ArrayNode lines = out.putArray("lines");
        for (BillLine line : bill.lines()) {
            lines.addObject().put("kind", line.kind().wireName()).put("description", line.description())
                    .put("amount", line.amount().format());
        }
        return out;
    }

    static ObjectNode packageChange(PackageChange c) {
        ObjectNode out = Json.object();
        out.put("status", "changed");
        out.set("from", mobilePackage(c.from()));
        out.set("to", mobilePackage(c.to()));
        out.put("effective_on", day(c.effectiveOn()));
        out.put("pro_rata_adjustment", c.proRataAdjustment().format());
        out.put("pro_rata_pence", c.proRataAdjustment().pence());
        out.put("pro_rata_amount", Money.ofPence(Math.abs(c.proRataAdjustment().pence())).format());
        out.put("pro_rata_is_credit", c.proRataAdjustment().pence() < 0);
        out.put("pro_rata_is_charge", c.proRataAdjustment().pence() > 0);
        return out;
    }

    static ObjectNode closure(ContractClosure c) {
        ObjectNode out = Json.object();
        out.put("status", "closed");
        out.put("contract_id", c.contractId());
        out.put("closed_on", day(c.closedOn()));
        out.put("early_termination_fee", c.fee().format());
        out.put("fee_pence", c.fee().pence());
        out.put("fee_charged", !c.fee().isZero());
        return out;
    }

    static ObjectNode purchaseResult(PassPurchase p, String zoneName) {
        ObjectNode out = purchase(p);
        out.put("status", "purchased");
        out.put("zone", zoneName);
        out.put("price", p.pass().price().format());
        return out;
    }
}
