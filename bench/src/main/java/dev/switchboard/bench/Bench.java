package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code switchboard-bench [--peer] [--smoke] [--engine sqlite|postgres|both] [--only P0,P3] [--levels 250,500]
 * [--scale-seconds S] [--out DIR] [--peer-dir DIR] [--jfr] [--db-dir DIR] [--no-class-cache]}: starts our server
 * (and with {@code --peer} the LangGraph.js peer), drives both over HTTP with the same client, and writes
 * {@code results.json} and {@code results.md} to {@code DIR} (default {@code target/bench}).
 */
public final class Bench {
    static final List<String> MEASURES = List.of("P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7");
    private static final String USAGE = """
            usage: switchboard-bench [--peer] [--smoke] [--engine sqlite|postgres|both] [--only P0,P1,...]
                                     [--levels 250,500,...] [--scale-seconds S] [--out DIR] [--peer-dir DIR]
                                     [--jfr] [--db-dir DIR] [--no-class-cache]
              --peer      also start the LangGraph.js peer and measure it side by side (interleaved)
              --smoke     every measure in miniature (~10 s), to check the harness; no meaningful figures
              --engine    where ours stores (default sqlite): sqlite, postgres (an embedded PostgreSQL the bench
                          starts, fsync on) or both; PostgreSQL rows have ids ending in -pg
              --only      measures to run (default all): P0 latency, P1/P2 double-text handover, P3 throughput,
                          P4 scale, P5 secondary lane, P6 start-up (P6 restart, P6-new new database),
                          P7 two instances on one PostgreSQL database (runs only with --engine postgres|both
                          or when named in --only)
              --levels    P4 conversation counts to try, ascending
              --scale-seconds  P4 window per level (default 60; shorter only to explore)
              --out       where results.json, results.md, logs and databases go (default target/bench)
              --peer-dir  the peer's directory (default: a writable copy of ../shared/peers/langgraphjs
                          under ~/.cache/switchboard-bench)
              --jfr       record a JFR profile of our server per server start (DIR/jfr)
              --db-dir    where our SQLite files go (default DIR/work); e.g. /dev/shm to see what fsync costs
              --no-class-cache  start ours without the class cache bin/switchboard serve uses
            """;

    private Bench() {
    }

    public static void main(String[] args) {
        try {
            Path results = run(args);
            System.out.println("results: " + results);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Runs the benchmark and answers the path of the results.json it wrote. */
    public static Path run(String... args) throws Exception {
        boolean peer = false;
        boolean smoke = false;
        boolean jfr = false;
        boolean classCache = true;
        Path out = Path.of("target", "bench");
        Path peerDir = null;
        Path dbDir = null;
        Set<String> only = new LinkedHashSet<>(MEASURES);
        boolean onlyGiven = false;
        List<Engine> engines = List.of(Engine.SQLITE);
        List<Integer> levels = null;
        Integer scaleSeconds = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peer" -> peer = true;
                case "--smoke" -> smoke = true;
                case "--jfr" -> jfr = true;
                case "--no-class-cache" -> classCache = false;
                case "--out" -> out = Path.of(value(args, ++i));
                case "--peer-dir" -> peerDir = Path.of(value(args, ++i));
                case "--db-dir" -> dbDir = Path.of(value(args, ++i));
                case "--engine" -> engines = switch (value(args, ++i)) {
                    case "sqlite" -> List.of(Engine.SQLITE);
                    case "postgres" -> List.of(Engine.POSTGRES);
                    case "both" -> List.of(Engine.SQLITE, Engine.POSTGRES);
                    default -> throw new IllegalArgumentException("--engine is sqlite, postgres or both, not "
                            + args[i]);
                };
                case "--only" -> {
                    only = new LinkedHashSet<>(Arrays.stream(value(args, ++i).split(","))
                            .map(s -> s.strip().toUpperCase(Locale.ROOT)).toList());
                    onlyGiven = true;
                    if (!MEASURES.containsAll(only)) {
                        throw new IllegalArgumentException("unknown measure in --only: " + only);
                    }
                }
                case "--levels" -> levels = Arrays.stream(value(args, ++i).split(",")).map(String::strip)
                        .map(Integer::parseInt).toList();
                case "--scale-seconds" -> scaleSeconds = Integer.parseInt(value(args, ++i));
                case "-h", "--help" -> throw new IllegalArgumentException("switchboard-bench");
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        // P7 needs PostgreSQL: it runs when asked for by name or when the run measures PostgreSQL anyway.
        if (!onlyGiven && !engines.contains(Engine.POSTGRES)) {
            only.remove("P7");
        }
        Plan plan = smoke ? Plan.smokeRun() : Plan.fullRun();
        if (levels != null || scaleSeconds != null) {
            plan = plan.withScale(levels != null ? levels : plan.scaleLevels(),
                    scaleSeconds != null ? scaleSeconds : plan.scaleSeconds());
        }
        Path outDir = out.toAbsolutePath();
        boolean smokeRun = smoke;
        Files.createDirectories(outDir);
        Path work = dbDir != null ? dbDir.toAbsolutePath().resolve("switchboard-bench-work") : outDir.resolve("work");
        deleteTree(work);
        if (peer) {
            peerDir = peerDir != null ? peerDir.toAbsolutePath() : defaultPeerDir();
        }
        String command = "bin/switchboard-bench " + String.join(" ", args);
        say(command + " (" + Machine.cores() + " cores, load " + Machine.loadavg() + ")");

        Set<String> selected = Set.copyOf(only);
        Instant started = Instant.now();
        List<Row> rows = new ArrayList<>();
        boolean needsPostgres = engines.contains(Engine.POSTGRES) || only.contains("P7");
        try (Machine machine = new Machine(); Postgres postgres = needsPostgres ? Postgres.start() : null) {
            Launch launch = new Launch(javaCommand(), absoluteClassPath(), peerDir, outDir, work,
                    // A smoke run has no later start to use a class cache, and writing one costs seconds at exit.
                    jfr, classCache && !smokeRun, Engine.SQLITE, postgres);
            Saver saver = () -> save(outDir, command, smokeRun, machine, rows, started);
            for (Engine engine : engines) {
                // The peer has one store of its own: it is measured once, beside ours on SQLite.
                boolean withPeer = peer && engine == Engine.SQLITE;
                try (Fleet fleet = new Fleet(launch.withEngine(engine), smokeRun)) {
                    measures(fleet, engine, withPeer, only, selected, plan, rows, saver);
                }
            }
            if (only.contains("P7")) {
                say("P7 two instances on one PostgreSQL database");
                rows.addAll(TwoInstances.run(launch.withEngine(Engine.POSTGRES), plan));
            }
            String markdown = saver.save();
            System.out.println();
            System.out.println(markdown);
        }
        return outDir.resolve("results.json");
    }

    @FunctionalInterface
    private interface Saver {
        String save() throws IOException;
    }

    /** P0 to P6 on one engine; every row tagged with the engine, results saved after each measure. */
    private static void measures(Fleet fleet, Engine engine, boolean peer, Set<String> only, Set<String> selected,
            Plan plan, List<Row> rows, Saver saver) throws Exception {
        String on = " (" + engine.wireName() + ")";
        if (only.contains("P6")) {
            say("P6 start-up" + on);
            Startup.run(fleet, peer, plan).stream().map(engine::tag).forEach(rows::add);
            saver.save();
        }
        if (only.contains("P0") || only.contains("P1") || only.contains("P2") || only.contains("P3")) {
            List<ServerProcess> servers = new ArrayList<>();
            try {
                servers.add(fleet.acquire(ServerProcess.Kind.OURS, "latency"));
                if (peer) {
                    servers.add(fleet.acquire(ServerProcess.Kind.PEER, "latency"));
                }
                if (only.contains("P0")) {
                    say("P0 single-run latency" + on);
                    SingleRunLatency.run(servers, plan).stream().map(engine::tag).forEach(rows::add);
                }
                if (only.contains("P1") || only.contains("P2")) {
                    Handover.run(servers, plan).stream().filter(r -> selected.contains(r.id().substring(0, 2)))
                            .map(engine::tag).forEach(rows::add);
                }
                if (only.contains("P3")) {
                    say("P3 throughput" + on);
                    Throughput.run(servers, plan).stream().map(engine::tag).forEach(rows::add);
                }
            } finally {
                servers.forEach(fleet::release);
            }
            saver.save();
        }
        if (only.contains("P4")) {
            say("P4 scale" + on + ": levels " + plan.scaleLevels());
            Scale.run(fleet, peer, plan).stream().map(engine::tag).forEach(rows::add);
            saver.save();
        }
        if (only.contains("P5")) {
            say("P5 secondary lane" + on + ": N = " + plan.secondaryOperations());
            SecondaryLane.run(fleet, plan).stream().map(engine::tag).forEach(rows::add);
            saver.save();
        }
    }

    /** Writes what is measured so far, so a run stopped half-way keeps its finished measures. */
    private static String save(Path out, String command, boolean smoke, Machine machine, List<Row> rows,
            Instant started) throws IOException {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt(r -> MEASURES.indexOf(r.id().substring(0, 2))));
        ObjectNode root = Report.json(command, smoke ? "smoke" : "full", machine.toJson(), sorted, started,
                Instant.now());
        String markdown = Report.markdown(root, sorted);
        Report.write(out, root, markdown);
        return markdown;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    static void say(String line) {
        System.out.println("[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + line);
    }

    /** ", N errors (first: …)" per side, or nothing when there were none. */
    static String errorNote(Map<ServerProcess.Kind, Integer> errors, Map<ServerProcess.Kind, String> first) {
        StringBuilder b = new StringBuilder();
        errors.forEach((kind, n) -> b.append("; ").append(kind.label).append(": ").append(n)
                .append(" errors, first: ").append(first.get(kind)));
        return b.toString();
    }

    /** Ours runs in its own work directory: its class path must not depend on where the bench was started. */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(e -> e.endsWith("*") ? Path.of(e.substring(0, e.length() - 1)).toAbsolutePath() + "/*"
                        : Path.of(e).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The peer's start script installs node_modules next to itself, and the shared copy is read-only: run a
     * writable copy under ~/.cache (kept, so npm install happens once per machine).
     */
    private static Path defaultPeerDir() throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "switchboard-bench", "langgraphjs");
        if (Files.isRegularFile(cache.resolve("start.sh"))) {
            return cache;
        }
        Path root = Path.of(System.getProperty("switchboard.root", ".")).toAbsolutePath().normalize();
        Path shared = root.resolveSibling("shared").resolve("peers").resolve("langgraphjs");
        if (!Files.isRegularFile(shared.resolve("start.sh"))) {
            throw new IllegalArgumentException("the peer is not at " + shared + "; pass --peer-dir");
        }
        say("copying the peer from " + shared + " to " + cache + " (npm install runs on its first start)");
        try (Stream<Path> files = Files.walk(shared)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path rel = shared.relativize(source);
                if (rel.startsWith("node_modules") || rel.startsWith(".langgraph_api")) {
                    continue;
                }
                Path target = cache.resolve(rel.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    target.toFile().setWritable(true, true);
                }
            }
        }
        cache.resolve("start.sh").toFile().setExecutable(true);
        return cache;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
