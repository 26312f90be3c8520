/**
 * The server manifest, {@code switchboard.json}, as {@code langgraph.json} is to the LangGraph server: which agents
 * to serve (ids to Java factories), where their classes are, an env file, the default agent and per-agent config
 * defaults. {@link dev.switchboard.server.manifest.Manifest#load} reads and checks it and builds every agent in a
 * class loader of its own; each mistake is a {@link dev.switchboard.server.manifest.ManifestException} naming the
 * entry and what to do. The format is described in {@code docs/agents.md}.
 */
package dev.switchboard.server.manifest;
