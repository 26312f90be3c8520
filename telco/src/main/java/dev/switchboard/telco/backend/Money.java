package dev.switchboard.telco.backend;

import java.util.Locale;

/** Amounts in pence: exact, and an INTEGER column in both SQLite and PostgreSQL. Negative is a credit. */
public record Money(long pence) {

    public static final String CURRENCY = "GBP";

    public static Money ofPence(long pence) {
        return new Money(pence);
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(pence, other.pence));
    }

    public boolean isZero() {
        return pence == 0;
    }

    /** "£20.00", or "-£7.00" for a credit. */
    public String format() {
        long abs = Math.abs(pence);
        return (pence < 0 ? "-" : "") + String.format(Locale.ROOT, "£%d.%02d", abs / 100, abs % 100);
    }

    @Override
    public String toString() {
        return format();
    }
}
