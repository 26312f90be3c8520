package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import io.javalin.http.Context;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that turns exceptions into HTTP answers: {@code {"detail": text, "code": code}} with a 4xx
 * for every bad request. Anything unexpected is a 500, logged with its request id, and is a bug.
 */
public final class Errors {
    private static final Logger LOG = Logger.getLogger(Errors.class.getName());

    private Errors() {
    }

    public static int status(SwitchboardException e) {
        return switch (e) {
            case SwitchboardException.NotFound nf -> 404;
            case SwitchboardException.Conflict c -> 409;
            case SwitchboardException.InvalidRequest ir -> switch (ir.code()) {
                case "payload_too_large" -> 413;
                case "malformed_json", "invalid_body" -> 400;
                case "unauthorized" -> 401;
                case "forbidden" -> 403;
                default -> 422;
            };
            case SwitchboardException.Unavailable u -> "store_full".equals(u.code()) ? 507 : 503;
        };
    }

    /** The code for an HTTP error the web framework raised itself (no route, body too large, …). */
    public static String codeFor(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            default -> "http_error";
        };
    }

    public static ObjectNode body(String detail, String code) {
        ObjectNode n = Json.object();
        n.put("detail", detail);
        n.put("code", code);
        return n;
    }

    /**
     * Seconds a client should wait before retrying a 503: the database's pool times a connection out in 2 s and
     * reconnects by itself, so a few seconds is when a brief outage is likely over.
     */
    static final int RETRY_AFTER_SECONDS = 5;
    /** A full disk waits for someone to free space: longer. */
    static final int RETRY_AFTER_FULL_SECONDS = 30;

    public static void handle(SwitchboardException e, Context ctx) {
        int status = status(e);
        if (e instanceof SwitchboardException.Unavailable) {
            // The condition passes by itself (a cut database reconnects, a full disk is freed by someone).
            ctx.header("Retry-After", String.valueOf(status == 507 ? RETRY_AFTER_FULL_SECONDS : RETRY_AFTER_SECONDS));
        }
        ctx.status(status).contentType("application/json").result(Json.write(body(e.getMessage(), e.code())));
    }

    public static void handleUnexpected(Exception e, Context ctx) {
        String requestId = ctx.attribute(RequestIds.ATTRIBUTE);
        LOG.log(Level.SEVERE, "request " + requestId + " " + ctx.method() + " " + ctx.path() + " failed", e);
        ctx.status(500).contentType("application/json")
                .result(Json.write(body("internal error (request " + requestId + ")", "internal_error")));
    }
}
