package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.assistant.Assistant;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageType;
import dev.switchboard.operation.CoordinationKeys;
import dev.switchboard.run.MultitaskStrategy;
import dev.switchboard.run.Run;
import dev.switchboard.run.RunRequest;
import dev.switchboard.run.RunStatus;
import dev.switchboard.server.auth.Authenticator;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationState;
import dev.switchboard.thread.ConversationThread;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * {@code /mcp}: every assistant as an MCP tool over streamable HTTP, with the official MCP Java SDK's stateless
 * transport (no session to keep, so any instance answers any request). A tool call runs the assistant on a new
 * thread of the caller's, waits for it, answers its last reply as text and deletes the thread, as a stateless
 * {@code /runs/wait} would. Sign-in applies as on every API path: the servlet authenticates before the SDK sees
 * the request, and the run acts on the caller's account.
 */
public final class McpApi {
    static final String CALLER_KEY = "switchboard.caller";
    private static final Duration CALL_LIMIT = Duration.ofMinutes(10);

    private final Api api;
    private final Authenticator authenticator;

    public McpApi(Api api, Authenticator authenticator) {
        this.api = api;
        this.authenticator = authenticator;
    }

    /** The servlet to mount at {@code /mcp}. */
    public HttpServlet servlet() {
        JacksonMcpJsonMapper mapper = new JacksonMcpJsonMapper(Json.mapper());
        HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(mapper).messageEndpoint("/mcp")
                .contextExtractor(request -> McpTransportContext.create(Map.of(CALLER_KEY,
                        request.getAttribute(CALLER_KEY))))
                .build();
        List<McpStatelessServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        for (String graphId : api.switchboard().graphs().keySet()) {
            Assistant assistant = api.switchboard().assistant(graphId);
            McpSchema.Tool tool = McpSchema.Tool.builder().name(graphId)
                    .description(assistant.description() != null ? assistant.description()
                            : "Ask the " + graphId + " assistant; it answers in text.")
                    .inputSchema(Map.of("type", "object", "properties", Map.of("message", Map.of("type", "string",
                            "description", "what to ask the assistant")), "required", List.of("message")))
                    .build();
            tools.add(new McpStatelessServerFeatures.SyncToolSpecification(tool,
                    (context, call) -> call(assistant, (Caller) context.get(CALLER_KEY), call)));
        }
        McpStatelessSyncServer server = McpServer.sync(transport).jsonMapper(mapper)
                .serverInfo("switchboard", dev.switchboard.server.Version.VERSION)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tools).build();
        return new Authenticated(transport, server);
    }

    /** Authenticates as the rest of the API does, then hands the request to the SDK's transport. */
    private final class Authenticated extends HttpServlet {
        private final HttpServletStatelessServerTransport transport;
        // Held so the server (and its handler on the transport) lives as long as the servlet.
        private final McpStatelessSyncServer server;

        Authenticated(HttpServletStatelessServerTransport transport, McpStatelessSyncServer server) {
            this.transport = transport;
            this.server = server;
        }

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            transport.init(config);
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse res) throws ServletException, IOException {
            // What Javalin's before-handler gives every other path: a request id, echoed and on the log lines.
            String requestId = RequestIds.accept(req.getHeader(RequestIds.HEADER));
            res.setHeader(RequestIds.HEADER, requestId);
            RequestIds.bind(requestId);
            try {
                authenticated(req, res);
            } finally {
                RequestIds.unbind();
            }
        }

        private void authenticated(HttpServletRequest req, HttpServletResponse res) throws ServletException,
                IOException {
            Caller caller;
            try {
                caller = authenticator.authenticate(req.getHeader("x-api-key"), req.getHeader("Authorization"),
                        req.getHeader(Authenticator.VISITOR_HEADER));
            } catch (SwitchboardException e) {
                res.setStatus(Errors.status(e));
                res.setContentType("application/json");
                res.getOutputStream().write(Json.write(Errors.body(e.getMessage(), e.code()))
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            req.setAttribute(CALLER_KEY, caller);
            transport.service(req, res);
        }

        @Override
        public void destroy() {
            server.close();
            super.destroy();
        }
    }

    private McpSchema.CallToolResult call(Assistant assistant, Caller caller, McpSchema.CallToolRequest call) {
        Object message = call.arguments() == null ? null : call.arguments().get("message");
        if (!(message instanceof String text) || text.isBlank()) {
            return error("invalid_params: 'message' must be a non-empty string");
        }
        ObjectNode metadata = Json.object();
        if (!caller.isAnonymous()) {
            metadata.put("owner", caller.user());
        }
        metadata.put("temporary", true);
        metadata.put("mcp", true);
        ConversationThread thread = api.switchboard().createThread(null, metadata, false);
        try {
            ObjectNode config = Json.object();
            ObjectNode configurable = config.putObject("configurable");
            Accounts.apply(configurable, Accounts.resolve(caller, thread, configurable, null));
            if (!caller.isAnonymous()) {
                ArrayNode ns = configurable.putArray("namespace_for_memory");
                Caller.ownedNamespace(caller.user(), CoordinationKeys.defaultNamespace(thread.threadId()))
                        .forEach(ns::add);
            }
            ObjectNode input = Json.object();
            input.putArray("messages").addObject().put("type", "human").put("content", text);
            Run run = api.switchboard().submit(new RunRequest(thread.threadId(), assistant.assistantId().toString(),
                    input, config, null, MultitaskStrategy.ENQUEUE, null, null, null, false, null));
            Optional<Run> ended = api.switchboard().await(run.runId(), CALL_LIMIT);
            if (ended.isEmpty() || ended.get().status() != RunStatus.SUCCESS) {
                return error("the run ended " + ended.map(r -> r.status().wireName()).orElse("rolled back"));
            }
            return McpSchema.CallToolResult.builder().addTextContent(answer(thread)).isError(false).build();
        } catch (SwitchboardException e) {
            return error(e.code() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            return error("the run did not finish within " + CALL_LIMIT.toMinutes() + " minutes");
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
            return error("interrupted");
        } finally {
            try {
                api.switchboard().deleteThread(thread.threadId());
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(McpApi.class.getName())
                        .fine("could not delete MCP thread " + thread.threadId() + ": " + e);
            }
        }
    }

    private String answer(ConversationThread thread) {
        List<Message> messages = api.switchboard().state(thread.threadId(), null)
                .map(c -> ConversationState.fromJson(c.values()).messages()).orElse(List.of());
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).type() == MessageType.AI && !messages.get(i).content().isBlank()) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    private static McpSchema.CallToolResult error(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).isError(true).build();
    }

}
