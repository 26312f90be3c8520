package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/** A bought roaming pass for a trip to {@code country}, valid from {@code validFrom} to {@code validUntil} inclusive. */
public record PassPurchase(String purchaseId, String customerId, RoamingPass pass, String country, LocalDate validFrom,
        LocalDate validUntil) implements Change {

    public static final String ACTION = "purchase_roaming_pass";

    public PassPurchase {
        Checks.text(purchaseId, "purchaseId");
        Checks.id(customerId, "customerId");
        Objects.requireNonNull(pass, "pass");
        Checks.text(country, "country");
        Objects.requireNonNull(validFrom, "validFrom");
        Objects.requireNonNull(validUntil, "validUntil");
        if (validUntil.isBefore(validFrom)) {
            throw new IllegalArgumentException("a pass cannot end before it starts");
        }
    }

    @Override
    public String action() {
        return ACTION;
    }

    public boolean activeOn(LocalDate day) {
        return !day.isBefore(validFrom) && !day.isAfter(validUntil);
    }
}
