package dev.switchboard.telco.backend;

import java.time.YearMonth;
import java.util.List;
import java.util.Objects;

/**
 * One month's bill. The current month's bill is {@code open}: its recurring lines follow the subscription as
 * it is now, and one-off charges (roaming passes, fees, pro-rata adjustments) are added as they happen.
 * Earlier months are {@code issued} and never change.
 */
public record Bill(String customerId, YearMonth period, boolean open, List<BillLine> lines) {

    public Bill {
        Checks.id(customerId, "customerId");
        Objects.requireNonNull(period, "period");
        lines = List.copyOf(lines);
    }

    public Money total() {
        return lines.stream().map(BillLine::amount).reduce(Money.ofPence(0), Money::plus);
    }
}
