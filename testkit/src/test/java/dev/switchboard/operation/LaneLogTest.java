package dev.switchboard.operation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.run.Run;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** TELCO_DEBUG / SWITCHBOARD_DEBUG: one log line per coordination step. */
class LaneLogTest {

    @Test
    void debugOn_statusFlow_logsEveryCoordinationStepOnOneLine() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("switchboard.lanes");
        logger.addHandler(capture);
        System.setProperty("switchboard.debug", "true");
        try (LaneHarness h = new LaneHarness(Duration.ofSeconds(5))) {
            UUID thread = h.newThread();
            Run main = h.send(thread, "please change my plan");
            h.awaitProgress(main, 10);
            h.awaitEnd(h.send(thread, "how far along is it?"));
            h.release();
            h.awaitEnd(main);
        } finally {
            System.clearProperty("switchboard.debug");
            logger.removeHandler(capture);
        }
        assertThat(lines).allMatch(l -> !l.contains("\n"));
        for (String step : List.of("lanes lane-open", "lanes route", "lanes secondary-lock-taken",
                "lanes secondary-lock-released", "lanes lane-closing", "lanes synthesis ", "lanes synthesis-written")) {
            assertThat(lines).as(step).anyMatch(l -> l.startsWith(step));
        }
        assertThat(lines).anyMatch(l -> l.startsWith("lanes route") && l.contains("lane=secondary"));
        assertThat(lines).anyMatch(l -> l.startsWith("lanes synthesis ") && l.contains("interim_messages=4"));
    }

    @Test
    void telcoDebug_readAtTheEdge_turnsTheLinesOn() {
        var on = dev.switchboard.RuntimeSettings.fromEnvironment(java.util.Map.of("TELCO_DEBUG", "1"));
        try {
            dev.switchboard.Switchboard.builder().graph(dev.switchboard.agent.AgentGraph.of("g", "", c -> null,
                    List.of())).settings(on).build().close();
            assertThat(LaneLog.isEnabled()).isTrue();
        } finally {
            LaneLog.enable(false);
        }
        assertThat(LaneLog.isEnabled()).isFalse();
    }
}
