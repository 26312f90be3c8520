package dev.switchboard.server.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.agent.AgentGraph;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded {@code switchboard.json}: the agents it names, built in their own class loader, the default agent, the
 * config defaults of each, and the environment the agents saw. The format:
 *
 * <pre>{@code
 * {
 *   "agents": {
 *     "travel": "com.acme.travel.TravelAgent::agent",
 *     "support": {"factory": "com.acme.support.SupportProvider", "config": {"configurable": {"tone": "formal"}}}
 *   },
 *   "classpath": ["target/classes", "lib/*.jar"],
 *   "env": ".env",
 *   "default_agent": "travel"
 * }
 * }</pre>
 *
 * Paths are relative to the manifest's folder. Every key is checked: an unknown one is a mistake, not ignored.
 */
public final class Manifest implements AutoCloseable {
    public static final String FILE_NAME = "switchboard.json";
    private static final Set<String> KEYS = Set.of("agents", "classpath", "env", "default_agent", "$schema");
    private static final Set<String> AGENT_KEYS = Set.of("factory", "config");
    private static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

    /** One served agent: its manifest id (which is its graph id), its definition and its assistant's config. */
    public record Agent(String id, AgentGraph graph, ObjectNode config) {
    }

    private final Path file;
    private final List<Agent> agents;
    private final String defaultAgent;
    private final Map<String, String> environment;
    private final URLClassLoader loader;

    private Manifest(Path file, List<Agent> agents, String defaultAgent, Map<String, String> environment,
            URLClassLoader loader) {
        this.file = file;
        this.agents = List.copyOf(agents);
        this.defaultAgent = defaultAgent;
        this.environment = Map.copyOf(environment);
        this.loader = loader;
    }

    /**
     * Reads {@code file}, checks it, and builds every agent.
     *
     * @param processEnv the server's environment; the env file's values are added where it has none
     * @throws ManifestException naming the entry and what to do, for each kind of mistake
     */
    public static Manifest load(Path file, Map<String, String> processEnv) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ManifestException("the manifest " + name + " does not exist",
                    "correct --config, or create it (docs/agents.md shows one)");
        }
        JsonNode root = parse(file, name);
        checkKeys(root, KEYS, name, name);
        Path base = file.toAbsolutePath().getParent();

        Map<String, String> env = new HashMap<>();
        JsonNode envNode = root.get("env");
        if (envNode != null) {
            if (!envNode.isTextual() || envNode.asText().isBlank()) {
                throw new ManifestException(name + " env: must be the path of an env file", "write \"env\": \".env\"");
            }
            Path envFile = base.resolve(envNode.asText());
            if (!Files.isRegularFile(envFile)) {
                throw new ManifestException(name + " env: " + envFile + " does not exist",
                        "create it, or remove \"env\" from the manifest");
            }
            env.putAll(EnvFile.read(envFile, name + " env"));
        }
        env.putAll(processEnv);

        List<URL> urls = ClassPath.resolve(base, strings(root.get("classpath"), name + " classpath"), name);
        URLClassLoader loader = new URLClassLoader("switchboard-agents", urls.toArray(URL[]::new),
                Manifest.class.getClassLoader());
        try {
            List<Agent> agents = agents(root.get("agents"), name, loader, env);
            String defaultAgent = defaultAgent(root.get("default_agent"), agents, name);
            return new Manifest(file, agents, defaultAgent, env, loader);
        } catch (RuntimeException e) {
            close(loader);
            throw e;
        }
    }

    /** {@code --config} if given, else {@value #FILE_NAME} in {@code workingDirectory} if there is one, else none. */
    public static java.util.Optional<Path> locate(String config, Path workingDirectory) {
        if (config != null && !config.isBlank()) {
            return java.util.Optional.of(workingDirectory.resolve(config.strip()));
        }
        Path here = workingDirectory.resolve(FILE_NAME);
        return Files.isRegularFile(here) ? java.util.Optional.of(here) : java.util.Optional.empty();
    }

    private static JsonNode parse(Path file, String name) {
        ObjectMapper strict = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        JsonNode root;
        try {
            root = strict.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                throw new ManifestException(name + ": " + message.replace("Duplicate field", "the key")
                        + " appears twice" + where, "give every agent its own id", e);
            }
            throw new ManifestException(name + " is not JSON" + where + ": " + message,
                    "fix the JSON (docs/agents.md shows the format)", e);
        } catch (IOException e) {
            throw new ManifestException("cannot read the manifest " + name + " (" + e.getMessage() + ")",
                    "make it readable", e);
        }
        if (root == null || !root.isObject()) {
            throw new ManifestException(name + " is not a JSON object", "write {\"agents\": {\"<id>\": \"<factory>\"}}");
        }
        return root;
    }

    private static List<Agent> agents(JsonNode node, String name, ClassLoader loader, Map<String, String> env) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw new ManifestException(name + " agents: names no agent",
                    "add \"agents\": {\"<id>\": \"com.acme.MyAgent::agent\"}");
        }
        List<Agent> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String id = entry.getKey();
            String where = name + " agents." + id;
            if (!id.matches(ID_PATTERN)) {
                throw new ManifestException(where + ": the id must be 1-64 letters, digits, '.', '_' or '-'",
                        "rename the agent");
            }
            JsonNode value = entry.getValue();
            String factory;
            ObjectNode config;
            if (value.isTextual()) {
                factory = value.asText();
                config = null;
            } else if (value.isObject()) {
                checkKeys(value, AGENT_KEYS, where, name);
                factory = value.path("factory").isTextual() ? value.get("factory").asText() : null;
                JsonNode configNode = value.get("config");
                if (configNode != null && !configNode.isObject()) {
                    throw new ManifestException(where + ".config: must be an object",
                            "write \"config\": {\"configurable\": {…}}");
                }
                config = configNode == null ? null : (ObjectNode) configNode;
            } else {
                throw new ManifestException(where + ": must be a factory or {\"factory\": …, \"config\": …}",
                        "write \"" + id + "\": \"com.acme.MyAgent::agent\"");
            }
            AgentGraph graph = AgentFactory.build(where, factory, loader, env);
            out.add(new Agent(id, graph.graphId().equals(id) ? graph : graph.withGraphId(id), config));
        }
        return out;
    }

    private static String defaultAgent(JsonNode node, List<Agent> agents, String name) {
        if (node == null) {
            return agents.getFirst().id();
        }
        String id = node.asText();
        if (!node.isTextual() || agents.stream().noneMatch(a -> a.id().equals(id))) {
            throw new ManifestException(name + " default_agent: \"" + id + "\" is not one of the agents",
                    "name one of " + agents.stream().map(Agent::id).toList());
        }
        return id;
    }

    private static List<String> strings(JsonNode node, String where) {
        if (node == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (node.isTextual()) {
            out.add(node.asText());
            return out;
        }
        if (!node.isArray()) {
            throw new ManifestException(where + ": must be a list of paths", "write [\"target/classes\", \"lib/*.jar\"]");
        }
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new ManifestException(where + ": every entry must be a path", "write [\"target/classes\", \"lib/*.jar\"]");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where, String name) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowed.contains(key)) {
                throw new ManifestException(where + ": unknown key \"" + key + "\"", "use only "
                        + allowed.stream().filter(k -> !k.startsWith("$")).sorted().toList()
                        + " (" + name + " is checked strictly)");
            }
        }
    }

    public Path file() {
        return file;
    }

    public List<Agent> agents() {
        return agents;
    }

    public String defaultAgent() {
        return defaultAgent;
    }

    /** The process environment with the env file's values added: what the agents were built with. */
    public Map<String, String> environment() {
        return environment;
    }

    /** For the start-up banner: where the agents come from. */
    public String describe() {
        return file + " (" + agents.size() + (agents.size() == 1 ? " agent" : " agents") + ", default " + defaultAgent
                + ")";
    }

    @Override
    public void close() {
        close(loader);
    }

    private static void close(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // Closing only releases jar handles; nothing is lost if one stays open until exit.
        }
    }
}
