/**
 * The offline telco model: a {@link dev.switchboard.model.ChatModel} that needs no network.
 * {@link dev.switchboard.telco.offline.OfflineTelcoModel} understands plain English by meaning, not only by
 * words: {@link dev.switchboard.telco.offline.Similarity} compares a message with every intent's example phrases
 * through a small sentence-embedding model that ships in a jar and loads on first use, while rules find the
 * slots and repair typos ({@link dev.switchboard.telco.offline.Understanding}). Unsure, it asks a short
 * clarifying question; out of domain, it declines without calling a tool; asked several things at once, it
 * answers the quick ones first and runs a slow one in the background. It asks for what is missing, calls the
 * telco tools the lane offers, answers from their JSON results, and writes the synthesis after an operation
 * ({@link dev.switchboard.telco.offline.Synthesis}). What it knows and says is data, in {@code knowledge.json}
 * beside these classes; {@code bin/telco-eval} measures how well it understands.
 */
package dev.switchboard.telco.offline;
