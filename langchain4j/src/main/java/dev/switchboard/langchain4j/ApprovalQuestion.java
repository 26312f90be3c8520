package dev.switchboard.langchain4j;

import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.model.ApprovalReply;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A vendor model's reading of a reply to a pending approval: one small call that must answer with one word. The
 * customer's words go in a user message, never in the instruction (they could pose as one). A model that fails
 * or answers something else leaves the decision to the words alone ({@link ApprovalReply#classify}), which only
 * approves on a plain yes.
 */
final class ApprovalQuestion {
    private static final Logger LOG = Logger.getLogger(ApprovalQuestion.class.getName());

    static final String INSTRUCTION = """
            A customer was asked to approve an action and has now written a reply (the user message). Classify it \
            with exactly one word: APPROVE if it clearly agrees to the action, REJECT if it clearly declines or asks \
            to wait, OTHER if it says anything else (a question, a new request, a condition). The action: """;

    private ApprovalQuestion() {
    }

    static ApprovalReply ask(ChatModel model, String request, String reply) throws InterruptedException {
        try {
            String answer = model.chat(new ModelRequest(List.of(SystemMessage.of(INSTRUCTION + request),
                    HumanMessage.of(reply)), List.of(), null, ModelRequest.Purpose.ANSWER), token -> { }).content();
            String word = answer.strip().toUpperCase(Locale.ROOT).replaceAll("[^A-Z].*$", "");
            for (ApprovalReply r : ApprovalReply.values()) {
                if (r.name().equals(word)) {
                    return r;
                }
            }
            LOG.fine(() -> model + " answered the approval question with '" + answer + "'; reading the words instead");
        } catch (ModelException e) {
            LOG.log(Level.WARNING, model + " could not read a reply to an approval; reading the words instead", e);
        }
        return ApprovalReply.classify(reply);
    }
}
