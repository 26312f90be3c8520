package dev.switchboard.telco.backend;

/**
 * One package of the catalogue: a monthly price with a data and a minutes allowance. (Not "Package", which
 * every Java file already imports as {@code java.lang.Package}.)
 */
public record MobilePackage(String packageId, String name, Money monthlyPrice, int dataGb, int minutes) {

    /** An allowance without a limit. */
    public static final int UNLIMITED = -1;

    public MobilePackage {
        Checks.id(packageId, "packageId");
        Checks.text(name, "name");
        Checks.notNegative(monthlyPrice.pence(), "monthlyPrice");
        Checks.allowance(dataGb, "dataGb");
        Checks.allowance(minutes, "minutes");
    }

    public boolean unlimitedData() {
        return dataGb == UNLIMITED;
    }

    public boolean unlimitedMinutes() {
        return minutes == UNLIMITED;
    }
}
