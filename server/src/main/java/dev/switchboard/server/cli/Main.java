package dev.switchboard.server.cli;

import dev.switchboard.server.Hosting;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.Version;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchboard serve | chat | demo}. */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = Version.VERSION,
        description = "A Java agent server for conversations that never wait.",
        subcommands = {Main.Serve.class, ChatCommand.class, DemoCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        LogFormat.install();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the HTTP server (default 127.0.0.1:8123, SQLite, the telco agent).")
    static final class Serve implements java.util.concurrent.Callable<Integer> {
        @Option(names = "--host", description = "interface to bind (env SWITCHBOARD_HOST; default ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", description = "port (env SWITCHBOARD_PORT; default 8123; 0 = any free port)")
        Integer port;

        @Option(names = "--database-url", description = "jdbc:sqlite:… or jdbc:postgresql:… (env SWITCHBOARD_DATABASE_URL; default SQLite ./data/switchboard.db)")
        String databaseUrl;

        @Option(names = "--model", description = "offline, openai:<model>, ollama:<model>, anthropic:<model> (env REACT_MODEL)")
        String model;

        @Override
        public Integer call() throws Exception {
            Map<String, String> env = System.getenv();
            ServerSettings settings = ServerSettings.fromEnvironment(env);
            if (host != null) {
                settings = settings.withHost(host);
            }
            if (port != null) {
                settings = settings.withPort(port);
            }
            String url = databaseUrl != null ? databaseUrl : env.get("SWITCHBOARD_DATABASE_URL");
            Hosting hosting = Hosting.open(url, env, model != null ? model : env.get("REACT_MODEL"));
            SwitchboardServer server = new SwitchboardServer(hosting.switchboard(), settings, hosting.modelDescription());
            CountDownLatch stopped = new CountDownLatch(1);
            java.time.Duration grace = java.time.Duration.ofMillis(Long.parseLong(
                    env.getOrDefault("SWITCHBOARD_SHUTDOWN_GRACE_MS", "10000")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("switchboard: stopping: no new requests; running runs get " + grace.toSeconds()
                        + " s to finish; queued runs and operations are handed back to the next start");
                server.close();
                try {
                    hosting.switchboard().shutdown(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hosting.close();
                System.out.println("switchboard: stopped");
                stopped.countDown();
            }, "switchboard-shutdown"));
            server.start();
            System.out.println("switchboard: listening on " + server.url());
            System.out.println("switchboard: model " + hosting.modelDescription());
            System.out.println("switchboard: database " + hosting.databaseDescription());
            stopped.await();
            return 0;
        }
    }
}
