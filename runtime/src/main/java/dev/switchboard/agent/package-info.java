/**
 * Agent definitions: what a team writes to have Switchboard serve its own agent.
 *
 * <p>An {@link dev.switchboard.agent.AgentGraph} names a model, prompts and tools; the runtime executes every
 * graph with one ReAct loop (model, tools, model …), so the telco agent, the scripted test agent and a team's own
 * agent differ only in data. {@link dev.switchboard.agent.AgentGraph#builder} assembles one from the runtime's
 * {@link dev.switchboard.model.ChatModel} port and {@link dev.switchboard.tool.Tool}s; the {@code langchain4j}
 * module's {@code LangChain4jAgent} does the same from a LangChain4j model and plain objects whose methods carry
 * LangChain4j's {@code @Tool}.
 *
 * <p>LangChain4j has no words for how a tool runs in a conversation that goes on; these annotations on a
 * {@code @Tool} method add them: {@link dev.switchboard.agent.LongRunning} (a background operation with a nominal
 * duration), {@link dev.switchboard.agent.SideEffects}, {@link dev.switchboard.agent.Idempotent} and
 * {@link dev.switchboard.agent.PointOfNoReturn}. A method that takes a {@link dev.switchboard.tool.ToolContext}
 * parameter gets the run's context: it reports progress there and learns there that it was cancelled.
 *
 * <p>{@link dev.switchboard.agent.AgentProvider} is what a server manifest may name to build an agent.
 */
package dev.switchboard.agent;
