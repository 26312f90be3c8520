package dev.switchboard.server.api;

import dev.switchboard.Ids;
import dev.switchboard.Switchboard;
import dev.switchboard.server.ServerSettings;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationThread;
import io.javalin.http.Context;
import java.util.UUID;

/** What every handler shares: the runtime, the settings, the metrics, and how to know the caller. */
public record Api(Switchboard switchboard, ServerSettings settings, Metrics metrics) {
    public static final String CALLER = "switchboard.caller";

    public static Caller caller(Context ctx) {
        Caller c = ctx.attribute(CALLER);
        return c == null ? Caller.ANONYMOUS : c;
    }

    public static UUID pathId(Context ctx, String param) {
        return Ids.parse(param, ctx.pathParam(param));
    }

    /** The thread, if the caller may see it; 404 otherwise. */
    public ConversationThread thread(Context ctx, UUID threadId) {
        return caller(ctx).check(switchboard.thread(threadId));
    }

    /**
     * The assistant by id or graph id, if the caller may use it and this server hosts its graph; 404 otherwise (as
     * for an unknown one, so an id never confirms that another user's assistant exists).
     */
    public dev.switchboard.assistant.Assistant assistant(Context ctx, String idOrGraphId) {
        dev.switchboard.assistant.Assistant a = switchboard.assistant(idOrGraphId);
        if (!caller(ctx).mayUse(a) || !switchboard.graphs().containsKey(a.graphId())) {
            throw new dev.switchboard.SwitchboardException.NotFound("Assistant '" + idOrGraphId + "' not found");
        }
        return a;
    }

    public static Body body(Context ctx) {
        return Body.parse(ctx.body());
    }
}
