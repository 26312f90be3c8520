/**
 * Test fixtures other modules build on: a lane-aware scripted model and operation tool, fault injection for
 * storage ports ({@link dev.switchboard.testkit.Faults}), a manual clock, and one contract suite per storage port
 * that every implementation (in-memory, SQLite, PostgreSQL) extends. Test scope only: the {@code scripted}
 * assistant a server can host lives in the runtime ({@code dev.switchboard.scripted}).
 */
package dev.switchboard.testkit;
