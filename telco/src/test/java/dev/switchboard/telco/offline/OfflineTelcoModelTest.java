package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.operation.OperationTools;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolKind;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Streaming, pace, interruption, determinism, start-up time, and the knowledge file's consistency with the tools. */
class OfflineTelcoModelTest {
    private static ModelRequest ask(String text, int tokenDelayMs) {
        ObjectNode configurable = Json.object();
        if (tokenDelayMs >= 0) {
            configurable.put(OfflineTelcoModel.TOKEN_DELAY_KEY, tokenDelayMs);
        }
        return new ModelRequest(List.of(HumanMessage.of(text)), Requests.MAIN, configurable, Purpose.ANSWER);
    }

    @Test
    void answers_streamAsWordPieces_thatJoinToTheMessage() throws Exception {
        List<String> tokens = new CopyOnWriteArrayList<>();
        AiMessage ai = new OfflineTelcoModel(Duration.ZERO).chat(ask("what can you do?", -1), tokens::add);

        assertThat(String.join("", tokens)).isEqualTo(ai.content());
        assertThat(tokens).hasSizeGreaterThan(40).allSatisfy(t -> assertThat(t.strip().length()).isBetween(1, 10));
        assertThat(Speech.pieces("internationally roaming")).containsExactly("intern", "ationa", "lly", " roaming");
    }

    @Test
    void thePace_comesFromTheRunsConfigurable_elseTheConstructor() throws Exception {
        OfflineTelcoModel slow = new OfflineTelcoModel(Duration.ofSeconds(30));
        List<String> tokens = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        slow.chat(ask("hello", 2), tokens::add);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(2L * tokens.size()).isLessThan(10_000);
    }

    @Test
    void interruptingTheCaller_stopsTheStream() {
        List<String> tokens = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                new OfflineTelcoModel(Duration.ofMillis(50)).chat(ask("what can you do?", -1), tokens::add);
                outcome.set(new AssertionError("finished"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> tokens.size() >= 2);
        caller.interrupt();
        await().atMost(Duration.ofSeconds(5)).until(() -> outcome.get() != null);
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(tokens.size()).isLessThan(10);
    }

    @Test
    void theSameRequest_getsTheSameAnswer() throws Exception {
        OfflineTelcoModel model = new OfflineTelcoModel(Duration.ZERO);
        for (String text : List.of("hi", "change my package", "what's the weather like?", "buy a pass for Spain")) {
            assertThat(model.chat(ask(text, 0), t -> { }).content()).isEqualTo(model.chat(ask(text, 0), t -> { }).content());
        }
    }

    /** The first answer also loads the embedding model and encodes the examples (about 0.7 s); later ones are quick. */
    @Test
    void theKnowledge_loadsAndAnswers_inUnderThreeSeconds_thenInMilliseconds() throws Exception {
        long start = System.nanoTime();
        Knowledge knowledge = Knowledge.load();
        Responder responder = new Responder(knowledge, new Understanding(knowledge));
        Responder.Turn turn = responder.respond(ask("change my package to premium", 0));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(turn.calls()).hasSize(1);

        long again = System.nanoTime();
        assertThat(responder.respond(ask("how much data have I got left", 0)).calls()).hasSize(1);
        assertThat(Duration.ofNanos(System.nanoTime() - again)).isLessThan(Duration.ofMillis(250));
    }

    @Test
    void theKnowledge_speaksOfTheToolsAndCatalogueThatExist() {
        Knowledge k = Knowledge.bundled();
        InMemoryTelcoBackend backend = new InMemoryTelcoBackend();
        List<Tool> tools = TelcoTools.all(backend, TelcoSettings.ofScale(0));
        Set<String> toolNames = tools.stream().map(t -> t.spec().name()).collect(Collectors.toSet());
        Set<String> longTools = tools.stream().filter(t -> t.spec().kind() == ToolKind.LONG_RUNNING)
                .map(t -> t.spec().name()).collect(Collectors.toSet());
        Set<String> laneTools = Set.of(OperationTools.CHECK_STATUS, OperationTools.CANCEL_OPERATION);

        for (Knowledge.Intent intent : k.intents()) {
            if (intent.tool() != null) {
                assertThat(toolNames.contains(intent.tool()) || laneTools.contains(intent.tool())).as(intent.name()).isTrue();
            }
        }
        assertThat(k.intents().stream().map(Knowledge.Intent::tool)).containsAll(toolNames).containsAll(laneTools);
        assertThat(k.toolPhrases().keySet()).isEqualTo(longTools);
        assertThat(k.prefaces().keySet()).isEqualTo(longTools);
        for (String tool : k.answers().keySet()) {
            assertThat(toolNames.contains(tool) && !longTools.contains(tool) || laneTools.contains(tool)).as(tool).isTrue();
        }
        for (String tool : longTools) {
            assertThat(k.outcomes()).containsKey(tool + ".succeeded");
        }
        assertThat(k.slotTypes().get("package").values()).extracting(Knowledge.SlotValue::value)
                .containsExactlyElementsOf(backend.packages().stream().map(MobilePackage::packageId).toList());
        for (Knowledge.SlotValue country : k.slotTypes().get("country").values()) {
            assertThat(backend.countryZone(country.value())).as(country.value()).isPresent();
            for (String synonym : country.synonyms()) {
                assertThat(backend.countryZone(synonym)).as(synonym).get()
                        .extracting(c -> c.country()).isEqualTo(country.value());
            }
        }
    }

    @Test
    void aBrokenKnowledgeFile_isRejectedWithTheReason() {
        assertThatThrownBy(() -> Knowledge.parse(Json.parse("""
                {"slot_types":{},"intents":[{"name":"x","tool":"t","examples":["a"],
                  "slots":[{"name":"s","type":"nope"}]}]}""")))
                .hasMessageContaining("unknown slot type nope");
        assertThatThrownBy(() -> Knowledge.parse(Json.parse("""
                {"slot_types":{},"intents":[{"name":"x","tool":"t","examples":["a"]}]}""")))
                .as("a tool intent without the words to ask \"do you want me to …?\"").hasMessageContaining("needs a gloss");
        assertThatThrownBy(() -> Template.parse("{#open}never closed")).hasMessageContaining("never closed");
    }
}
