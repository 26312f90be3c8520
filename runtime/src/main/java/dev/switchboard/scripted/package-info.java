/**
 * The {@code scripted} assistant: a deterministic model that streams numbered tokens and calls a slow tool on
 * request, with no network and no randomness. The official-SDK conformance run and the benchmarks use it
 * ({@code serve --scripted-assistant}); the tests build their fakes on it. Production code, so the server ships
 * no test library to offer it.
 */
package dev.switchboard.scripted;
