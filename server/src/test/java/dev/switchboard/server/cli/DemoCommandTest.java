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
        DemoCommand demo = new DemoCommand();
        demo.timeScale = 0.2;

        int exit = demo.run(out, StandardCharsets.UTF_8);

        String transcript = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(transcript);
        assertThat(exit).as(transcript).isZero();
        assertThat(transcript).contains("== " + DemoCommand.ROLLBACK + " ==", "== " + DemoCommand.STATUS + " ==",
                "== " + DemoCommand.SECONDARY + " ==", "Demo finished.");
        assertThat(transcript).as("the first answer was cut by the rollback").contains("[rolled back]");
        assertThat(transcript).as("questions during an operation").contains("agent [secondary lane] › ");
        assertThat(transcript).as("operations end").contains("✔ change_package [████████████████████] 100%");
        assertThat(transcript).as("timings").containsPattern("\\[\\s*\\d+\\.\\d{2}s] you › ");
    }

    @Test
    void demo_refusesANonsenseTimeScale() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DemoCommand demo = new DemoCommand();
        demo.timeScale = -1;

        int exit = demo.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), StandardCharsets.UTF_8);

        assertThat(exit).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("--time-scale must be above 0");
    }
}
