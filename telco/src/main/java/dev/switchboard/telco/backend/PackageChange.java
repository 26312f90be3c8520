package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A package change. It takes effect at once; {@code proRataAdjustment} is the credit (or charge) on this
 * month's bill for the days already spent on the old package, since the bill charges the new one in full.
 */
public record PackageChange(String customerId, MobilePackage from, MobilePackage to, LocalDate effectiveOn,
        Money proRataAdjustment) implements Change {

    public static final String ACTION = "change_package";

    public PackageChange {
        Checks.id(customerId, "customerId");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(effectiveOn, "effectiveOn");
        Objects.requireNonNull(proRataAdjustment, "proRataAdjustment");
        if (from.packageId().equals(to.packageId())) {
            throw new IllegalArgumentException("a package change needs two different packages");
        }
    }

    @Override
    public String action() {
        return ACTION;
    }
}
