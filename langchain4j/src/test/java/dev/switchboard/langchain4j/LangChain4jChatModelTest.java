package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LangChain4jChatModelTest {

    @Test
    void interruptingTheCallerCancelsLangChain4jsStreamingHandle() throws Exception {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "fake:model");
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread caller = call(model, seen, outcome);

        StreamingChatResponseHandler handler = fake.awaitHandler();
        RecordingHandle handle = new RecordingHandle();
        handler.onPartialResponse(new PartialResponse("Hel"), new PartialResponseContext(handle));
        await().until(() -> seen.size() == 1);
        caller.interrupt();

        assertThat(caller.join(Duration.ofSeconds(2))).isTrue();
        assertThat(outcome.join()).isInstanceOf(InterruptedException.class);
        assertThat(handle.cancels.get()).isEqualTo(1);
    }

    @Test
    void aHandleThatArrivesAfterTheCallerGaveUpIsCancelledAtOnce() throws Exception {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "fake:model");
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread caller = call(model, new CopyOnWriteArrayList<>(), outcome);
        StreamingChatResponseHandler handler = fake.awaitHandler();

        caller.interrupt();
        assertThat(caller.join(Duration.ofSeconds(2))).isTrue();
        RecordingHandle late = new RecordingHandle();
        handler.onPartialResponse(new PartialResponse("too late"), new PartialResponseContext(late));

        assertThat(outcome.join()).isInstanceOf(InterruptedException.class);
        assertThat(late.cancels.get()).as("cancelled on arrival").isEqualTo(1);
    }

    @Test
    void aCallerInterruptedBeforeTheCallThrowsWithoutAskingTheModel() {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "fake:model");

        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> { }))
                .isInstanceOf(InterruptedException.class);
        assertThat(fake.handlers).isEmpty();
    }

    @Test
    void aListenerThatThrowsStopsTheStreamAndItsExceptionReachesTheCaller() {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "fake:model");
        RecordingHandle handle = new RecordingHandle();
        fake.onChat = handler -> handler.onPartialResponse(new PartialResponse("Hel"), new PartialResponseContext(handle));

        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> {
            throw new IllegalStateException("the client went away");
        })).isInstanceOf(IllegalStateException.class).hasMessage("the client went away");
        assertThat(handle.cancels.get()).isEqualTo(1);
    }

    @Test
    void aProviderErrorBecomesAModelExceptionWithTheHttpStatus() {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "openai:gpt-4o");
        fake.onChat = handler -> handler.onError(new HttpException(429, "Rate limit reached for gpt-4o"));

        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> { }))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.httpStatus()).isEqualTo(429))
                .hasMessage("openai:gpt-4o failed with HTTP 429: Rate limit reached for gpt-4o");
    }

    @Test
    void aModelThatThrowsWhileSendingFailsWithAModelException() {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "fake:model");
        fake.onChat = handler -> {
            throw new IllegalArgumentException("tools are not supported by this model");
        };

        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> { }))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.httpStatus()).isEqualTo(-1))
                .hasMessage("fake:model failed: tools are not supported by this model");
    }

    @Test
    void anUnreachableProviderFailsWithAModelExceptionNamingTheModel() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ChatModel model = Models.create(ModelSpec.parse("ollama:llama3.1"),
                Map.of("OLLAMA_BASE_URL", "http://127.0.0.1:" + closedPort));

        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> { }))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("ollama:llama3.1 failed: ");
    }

    @Test
    void malformedToolArgumentsFailTheCallNamingTheTool() {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "ollama:tiny");
        fake.onChat = handler -> handler.onCompleteResponse(toolCallResponse("call_1", "get_balance", "{\"msisdn\": "));

        assertThatThrownBy(() -> model.chat(ProviderWireContract.question("Hi"), token -> { }))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("ollama:tiny answered with a malformed tool call")
                .hasMessageContaining("get_balance");
    }

    @Test
    void aToolCallWithoutAnIdGetsAFreshOneAndEmptyArgumentsBecomeAnEmptyObject() throws Exception {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "ollama:llama3.1");
        fake.onChat = handler -> handler.onCompleteResponse(toolCallResponse(null, "list_packages", ""));

        AiMessage answer = model.chat(ProviderWireContract.question("Hi"), token -> { });

        assertThat(answer.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).startsWith("call_");
            assertThat(call.name()).isEqualTo("list_packages");
            assertThat(call.args()).isEqualTo(Json.object());
        });
    }

    /**
     * A model built with LangChain4j's own JDK transport (not ours) still closes its connection mid-stream: the
     * adapter cancels the {@link StreamingHandle} LangChain4j handed out with the first token.
     */
    @Test
    void withLangChain4jsOwnTransportTheStreamingHandleClosesTheConnectionMidStream() throws Exception {
        OpenAiWireTest openAi = new OpenAiWireTest();
        try (WireServer server = WireServer.start((exchange, response) -> {
            openAi.streamText(response, List.of("Your ", "balance "), false);
            response.hang();
        })) {
            StreamingChatModel plain = OpenAiStreamingChatModel.builder()
                    .baseUrl(server.baseUrl() + "/v1").apiKey("sk-test").modelName("gpt-4o-mini").build();
            ChatModel model = new LangChain4jChatModel(plain, "openai:gpt-4o-mini");
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread caller = call(model, seen, outcome);

            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
            WireServer.Exchange exchange = server.onlyExchange();
            assertThat(exchange.connectionClosed()).isFalse();
            caller.interrupt();

            assertThat(caller.join(Duration.ofSeconds(2))).isTrue();
            assertThat(outcome.join()).isInstanceOf(InterruptedException.class);
            await().atMost(Duration.ofSeconds(5)).until(exchange::connectionClosed);
        }
    }

    @Test
    void aReplyToAnApproval_isReadByTheModelItself_inOneSmallCall() throws Exception {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "openai:gpt-4o");
        fake.onChat = handler -> handler.onCompleteResponse(ChatResponse.builder()
                .aiMessage(dev.langchain4j.data.message.AiMessage.from("REJECT.")).build());

        // "fine, but not today" has a yes-word; the model reads the condition.
        assertThat(model.approvalReply("Close your contract?", "fine, but not today"))
                .isEqualTo(dev.switchboard.model.ApprovalReply.REJECT);
    }

    @Test
    void aModelThatCannotAnswerTheApprovalQuestion_leavesItToTheWords() throws Exception {
        FakeStreamingModel fake = new FakeStreamingModel();
        ChatModel model = new LangChain4jChatModel(fake, "openai:gpt-4o");
        fake.onChat = handler -> handler.onCompleteResponse(ChatResponse.builder()
                .aiMessage(dev.langchain4j.data.message.AiMessage.from("I think the customer might agree")).build());
        assertThat(model.approvalReply("Close your contract?", "yes please"))
                .isEqualTo(dev.switchboard.model.ApprovalReply.APPROVE);

        fake.onChat = handler -> handler.onError(new RuntimeException("provider down"));
        assertThat(model.approvalReply("Close your contract?", "what does it cost?"))
                .isEqualTo(dev.switchboard.model.ApprovalReply.OTHER);
    }

    private static ChatResponse toolCallResponse(String id, String name, String arguments) {
        return ChatResponse.builder()
                .aiMessage(dev.langchain4j.data.message.AiMessage.from(
                        ToolExecutionRequest.builder().id(id).name(name).arguments(arguments).build()))
                .build();
    }

    private static Thread call(ChatModel model, List<String> seen, CompletableFuture<Object> outcome) {
        return Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(model.chat(new ModelRequest(List.of(HumanMessage.of("Hi")),
                        List.of(), (ObjectNode) null), seen::add));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
    }

    /** Hands each call's handler to the test, which then plays the provider's thread. */
    private static final class FakeStreamingModel implements StreamingChatModel {
        final BlockingQueue<StreamingChatResponseHandler> handlers = new LinkedBlockingQueue<>();
        volatile Consumer<StreamingChatResponseHandler> onChat = handler -> { };

        @Override
        public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
            handlers.add(handler);
            onChat.accept(handler);
        }

        StreamingChatResponseHandler awaitHandler() throws InterruptedException {
            StreamingChatResponseHandler handler = handlers.poll(10, TimeUnit.SECONDS);
            assertThat(handler).as("the model was called").isNotNull();
            return handler;
        }
    }

    private static final class RecordingHandle implements StreamingHandle {
        final AtomicInteger cancels = new AtomicInteger();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void cancel() {
            cancels.incrementAndGet();
            cancelled.set(true);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }
    }
}
