package dev.switchboard.telco.backend;

/** A roaming pass for one zone: valid for {@code days} days with its own data and minutes. */
public record RoamingPass(String passId, String zoneId, String name, int days, int dataMb, int minutes, Money price) {

    public RoamingPass {
        Checks.id(passId, "passId");
        Checks.id(zoneId, "zoneId");
        Checks.text(name, "name");
        if (days < 1) {
            throw new IllegalArgumentException("a pass lasts at least one day: " + days);
        }
        Checks.notNegative(dataMb, "dataMb");
        Checks.notNegative(minutes, "minutes");
        Checks.notNegative(price.pence(), "price");
    }
}
