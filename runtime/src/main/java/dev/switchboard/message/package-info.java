/**
 * Chat messages as the runtime, the models and the LangGraph SDKs see them.
 *
 * <p>{@link dev.switchboard.message.Message} is a closed set of immutable records (human, ai, tool, system),
 * {@link dev.switchboard.message.MessageJson} translates them to and from the LangChain wire form (and reads
 * OpenAI-style input too), and {@link dev.switchboard.message.History} keeps a conversation's message list
 * valid for a model: every tool result belongs to a call, every call has exactly one result (DESIGN.md §3).
 */
package dev.switchboard.message;
