package dev.switchboard.telco.backend;

import java.util.Objects;

/** The answer to "which zone is this country in": the country's proper name and its zone. */
public record CountryZone(String country, RoamingZone zone) {

    public CountryZone {
        Checks.text(country, "country");
        Objects.requireNonNull(zone, "zone");
    }
}
