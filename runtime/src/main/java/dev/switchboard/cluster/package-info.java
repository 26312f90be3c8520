/**
 * Signals between the instances of one deployment (cancel a run executing elsewhere, wake a thread), so that
 * with PostgreSQL a double-text or cancel reaches the run on whichever instance executes it.
 */
package dev.switchboard.cluster;
