package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import dev.switchboard.tool.Tool;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Understanding by similarity: new phrasings, unclear requests, out-of-domain ones, several at once, lazy loading. */
class UnderstandingTest {
    private final InMemoryTelcoBackend backend = new InMemoryTelcoBackend(
            Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));
    private final List<Message> conversation = new ArrayList<>();

    private AiMessage say(String text) throws Exception {
        conversation.add(HumanMessage.of(text));
        AiMessage ai = Requests.answer(Purpose.ANSWER, conversation);
        conversation.add(ai);
        return ai;
    }

    private AiMessage runQuickTools(AiMessage calls) throws Exception {
        for (ToolCall call : calls.toolCalls()) {
            Tool tool = TelcoTools.all(backend, TelcoSettings.ofScale(0)).stream()
                    .filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow();
            conversation.add(ToolMessage.success(call.id(), call.name(), tool.call(call.args(), new StubContext())));
        }
        AiMessage ai = Requests.answer(Purpose.ANSWER, conversation);
        conversation.add(ai);
        return ai;
    }

    /** The phrasings the issue reported as misunderstood. */
    @ParameterizedTest(name = "\"{0}\" → {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            I want Premium instead of what I have now     | change_package      | {"package":"premium"}
            do you have any extras I can add to my plan   | list_addons         | {}
            plz show my bil                               | get_billing_summary | {}
            """)
    void phrasingsThatUsedToBeMissed_areUnderstood(String utterance, String tool, String args) throws Exception {
        AiMessage ai = say(utterance);
        assertThat(ai.toolCalls()).as("answer: %s", ai.content()).hasSize(1);
        assertThat(ai.toolCalls().getFirst().name()).isEqualTo(tool);
        assertThat(ai.toolCalls().getFirst().args()).isEqualTo(Json.parse(args));
    }

    @Test
    void needARoamingPassForTheUsa_isAPurchase_thatAsksWhichPass() throws Exception {
        AiMessage ai = say("Need a roaming pass for the USA");
        assertThat(ai.toolCalls()).isEmpty();
        assertThat(ai.content()).isEqualTo("Would you like a day pass or a week pass for United States?");
        ToolCall buy = say("a week one").toolCalls().getFirst();
        assertThat(buy.name()).isEqualTo("purchase_roaming_pass");
        assertThat(buy.args()).isEqualTo(Json.parse("{\"country\":\"United States\",\"pass\":\"week\"}"));
    }

    @Test
    void aPassAndACountry_withoutAVerb_isAPurchase_notABareCountry() throws Exception {
        ToolCall buy = say("a day pass for Greece").toolCalls().getFirst();
        assertThat(buy.name()).isEqualTo("purchase_roaming_pass");
        assertThat(buy.args()).isEqualTo(Json.parse("{\"country\":\"Greece\",\"pass\":\"day\"}"));
        assertThat(say("Greece please").toolCalls()).as("a bare country still means roaming there")
                .extracting(ToolCall::name).containsExactly("get_roaming_info");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            what's the weather in Paris?
            what time is it in Tokyo
            can you book me a flight to Spain
            write me a poem about the sea
            who won the world cup
            """)
    void outOfDomain_getsAPoliteRefusal_andNoToolCall(String utterance) throws Exception {
        AiMessage ai = say(utterance);
        assertThat(ai.toolCalls()).isEmpty();
        assertThat(ai.content()).startsWith("I'm your mobile account assistant, so I can't help with that one")
                .contains("What would you like to do?");
    }

    @Test
    void outOfDomain_onTheSecondaryLane_isRefusedToo() throws Exception {
        AiMessage ai = Requests.answer(Purpose.SECONDARY, List.of(HumanMessage.of("what's the weather in Paris?")));
        assertThat(ai.toolCalls()).isEmpty();
        assertThat(ai.content()).startsWith("I'm your mobile account assistant");
    }

    @Test
    void anUnclearRequest_getsAShortClarifyingQuestion_andYesDoesIt() throws Exception {
        AiMessage question = say("can you check my account");
        assertThat(question.toolCalls()).isEmpty();
        assertThat(question.content()).startsWith("Sorry, I'm not quite sure what you mean — would you like me to ")
                .endsWith("?");
        assertThat(Dialogue.pending(question.additionalKwargs())).get().extracting(Dialogue.Pending::slot)
                .isEqualTo(Dialogue.CLARIFY);

        assertThat(say("yes please").toolCalls()).extracting(ToolCall::name).containsExactly("get_current_package");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', textBlock = """
            how much is it
            what does that cost?
            is it expensive
            how much are they
            """)
    void aPriceQuestionNamingNothing_withNothingBefore_getsAClarifyingQuestion_notTheBill(String text) throws Exception {
        AiMessage question = say(text);
        assertThat(question.toolCalls()).isEmpty();
        assertThat(question.content()).startsWith("Sorry, I'm not quite sure what you mean").endsWith("?");
        assertThat(Dialogue.pending(question.additionalKwargs())).get().extracting(Dialogue.Pending::slot)
                .isEqualTo(Dialogue.CLARIFY);
    }

    @Test
    void aPriceQuestionNamingNothing_afterALookUp_asksThatLookUpAgain() throws Exception {
        runQuickTools(say("what passes are there for spain"));
        AiMessage again = say("how much is it");
        assertThat(again.toolCalls()).extracting(ToolCall::name).containsExactly("get_roaming_info");
        assertThat(again.toolCalls().getFirst().args().path("country").asText()).isEqualTo("Spain");
    }

    @Test
    void aPriceQuestionNamingNothing_afterAChange_neverRepeatsTheChange_butAsks() throws Exception {
        say("switch me to premium");
        say("no");
        AiMessage question = say("how much is it");
        assertThat(question.toolCalls()).isEmpty();
        assertThat(Dialogue.pending(question.additionalKwargs())).get().extracting(Dialogue.Pending::slot)
                .isEqualTo(Dialogue.CLARIFY);
    }

    @Test
    void aPriceQuestionNamingNothing_afterTheListOfPackages_showsThePackagesAgain() throws Exception {
        runQuickTools(say("what packages have you got"));
        assertThat(say("how much are they").toolCalls()).extracting(ToolCall::name)
                .containsExactly("list_available_packages");
    }

    @Test
    void aPriceNamingItsSubject_isStillAnsweredAtOnce() throws Exception {
        assertThat(say("how much is my bill").toolCalls()).extracting(ToolCall::name)
                .containsExactly("get_billing_summary");
        assertThat(say("how much is the premium plan").toolCalls()).extracting(ToolCall::name)
                .containsExactly("list_available_packages");
    }

    @Test
    void aClarifyingQuestion_answeredWithARequest_doesThatRequest_andNoDeclines() throws Exception {
        say("can you check my account");
        assertThat(say("no, my data balance").toolCalls()).extracting(ToolCall::name).containsExactly("get_data_balance");

        say("can you check my account");
        AiMessage no = say("no");
        assertThat(no.toolCalls()).isEmpty();
        assertThat(no.content()).startsWith("OK — what would you like me to do?");
    }

    @Test
    void aQuickAndASlowRequestInOneMessage_theQuickOneIsAnsweredFirst_thenTheSlowOneStarts() throws Exception {
        AiMessage first = say("switch me to premium and tell me my data balance");
        assertThat(first.toolCalls()).extracting(ToolCall::name).containsExactly("get_data_balance");

        AiMessage second = runQuickTools(first);

        assertThat(second.content()).startsWith("You have 16.9 GB of data left this month")
                .contains("Sure — I'm changing your package to Premium now.");
        assertThat(second.toolCalls()).extracting(ToolCall::name).containsExactly("change_package");
        assertThat(second.toolCalls().getFirst().args()).isEqualTo(Json.parse("{\"package\":\"premium\"}"));
    }

    @Test
    void twoQuickRequests_areBothLookedUpAtOnce() throws Exception {
        assertThat(say("what plan am I on and what add-ons are there").toolCalls()).extracting(ToolCall::name)
                .containsExactly("get_current_package", "list_addons");
    }

    @Test
    void oneRequestWithAnAnd_staysOneRequest() throws Exception {
        assertThat(say("what are the roaming zones and prices").toolCalls()).extracting(ToolCall::name)
                .containsExactly("get_roaming_info");
    }

    @Test
    void shortTypos_andMisspeltPlurals_areRepaired() {
        Understanding understanding = new Understanding(Knowledge.bundled(), sentences -> {
            throw new AssertionError("typo repair needs no encoder");
        });
        assertThat(understanding.correct("bil")).isEqualTo("bill");
        assertThat(understanding.correct("adons")).isEqualTo("addon");
        assertThat(understanding.correct("premuim")).isEqualTo("premium");
        assertThat(understanding.correct("into")).as("an ordinary word is left alone").isEqualTo("into");
    }

    @Test
    void theSentenceEncoder_isNotUsedUntilTheFirstRead_thenEncodesTheExamplesOnce() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        AtomicInteger sentences = new AtomicInteger();
        Similarity.Encoder counting = texts -> {
            batches.incrementAndGet();
            sentences.addAndGet(texts.size());
            List<float[]> out = new ArrayList<>();
            for (String t : texts) {
                float[] v = new float[8];
                v[Math.floorMod(t.hashCode(), 8)] = 1f;
                out.add(v);
            }
            return out;
        };
        Understanding understanding = new Understanding(Knowledge.bundled(), counting);
        assertThat(batches).as("encoder calls while constructing").hasValue(0);

        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                reads.add(pool.submit(() -> {
                    go.await();
                    return understanding.read("what's my data balance", null);
                }));
            }
            go.countDown();
            for (Future<?> f : reads) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        int examples = Knowledge.bundled().intents().stream().mapToInt(i -> i.examples().size()).sum()
                + Knowledge.bundled().outOfDomain().size();
        assertThat(sentences).as("the examples once, then one sentence per read").hasValue(examples + threads);
        assertThat(batches).hasValue(1 + threads);
    }
}
