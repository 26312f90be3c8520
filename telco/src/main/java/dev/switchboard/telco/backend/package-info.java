/**
 * The telco's system of record: customers, the package catalogue, subscriptions and contracts, data
 * balances, add-ons, roaming zones and passes, and monthly bills. {@link dev.switchboard.telco.backend.TelcoBackend}
 * is the port; {@link dev.switchboard.telco.backend.InMemoryTelcoBackend} and
 * {@link dev.switchboard.telco.backend.JdbcTelcoBackend} implement it with the same rules and the same seed
 * (the JDBC one over the tables of {@code db/telco/V1__telco.sql}).
 *
 * <p>Every state change takes an idempotency key: the first call with a key applies the change and records
 * its result; any later call with that key changes nothing and returns the recorded result, so an operation
 * resumed after a crash never applies twice.
 */
package dev.switchboard.telco.backend;
