package dev.switchboard.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.Switchboard;
import dev.switchboard.SwitchboardException;
import dev.switchboard.server.api.A2aApi;
import dev.switchboard.server.api.AgentRunApi;
import dev.switchboard.server.api.Api;
import dev.switchboard.server.api.AssistantsApi;
import dev.switchboard.server.api.CronsApi;
import dev.switchboard.server.api.Errors;
import dev.switchboard.server.api.McpApi;
import dev.switchboard.server.api.Metrics;
import dev.switchboard.server.api.OperationsApi;
import dev.switchboard.server.api.RequestIds;
import dev.switchboard.server.api.RunsApi;
import dev.switchboard.server.api.StoreApi;
import dev.switchboard.server.api.ThreadsApi;
import dev.switchboard.server.auth.Authenticator;
import dev.switchboard.server.auth.Caller;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.time.Duration;

/**
 * The HTTP server: the Agent Protocol over JSON and SSE on Javalin with virtual threads, plus the
 * extensions, {@code /ok}, {@code /info}, {@code /metrics}, {@code /openapi.json} and the web UI at {@code /}.
 * Every request gets an {@code x-request-id}; every failure answers {@code {"detail","code"}}.
 */
public final class SwitchboardServer implements AutoCloseable {
    private static final String STARTED_NANOS = "switchboard.started";

    private final Switchboard switchboard;
    private final ServerSettings settings;
    private final Metrics metrics;
    private final Javalin app;
    private final String modelDescription;
    private final String openapi = Json.write(dev.switchboard.server.api.OpenApi.document());
    private final Authenticator authenticator;
    private final AgentRunApi agentRuns;
    private final CronsApi crons;

    public SwitchboardServer(Switchboard switchboard, ServerSettings settings, String modelDescription) {
        this.switchboard = switchboard;
        this.settings = settings;
        this.modelDescription = modelDescription;
        this.metrics = new Metrics(switchboard);
        this.authenticator = settings.authenticator();
        Api api = new Api(switchboard, settings, metrics);
        this.agentRuns = new AgentRunApi(api);
        RunsApi runsApi = new RunsApi(api);
        this.crons = new CronsApi(api, runsApi);
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.jsonMapper(new JavalinJackson(Json.mapper(), true));
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.startup.showJavalinBanner = false;
            // MCP is the SDK's servlet, beside Javalin's; an exact mapping wins over Javalin's "/*".
            jakarta.servlet.http.HttpServlet mcp = new McpApi(api, authenticator).servlet();
            config.jetty.modifyServletContextHandler(handler -> handler.addServlet(
                    new org.eclipse.jetty.ee10.servlet.ServletHolder("mcp", mcp), "/mcp"));
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/web";
                files.location = Location.CLASSPATH;
            });
            var r = config.routes;
            r.before(this::beforeEach);
            r.after(this::afterEach);
            r.options("/*", ctx -> ctx.status(204));
            r.get("/ok", ctx -> ctx.json(Json.object().put("ok", true)));
            r.get("/info", this::info);
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            r.get("/openapi.json", this::openapi);
            new AssistantsApi(api).register(r);
            new ThreadsApi(api).register(r);
            runsApi.register(r);
            crons.register(r);
            new A2aApi(api).register(r);
            new StoreApi(api).register(r);
            new OperationsApi(api).register(r);
            agentRuns.register(r);
            r.exception(SwitchboardException.class, (e, ctx) -> Errors.handle(e, ctx));
            r.exception(IllegalArgumentException.class, (e, ctx) ->
                    Errors.handle(new SwitchboardException.InvalidRequest(String.valueOf(e.getMessage())), ctx));
            r.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> discardIfTooLarge(e.getStatus(), ctx)
                    .status(e.getStatus())
                    .contentType("application/json")
                    .result(Json.write(Errors.body(e.getMessage(), Errors.codeFor(e.getStatus())))));
            r.exception(Exception.class, (e, ctx) -> Errors.handleUnexpected(e, ctx));
            r.error(404, "*", ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    ctx.contentType("application/json").result(Json.write(Errors.body("Not Found: " + ctx.method() + " "
                            + ctx.path(), "not_found")));
                }
            });
        });
    }

    private void beforeEach(Context ctx) {
        ctx.attribute(STARTED_NANOS, System.nanoTime());
        String requestId = RequestIds.accept(ctx.header(RequestIds.HEADER));
        ctx.attribute(RequestIds.ATTRIBUTE, requestId);
        RequestIds.bind(requestId);
        ctx.header(RequestIds.HEADER, requestId);
        cors(ctx);
        if (ctx.method().name().equals("OPTIONS")) {
            return;
        }
        long declared = ctx.contentLength();
        if (declared > settings.maxBodyBytes()) {
            discardIfTooLarge(413, ctx);
            throw new SwitchboardException.InvalidRequest("payload_too_large", "the request body is " + declared
                    + " bytes; the limit is " + settings.maxBodyBytes());
        }
        if (isApiPath(ctx.path())) {
            Caller caller = authenticator.authenticate(ctx.header("x-api-key"), ctx.header("Authorization"),
                    ctx.header(Authenticator.VISITOR_HEADER));
            ctx.attribute(Api.CALLER, caller);
        }
    }

    /** How much of an oversized body is read and thrown away before the 413; past it the connection just closes. */
    static final long DISCARD_BOUND = 16L << 20;

    /**
     * A client refused with 413 is usually still sending its body; if the server answered and closed at once, the
     * unread bytes would make the client's kernel see a reset, and the client a broken pipe instead of the answer
     * (most likely on a busy machine, where the client is slow to read). So the rest of the body is read and
     * discarded, up to {@link #DISCARD_BOUND}, and the connection is closed after the answer.
     */
    private static Context discardIfTooLarge(int status, Context ctx) {
        if (status != 413) {
            return ctx;
        }
        ctx.header("Connection", "close");
        try {
            java.io.InputStream in = ctx.req().getInputStream();
            byte[] sink = new byte[64 * 1024];
            long left = DISCARD_BOUND;
            int n;
            while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
                left -= n;
            }
        } catch (java.io.IOException | RuntimeException clientGone) {
            // the client stopped sending; the answer goes out if it still can
        }
        return ctx;
    }

    private static boolean isApiPath(String path) {
        return path.startsWith("/threads") || path.startsWith("/runs") || path.startsWith("/assistants")
                || path.startsWith("/store") || path.startsWith("/operations") || path.startsWith("/api/")
                || path.startsWith("/a2a") || path.startsWith("/.well-known/agent-card.json");
    }

    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || !settings.corsOrigins().contains(origin) && !settings.corsOrigins().contains("*")) {
            return;
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Vary", "Origin");
        ctx.header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", "Content-Type, Authorization, x-api-key, Last-Event-ID, x-request-id, "
                + Authenticator.VISITOR_HEADER);
        ctx.header("Access-Control-Expose-Headers", "Content-Location, X-Pagination-Total, X-Pagination-Next, x-request-id");
    }

    private void afterEach(Context ctx) {
        Long started = ctx.attribute(STARTED_NANOS);
        if (started != null) {
            var endpoint = ctx.endpoints().lastHttpEndpoint();
            metrics.request(ctx.method().name(), endpoint == null ? "unmatched" : endpoint.path, ctx.statusCode(),
                    Duration.ofNanos(System.nanoTime() - started));
        }
        RequestIds.unbind();
    }

    private void info(Context ctx) {
        ObjectNode info = Json.object();
        info.put("version", Version.VERSION);
        info.put("context", "java");
        info.put("model", modelDescription);
        ObjectNode flags = info.putObject("flags");
        flags.put("assistants", true);
        flags.put("crons", true);
        flags.put("langsmith", false);
        flags.put("a2a", true);
        flags.put("mcp", true);
        // Semantic store search (POST /store/items/search with query): on when SWITCHBOARD_STORE_INDEX is set.
        flags.put("store_index", switchboard.storeIndex().isPresent());
        flags.put("auth", settings.authEnabled());
        // What this server implements of the Agent Server's API beyond the core: a client can ask rather than probe.
        ObjectNode supports = info.putObject("supports");
        var modes = supports.putArray("stream_modes");
        dev.switchboard.server.stream.StreamModes.SUPPORTED.forEach(modes::add);
        supports.put("runs_batch", true);
        supports.put("runs_cancel_many", true);
        supports.put("thread_state_patch", true);
        supports.put("search_select", true);
        supports.put("thread_search_extract", true);
        supports.put("thread_ttl", true);
        var prune = supports.putArray("threads_prune");
        prune.add("delete").add("keep_latest");
        supports.put("thread_stream", true);
        supports.put("store_refresh_ttl", true);
        // POST/PATCH/DELETE /assistants, versions and latest; the configurable keys an assistant may set.
        supports.put("assistant_versions", true);
        var assistantConfig = supports.putArray("assistant_configurable");
        assistantConfig.add("system_prompt").add("tools").add("model").add("interrupt_on");
        ObjectNode metadata = info.putObject("metadata");
        metadata.put("graphs", String.join(",", switchboard.graphs().keySet()));
        ctx.json(info);
    }

    private void openapi(Context ctx) {
        ctx.contentType("application/json").result(openapi);
    }

    public SwitchboardServer start() {
        app.start();
        // Crons fire from here on, with the launcher that applies the HTTP layer's rules (owner, webhook);
        // the first pass catches up on what fell due while no instance ran.
        if (!switchboard.cronsStarted()) {
            switchboard.startCrons(crons.launcher());
        }
        // Expired threads and store items are swept from here on, at SWITCHBOARD_TTL_SWEEP_SECONDS.
        if (!switchboard.expiry().started()) {
            switchboard.expiry().start();
        }
        return this;
    }

    public int port() {
        return app.port();
    }

    public String url() {
        String host = settings.host().equals("0.0.0.0") ? "127.0.0.1" : settings.host();
        return "http://" + host + ":" + port();
    }

    public Switchboard switchboard() {
        return switchboard;
    }

    /** Stops accepting requests, then lets the runtime hand back its runs. */
    @Override
    public void close() {
        app.stop();
    }

    /** Per-user state the {@code /api/agent/run} endpoints hold in memory now (bounded; see UserChannels). */
    int retainedAgentRunUsers() {
        return agentRuns.retainedUserState();
    }
}
