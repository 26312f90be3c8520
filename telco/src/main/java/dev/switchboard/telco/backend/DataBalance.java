package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/**
 * This month's data: the allowance (package plus data add-ons), what was used, what is left, and when it
 * resets. With an unlimited allowance {@code allowanceMb} and {@code remainingMb} are
 * {@link MobilePackage#UNLIMITED}.
 */
public record DataBalance(String customerId, long allowanceMb, long usedMb, long remainingMb, LocalDate resetsOn) {

    public DataBalance {
        Checks.id(customerId, "customerId");
        Checks.allowance(allowanceMb, "allowanceMb");
        Checks.notNegative(usedMb, "usedMb");
        Checks.allowance(remainingMb, "remainingMb");
        Objects.requireNonNull(resetsOn, "resetsOn");
        if ((allowanceMb == MobilePackage.UNLIMITED) != (remainingMb == MobilePackage.UNLIMITED)) {
            throw new IllegalArgumentException("an unlimited allowance has unlimited data remaining, and only then");
        }
    }

    public boolean unlimited() {
        return allowanceMb == MobilePackage.UNLIMITED;
    }
}
