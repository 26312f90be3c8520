package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void demo_replaysTheThreeScenariosWithTimingsAndExitsZero() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        int exit = new DemoCommand().run(out, StandardCharsets.UTF_8);

        String transcript = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(transcript).isZero();
        assertThat(transcript).contains("== " + DemoCommand.ROLLBACK + " ==", "== " + DemoCommand.STATUS + " ==",
                "== " + DemoCommand.SECONDARY + " ==");
        assertThat(transcript).contains("[rolled back]", "[secondary lane]", "Demo finished.");
        assertThat(transcript).containsPattern("\\[\\s*\\d+\\.\\d{2}s] you › ");
    }
}
