package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.Objects;

/** Which package a customer's line is on, since when, and how much data it used this month. */
public record Subscription(String customerId, String msisdn, MobilePackage mobilePackage, LocalDate since,
        long dataUsedMb) {

    public Subscription {
        Checks.id(customerId, "customerId");
        Objects.requireNonNull(mobilePackage, "mobilePackage");
        Objects.requireNonNull(since, "since");
        Checks.notNegative(dataUsedMb, "dataUsedMb");
    }
}
