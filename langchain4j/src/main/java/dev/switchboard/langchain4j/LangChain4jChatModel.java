package dev.switchboard.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.switchboard.message.AiMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The runtime's {@link ChatModel} port over a LangChain4j {@link StreamingChatModel}.
 *
 * <p>LangChain4j streams on its HTTP client's thread; the port promises tokens on the caller's thread. So the
 * handler only queues what arrives, and the calling (virtual) thread blocks on that queue, hands each token to
 * the listener and returns the complete message, tool calls included.
 *
 * <p>Interrupting the caller closes the HTTP stream: through LangChain4j's {@link StreamingHandle} once the model
 * has streamed anything, and, for models {@link Models} builds, through their transport at any earlier stage too
 * (before the response headers, say). Either way the call throws {@link InterruptedException} at once and does
 * not wait for the provider.
 */
public final class LangChain4jChatModel implements ChatModel {

    private final StreamingChatModel model;
    private final String name;

    /**
     * @param model the LangChain4j model to stream from
     * @param name  how errors name this model, e.g. {@code openai:gpt-4o}
     */
    public LangChain4jChatModel(StreamingChatModel model, String name) {
        this.model = Objects.requireNonNull(model, "model");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before calling " + name);
        }
        ChatRequest chatRequest = Conversions.toChatRequest(request);
        Call call = new Call();
        try {
            call.closer.whileSending(() -> {
                model.chat(chatRequest, call);
                return null;
            });
        } catch (RuntimeException e) {
            call.closer.cancel();
            throw failure(e);
        }
        boolean done = false;
        try {
            while (true) {
                switch (call.events.take()) {
                    case Event.Token token -> listener.onToken(token.text());
                    case Event.Completed completed -> {
                        done = true;
                        return toAiMessage(completed.response());
                    }
                    case Event.Failed failed -> {
                        done = true;
                        throw failure(failed.error());
                    }
                }
            }
        } finally {
            if (!done) {
                // Interrupted, or the listener threw: nobody will read the rest, so stop the provider sending it.
                call.closer.cancel();
            }
        }
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

    private AiMessage toAiMessage(ChatResponse response) {
        try {
            return Conversions.toAiMessage(response);
        } catch (IllegalArgumentException e) {
            throw new ModelException(name + " answered with a malformed tool call: " + e.getMessage(), -1, e);
        }
    }

    private ModelException failure(Throwable error) {
        int status = -1;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpException http) {
                status = http.statusCode();
                break;
            }
        }
        String what = error.getMessage() == null || error.getMessage().isBlank()
                ? error.getClass().getSimpleName() : error.getMessage();
        String message = status > 0
                ? name + " failed with HTTP " + status + ": " + what
                : name + " failed: " + what;
        return new ModelException(message, status, error);
    }

    /** What the provider's thread hands the caller's thread. */
    private sealed interface Event {
        record Token(String text) implements Event {
        }

        record Completed(ChatResponse response) implements Event {
        }

        record Failed(Throwable error) implements Event {
        }
    }

    /** One call's handler: queues events for the caller and offers LangChain4j's handle to the closer. */
    private static final class Call implements StreamingChatResponseHandler {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final StreamCloser closer = new StreamCloser();
        private final AtomicBoolean handleAdopted = new AtomicBoolean();

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            adopt(context.streamingHandle());
            onPartialResponse(partial.text());
        }

        /** Providers that offer no handle call this variant directly. */
        @Override
        public void onPartialResponse(String text) {
            if (text != null && !text.isEmpty()) {
                events.add(new Event.Token(text));
            }
        }

        @Override
        public void onPartialThinking(PartialThinking thinking, PartialThinkingContext context) {
            // Reasoning is not part of the answer; its handle is still a way to close the stream early.
            adopt(context.streamingHandle());
        }

        @Override
        public void onPartialToolCall(PartialToolCall toolCall, PartialToolCallContext context) {
            adopt(context.streamingHandle());
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            events.add(new Event.Completed(response));
        }

        @Override
        public void onError(Throwable error) {
            events.add(new Event.Failed(error));
        }

        /** The handle is the same for a whole stream; if the caller already gave up, this closes the stream now. */
        private void adopt(StreamingHandle handle) {
            if (handle != null && handleAdopted.compareAndSet(false, true)) {
                closer.onCancel(handle::cancel);
            }
        }
    }
}
