package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import org.junit.jupiter.api.Test;

/** The offline model across turns, on both lanes, with real tool results. */
class ConversationTest {
    private final InMemoryTelcoBackend backend = new InMemoryTelcoBackend(
            Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC));
    private final List<Message> conversation = new ArrayList<>();

    private AiMessage say(Purpose purpose, String text) throws Exception {
        conversation.add(HumanMessage.of(text));
        return reply(purpose);
    }

    private AiMessage reply(Purpose purpose) throws Exception {
        AiMessage ai = Requests.answer(purpose, conversation);
        conversation.add(ai);
        return ai;
    }

    /** Runs the quick tools the model called, for real, and lets it answer from their results. */
    private AiMessage runTools(Purpose purpose, AiMessage calls) throws Exception {
        for (ToolCall call : calls.toolCalls()) {
            Tool tool = TelcoTools.all(backend, TelcoSettings.ofScale(0)).stream()
                    .filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow();
            conversation.add(ToolMessage.success(call.id(), call.name(), tool.call(call.args(), new StubContext())));
        }
        return reply(purpose);
    }

    private static ToolCall onlyCall(AiMessage ai) {
        assertThat(ai.toolCalls()).as("calls of: %s", ai.content()).hasSize(1);
        return ai.toolCalls().getFirst();
    }

    @Test
    void aMissingPackage_isAskedFor_andTheNextMessageFillsIt_evenWithATypo() throws Exception {
        AiMessage question = say(Purpose.ANSWER, "I want to change my package");
        assertThat(question.toolCalls()).isEmpty();
        assertThat(question.content()).isEqualTo("Which package would you like to move to: Basic, Standard, Premium or Unlimited?");

        ToolCall call = onlyCall(say(Purpose.ANSWER, "premuim please"));
        assertThat(call.name()).isEqualTo("change_package");
        assertThat(call.args()).isEqualTo(Json.parse("{\"package\":\"premium\"}"));
        assertThat(conversation.getLast().content()).startsWith("Sure — I'm changing your package to Premium now.");
    }

    @Test
    void anAnswerThatFillsNothing_getsTheQuestionAgain_andNeverMindDropsIt() throws Exception {
        say(Purpose.ANSWER, "change my plan");
        AiMessage again = say(Purpose.ANSWER, "hmm");
        assertThat(again.content()).isEqualTo(
                "Sorry, I didn't catch that. Which package would you like to move to: Basic, Standard, Premium or Unlimited?");
        assertThat(onlyCall(say(Purpose.ANSWER, "the unlimited one")).args().path("package").asText()).isEqualTo("unlimited");

        say(Purpose.ANSWER, "change my package");
        AiMessage dropped = say(Purpose.ANSWER, "never mind");
        assertThat(dropped.toolCalls()).isEmpty();
        assertThat(dropped.content()).startsWith("OK, I won't.");
    }

    @Test
    void aVagueRequestToClose_callsTheTool_whoseApprovalAsksTheCustomer() throws Exception {
        // The runtime pauses close_contract for the customer's approval (stating the fee), so the model does not
        // ask a confirmation of its own first: one question, not two.
        assertThat(onlyCall(say(Purpose.ANSWER, "end it")).name()).isEqualTo("close_contract");
    }

    @Test
    void aNewRequest_whileAQuestionIsOpen_isAnsweredInstead() throws Exception {
        say(Purpose.ANSWER, "change my package");
        assertThat(onlyCall(say(Purpose.ANSWER, "actually, what's my data balance?")).name()).isEqualTo("get_data_balance");
    }

    @Test
    void aPassForACountry_asksWhichPass_thenBuysIt() throws Exception {
        AiMessage question = say(Purpose.ANSWER, "buy a roaming pass for Greece");
        assertThat(question.content()).isEqualTo("Would you like a day pass or a week pass for Greece?");
        ToolCall call = onlyCall(say(Purpose.ANSWER, "a week"));
        assertThat(call.name()).isEqualTo("purchase_roaming_pass");
        assertThat(call.args()).isEqualTo(Json.parse("{\"country\":\"Greece\",\"pass\":\"week\"}"));
    }

    @Test
    void roamingInfo_isAnsweredFromTheToolResult_andOffersThePasses() throws Exception {
        AiMessage info = runTools(Purpose.ANSWER, say(Purpose.ANSWER, "what roaming passes are there for Spain?"));
        assertThat(info.content()).startsWith("Spain is in our Europe zone. Passes there: the Europe Day Pass (1 day, "
                + "2 GB of data and 100 minutes) for £2.50; the Europe Week Pass (7 days, 10 GB of data and 500 minutes) "
                + "for £12.00.");
        ToolCall buy = onlyCall(say(Purpose.ANSWER, "the week pass please"));
        assertThat(buy.args()).isEqualTo(Json.parse("{\"country\":\"Spain\",\"pass\":\"week\"}"));
    }

    @Test
    void quickAnswers_relayTheToolResults() throws Exception {
        assertThat(runTools(Purpose.ANSWER, say(Purpose.ANSWER, "how much data do I have left?")).content())
                .isEqualTo("You have 16.9 GB of data left this month (you've used 8.1 GB of 25 GB). It resets on 1 December 2026.");
        assertThat(runTools(Purpose.ANSWER, say(Purpose.ANSWER, "what package am I on?")).content())
                .isEqualTo("You're on the Standard package: £20.00/month, 25 GB data, 1,000 minutes. "
                        + "Your contract's minimum term ends on 28 February 2027.");
        AiMessage packages = runTools(Purpose.ANSWER, say(Purpose.ANSWER, "what packages do you have"));
        assertThat(packages.content()).contains("Standard at £20.00/month (25 GB data, 1,000 minutes) — your current package");
        assertThat(onlyCall(say(Purpose.ANSWER, "Unlimited")).args().path("package").asText()).isEqualTo("unlimited");
    }

    @Test
    void aToolError_isRelayed() throws Exception {
        AiMessage call = say(Purpose.ANSWER, "roaming in Narnia");
        conversation.add(ToolMessage.error(onlyCall(call).id(), "get_roaming_info",
                "Error: I don't know a country called 'Narnia'. Try a name such as Spain, the USA or Japan."));
        assertThat(reply(Purpose.ANSWER).content())
                .isEqualTo("Sorry — I don't know a country called 'Narnia'. Try a name such as Spain, the USA or Japan.");
    }

    @Test
    void twoRequestsInOneMessage_callBothTools() throws Exception {
        AiMessage ai = say(Purpose.ANSWER, "what's my data balance and what roaming passes are there for Spain?");
        assertThat(ai.toolCalls()).extracting(ToolCall::name).containsExactly("get_data_balance", "get_roaming_info");
        AiMessage answer = runTools(Purpose.ANSWER, ai);
        assertThat(answer.content()).contains("You have 16.9 GB of data left").contains("Spain is in our Europe zone");
    }

    @Test
    void onlyOfferedTools_areCalled() throws Exception {
        ObjectNode none = Json.object();
        AiMessage ai = Requests.MODEL.chat(new dev.switchboard.model.ModelRequest(
                List.of(HumanMessage.of("change my package to premium")), List.of(), none), t -> { });
        assertThat(ai.toolCalls()).isEmpty();
        assertThat(ai.content()).isEqualTo("I can't do that from here.");
    }

    // ---- the secondary lane ----------------------------------------------------------------------------------

    /** The main lane's view while an operation runs, as the runtime shows it to the secondary lane. */
    private void operationInFlight(String tool, String args) {
        conversation.add(HumanMessage.of("change my package to premium"));
        ToolCall call = ToolCall.of(tool, (ObjectNode) Json.parse(args));
        conversation.add(AiMessage.ofToolCalls("Sure — I'm changing your package to Premium now.", List.of(call)));
        conversation.add(ToolMessage.success(call.id(), tool, "In progress in the background; call check_status for its progress."));
    }

    @Test
    void onTheSecondaryLane_aChangeIsHeldBack_neverCalled() throws Exception {
        operationInFlight("change_package", "{\"package\":\"premium\"}");
        for (String request : List.of("close my contract", "buy a week pass for France", "change my package to basic",
                "show me my bill")) {
            AiMessage ai = say(Purpose.SECONDARY, request);
            assertThat(ai.toolCalls()).as(request).isEmpty();
            assertThat(ai.content()).as(request).contains("while your package change is still in progress")
                    .contains("once it has finished").contains("Nothing has been changed yet.");
        }
        assertThat(conversation.get(conversation.size() - 7).content())
                .isEqualTo("I can't close your contract while your package change is still in progress — I'll pick that "
                        + "up once it has finished. Nothing has been changed yet.");
    }

    @Test
    void onTheSecondaryLane_statusAndCancel_areReportedInWords() throws Exception {
        operationInFlight("change_package", "{\"package\":\"premium\"}");
        AiMessage status = say(Purpose.SECONDARY, "how far along is it?");
        ToolCall check = onlyCall(status);
        assertThat(check.name()).isEqualTo("check_status");
        conversation.add(ToolMessage.success(check.id(), "check_status", "{\"operation_id\":\"x\",\"tool\":\"change_package\","
                + "\"status\":\"running\",\"percent\":40,\"step\":\"provisioning on the network\",\"elapsed_seconds\":4,"
                + "\"cancel_requested\":false}"));
        assertThat(reply(Purpose.SECONDARY).content()).isEqualTo("It's 40% done — provisioning on the network.");

        ToolCall cancel = onlyCall(say(Purpose.SECONDARY, "cancel it"));
        assertThat(cancel.name()).isEqualTo("cancel_operation");
        conversation.add(ToolMessage.success(cancel.id(), "cancel_operation", "{\"tool\":\"change_package\",\"status\":"
                + "\"running\",\"percent\":60,\"step\":\"provisioning on the network\",\"cancel\":\"past_point_of_no_return\"}"));
        assertThat(reply(Purpose.SECONDARY).content()).isEqualTo("Sorry, it's too late to cancel your package change: "
                + "it's already at 60% (provisioning on the network), past the point of no return, so it will complete.");

        ToolCall cancelAgain = onlyCall(say(Purpose.SECONDARY, "stop the package change"));
        conversation.add(ToolMessage.success(cancelAgain.id(), "cancel_operation", "{\"tool\":\"change_package\",\"status\":"
                + "\"running\",\"percent\":10,\"step\":\"checking eligibility\",\"cancel\":\"accepted\"}"));
        assertThat(reply(Purpose.SECONDARY).content())
                .isEqualTo("OK — I've cancelled your package change. It stopped at 10% (checking eligibility) and nothing was changed.");
    }

    @Test
    void onTheSecondaryLane_quickQuestionsUseTheQuickTools() throws Exception {
        operationInFlight("change_package", "{\"package\":\"premium\"}");
        AiMessage ai = say(Purpose.SECONDARY, "what's my data balance?");
        assertThat(onlyCall(ai).name()).isEqualTo("get_data_balance");
        assertThat(runTools(Purpose.SECONDARY, ai).content()).startsWith("You have 16.9 GB of data left this month");
    }
}
