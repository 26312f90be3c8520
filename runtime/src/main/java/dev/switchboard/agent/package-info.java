/**
 * Agent definitions. An {@link dev.switchboard.agent.AgentGraph} names a model, prompts and tools; the
 * runtime executes every graph with one ReAct loop, so the telco agent, the scripted test agent and a
 * team's own agent differ only in data.
 */
package dev.switchboard.agent;
