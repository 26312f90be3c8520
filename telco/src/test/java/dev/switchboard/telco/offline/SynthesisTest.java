package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ModelRequest.Purpose;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.InMemoryTelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one answer after an operation: its outcome, then every interim question with its answer. */
class SynthesisTest {
    private static final String CHANGED = """
            {"status":"changed","from":{"name":"Standard"},"to":{"name":"Premium","summary":"£30.00/month, 100 GB data, unlimited minutes"},\
            "effective_on":"22 November 2026","pro_rata_adjustment":"-£7.00","pro_rata_amount":"£7.00","pro_rata_is_credit":true,"pro_rata_is_charge":false}""";

    private final List<Message> interim = new ArrayList<>();

    private static ObjectNode operation(String tool, String args, String status, String outcome) {
        ObjectNode op = Json.object();
        op.put("operation_id", "op-1");
        op.put("tool", tool);
        op.set("arguments", Json.parse(args));
        op.put("status", status);
        op.put("outcome", outcome);
        return op;
    }

    private AiMessage synthesise(ObjectNode... operations) throws Exception {
        ObjectNode structured = Json.object();
        ArrayNode ops = structured.putArray("operations");
        for (ObjectNode op : operations) {
            ops.add(op);
        }
        structured.set("interim_messages", MessageJson.toJson(interim));
        List<Message> conversation = new ArrayList<>();
        conversation.add(HumanMessage.of("change my package to premium"));
        ToolCall call = ToolCall.of("change_package", (ObjectNode) Json.parse("{\"package\":\"premium\"}"));
        conversation.add(AiMessage.ofToolCalls("", List.of(call)));
        conversation.add(ToolMessage.success(call.id(), "change_package", "{}"));
        conversation.addAll(interim);
        conversation.add(SystemMessage.of("synthesise"));
        return Requests.answer(Purpose.SYNTHESIS, conversation, dev.switchboard.model.SynthesisBrief.fromJson(structured));
    }

    private void asked(String question, String answer) {
        interim.add(HumanMessage.of(question));
        ToolCall call = ToolCall.of("get_data_balance", Json.object());
        interim.add(AiMessage.ofToolCalls("", List.of(call)));
        interim.add(ToolMessage.success(call.id(), "get_data_balance", "{}"));
        interim.add(AiMessage.of(answer));
    }

    @Test
    void aSuccess_withoutInterimMessages_statesTheResult() throws Exception {
        AiMessage answer = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED));
        assertThat(answer.toolCalls()).isEmpty();
        assertThat(answer.content()).isEqualTo("Done — you're now on the Premium package (£30.00/month, 100 GB data, "
                + "unlimited minutes), effective 22 November 2026. This month's bill gets a pro-rata credit of £7.00 for "
                + "the days on Standard.");
    }

    @Test
    void everyInterimQuestion_isRestatedWithItsAnswer() throws Exception {
        asked("what's my data balance?", "You have 16.9 GB of data left this month (you've used 8.1 GB of 25 GB). It resets on 1 December 2026.");
        asked("what roaming passes are there for Spain?", "Spain is in our Europe zone. Passes there: the Europe Day Pass for £2.50.");
        interim.add(HumanMessage.of("thanks"));
        interim.add(AiMessage.of("You're welcome! Is there anything else I can help you with?"));

        String text = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED)).content();

        assertThat(text).startsWith("Done — you're now on the Premium package").contains("""
                While that was running, you asked:
                • “what's my data balance?” — You have 16.9 GB of data left this month (you've used 8.1 GB of 25 GB).
                • “what roaming passes are there for Spain?” — Spain is in our Europe zone.
                • “thanks” — You're welcome!""");
    }

    @Test
    void anAnswerWithAnAbbreviation_isRestatedUpToItsRealSentenceEnd() throws Exception {
        asked("what roaming passes are there?", "Roaming passes by zone — Europe (e.g. Spain, France): Europe Day Pass "
                + "£2.50 or Europe Week Pass £12.00. Tell me where you're going and I'll give you the details.");

        String text = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED)).content();

        assertThat(text).contains("• “what roaming passes are there?” — Roaming passes by zone — Europe (e.g. Spain, "
                + "France): Europe Day Pass £2.50 or Europe Week Pass £12.00.").doesNotContain("(e.g.\n");
    }

    @Test
    void aProgressQuestionAskedMeanwhile_isNotAnsweredWithTheStalePercentage() throws Exception {
        interim.add(HumanMessage.of("how far along is it?"));
        ToolCall call = ToolCall.of("check_status", Json.object());
        interim.add(AiMessage.ofToolCalls("", List.of(call)));
        interim.add(ToolMessage.success(call.id(), "check_status", "{\"status\":\"running\",\"percent\":10}"));
        interim.add(AiMessage.of("It's 10% done — checking eligibility."));

        String succeeded = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED))
                .content();
        String failed = synthesise(operation("change_package", "{\"package\":\"premium\"}", "failed",
                "failed: the network refused it")).content();

        assertThat(succeeded).doesNotContain("10% done")
                .contains("• “how far along is it?” — it has finished since: the result is above.");
        assertThat(failed).doesNotContain("10% done")
                .contains("• “how far along is it?” — it has stopped since: what happened is above.");
    }

    @Test
    void aProgressQuestionAskedWithAnother_keepsTheOtherAnswer_withoutTheStalePercentage() throws Exception {
        // Asked on the secondary lane and answered by the model itself: one paragraph per tool result.
        String question = "how far along is it and how much data do I have left?";
        List<Message> secondary = new ArrayList<>(List.of(HumanMessage.of("change my package to premium")));
        ToolCall operation = ToolCall.of("change_package", (ObjectNode) Json.parse("{\"package\":\"premium\"}"));
        secondary.add(AiMessage.ofToolCalls("", List.of(operation)));
        secondary.add(ToolMessage.success(operation.id(), "change_package", "In progress in the background."));
        interim.add(HumanMessage.of(question));
        secondary.addAll(interim);
        AiMessage calling = Requests.answer(Purpose.SECONDARY, secondary);
        assertThat(calling.toolCalls()).extracting(ToolCall::name).containsExactlyInAnyOrder("check_status", "get_data_balance");
        interim.add(calling);
        for (ToolCall call : calling.toolCalls()) {
            interim.add(ToolMessage.success(call.id(), call.name(), call.name().equals("check_status")
                    ? "{\"operation_id\":\"op-1\",\"tool\":\"change_package\",\"status\":\"running\",\"percent\":10,"
                            + "\"step\":\"checking eligibility\",\"elapsed_seconds\":2,\"cancel_requested\":false}"
                    : TelcoTools.all(new InMemoryTelcoBackend(), TelcoSettings.ofScale(0)).stream()
                            .filter(t -> t.spec().name().equals(call.name())).findFirst().orElseThrow()
                            .call(call.args(), new StubContext())));
        }
        secondary.addAll(interim.subList(1, interim.size()));
        AiMessage answered = Requests.answer(Purpose.SECONDARY, secondary);
        assertThat(answered.content()).contains("10% done").contains("GB");
        interim.add(answered);

        String text = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED)).content();

        String line = text.lines().filter(l -> l.contains("“" + question + "”")).findFirst().orElseThrow();
        assertThat(line).doesNotContain("10% done").contains("GB").doesNotContain("it has finished since");
        assertThat(text).startsWith("Done — you're now on the Premium package");
    }

    @Test
    void aFailure_andACancellation_areStatedHonestly() throws Exception {
        assertThat(synthesise(operation("change_package", "{\"package\":\"premium\"}", "failed",
                "failed: You're already on the Premium package.")).content())
                .isEqualTo("I'm sorry, I couldn't change your package to Premium: You're already on the Premium package.");
        assertThat(synthesise(operation("close_contract", "{}", "cancelled", "cancelled: cancelled on request")).content())
                .isEqualTo("Closing your contract was cancelled before anything was changed.");
        assertThat(synthesise(operation("purchase_roaming_pass", "{\"country\":\"Spain\",\"pass\":\"week\"}", "failed",
                "failed: interrupted")).content())
                .isEqualTo("I'm sorry, I couldn't buy a week pass for Spain: interrupted");
    }

    @Test
    void aChangeHeldBackMeanwhile_isOffered_andYesDoesIt() throws Exception {
        interim.add(HumanMessage.of("close my contract"));
        interim.add(new AiMessage("held", "I can't close your contract while your package change is still in progress "
                + "— I'll pick that up once it has finished. Nothing has been changed yet.", List.of(),
                Dialogue.kwargs(null, new Dialogue.Pending("close_contract", null, java.util.Map.of(), false))));

        AiMessage answer = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED));

        assertThat(answer.content()).contains("• “close my contract” — I held that back while the other change was running.")
                .endsWith("You also asked me to close your contract — shall I do that now?");
        List<Message> next = new ArrayList<>(List.of(HumanMessage.of("change my package to premium"), answer,
                HumanMessage.of("yes please")));
        AiMessage yes = Requests.answer(Purpose.ANSWER, next);
        assertThat(yes.toolCalls()).extracting(ToolCall::name).containsExactly("close_contract");
    }

    @Test
    void twoChangesHeldBackMeanwhile_areBothNamed_andNoneIsDoneOnAYes() throws Exception {
        interim.add(HumanMessage.of("close my contract"));
        interim.add(new AiMessage("held-1", "I can't close your contract while your package change is still in progress.",
                List.of(), Dialogue.kwargs(null, new Dialogue.Pending("close_contract", null, java.util.Map.of(), false))));
        interim.add(HumanMessage.of("buy a day pass for Italy"));

        AiMessage answer = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED));

        assertThat(answer.content()).endsWith("You also asked me to close your contract and to buy a day pass for Italy "
                + "— tell me which you'd like me to do now.");
        assertThat(Dialogue.pending(answer.additionalKwargs())).as("no yes/no question is open").isEmpty();
    }

    @Test
    void anInterimAnswerInTwoParts_isRestatedByBothParts() throws Exception {
        asked("how much data is left and what does roaming in Japan cost?", "You have 16.9 GB of data left this month. "
                + "It resets on 1 December 2026.\n\nJapan is in our Asia Pacific zone. Passes there: the day pass.");

        String text = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED)).content();

        assertThat(text).contains("• “how much data is left and what does roaming in Japan cost?” — You have 16.9 GB of "
                + "data left this month. Japan is in our Asia Pacific zone.");
    }

    @Test
    void anUnansweredQuestion_outOfDomain_isDeclinedInTheSynthesis() throws Exception {
        interim.add(HumanMessage.of("who won the world cup"));

        AiMessage answer = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED));

        assertThat(answer.content()).contains("• “who won the world cup” — that's not something I can help with");
        assertThat(answer.toolCalls()).isEmpty();
    }

    @Test
    void anInterimQuestionLeftUnanswered_isLookedUpNow() throws Exception {
        interim.add(HumanMessage.of("how much data do I have left?"));

        AiMessage answer = synthesise(operation("change_package", "{\"package\":\"premium\"}", "succeeded", CHANGED));

        assertThat(answer.content()).contains("• “how much data do I have left?” — I'll check that now.");
        assertThat(answer.toolCalls()).extracting(ToolCall::name).containsExactly("get_data_balance");
    }

    @Test
    void theSynthesis_readsTheToolResultItDesigned_forEveryLongTool() throws Exception {
        String closed = "{\"status\":\"closed\",\"closed_on\":\"22 November 2026\",\"early_termination_fee\":\"£45.00\",\"fee_charged\":true}";
        assertThat(synthesise(operation("close_contract", "{}", "succeeded", closed)).content())
                .isEqualTo("Your contract is now closed, as of 22 November 2026. An early termination fee of £45.00 will "
                        + "be on your final bill.");
        String bought = "{\"status\":\"purchased\",\"pass\":{\"name\":\"Europe Week Pass\",\"data\":\"10 GB\",\"minutes\":"
                + "\"500 minutes\"},\"country\":\"Spain\",\"valid_from\":\"22 November 2026\",\"valid_until\":"
                + "\"28 November 2026\",\"price\":\"£12.00\"}";
        assertThat(synthesise(operation("purchase_roaming_pass", "{\"country\":\"Spain\",\"pass\":\"week\"}", "succeeded",
                bought)).content()).isEqualTo("Your Europe Week Pass for Spain is active from 22 November 2026 until "
                + "28 November 2026, with 10 GB of data and 500 minutes. £12.00 has been added to this month's bill.");
        String bill = "{\"current\":{\"period\":\"November 2026\",\"total\":\"£20.00\",\"lines\":[{\"description\":"
                + "\"Standard package\",\"amount\":\"£20.00\"}]},\"previous\":[{\"period\":\"October 2026\",\"total\":\"£20.00\"}]}";
        assertThat(synthesise(operation("get_billing_summary", "{}", "succeeded", bill)).content())
                .isEqualTo("Your November 2026 bill so far comes to £20.00: Standard package £20.00. Before that: "
                        + "October 2026 £20.00.");
    }
}
