package dev.switchboard.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.jdbc.Database;
import dev.switchboard.agent.ModelCatalog;
import dev.switchboard.langchain4j.ModelChoice;
import dev.switchboard.langchain4j.Models;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.JdbcTelcoBackend;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import dev.switchboard.scripted.ScriptedAgent;
import dev.switchboard.server.manifest.Manifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a server hosts: the runtime on its database, with the agents of a manifest ({@code switchboard.json}) or,
 * without one, the {@code telco} assistant (the default) and, only when
 * asked, the test-only {@code scripted} one (the protocol conformance run and the benchmarks use it; a production
 * server must not offer it). The database is SQLite at {@code ./data/switchboard.db} unless a URL says otherwise.
 */
public final class Hosting implements AutoCloseable {
    private final Database database;
    private final Switchboard switchboard;
    private final String modelDescription;
    private final String modelName;
    private final Manifest manifest;

    private Hosting(Database database, Switchboard switchboard, String modelDescription, String modelName,
            Manifest manifest) {
        this.manifest = manifest;
        this.database = database;
        this.switchboard = switchboard;
        this.modelDescription = modelDescription;
        this.modelName = modelName;
    }

    /** A model setting that cannot be honoured (an unknown model, a provider without its key). */
    public static final class ModelProblem extends IllegalArgumentException {
        ModelProblem(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Opens the database (migrating it) and builds the runtime with the telco graph. */
    public static Hosting open(String databaseUrl, Map<String, String> env, String model) {
        return open(databaseUrl, env, model, false);
    }

    /**
     * Opens the database (migrating it) and builds the runtime with every hosted graph; {@code scripted} adds the
     * test-only scripted assistant.
     *
     * @throws ModelProblem when the model setting is wrong; other exceptions concern the database
     */
    public static Hosting open(String databaseUrl, Map<String, String> env, String model, boolean scripted) {
        return open(databaseUrl, env, model, scripted, null);
    }

    /**
     * As {@link #open(String, Map, String, boolean)}, serving the agents of {@code manifest} instead of telco when
     * there is one (each agent brings its own model, so {@code model} is not used then).
     */
    public static Hosting open(String databaseUrl, Map<String, String> env, String model, boolean scripted,
            Manifest manifest) {
        Database database = Database.open(databaseUrl);
        try {
            Graphs.Selected selected = manifest != null ? Graphs.fromManifest(manifest, scripted)
                    : Graphs.all(database, env, model, scripted);
            Map<String, ObjectNode> configs = new java.util.HashMap<>();
            if (manifest != null) {
                manifest.agents().stream().filter(a -> a.config() != null)
                        .forEach(a -> configs.put(a.id(), a.config()));
            }
            String defaultAgent = manifest != null ? manifest.defaultAgent() : selected.graphs().getFirst().graphId();
            return build(database, env, selected, configs, defaultAgent, manifest);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Serves {@code agents} (an application's own, see {@link EmbeddedServer}) on the database at {@code databaseUrl}
     * (SQLite {@code ./data/switchboard.db} when null). {@code configs} holds config defaults by agent id;
     * {@code defaultAgent} (the first agent when null) answers callers that name none.
     */
    public static Hosting serving(String databaseUrl, Map<String, String> env, List<AgentGraph> agents,
            Map<String, ObjectNode> configs, String defaultAgent) {
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("no agent to serve; add one with agent(…)");
        }
        if (defaultAgent != null && agents.stream().noneMatch(a -> a.graphId().equals(defaultAgent))) {
            throw new IllegalArgumentException("the default agent " + defaultAgent + " is not one of "
                    + agents.stream().map(AgentGraph::graphId).toList());
        }
        Database database = Database.open(databaseUrl);
        try {
            Graphs.Selected selected = new Graphs.Selected(agents, "defined by each agent", "per agent");
            return build(database, env, selected, configs, defaultAgent != null ? defaultAgent
                    : agents.getFirst().graphId(), null);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static Hosting build(Database database, Map<String, String> env, Graphs.Selected selected,
            Map<String, ObjectNode> configs, String defaultAgent, Manifest manifest) {
        // SQLite serves one process: a stable id lets a restart recover its own unfinished work at once.
        String instanceId = env.getOrDefault("SWITCHBOARD_INSTANCE_ID",
                database.toString().startsWith("SQLite") ? "local" : java.util.UUID.randomUUID().toString());
        Switchboard.Builder builder = Switchboard.builder()
                .settings(dev.switchboard.RuntimeSettings.fromEnvironment(env))
                .expiry(dev.switchboard.ExpirySettings.fromEnvironment(env))
                .instanceId(instanceId)
                .cluster(database::cluster)
                .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                .operationStore(database.operations()).itemStore(database.items()).cronStore(database.crons())
                .assistantStore(database.assistants());
        dev.switchboard.langchain4j.StoreIndexes.fromEnvironment(env).ifPresent(builder::storeIndex);
        for (AgentGraph graph : selected.graphs()) {
            builder.graph(graph, configs.get(graph.graphId()));
        }
        builder.defaultGraph(defaultAgent);
        return new Hosting(database, builder.build(), selected.description(), selected.shown(), manifest);
    }

    public Switchboard switchboard() {
        return switchboard;
    }

    /** The models and why they were chosen, naming the environment variables: for the operator's log. */
    public String modelDescription() {
        return modelDescription;
    }

    /** Just the models ("offline", "openai:gpt-4o"): what {@code /info} tells every client. */
    public String modelName() {
        return modelName;
    }

    public String databaseDescription() {
        return database.toString();
    }

    @Override
    public void close() {
        switchboard.close();
        database.close();
        if (manifest != null) {
            manifest.close();
        }
    }

    /** The graphs a server hosts: {@code telco} (the default) on the chosen model, and {@code scripted} if asked. */
    static final class Graphs {
        /** {@code description} says why each model was chosen (for the operator); {@code shown} only which. */
        record Selected(List<AgentGraph> graphs, String description, String shown) {
        }

        /** The manifest's agents, each on the model its factory chose. */
        static Selected fromManifest(Manifest manifest, boolean scripted) {
            List<AgentGraph> graphs = new ArrayList<>(manifest.agents().stream().map(Manifest.Agent::graph).toList());
            if (scripted) {
                if (graphs.stream().anyMatch(g -> g.graphId().equals(ScriptedAgent.GRAPH_ID))) {
                    throw new IllegalArgumentException("the manifest defines an agent named " + ScriptedAgent.GRAPH_ID
                            + ", which --scripted-assistant also adds; rename the agent");
                }
                graphs.add(ScriptedAgent.graph());
            }
            return new Selected(graphs, "defined by each agent (" + manifest.file() + ")", "per agent");
        }

        static Selected all(Database database, Map<String, String> env, String model, boolean scripted) {
            Map<String, String> effective = new java.util.HashMap<>(env);
            if (model != null && !model.isBlank()) {
                effective.put(Models.REACT_MODEL, model);
            }
            ModelChoice main;
            ModelChoice secondary;
            ModelCatalog models;
            try {
                main = Models.choose(effective);
                secondary = Models.chooseSecondary(effective, main);
                // An assistant or run may name another model (config.configurable.model): any provider this
                // environment can reach, or offline.
                models = Models.catalog(effective, main.spec(), secondary.spec(), OfflineTelcoModel::new);
            } catch (IllegalArgumentException e) {
                throw new ModelProblem(e.getMessage(), e);
            }
            database.migrate("classpath:db/telco", "flyway_telco_history");
            TelcoBackend backend = new JdbcTelcoBackend(database.dataSource());
            AgentGraph telco = TelcoAgent.graph(backend, models, TelcoSettings.fromEnv());
            String description = main.toString()
                    + (secondary.spec().equals(main.spec()) ? "" : "; secondary lane " + secondary);
            String shown = main.spec()
                    + (secondary.spec().equals(main.spec()) ? "" : "; secondary lane " + secondary.spec());
            return new Selected(scripted ? List.of(telco, ScriptedAgent.graph()) : List.of(telco), description, shown);
        }
    }
}
