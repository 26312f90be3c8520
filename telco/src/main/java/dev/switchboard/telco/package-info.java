/**
 * The reference telco customer-service agent (DESIGN.md §8). {@link dev.switchboard.telco.TelcoAgent#graph}
 * assembles it: the tools of {@code dev.switchboard.telco.tools} over a {@code dev.switchboard.telco.backend}
 * backend, prompts that explain lanes, operations and synthesis to a hosted model, and any
 * {@link dev.switchboard.model.ChatModel} (the offline one in {@code dev.switchboard.telco.offline} needs no
 * network). {@link dev.switchboard.telco.TelcoSettings} paces the long-running tools.
 */
package dev.switchboard.telco;
