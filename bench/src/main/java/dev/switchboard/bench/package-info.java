/**
 * The benchmark ({@code bin/switchboard-bench}): starts our server as a child process (on SQLite or an embedded
 * PostgreSQL the bench starts, with the class cache {@code bin/switchboard serve} uses) and, optionally, the
 * LangGraph.js peer, drives both over HTTP with the same client code, and writes results.json and results.md.
 * Measures P0 to P7 are described in docs/benchmarks.md; nothing here is asserted as a speed.
 */
package dev.switchboard.bench;
