package dev.switchboard.agent;

import java.util.Map;

/**
 * What a server manifest ({@code switchboard.json}) may name instead of a static factory method: a class with a
 * public no-argument constructor that builds one agent. {@code env} is the process environment with the
 * manifest's env file laid over it, so an agent reads its API keys from there rather than from
 * {@link System#getenv}.
 */
@FunctionalInterface
public interface AgentProvider {

    AgentGraph agent(Map<String, String> env) throws Exception;
}
