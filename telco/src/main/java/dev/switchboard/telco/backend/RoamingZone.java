package dev.switchboard.telco.backend;

/** A group of countries that share roaming passes. The home zone needs no pass at all. */
public record RoamingZone(String zoneId, String name, boolean home) {

    public RoamingZone {
        Checks.id(zoneId, "zoneId");
        Checks.text(name, "name");
    }
}
