/**
 * Assistants: configured agents. Every registered graph gets a system assistant whose id is
 * uuidv5(graph id), as in LangGraph, so clients may name an assistant by graph id.
 * {@link dev.switchboard.assistant.AssistantStore} is the storage port.
 */
package dev.switchboard.assistant;
