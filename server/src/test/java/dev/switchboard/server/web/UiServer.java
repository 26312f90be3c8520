package dev.switchboard.server.web;

import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.SwitchboardServer;
import java.time.Duration;
import java.util.List;

/** A real server on a free loopback port, in this JVM, hosting the given graphs on in-memory stores. */
public final class UiServer implements AutoCloseable {
    public final Switchboard switchboard;
    final SwitchboardServer server;

    public UiServer(List<AgentGraph> graphs) {
        this(graphs, "offline and scripted (tests)");
    }

    public UiServer(List<AgentGraph> graphs, String modelDescription) {
        Switchboard.Builder builder = Switchboard.builder().secondaryWait(Duration.ofSeconds(5));
        graphs.forEach(builder::graph);
        builder.defaultGraph(graphs.getFirst().graphId());
        switchboard = builder.build();
        server = new SwitchboardServer(switchboard, ServerSettings.defaults().withPort(0), modelDescription)
                .start();
    }

    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        switchboard.close();
    }
}
