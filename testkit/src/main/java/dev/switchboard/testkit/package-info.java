/**
 * Test support other modules build on: a {@link dev.switchboard.testkit.ManualClock} so that time-based
 * behaviour (TTLs, leases, timeouts) is tested by moving time rather than by sleeping, and the storage
 * contract suites, abstract JUnit classes that every implementation of a storage port extends so that
 * in-memory, SQLite and PostgreSQL stores are held to one behaviour (DESIGN.md §5).
 */
package dev.switchboard.testkit;
