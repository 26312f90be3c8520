package dev.switchboard.model;

import java.util.List;
import java.util.Locale;

/**
 * How a customer's plain message answers a pending approval: yes, no, or something else (which the runtime
 * treats as declining the pending action and then answers as a new message). {@link #classify} knows the
 * common English forms; a vendor model decides through a small structured call ({@link ChatModel#approvalReply}).
 */
public enum ApprovalReply {
    APPROVE, REJECT, OTHER;

    private static final List<String> YES = List.of("yes please", "yes", "yeah", "yep", "yup", "sure", "okay", "ok",
            "y", "confirmed", "confirm", "i confirm", "approved", "approve", "i approve", "correct", "absolutely",
            "of course", "go ahead", "go for it", "do it", "please do", "proceed", "sounds good", "that's fine",
            "thats fine", "fine", "agreed", "i agree", "let's do it", "lets do it", "right", "alright", "all right",
            "definitely", "yes do it", "please proceed", "ja", "oui", "si");
    private static final List<String> NO = List.of("no thanks", "no thank you", "no", "nope", "nah", "n", "wait",
            "hold on", "stop", "cancel that", "cancel it", "cancel", "don't do it", "dont do it", "do not do it",
            "don't", "dont", "do not", "not now", "never mind", "nevermind", "reject", "decline", "i decline",
            "changed my mind", "i changed my mind", "i've changed my mind", "forget it", "leave it", "not yet",
            "abort", "nein", "non");
    private static final List<String> FILLERS = List.of("please", "thanks", "thank you", "then", "now", "and",
            "actually", "it", "that", "just", "oh", "hmm", "um", "well");

    /**
     * The reply's meaning by its words alone: only yes-phrases (and fillers such as "please", "then") approve,
     * only no-phrases reject; a message with anything more (a question, a new request) is {@link #OTHER}.
     */
    public static ApprovalReply classify(String text) {
        if (text == null) {
            return OTHER;
        }
        String rest = text.toLowerCase(Locale.ROOT).replace('’', '\'').replaceAll("[^a-z' ]", " ")
                .replaceAll("\\s+", " ").trim();
        boolean yes = false;
        boolean no = false;
        while (!rest.isEmpty()) {
            String matched = leading(rest, YES);
            if (matched != null) {
                yes = true;
            } else if ((matched = leading(rest, NO)) != null) {
                no = true;
            } else if ((matched = leading(rest, FILLERS)) == null) {
                return OTHER;
            }
            rest = rest.substring(matched.length()).trim();
        }
        if (yes == no) {
            return OTHER; // empty, only fillers, or both ("yes, no, wait")
        }
        return yes ? APPROVE : REJECT;
    }

    private static String leading(String text, List<String> phrases) {
        for (String p : phrases) {
            if (text.equals(p) || text.startsWith(p + " ")) {
                return p;
            }
        }
        return null;
    }
}
