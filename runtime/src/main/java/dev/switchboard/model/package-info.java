/**
 * The model port. {@link dev.switchboard.model.ChatModel} streams tokens and tool calls on the caller's
 * virtual thread and stops when that thread is interrupted; adapters for real providers live in the
 * {@code langchain4j} module, the offline telco model in {@code telco}, the scripted model in {@code testkit}.
 */
package dev.switchboard.model;
