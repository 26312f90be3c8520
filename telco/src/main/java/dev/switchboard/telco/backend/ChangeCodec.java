package dev.switchboard.telco.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.time.LocalDate;

/**
 * A recorded change as the JSON stored with its idempotency key. Written out field by field (not by
 * reflection) so the stored form stays stable when the records grow.
 */
final class ChangeCodec {
    private ChangeCodec() {
    }

    static String write(Change change) {
        ObjectNode out = Json.object();
        out.put("action", change.action());
        out.put("customer_id", change.customerId());
        switch (change) {
            case PackageChange c -> {
                out.set("from", pkg(c.from()));
                out.set("to", pkg(c.to()));
                out.put("effective_on", c.effectiveOn().toString());
                out.put("pro_rata_pence", c.proRataAdjustment().pence());
            }
            case ContractClosure c -> {
                out.put("contract_id", c.contractId());
                out.put("closed_on", c.closedOn().toString());
                out.put("fee_pence", c.fee().pence());
            }
            case PassPurchase c -> {
                out.put("purchase_id", c.purchaseId());
                ObjectNode pass = out.putObject("pass");
                pass.put("pass_id", c.pass().passId());
                pass.put("zone_id", c.pass().zoneId());
                pass.put("name", c.pass().name());
                pass.put("days", c.pass().days());
                pass.put("data_mb", c.pass().dataMb());
                pass.put("minutes", c.pass().minutes());
                pass.put("price_pence", c.pass().price().pence());
                out.put("country", c.country());
                out.put("valid_from", c.validFrom().toString());
                out.put("valid_until", c.validUntil().toString());
            }
        }
        return Json.write(out);
    }

    static Change read(String text) {
        JsonNode in = Json.parse(text);
        String customer = in.path("customer_id").asText();
        return switch (in.path("action").asText()) {
            case PackageChange.ACTION -> new PackageChange(customer, pkg(in.path("from")), pkg(in.path("to")),
                    LocalDate.parse(in.path("effective_on").asText()), Money.ofPence(in.path("pro_rata_pence").asLong()));
            case ContractClosure.ACTION -> new ContractClosure(customer, in.path("contract_id").asText(),
                    LocalDate.parse(in.path("closed_on").asText()), Money.ofPence(in.path("fee_pence").asLong()));
            case PassPurchase.ACTION -> {
                JsonNode p = in.path("pass");
                RoamingPass pass = new RoamingPass(p.path("pass_id").asText(), p.path("zone_id").asText(),
                        p.path("name").asText(), p.path("days").asInt(), p.path("data_mb").asInt(),
                        p.path("minutes").asInt(), Money.ofPence(p.path("price_pence").asLong()));
                yield new PassPurchase(in.path("purchase_id").asText(), customer, pass, in.path("country").asText(),
                        LocalDate.parse(in.path("valid_from").asText()), LocalDate.parse(in.path("valid_until").asText()));
            }
            default -> throw new IllegalStateException("unknown recorded action in " + text);
        };
    }

    private static ObjectNode pkg(MobilePackage p) {
        ObjectNode out = Json.object();
        out.put("package_id", p.packageId());
        out.put("name", p.name());
        out.put("monthly_price_pence", p.monthlyPrice().pence());
        out.put("data_gb", p.dataGb());
        out.put("minutes", p.minutes());
        return out;
    }

    private static MobilePackage pkg(JsonNode p) {
        return new MobilePackage(p.path("package_id").asText(), p.path("name").asText(),
                Money.ofPence(p.path("monthly_price_pence").asLong()), p.path("data_gb").asInt(), p.path("minutes").asInt());
    }
}
