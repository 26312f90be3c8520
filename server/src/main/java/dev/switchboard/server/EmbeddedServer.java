package dev.switchboard.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Switchboard;
import dev.switchboard.agent.AgentGraph;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Switchboard inside an application's own {@code main}: its agents, a database, the whole HTTP API and web UI.
 *
 * <pre>{@code
 * EmbeddedServer server = EmbeddedServer.builder()
 *         .agent(LangChain4jAgent.builder("support").model(model).tools(new OrderTools()).build())
 *         .databaseUrl("jdbc:sqlite:data/support.db")
 *         .port(8123)
 *         .start();
 * server.join();
 * }</pre>
 *
 * <p>Everything not set here comes from the environment as for {@code switchboard serve} (sign-in with
 * {@code SWITCHBOARD_API_KEYS} or JWT, CORS, limits; docs/configuration.md). {@link #close} stops as the command
 * does: no new requests, running runs get the grace period, queued work is handed to the next start. A shutdown
 * hook closes the server when the JVM stops.
 */
public final class EmbeddedServer implements AutoCloseable {
    private final Hosting hosting;
    private final SwitchboardServer server;
    private final Duration grace;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final java.lang.Thread hook;

    private EmbeddedServer(Hosting hosting, SwitchboardServer server, Duration grace) {
        this.hosting = hosting;
        this.server = server;
        this.grace = grace;
        this.hook = new java.lang.Thread(this::stop, "switchboard-shutdown");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where it listens, e.g. {@code http://127.0.0.1:8123}. */
    public String url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** The runtime, for an application that also starts runs or reads threads in-process. */
    public Switchboard switchboard() {
        return hosting.switchboard();
    }

    /** Blocks until the server has been closed (by {@link #close} or when the JVM stops). */
    public void join() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyStopping) {
            // The JVM is shutting down and the hook is running or about to: it does the same.
        }
        stop();
    }

    private void stop() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        server.close();
        try {
            hosting.switchboard().shutdown(grace);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
        } finally {
            hosting.close();
            stopped.countDown();
        }
    }

    /** What to serve and where; {@link #start} opens the database and listens. */
    public static final class Builder {
        private final List<AgentGraph> agents = new ArrayList<>();
        private final Map<String, ObjectNode> configs = new HashMap<>();
        private String defaultAgent;
        private String databaseUrl;
        private String host;
        private Integer port;
        private Map<String, String> env = System.getenv();
        private Duration grace = Duration.ofSeconds(10);

        private Builder() {
        }

        /** Serves {@code agent} under its id; the first agent added is the default unless {@link #defaultAgent}. */
        public Builder agent(AgentGraph agent) {
            agents.add(Objects.requireNonNull(agent, "agent"));
            return this;
        }

        /** Serves {@code agent} with config defaults for its runs (e.g. {@code {"configurable": {…}}}). */
        public Builder agent(AgentGraph agent, ObjectNode config) {
            agent(agent);
            if (config != null) {
                configs.put(agent.graphId(), config.deepCopy());
            }
            return this;
        }

        public Builder defaultAgent(String agentId) {
            this.defaultAgent = agentId;
            return this;
        }

        /** {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://…}; SQLite in {@code ./data} when not set. */
        public Builder databaseUrl(String url) {
            this.databaseUrl = url;
            return this;
        }

        /** The interface to bind; 127.0.0.1 unless set here or by {@code SWITCHBOARD_HOST}. */
        public Builder host(String newHost) {
            this.host = newHost;
            return this;
        }

        /** The port; 8123 unless set here or by {@code SWITCHBOARD_PORT}; 0 picks a free one. */
        public Builder port(int newPort) {
            this.port = newPort;
            return this;
        }

        /** The settings' source instead of the process environment (tests pass a map). */
        public Builder environment(Map<String, String> variables) {
            this.env = Map.copyOf(variables);
            return this;
        }

        /** How long running runs may finish when the server stops (10 s by default). */
        public Builder shutdownGrace(Duration duration) {
            this.grace = Objects.requireNonNull(duration, "grace");
            return this;
        }

        /**
         * Opens the database (migrating it), builds the runtime and starts listening.
         *
         * @throws IllegalArgumentException for a wrong setting or agent list, before anything is opened
         */
        public EmbeddedServer start() {
            ServerSettings settings = ServerSettings.fromEnvironment(env);
            if (host != null) {
                settings = settings.withHost(host);
            }
            if (port != null) {
                settings = settings.withPort(port);
            }
            Hosting hosting = Hosting.serving(databaseUrl, env, agents, configs, defaultAgent);
            SwitchboardServer server = new SwitchboardServer(hosting.switchboard(), settings, hosting.modelName());
            try {
                server.start();
            } catch (RuntimeException e) {
                hosting.close();
                throw e;
            }
            EmbeddedServer embedded = new EmbeddedServer(hosting, server, grace);
            Runtime.getRuntime().addShutdownHook(embedded.hook);
            return embedded;
        }
    }
}
