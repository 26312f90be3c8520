package dev.switchboard.telco.backend;

import java.util.Objects;

/** One line of a bill. A negative amount is a credit. */
public record BillLine(LineKind kind, String description, Money amount) {

    public BillLine {
        Objects.requireNonNull(kind, "kind");
        Checks.text(description, "description");
        Objects.requireNonNull(amount, "amount");
    }
}
