package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each set-up mistake a newcomer makes with {@code switchboard serve}: one line on stderr saying what is wrong
 * and what to do, a non-zero exit, no stack trace, no "stopping" message, no secret repeated back.
 */
class StartupErrorsTest {
    private static ServerSocket busy;

    @TempDir
    static Path dir;

    @BeforeAll
    static void occupyAPort() throws Exception {
        busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }

    @AfterAll
    static void freeThePort() throws Exception {
        busy.close();
    }

    record Outcome(int exit, String out, String err) {
    }

    private static Outcome run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.execute(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> mistakes() throws Exception {
        Path aFile = Files.writeString(dir.resolve("a-file"), "not a directory");
        List<Arguments> rows = new ArrayList<>();
        rows.add(Arguments.of("a busy port", Map.of(), List.of("--port", Integer.toString(busy.getLocalPort())),
                List.of("port " + busy.getLocalPort() + " on 127.0.0.1 is already in use", "--port", "SWITCHBOARD_PORT"),
                "-"));
        rows.add(Arguments.of("a port that is not a number", Map.of("SWITCHBOARD_PORT", "eighty"), List.of(),
                List.of("SWITCHBOARD_PORT must be a whole number, not 'eighty'", "switchboard serve --help"), "-"));
        rows.add(Arguments.of("a port out of range", Map.of("SWITCHBOARD_PORT", "70000"), List.of(),
                List.of("SWITCHBOARD_PORT must be between 0 and 65535, not 70000"), "-"));
        rows.add(Arguments.of("a malformed key setting", Map.of("SWITCHBOARD_API_KEYS", "k1:alice,s3cr3t-only"),
                List.of("--port", "0"), List.of("SWITCHBOARD_API_KEYS entry 2 of 2 is not key:user",
                        "key:user,key:user"), "s3cr3t-only"));
        rows.add(Arguments.of("a provider without its key", Map.of("REACT_MODEL", "openai:gpt-4o"), List.of("--port", "0"),
                List.of("the model openai:gpt-4o needs OPENAI_API_KEY — set it", "offline needs no key"), "-"));
        rows.add(Arguments.of("an unknown model", Map.of(), List.of("--port", "0", "--model", "gemini:pro"),
                List.of("REACT_MODEL=gemini:pro", "unknown model provider"), "-"));
        rows.add(Arguments.of("an unknown database URL", Map.of(), List.of("--port", "0", "--database-url", "mysql://db"),
                List.of("unsupported database URL", "--database-url", "SWITCHBOARD_DATABASE_URL"), "-"));
        rows.add(Arguments.of("an unwritable database directory", Map.of(),
                List.of("--port", "0", "--database-url", "jdbc:sqlite:" + aFile.resolve("sub/db.sqlite")),
                List.of("cannot create the database directory", "--database-url"), "-"));
        rows.add(Arguments.of("an unreachable PostgreSQL with a password in its URL", Map.of(),
                List.of("--port", "0", "--database-url", "jdbc:postgresql://127.0.0.1:" + busy.getLocalPort()
                        + "/app?user=me&password=hunter2&connectTimeout=2&socketTimeout=2"),
                List.of("cannot use the database jdbc:postgresql://127.0.0.1:" + busy.getLocalPort() + "/app",
                        "check that PostgreSQL is running"), "hunter2"));
        rows.add(Arguments.of("a scripted flag that is not true or false",
                Map.of("SWITCHBOARD_SCRIPTED_ASSISTANT", "maybe"), List.of("--port", "0"),
                List.of("SWITCHBOARD_SCRIPTED_ASSISTANT must be true or false"), "-"));
        rows.add(Arguments.of("an unknown option", Map.of(), List.of("--prot", "8124"),
                List.of("Unknown option", "'--prot'", "see 'switchboard serve --help'"), "-"));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void eachStartupMistake_isOneActionableLine_withANonZeroExit(String mistake, Map<String, String> env,
            List<String> args, List<String> said, String secret) {
        Map<String, String> environment = new HashMap<>(env);
        List<String> command = new ArrayList<>(List.of("serve"));
        if (!args.contains("--database-url")) {
            command.addAll(List.of("--database-url", "jdbc:sqlite:" + dir.resolve("ok.db")));
        }
        command.addAll(args);
        Outcome outcome = run(environment, command.toArray(String[]::new));

        assertThat(outcome.exit()).as(mistake).isNotZero();
        assertThat(outcome.err().lines().toList()).as(mistake + ": " + outcome.err()).hasSize(1);
        String line = outcome.err().strip();
        assertThat(line).startsWith("switchboard: ").contains(" — ");
        for (String words : said) {
            assertThat(line).as(mistake).contains(words);
        }
        assertThat(line).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(outcome.out()).as("nothing started, so nothing stops").doesNotContain("stopping");
        if (!secret.equals("-")) {
            assertThat(outcome.err() + outcome.out()).doesNotContain(secret);
        }
    }

    @Test
    void debug_addsTheStackTrace() {
        Outcome outcome = run(Map.of("SWITCHBOARD_PORT", "eighty"), "serve", "--debug");

        assertThat(outcome.exit()).isNotZero();
        assertThat(outcome.err()).startsWith("switchboard: SWITCHBOARD_PORT must be a whole number")
                .contains("\tat ");
    }
}
