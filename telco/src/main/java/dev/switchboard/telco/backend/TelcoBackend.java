package dev.switchboard.telco.backend;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * The telco's system of record. Reads of a customer throw {@link TelcoException} (reason
 * {@code UNKNOWN_CUSTOMER}) for an id it does not know; every state change validates its request, applies it
 * atomically, and records its result under the caller's idempotency key: a repeat of a key changes nothing
 * and returns the recorded result, whatever the state is by then. Implementations are safe for concurrent use.
 */
public interface TelcoBackend {

    /** The business date the rules use (bills, data resets, fees, pass validity), in UTC. */
    LocalDate today();

    Optional<Customer> findCustomer(String customerId);

    /**
     * The customer, provisioned first if this id is new: a realistic demo account (a package, a data balance, an
     * active contract, bills) derived from the id, so the same id always gets the same account. Safe to race: two
     * callers provisioning one id end with one account.
     */
    Customer provision(String customerId);

    default Customer customer(String customerId) {
        return findCustomer(customerId).orElseThrow(() -> new TelcoException(TelcoException.Reason.UNKNOWN_CUSTOMER,
                "There is no customer with id '" + customerId + "'."));
    }

    /** The package catalogue, cheapest first. */
    List<MobilePackage> packages();

    /** A package by id or by name, ignoring case ("premium", "Premium"). */
    default Optional<MobilePackage> findPackage(String idOrName) {
        if (idOrName == null) {
            return Optional.empty();
        }
        String wanted = idOrName.strip();
        return packages().stream()
                .filter(p -> p.packageId().equalsIgnoreCase(wanted) || p.name().equalsIgnoreCase(wanted))
                .findFirst();
    }

    Subscription subscription(String customerId);

    Contract contract(String customerId);

    DataBalance dataBalance(String customerId);

    /** The add-on catalogue. */
    List<AddOn> addOns();

    /** The add-ons the customer has, in catalogue order. */
    List<AddOn> activeAddOns(String customerId);

    /** Every roaming zone, home first. */
    List<RoamingZone> zones();

    /**
     * The zone of a country named by its name or a common alias, in any case and with or without accents
     * ("Spain", "españa", "the USA", "uk").
     */
    Optional<CountryZone> countryZone(String country);

    /** The countries of a zone by their proper names, in catalogue order. */
    List<String> countries(String zoneId);

    /** The passes of a zone, cheapest first; none for the home zone. */
    List<RoamingPass> roamingPasses(String zoneId);

    /** The customer's roaming pass purchases, newest first. */
    List<PassPurchase> passPurchases(String customerId);

    /** This month's (open) bill. */
    Bill currentBill(String customerId);

    /** The open bill followed by up to {@code previous} issued bills, newest first. */
    List<Bill> bills(String customerId, int previous);

    /** The result recorded under an idempotency key, if a change was applied with it. */
    Optional<Change> applied(String idempotencyKey);

    /**
     * Moves the customer to another package at once, with a pro-rata line on this month's bill.
     *
     * @throws TelcoException UNKNOWN_PACKAGE, SAME_PACKAGE, CONTRACT_CLOSED, UNKNOWN_CUSTOMER or KEY_REUSED
     */
    PackageChange changePackage(String customerId, String packageId, String idempotencyKey);

    /**
     * Closes the customer's contract today, charging the early termination fee inside the minimum term.
     *
     * @throws TelcoException CONTRACT_CLOSED, UNKNOWN_CUSTOMER or KEY_REUSED
     */
    ContractClosure closeContract(String customerId, String idempotencyKey);

    /**
     * Buys a roaming pass for a trip to {@code country}, valid from today, and bills it this month.
     *
     * @throws TelcoException UNKNOWN_COUNTRY, UNKNOWN_PASS (also for a pass of another zone), NO_PASS_NEEDED,
     *         CONTRACT_CLOSED, UNKNOWN_CUSTOMER or KEY_REUSED
     */
    PassPurchase purchaseRoamingPass(String customerId, String passId, String country, String idempotencyKey);
}
