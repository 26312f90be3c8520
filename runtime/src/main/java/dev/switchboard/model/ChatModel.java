package dev.switchboard.model;

import dev.switchboard.message.AiMessage;

/**
 * The port every model adapter implements. A call blocks its (virtual) thread while the model streams,
 * reports each token to the listener as it arrives, and returns the complete message, tool calls included.
 * Interrupting the calling thread must stop the call promptly: the adapter closes its token stream and
 * throws {@link InterruptedException}. There is no async twin; callers that want concurrency use threads.
 */
@FunctionalInterface
public interface ChatModel {

    AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException;

    /**
     * Whether {@code reply}, a customer's plain message while {@code request} (the pending approval's
     * description) waits for a decision, approves it, declines it, or says something else. By default the words
     * alone decide ({@link ApprovalReply#classify}); a model that understands language better overrides this.
     */
    default ApprovalReply approvalReply(String request, String reply) throws InterruptedException {
        return ApprovalReply.classify(reply);
    }
}
