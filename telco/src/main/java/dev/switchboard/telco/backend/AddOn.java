package dev.switchboard.telco.backend;

/** A monthly extra on top of a package; {@code extraDataGb} counts toward the data allowance. */
public record AddOn(String addOnId, String name, String description, Money monthlyPrice, int extraDataGb) {

    public AddOn {
        Checks.id(addOnId, "addOnId");
        Checks.text(name, "name");
        description = description == null ? "" : description;
        Checks.notNegative(monthlyPrice.pence(), "monthlyPrice");
        Checks.notNegative(extraDataGb, "extraDataGb");
    }
}
