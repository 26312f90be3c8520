package dev.switchboard.telco.backend;

/** A customer and the phone number (MSISDN, E.164) of their line. */
public record Customer(String customerId, String name, String msisdn) {

    public Customer {
        Checks.id(customerId, "customerId");
        Checks.text(name, "name");
        if (msisdn == null || !msisdn.matches("\\+[1-9][0-9]{6,14}")) {
            throw new IllegalArgumentException("msisdn must be in E.164 form (+447700900000): " + msisdn);
        }
    }
}
