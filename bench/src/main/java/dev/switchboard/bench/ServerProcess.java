package dev.switchboard.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One server under test, running as a child process on a free port: ours ({@code switchboard serve}, -Xmx1g,
 * a fresh SQLite file) or the LangGraph.js peer (its own {@code start.sh}). Both are measured from outside,
 * over HTTP, so neither gets an in-process advantage.
 */
final class ServerProcess implements AutoCloseable {
    enum Kind {
        OURS("ours", "scripted"), PEER("peer", "agent");

        final String label;
        /** The assistant that runs the fake streaming model on each side. */
        final String assistant;

        Kind(String label, String assistant) {
            this.label = label;
            this.assistant = assistant;
        }
    }

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    final Kind kind;
    final Client client;
    final Path log;
    private final Process process;
    /** Nanos from {@link ProcessBuilder#start()} to the first 200 on {@code /ok}. */
    final long startupNanos;

    private ServerProcess(Kind kind, Process process, Client client, Path log, long startupNanos) {
        this.kind = kind;
        this.process = process;
        this.client = client;
        this.log = log;
        this.startupNanos = startupNanos;
    }

    String assistant() {
        return kind.assistant;
    }

    long pid() {
        return process.pid();
    }

    /** Starts our server with the bench's own class path on a new database (a new SQLite file or PostgreSQL database). */
    static ServerProcess startOurs(Launch launch, String label, Map<String, String> env) throws IOException,
            InterruptedException {
        return startOurs(launch, label, env, true);
    }

    /**
     * Starts our server; with {@code fresh} false it reopens the database the last start under {@code label} used
     * (a restart: migrations already applied), else it starts on a new one (migrations run).
     */
    static ServerProcess startOurs(Launch launch, String label, Map<String, String> env, boolean fresh)
            throws IOException, InterruptedException {
        Path dir = Files.createDirectories(launch.work().resolve("ours-" + label));
        String url;
        if (launch.engine() == Engine.POSTGRES) {
            url = launch.postgres().database(label, fresh);
        } else {
            if (fresh) {
                Files.deleteIfExists(dir.resolve("switchboard.db"));
                Files.deleteIfExists(dir.resolve("switchboard.db-wal"));
                Files.deleteIfExists(dir.resolve("switchboard.db-shm"));
            }
            url = "jdbc:sqlite:" + dir.resolve("switchboard.db");
        }
        return startOurs(launch, label, env, url);
    }

    /** Starts our server on the given database URL (P7 starts two instances on one PostgreSQL database). */
    static ServerProcess startOurs(Launch launch, String label, Map<String, String> env, String databaseUrl)
            throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createDirectories(launch.work().resolve("ours-" + label));
        // A restart reuses its label (its database's): number the later starts' logs and recordings.
        String name = "ours-" + label;
        Path logs = launch.out().resolve("logs");
        for (int n = 2; Files.exists(logs.resolve(name + ".log")); n++) {
            name = "ours-" + label + "-" + n;
        }
        List<String> command = new ArrayList<>(List.of(launch.java(), "-Xmx1g", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(ClassCache.options(launch));
        if (launch.jfr()) {
            Path jfr = Files.createDirectories(launch.out().resolve("jfr")).resolve(name + ".jfr");
            command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
        }
        command.addAll(List.of("-cp", launch.classPath(), "dev.switchboard.server.cli.Main", "serve",
                "--scripted-assistant", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--database-url", databaseUrl));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().putAll(env);
        return start(Kind.OURS, builder, port, logs.resolve(name + ".log"), Duration.ofSeconds(90));
    }

    /** Starts the peer with its own start script (which wipes its state unless told otherwise). */
    static ServerProcess startPeer(Launch launch, String label, Map<String, String> env) throws IOException,
            InterruptedException {
        int port = freePort();
        Path dir = launch.peerDir();
        ProcessBuilder builder = new ProcessBuilder("bash", dir.resolve("start.sh").toString()).directory(dir.toFile());
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().remove("PEER_KEEP_STATE");
        builder.environment().putAll(env);
        // The first start may run npm install; later ones take seconds.
        return start(Kind.PEER, builder, port, launch.out().resolve("logs").resolve("peer-" + label + ".log"),
                Duration.ofMinutes(10));
    }

    private static ServerProcess start(Kind kind, ProcessBuilder builder, int port, Path log, Duration limit)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Client client = new Client(URI.create("http://127.0.0.1:" + port));
        long started = System.nanoTime();
        Process process = builder.start();
        ServerProcess server = null;
        try {
            long deadline = started + limit.toNanos();
            while (System.nanoTime() < deadline) {
                if (client.ok()) {
                    server = new ServerProcess(kind, process, client, log, System.nanoTime() - started);
                    return server;
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(kind.label + " server exited with " + process.exitValue()
                            + " before answering /ok; see " + log);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException(kind.label + " server did not answer /ok within " + limit + "; see " + log);
        } finally {
            if (server == null) {
                stop(process);
            }
        }
    }

    /** Resident memory of the server and every process it started (the peer runs in a child of its CLI). */
    long rssKiB() {
        return tree().mapToLong(ServerProcess::rssOf).sum();
    }

    /** CPU time used so far by the server's process tree. */
    Duration cpu() {
        return tree().map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO)).reduce(Duration.ZERO, Duration::plus);
    }

    /** Ours only: heap in use right after a full collection, via jcmd; empty if jcmd is missing or fails. */
    Optional<Long> heapUsedAfterGcKiB(Launch launch) {
        if (kind != Kind.OURS) {
            return Optional.empty();
        }
        try {
            jcmd(launch, "GC.run");
            Matcher m = HEAP_USED.matcher(jcmd(launch, "GC.heap_info"));
            return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private String jcmd(Launch launch, String what) throws IOException, InterruptedException {
        Path jcmd = Path.of(launch.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), what).redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return text;
    }

    private Stream<ProcessHandle> tree() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants());
    }

    private static long rssOf(ProcessHandle p) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process ended between listing and reading: it holds nothing.
        }
        return 0;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM the whole tree (so ours dumps its JFR recording), then force what is left. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception stillThere) {
                p.destroyForcibly();
            }
        }
    }
}
