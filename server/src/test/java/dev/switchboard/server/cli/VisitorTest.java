package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The terminal chat keeps one visitor id, so a conversation continued later acts on the same demo account. */
class VisitorTest {
    @TempDir
    Path home;

    @Test
    void theFirstChat_makesAnId_andEveryLaterOneKeepsIt() throws Exception {
        String first = Visitor.id(Map.of(), home);
        String again = Visitor.id(Map.of(), home);

        assertThat(first).startsWith("cli-").matches("[A-Za-z0-9._-]{8,128}");
        assertThat(again).isEqualTo(first);
        assertThat(Files.readString(home.resolve(".switchboard/visitor")).strip()).isEqualTo(first);
    }

    @Test
    void theEnvironment_namesOne_andNothingIsWritten() {
        assertThat(Visitor.id(Map.of("SWITCHBOARD_VISITOR", "terminal-two"), home)).isEqualTo("terminal-two");
        assertThat(home.resolve(".switchboard")).doesNotExist();
    }

    @Test
    void aDamagedFile_isReplaced() throws Exception {
        Files.createDirectories(home.resolve(".switchboard"));
        Files.writeString(home.resolve(".switchboard/visitor"), "bad id!\n");

        String id = Visitor.id(Map.of(), home);

        assertThat(id).startsWith("cli-");
        assertThat(Visitor.id(Map.of(), home)).isEqualTo(id);
    }
}
