/**
 * Switchboard's runtime: the in-process engine behind the agent server. {@link dev.switchboard.Switchboard}
 * is the entry point; the sub-packages are named after the domain concepts of DESIGN.md §1 (thread, run,
 * checkpoint, event, message, store, model, tool, agent, assistant). The runtime never imports the server,
 * JDBC or a model vendor.
 */
package dev.switchboard;
