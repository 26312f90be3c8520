package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/** A closed contract, with the early termination fee charged to the final bill (zero after the minimum term). */
public record ContractClosure(String customerId, String contractId, LocalDate closedOn, Money fee) implements Change {

    public static final String ACTION = "close_contract";

    public ContractClosure {
        Checks.id(customerId, "customerId");
        Checks.id(contractId, "contractId");
        Objects.requireNonNull(closedOn, "closedOn");
        Checks.notNegative(fee.pence(), "fee");
    }

    @Override
    public String action() {
        return ACTION;
    }
}
