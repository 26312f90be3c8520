package dev.switchboard.server;

import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.jdbc.Database;
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
            Switchboard.Builder builder = Switchboard.builder()
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

    /** The graphs a server hosts; the telco agent joins when its module is on the class path. */
    static final class Graphs {
        record Selected(List<AgentGraph> graphs, String description) {
        }

        static Selected all(Database database, Map<String, String> env, String model) {
            List<AgentGraph> graphs = new ArrayList<>();
            graphs.add(ScriptedAgent.graph());
            return new Selected(graphs, "scripted (telco agent not installed)");
        }
    }
}
