package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A customer's contract. Closing it before {@code minimumTermEnds} costs {@code earlyTerminationFee}; after
 * that it is free. {@code closedOn} is set exactly when the status is {@link ContractStatus#CLOSED}.
 */
public record Contract(String contractId, String customerId, ContractStatus status, LocalDate startedOn,
        LocalDate minimumTermEnds, Money earlyTerminationFee, LocalDate closedOn) {

    public Contract {
        Checks.id(contractId, "contractId");
        Checks.id(customerId, "customerId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startedOn, "startedOn");
        Objects.requireNonNull(minimumTermEnds, "minimumTermEnds");
        Checks.notNegative(earlyTerminationFee.pence(), "earlyTerminationFee");
        if ((status == ContractStatus.CLOSED) != (closedOn != null)) {
            throw new IllegalArgumentException("closedOn is set exactly when the contract is closed");
        }
        if (minimumTermEnds.isBefore(startedOn)) {
            throw new IllegalArgumentException("the minimum term cannot end before the contract starts");
        }
    }

    public boolean isActive() {
        return status == ContractStatus.ACTIVE;
    }

    /** What closing it on {@code day} costs: the fee inside the minimum term, nothing after it. */
    public Money feeIfClosedOn(LocalDate day) {
        return day.isBefore(minimumTermEnds) ? earlyTerminationFee : Money.ofPence(0);
    }

    Contract closed(LocalDate day) {
        return new Contract(contractId, customerId, ContractStatus.CLOSED, startedOn, minimumTermEnds,
                earlyTerminationFee, day);
    }
}
