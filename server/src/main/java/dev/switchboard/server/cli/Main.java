package dev.switchboard.server.cli;

import dev.switchboard.server.Hosting;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.Version;
import dev.switchboard.server.manifest.Manifest;
import dev.switchboard.server.manifest.ManifestException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/**
 * {@code switchboard serve | chat | demo}. Every failure before the server is up is one line on stderr,
 * {@code switchboard: <what> — <what to do>}, and a non-zero exit; {@code --debug} adds the stack trace.
 */
@Command(name = "switchboard", mixinStandardHelpOptions = true, version = Version.VERSION,
        description = "A Java agent server for conversations that never wait.",
        subcommands = {Main.Serve.class, ChatCommand.class, DemoCommand.class})
public final class Main implements Runnable {
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on a start-up failure, print the stack trace and the log behind it too")
    boolean debug;

    Map<String, String> env = System.getenv();
    /** Where a {@code switchboard.json} is looked for, and what a relative {@code --config} is relative to. */
    java.nio.file.Path workingDirectory = java.nio.file.Path.of("").toAbsolutePath();
    PrintStream out = System.out;
    PrintStream err = System.err;

    public static void main(String[] args) {
        LogFormat.install();
        System.exit(execute(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command line with the given environment and streams; returns the exit code. */
    static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return execute(args, env, java.nio.file.Path.of("").toAbsolutePath(), out, err);
    }

    /** As {@link #execute(String[], Map, PrintStream, PrintStream)}, looking for a manifest in {@code workingDirectory}. */
    static int execute(String[] args, Map<String, String> env, java.nio.file.Path workingDirectory, PrintStream out,
            PrintStream err) {
        Main main = new Main();
        main.workingDirectory = workingDirectory;
        main.env = env;
        main.out = out;
        main.err = err;
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine line = new CommandLine(main);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        line.setParameterExceptionHandler((e, given) -> {
            CommandLine where = e.getCommandLine();
            err.println("switchboard: " + e.getMessage() + " — see '" + where.getCommandSpec().qualifiedName()
                    + " --help'");
            return 2;
        });
        line.setExecutionExceptionHandler((e, where, parsed) -> {
            StartupProblem problem = e instanceof StartupProblem p ? p
                    : new StartupProblem(StartupProblem.rootMessage(e), "run again with --debug for the details", e);
            LogFormat.discard(debug);
            err.println(problem.line());
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        });
        return line.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Start the HTTP server (default 127.0.0.1:8123, SQLite; the agents of switchboard.json, "
                    + "or the telco agent without one).")
    static final class Serve implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = "--host", description = "interface to bind (env SWITCHBOARD_HOST; default 127.0.0.1)")
        String host;

        @Option(names = "--port", description = "port (env SWITCHBOARD_PORT; default 8123; 0 = any free port)")
        Integer port;

        @Option(names = "--database-url", description = "jdbc:sqlite:… or jdbc:postgresql:… (env SWITCHBOARD_DATABASE_URL; default SQLite ./data/switchboard.db)")
        String databaseUrl;

        @Option(names = "--config", description = "the manifest naming the agents to serve (default: switchboard.json "
                + "in the working directory if there is one; without a manifest, the telco agent)")
        String config;

        @Option(names = "--model", description = "offline, openai:<model>, ollama:<model>, anthropic:<model> (env REACT_MODEL)")
        String model;

        @Option(names = "--scripted-assistant", description = "also host the test-only 'scripted' assistant "
                + "(env SWITCHBOARD_SCRIPTED_ASSISTANT=true); for conformance runs and benchmarks, never production")
        boolean scripted;

        @Override
        public Integer call() throws Exception {
            PrintStream out = main.out;
            LogFormat.hold();
            Manifest manifest = loadManifest();
            Map<String, String> env = manifest == null ? main.env : manifest.environment();
            String url = databaseUrl != null ? databaseUrl : blankToNull(env.get("SWITCHBOARD_DATABASE_URL"));
            StartupProblem.Target target = new StartupProblem.Target(host != null ? host
                    : env.getOrDefault("SWITCHBOARD_HOST", "127.0.0.1"), port != null ? port : ServerSettings.DEFAULT_PORT,
                    url);
            ServerSettings settings;
            Duration grace;
            boolean withScripted;
            try {
                settings = ServerSettings.fromEnvironment(env);
                if (host != null) {
                    settings = settings.withHost(host);
                }
                if (port != null) {
                    settings = settings.withPort(port);
                }
                grace = Duration.ofMillis(ServerSettings.number(env, "SWITCHBOARD_SHUTDOWN_GRACE_MS", 10_000, 0,
                        Long.MAX_VALUE));
                withScripted = scripted || flag(env, "SWITCHBOARD_SCRIPTED_ASSISTANT");
            } catch (RuntimeException e) {
                throw StartupProblem.explain(StartupProblem.Stage.SETTINGS, e, target);
            }
            target = new StartupProblem.Target(settings.host(), settings.port(), url);
            Hosting hosting;
            try {
                hosting = Hosting.open(url, env, model != null ? model : env.get("REACT_MODEL"), withScripted, manifest);
            } catch (Hosting.ModelProblem e) {
                closeQuietly(manifest);
                throw StartupProblem.explain(StartupProblem.Stage.MODEL, e, target);
            } catch (RuntimeException e) {
                closeQuietly(manifest);
                throw StartupProblem.explain(StartupProblem.Stage.DATABASE, e, target);
            }
            SwitchboardServer server = new SwitchboardServer(hosting.switchboard(), settings, hosting.modelName());
            try {
                server.start();
            } catch (RuntimeException e) {
                hosting.close();
                throw StartupProblem.explain(StartupProblem.Stage.LISTEN, e, target);
            }
            // Only now is there something to stop: a failed start says nothing about stopping.
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                out.println("switchboard: stopping: no new requests; running runs get " + grace.toSeconds()
                        + " s to finish; queued runs and operations are handed back to the next start");
                server.close();
                try {
                    hosting.switchboard().shutdown(grace);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                hosting.close();
                out.println("switchboard: stopped");
                stopped.countDown();
            }, "switchboard-shutdown"));
            for (String line : banner(server, settings, hosting)) {
                out.println(line);
            }
            LogFormat.release();
            stopped.await();
            return 0;
        }

        /** The manifest named by --config or found in the working directory; null when there is none. */
        private Manifest loadManifest() {
            java.util.Optional<java.nio.file.Path> file = Manifest.locate(config, main.workingDirectory);
            if (file.isEmpty()) {
                return null;
            }
            try {
                return Manifest.load(file.get(), main.env);
            } catch (ManifestException e) {
                throw new StartupProblem(e.what(), e.todo(), e);
            }
        }

        private static void closeQuietly(Manifest manifest) {
            if (manifest != null) {
                manifest.close();
            }
        }

        private static List<String> banner(SwitchboardServer server, ServerSettings settings, Hosting hosting) {
            List<String> lines = new ArrayList<>();
            lines.add("switchboard: listening on " + server.url());
            lines.add("switchboard: web UI " + server.url() + "/");
            lines.add("switchboard: model " + hosting.modelDescription());
            lines.add("switchboard: database " + hosting.databaseDescription());
            lines.add("switchboard: assistants " + String.join(", ", server.switchboard().graphs().keySet()));
            server.switchboard().storeIndex().ifPresent(index -> lines.add("switchboard: store index "
                    + index.embedder() + " over " + String.join(", ", index.fields())));
            int keys = settings.apiKeys().size();
            lines.add(settings.authEnabled()
                    ? "switchboard: auth on (" + (keys > 0 ? keys + (keys == 1 ? " API key; " : " API keys; ") : "")
                            + settings.signInDescription()
                            + "): clients send x-api-key or Authorization: Bearer; the web UI asks for it"
                    : "switchboard: auth " + settings.signInDescription());
            return lines;
        }

        private static boolean flag(Map<String, String> env, String variable) {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                return false;
            }
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "1", "true", "yes", "on" -> true;
                case "0", "false", "no", "off" -> false;
                default -> throw new IllegalArgumentException(variable + " must be true or false, not '" + value.strip()
                        + "'");
            };
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }
}
