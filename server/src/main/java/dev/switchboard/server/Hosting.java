package dev.switchboard.server;

import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.jdbc.Database;
import dev.switchboard.langchain4j.ModelChoice;
import dev.switchboard.langchain4j.ModelSpec;
import dev.switchboard.langchain4j.Models;
import dev.switchboard.model.ChatModel;
import dev.switchboard.telco.TelcoAgent;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.JdbcTelcoBackend;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.offline.OfflineTelcoModel;
import dev.switchboard.testkit.ScriptedAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a server hosts: the runtime on its database, with the {@code telco} (default) and {@code scripted}
 * assistants. The database is SQLite at {@code ./data/switchboard.db} unless a URL says otherwise.
 */
public final class Hosting implements AutoCloseable {
    private final Database database;
    private final Switchboard switchboard;
    private final String modelDescription;

    private Hosting(Database database, Switchboard switchboard, String modelDescription) {
        this.database = database;
        this.switchboard = switchboard;
        this.modelDescription = modelDescription;
    }

    /** Opens the database (migrating it) and builds the runtime with every hosted graph. */
    public static Hosting open(String databaseUrl, Map<String, String> env, String model) {
        Database database = Database.open(databaseUrl);
        try {
            List<AgentGraph> graphs = new ArrayList<>();
            Graphs.Selected selected = Graphs.all(database, env, model);
            graphs.addAll(selected.graphs());
            // SQLite serves one process: a stable id lets a restart recover its own unfinished work at once.
            String instanceId = env.getOrDefault("SWITCHBOARD_INSTANCE_ID",
                    database.toString().startsWith("SQLite") ? "local" : java.util.UUID.randomUUID().toString());
            Switchboard.Builder builder = Switchboard.builder()
                    .instanceId(instanceId)
                    .cluster(database::cluster)
                    .threadStore(database.threads()).runStore(database.runs()).checkpointStore(database.checkpoints())
                    .operationStore(database.operations()).itemStore(database.items())
                    .assistantStore(database.assistants());
            graphs.forEach(builder::graph);
            builder.defaultGraph(graphs.getFirst().graphId());
            return new Hosting(database, builder.build(), selected.description());
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public Switchboard switchboard() {
        return switchboard;
    }

    public String modelDescription() {
        return modelDescription;
    }

    public String databaseDescription() {
        return database.toString();
    }

    @Override
    public void close() {
        switchboard.close();
        database.close();
    }

    /** The graphs a server hosts: {@code telco} (the default) on the chosen model, and {@code scripted}. */
    static final class Graphs {
        record Selected(List<AgentGraph> graphs, String description) {
        }

        static Selected all(Database database, Map<String, String> env, String model) {
            Map<String, String> effective = new java.util.HashMap<>(env);
            if (model != null && !model.isBlank()) {
                effective.put(Models.REACT_MODEL, model);
            }
            ModelChoice main = Models.choose(effective);
            ModelChoice secondary = Models.chooseSecondary(effective, main);
            database.migrate("classpath:db/telco", "flyway_telco_history");
            TelcoBackend backend = new JdbcTelcoBackend(database.dataSource());
            AgentGraph telco = TelcoAgent.graph(backend, model(main, effective), model(secondary, effective),
                    TelcoSettings.fromEnv());
            String description = main.toString()
                    + (secondary.spec().equals(main.spec()) ? "" : "; secondary lane " + secondary);
            return new Selected(List.of(telco, ScriptedAgent.graph()), description);
        }

        private static ChatModel model(ModelChoice choice, Map<String, String> env) {
            return choice.spec().provider() == ModelSpec.Provider.OFFLINE ? new OfflineTelcoModel()
                    : Models.create(choice.spec(), env);
        }
    }
}
