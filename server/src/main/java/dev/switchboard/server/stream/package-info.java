/**
 * Server-Sent Events: each run's event log written per the client's stream modes, resumable with
 * {@code Last-Event-ID}, with heartbeats on quiet streams and {@code end} last.
 */
package dev.switchboard.server.stream;
