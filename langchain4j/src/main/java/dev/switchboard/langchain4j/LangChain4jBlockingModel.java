package dev.switchboard.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.switchboard.message.AiMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The runtime's {@link ChatModel} port over a non-streaming LangChain4j {@link dev.langchain4j.model.chat.ChatModel}:
 * the answer arrives whole and is handed to the listener as one token.
 *
 * <p>The call runs on a virtual thread of its own and the caller waits for it, so interrupting the caller returns at
 * once, as the port promises, even when the provider's client does not notice interrupts; the abandoned call is
 * interrupted too and its answer, if it still comes, is dropped. Prefer a streaming model where the provider has
 * one: it stops generating when the run is interrupted.
 */
final class LangChain4jBlockingModel implements ChatModel {
    private final dev.langchain4j.model.chat.ChatModel model;
    private final String name;

    LangChain4jBlockingModel(dev.langchain4j.model.chat.ChatModel model, String name) {
        this.model = Objects.requireNonNull(model, "model");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before calling " + name);
        }
        ChatRequest chatRequest = Conversions.toChatRequest(request);
        CompletableFuture<ChatResponse> answer = new CompletableFuture<>();
        Thread call = Thread.ofVirtual().name("model-call-" + name).start(() -> {
            try {
                answer.complete(model.chat(chatRequest));
            } catch (Throwable e) {
                answer.completeExceptionally(e);
            }
        });
        ChatResponse response;
        try {
            response = await(answer);
        } catch (InterruptedException e) {
            call.interrupt();
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new ModelException(name + " failed: " + (cause.getMessage() == null
                    ? cause.getClass().getSimpleName() : cause.getMessage()), -1, cause);
        }
        AiMessage message;
        try {
            message = Conversions.toAiMessage(response);
        } catch (IllegalArgumentException e) {
            throw new ModelException(name + " answered with a malformed tool call: " + e.getMessage(), -1, e);
        }
        if (!message.content().isEmpty()) {
            listener.onToken(message.content());
        }
        return message;
    }

    private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException {
        return future.get();
    }

    /** The model itself reads the reply, through one small call (ApprovalQuestion). */
    @Override
    public dev.switchboard.model.ApprovalReply approvalReply(String request, String reply) throws InterruptedException {
        return ApprovalQuestion.ask(this, request, reply);
    }

    @Override
    public String toString() {
        return name;
    }
}
