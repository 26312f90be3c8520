/**
 * Runs as the API sees them: the {@link dev.switchboard.run.Run} record and its statuses, the four multitask
 * strategies, lanes, requests and queries, and {@link dev.switchboard.run.RunStore}, the storage port (with its
 * in-memory implementation). The engine that applies the rules of the design lives in
 * {@code dev.switchboard.scheduling}, which the runtime module does not export.
 */
package dev.switchboard.run;
