package dev.switchboard.server.manifest;

import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.agent.AgentGraph;
import dev.switchboard.langchain4j.LangChain4jAgent;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A team's agent project as the manifest sees it: Java sources compiled into a class folder that is not on the
 * test's class path, so only the manifest's own class loader can find them.
 */
final class AgentSources {
    private AgentSources() {
    }

    /** Compiles {@code sources} (class name → source) into {@code out}, against Switchboard and LangChain4j. */
    static Path compile(Path out, Map<String, String> sources) throws Exception {
        Path src = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src"));
        List<String> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file.toString());
        }
        Files.createDirectories(out);
        String classPath = Stream.of(AgentGraph.class, LangChain4jAgent.class, Tool.class,
                        com.fasterxml.jackson.databind.JsonNode.class, com.fasterxml.jackson.core.JsonParser.class,
                        com.fasterxml.jackson.annotation.JsonProperty.class)
                .map(c -> Path.of(location(c)).toString()).distinct().collect(Collectors.joining(File.pathSeparator));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-parameters", "-d", out.toString(), "-cp", classPath));
        args.addAll(files);
        int exit = javac.run(null, null, null, args.toArray(String[]::new));
        if (exit != 0) {
            throw new IllegalStateException("the test's agent sources do not compile");
        }
        return out;
    }

    private static java.net.URI location(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
