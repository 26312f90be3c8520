/**
 * Real model providers behind the runtime's {@link dev.switchboard.model.ChatModel} port, through LangChain4j
 * (DESIGN.md §7).
 *
 * <p>{@link dev.switchboard.langchain4j.Models} reads {@code REACT_MODEL} and {@code SECONDARY_MODEL} into a
 * {@link dev.switchboard.langchain4j.ModelChoice} (a {@link dev.switchboard.langchain4j.ModelSpec} and the reason
 * for it, which the server logs) and builds OpenAI (or any OpenAI-compatible server), Ollama and Anthropic models
 * from the providers' keys and base URLs. {@code offline} is only a name here: the server supplies that model.
 *
 * <p>{@link dev.switchboard.langchain4j.LangChain4jChatModel} adapts any LangChain4j streaming model: it maps our
 * messages and tool schemas to LangChain4j's, hands tokens to the listener on the caller's thread, and when the
 * caller is interrupted closes the provider's HTTP stream, so the provider stops generating (and billing). A
 * provider's failure surfaces as a {@link dev.switchboard.langchain4j.ModelException}.
 */
package dev.switchboard.langchain4j;
