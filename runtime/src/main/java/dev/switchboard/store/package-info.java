/**
 * The store: namespaced key-value items with JSON object values, an optional time to live, search by
 * namespace prefix and value filter, and namespace listing (DESIGN.md §1, AGENT-PROTOCOL.md §9).
 * Agents keep cross-thread memory here, and the two lanes of one conversation coordinate through it.
 *
 * <p>{@link dev.switchboard.store.ItemStore} is the port; {@link dev.switchboard.store.InMemoryItemStore}
 * backs unit tests and single-process runs, the JDBC module adds durable ones. All of them pass the same
 * contract suite in the testkit, so behaviour that suite pins down is behaviour callers may rely on.
 */
package dev.switchboard.store;
