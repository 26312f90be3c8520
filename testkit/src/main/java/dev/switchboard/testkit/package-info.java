/**
 * Test fixtures other modules build on: the scripted model and slow tool (the LangGraph.js peer's fake
 * agent, reproduced), a manual clock, and one contract suite per storage port that every implementation
 * (in-memory, SQLite, PostgreSQL) extends.
 */
package dev.switchboard.testkit;
