package dev.switchboard.server.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.server.Hosting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code switchboard serve --config switchboard.json}: the agents of a team's own project, built in their own class
 * loader; each mistake in the manifest is one start-up line naming the entry and what to do, and a non-zero exit.
 */
class ManifestTest {
    @TempDir
    static Path project;

    private static final String MODEL = "(request, listener) -> { listener.onToken(greeting); "
            + "return dev.switchboard.message.AiMessage.of(greeting); }";

    @BeforeAll
    static void buildTheTeamsProject() throws Exception {
        AgentSources.compile(project.resolve("target/classes"), Map.of(
                "acme.Travel", """
                        package acme;
                        import dev.switchboard.agent.AgentGraph;
                        import dev.switchboard.langchain4j.LangChain4jAgent;
                        import java.util.Map;
                        public class Travel {
                            public static AgentGraph agent(Map<String, String> env) {
                                String greeting = env.getOrDefault("GREETING", "hello");
                                return LangChain4jAgent.builder("named-otherwise").model(%s)
                                        .systemPrompt("You plan trips.").tools(new TravelTools()).build();
                            }
                            public static String notAnAgent() { return "x"; }
                            public static AgentGraph broken() { throw new IllegalStateException("TRAVEL_KEY is not set"); }
                            public static AgentGraph nothing() { return null; }
                            public static AgentGraph badTool() {
                                String greeting = "x";
                                return LangChain4jAgent.builder("x").model(%s).tools(new BadTools()).build();
                            }
                        }
                        """.formatted(MODEL, MODEL),
                "acme.TravelTools", """
                        package acme;
                        import dev.langchain4j.agent.tool.Tool;
                        public class TravelTools {
                            @Tool("Finds flights from an airport.")
                            public String findFlights(String from) { return "none from " + from; }
                        }
                        """,
                "acme.BadTools", """
                        package acme;
                        import dev.langchain4j.agent.tool.Tool;
                        public class BadTools {
                            @Tool("Takes anything.")
                            public String take(Object anything) { return ""; }
                        }
                        """,
                "acme.SupportProvider", """
                        package acme;
                        import dev.switchboard.agent.AgentGraph;
                        import dev.switchboard.agent.AgentProvider;
                        import java.util.Map;
                        public class SupportProvider implements AgentProvider {
                            public AgentGraph agent(Map<String, String> env) {
                                String greeting = "support here";
                                return AgentGraph.builder("support").model(%s).build();
                            }
                        }
                        """.formatted(MODEL),
                "acme.NotAProvider", "package acme; public class NotAProvider {}"));
        Files.writeString(project.resolve(".env"), "# the team's settings\nGREETING='hello from the env file'\n");
    }

    private static Path manifest(String name, String json) throws Exception {
        return Files.writeString(project.resolve(name), json);
    }

    record Outcome(int exit, String out, String err) {
    }

    private static Outcome serve(Path workingDirectory, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = execute(args, workingDirectory, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code Main.execute} lives in the cli package; the test calls it as the launcher does. */
    private static int execute(String[] args, Path workingDirectory, PrintStream out, PrintStream err) {
        try {
            Class<?> main = Class.forName("dev.switchboard.server.cli.Main");
            Method execute = main.getDeclaredMethod("execute", String[].class, Map.class, Path.class,
                    PrintStream.class, PrintStream.class);
            execute.setAccessible(true);
            return (int) execute.invoke(null, args, Map.of(), workingDirectory, out, err);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> mistakes() {
        String ok = "\"classpath\": [\"target/classes\"]";
        return Stream.of(
                Arguments.of("not JSON", "{\"agents\": {\"travel\": ", List.of("bad.json is not JSON", "line")),
                Arguments.of("a missing jar", "{\"agents\": {\"travel\": \"acme.Travel::agent\"}, \"classpath\": "
                        + "[\"lib/*.jar\"]}", List.of("classpath[0] \"lib/*.jar\" matches no file", "build the project")),
                Arguments.of("a missing class folder", "{\"agents\": {\"travel\": \"acme.Travel::agent\"}, "
                        + "\"classpath\": [\"build/classes\"]}", List.of("classpath[0] \"build/classes\"",
                        "does not exist")),
                Arguments.of("a missing class", "{\"agents\": {\"travel\": \"acme.Trip::agent\"}, " + ok + "}",
                        List.of("agents.travel: class acme.Trip is not on the manifest's classpath", "add its jar")),
                Arguments.of("a class without the factory", "{\"agents\": {\"travel\": \"acme.Travel::plan\"}, " + ok
                        + "}", List.of("agents.travel: acme.Travel has no method plan()", "add that method")),
                Arguments.of("a factory of the wrong type", "{\"agents\": {\"travel\": \"acme.Travel::notAnAgent\"}, "
                        + ok + "}", List.of("returns java.lang.String, not an AgentGraph")),
                Arguments.of("a factory that throws", "{\"agents\": {\"travel\": \"acme.Travel::broken\"}, " + ok + "}",
                        List.of("agents.travel: acme.Travel::broken failed: TRAVEL_KEY is not set", "--debug")),
                Arguments.of("a factory that returns null", "{\"agents\": {\"travel\": \"acme.Travel::nothing\"}, " + ok
                        + "}", List.of("agents.travel: acme.Travel::nothing returned null")),
                Arguments.of("two agents with one id", "{\"agents\": {\"travel\": \"acme.Travel::agent\", "
                        + "\"travel\": \"acme.SupportProvider\"}, " + ok + "}",
                        List.of("the key 'travel' appears twice", "give every agent its own id")),
                Arguments.of("a tool without a JSON schema", "{\"agents\": {\"travel\": \"acme.Travel::badTool\"}, "
                        + ok + "}", List.of("agents.travel: acme.Travel::badTool failed: acme.BadTools.take: parameter "
                        + "anything of type java.lang.Object has no JSON schema")),
                Arguments.of("a class that is no provider", "{\"agents\": {\"travel\": \"acme.NotAProvider\"}, " + ok
                        + "}", List.of("acme.NotAProvider does not implement dev.switchboard.agent.AgentProvider")),
                Arguments.of("an unknown key", "{\"agents\": {\"travel\": \"acme.Travel::agent\"}, \"graphs\": {}, " + ok
                        + "}", List.of("unknown key \"graphs\"")),
                Arguments.of("an unknown default agent", "{\"agents\": {\"travel\": \"acme.Travel::agent\"}, "
                        + "\"default_agent\": \"support\", " + ok + "}",
                        List.of("default_agent: \"support\" is not one of the agents", "[travel]")),
                Arguments.of("a missing env file", "{\"agents\": {\"travel\": \"acme.Travel::agent\"}, \"env\": "
                        + "\"prod.env\", " + ok + "}", List.of("env:", "prod.env does not exist")),
                Arguments.of("no agents", "{\"agents\": {}, " + ok + "}", List.of("agents: names no agent")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void eachMistake_stopsStartUpWithOneLineNamingTheEntry(String mistake, String json, List<String> says)
            throws Exception {
        Path file = manifest("bad.json", json);
        Outcome outcome = serve(project, "serve", "--config", file.toString(), "--port", "0", "--database-url",
                "jdbc:sqlite:" + project.resolve("never.db"));
        assertThat(outcome.exit()).as(mistake).isNotZero();
        assertThat(outcome.err().lines().toList()).as(mistake).hasSize(1).first().satisfies(line -> {
            assertThat(line).startsWith("switchboard: ").contains(" — ");
            says.forEach(fragment -> assertThat(line).contains(fragment));
        });
        assertThat(outcome.out()).doesNotContain("listening");
        assertThat(project.resolve("never.db")).doesNotExist();
    }

    @Test
    void aMissingManifest_namedWithConfig_isOneLine() {
        Outcome outcome = serve(project, "serve", "--config", "nowhere.json", "--port", "0");
        assertThat(outcome.exit()).isNotZero();
        assertThat(outcome.err().strip()).startsWith("switchboard: the manifest ").contains("nowhere.json does not exist");
    }

    @Test
    void aManifestInTheWorkingDirectory_isFoundWithoutConfig() throws Exception {
        Path dir = Files.createDirectories(project.resolve("elsewhere"));
        Files.writeString(dir.resolve(Manifest.FILE_NAME), "{\"agents\": {\"travel\": \"acme.Nope::agent\"}}");
        Outcome outcome = serve(dir, "serve", "--port", "0");
        assertThat(outcome.err().strip()).contains("switchboard.json agents.travel: class acme.Nope");
    }

    @Test
    void aGoodManifest_servesItsAgentsByTheirIds_withTheEnvFileAndTheConfigDefaults() throws Exception {
        Path file = manifest(Manifest.FILE_NAME, """
                {
                  "agents": {
                    "travel": "acme.Travel::agent",
                    "support": {"factory": "acme.SupportProvider", "config": {"configurable": {"tone": "formal"}}}
                  },
                  "classpath": ["target/*"],
                  "env": ".env",
                  "default_agent": "support"
                }
                """);
        try (Manifest manifest = Manifest.load(file, Map.of("PATH", "/usr/bin"));
                Hosting hosting = Hosting.open("jdbc:sqlite:" + project.resolve("good.db"), manifest.environment(),
                        null, false, manifest)) {
            var switchboard = hosting.switchboard();
            assertThat(switchboard.graphs().keySet()).containsExactlyInAnyOrder("travel", "support");
            assertThat(switchboard.defaultGraphId()).isEqualTo("support");
            assertThat(switchboard.graph("travel").tools()).extracting(t -> t.spec().name())
                    .containsExactly("findFlights");
            Assistant support = switchboard.assistant("support");
            assertThat(support.config().path("configurable").path("tone").asText()).isEqualTo("formal");
            assertThat(manifest.environment()).containsEntry("GREETING", "hello from the env file")
                    .containsEntry("PATH", "/usr/bin");

            UUID thread = switchboard.createThread(null, null, false).threadId();
            ObjectNode input = Json.object();
            input.putArray("messages").addObject().put("type", "human").put("content", "hi");
            Run run = switchboard.submit(RunRequest.of(thread, "travel", input));
            assertThat(switchboard.await(run.runId(), Duration.ofSeconds(10))).get().extracting(Run::status)
                    .isEqualTo(RunStatus.SUCCESS);
            assertThat(switchboard.state(thread, null).orElseThrow().values().path("messages").get(1)
                    .path("content").asText()).isEqualTo("hello from the env file");
        }
    }
}
