package dev.switchboard.telco.backend;

/**
 * The result of a state change, as recorded under its idempotency key and returned again for every repeat of
 * that key.
 */
public sealed interface Change permits PackageChange, ContractClosure, PassPurchase {

    String customerId();

    /** The action's name as stored with its key: {@code change_package}, {@code close_contract}, {@code purchase_roaming_pass}. */
    String action();
}
