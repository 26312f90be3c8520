/**
 * Real model providers behind the runtime's {@link dev.switchboard.model.ChatModel} port, through LangChain4j.
 *
 * <p>{@link dev.switchboard.langchain4j.Models} reads {@code REACT_MODEL} and {@code SECONDARY_MODEL} (and the
 * providers' keys and base URLs) into {@link dev.switchboard.langchain4j.ModelChoice}s and builds the chat models;
 * {@link dev.switchboard.langchain4j.LangChain4jChatModel} adapts any LangChain4j streaming model: it maps our
 * messages and tool schemas to LangChain4j's, streams tokens to the listener, and on interruption cancels the
 * provider's HTTP stream so the connection really closes (DESIGN.md §7).
 */
package dev.switchboard.langchain4j;
