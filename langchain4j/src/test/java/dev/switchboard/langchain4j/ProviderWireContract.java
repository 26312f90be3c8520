package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.SystemMessage;
import dev.switchboard.message.ToolCall;
import dev.switchboard.message.ToolMessage;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelRequest;
import dev.switchboard.tool.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What every provider adapter must do against a local server speaking that vendor's streaming wire format:
 * stream tokens in order, round-trip a tool call, send our conversation and tool schemas in the vendor's form,
 * turn a refusal into a clear error, and close the connection when the calling thread is interrupted, both
 * mid-stream and before the response has started.
 */
abstract class ProviderWireContract {

    static final ToolSpec GET_BALANCE = ToolSpec.quick("get_balance", "Looks up a line's prepaid balance.",
            (ObjectNode) Json.parse("""
                    {"type": "object",
                     "properties": {
                       "msisdn": {"type": "string", "description": "The phone number, in E.164 form."},
                       "currency": {"type": "string", "enum": ["EUR", "USD"]}
                     },
                     "required": ["msisdn"]}
                    """));

    /** {@code minimum} has no LangChain4j element, so this property travels as a raw schema. */
    static final ToolSpec GET_DATA_USAGE = ToolSpec.quick("get_data_usage", "Data used over the last days.",
            (ObjectNode) Json.parse("""
                    {"type": "object",
                     "properties": {
                       "days": {"type": "integer", "minimum": 1, "description": "How many days back."},
                       "roaming": {"type": "boolean"}
                     },
                     "required": ["days"]}
                    """));

    static final String SYSTEM_PROMPT = "You are a telco assistant.";
    static final String BALANCE_CALL_ID = "call_balance_1";
    static final String BALANCE_RESULT = "{\"balance\":\"12.50 EUR\"}";

    /** System prompt, a question, a tool call with its result, and a follow-up question. */
    static final List<Message> CONVERSATION = List.of(
            SystemMessage.of(SYSTEM_PROMPT),
            HumanMessage.of("What is my balance?"),
            AiMessage.ofToolCalls("", List.of(new ToolCall(BALANCE_CALL_ID, "get_balance",
                    (ObjectNode) Json.parse("{\"msisdn\":\"+4915112345678\"}")))),
            ToolMessage.success(BALANCE_CALL_ID, "get_balance", BALANCE_RESULT),
            AiMessage.of("Your balance is 12.50 EUR."),
            HumanMessage.of("And how much data did I use this week?"));

    abstract ModelSpec spec();

    abstract Map<String, String> env(String baseUrl);

    abstract String expectedPath();

    /** Streams these text pieces; with {@code finish} also the vendor's end of message, else nothing more. */
    abstract void streamText(WireServer.Response response, List<String> tokens, boolean finish) throws IOException;

    /** Streams "Checking." and then one call of {@code get_data_usage} with {"days": 7}. */
    abstract void streamDataUsageCall(WireServer.Response response, String callId) throws IOException;

    abstract String toolCallId();

    /** Refuses the request as the vendor does for a bad key or an unknown model. */
    abstract void refuse(WireServer.Response response) throws IOException;

    abstract int refusalStatus();

    abstract String refusalText();

    /** The request carried {@link #CONVERSATION} and both tools, in the vendor's form. */
    abstract void assertVendorForm(WireServer.Exchange exchange);

    @Test
    void tokensArriveInOrderOnTheCallersThreadAndTheAnswerIsTheirConcatenation() throws Exception {
        List<String> tokens = List.of("Your ", "balance ", "is ", "12.50", " EUR.");
        try (WireServer server = WireServer.start((exchange, response) -> streamText(response, tokens, true))) {
            ChatModel model = Models.create(spec(), env(server.baseUrl()));
            List<String> seen = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();

            AiMessage answer = model.chat(question("What is my balance?"), token -> {
                seen.add(token);
                threads.add(Thread.currentThread());
            });

            assertThat(seen).containsExactlyElementsOf(tokens);
            assertThat(answer.content()).isEqualTo(String.join("", tokens));
            assertThat(answer.toolCalls()).isEmpty();
            assertThat(threads).containsOnly(Thread.currentThread());
            WireServer.Exchange exchange = server.onlyExchange();
            assertThat(exchange.method).isEqualTo("POST");
            assertThat(exchange.path).isEqualTo(expectedPath());
            assertThat(exchange.headers).as("no h2c upgrade over cleartext").doesNotContainKey("upgrade");
        }
    }

    @Test
    void aToolCallRoundTripsAndTheRequestCarriesOurConversationAndToolSchemasInTheVendorsForm() throws Exception {
        try (WireServer server = WireServer.start((exchange, response) -> streamDataUsageCall(response, toolCallId()))) {
            ChatModel model = Models.create(spec(), env(server.baseUrl()));

            AiMessage answer = model.chat(new ModelRequest(CONVERSATION, List.of(GET_BALANCE, GET_DATA_USAGE), null),
                    token -> { });

            assertThat(answer.content()).isEqualTo("Checking.");
            assertThat(answer.toolCalls()).containsExactly(
                    new ToolCall(toolCallId(), "get_data_usage", (ObjectNode) Json.parse("{\"days\":7}")));
            assertVendorForm(server.onlyExchange());
        }
    }

    @Test
    void interruptingTheCallerMidStreamThrowsPromptlyAndClosesTheConnection() throws Exception {
        try (WireServer server = WireServer.start((exchange, response) -> {
            streamText(response, List.of("Your ", "balance "), false);
            response.hang();
        })) {
            ChatModel model = Models.create(spec(), env(server.baseUrl()));
            List<String> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread caller = callInBackground(model, seen, outcome);

            // Generous: the first test of the module also pays for the HTTP client's start on a loaded machine.
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 2);
            WireServer.Exchange exchange = server.onlyExchange();
            assertThat(exchange.connectionClosed()).as("open while the model streams").isFalse();
            caller.interrupt();

            assertThat(caller.join(Duration.ofSeconds(2))).as("the call returns promptly").isTrue();
            assertThat(outcome.join()).isInstanceOf(InterruptedException.class);
            await().atMost(Duration.ofSeconds(5)).until(exchange::connectionClosed);
            assertThat(seen).containsExactly("Your ", "balance ");
        }
    }

    @Test
    void interruptingTheCallerBeforeTheResponseStartsClosesTheConnection() throws Exception {
        try (WireServer server = WireServer.start((exchange, response) -> response.hang())) {
            ChatModel model = Models.create(spec(), env(server.baseUrl()));
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread caller = callInBackground(model, new CopyOnWriteArrayList<>(), outcome);

            await().atMost(Duration.ofSeconds(10)).until(() -> server.exchanges().size() == 1);
            WireServer.Exchange exchange = server.onlyExchange();
            caller.interrupt();

            assertThat(caller.join(Duration.ofSeconds(2))).as("the call returns promptly").isTrue();
            assertThat(outcome.join()).isInstanceOf(InterruptedException.class);
            await().atMost(Duration.ofSeconds(5)).until(exchange::connectionClosed);
        }
    }

    @Test
    void aRefusalBecomesAModelExceptionNamingTheModelTheStatusAndTheVendorsWords() throws Exception {
        try (WireServer server = WireServer.start((exchange, response) -> refuse(response))) {
            ChatModel model = Models.create(spec(), env(server.baseUrl()));

            assertThatThrownBy(() -> model.chat(question("Hello"), token -> { }))
                    .isInstanceOfSatisfying(ModelException.class,
                            e -> assertThat(e.httpStatus()).isEqualTo(refusalStatus()))
                    .hasMessageContaining(spec().toString())
                    .hasMessageContaining(String.valueOf(refusalStatus()))
                    .hasMessageContaining(refusalText());
        }
    }

    static ModelRequest question(String text) {
        return new ModelRequest(List.of(SystemMessage.of(SYSTEM_PROMPT), HumanMessage.of(text)), List.of(), null);
    }

    private static Thread callInBackground(ChatModel model, List<String> seen, CompletableFuture<Object> outcome) {
        return Thread.ofVirtual().name("model-caller").start(() -> {
            try {
                outcome.complete(model.chat(question("What is my balance?"), seen::add));
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
    }
}
