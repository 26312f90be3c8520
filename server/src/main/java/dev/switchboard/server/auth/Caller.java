package dev.switchboard.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.thread.ConversationThread;
import java.util.ArrayList;
import java.util.List;

/**
 * Who is calling. With auth off every caller is {@link #ANONYMOUS} and sees everything. With auth on, a
 * thread belongs to the user who created it ({@code metadata.owner}); runs and operations belong to their
 * thread; store namespaces are kept per user by a hidden first label. Anything of another user is a 404, so
 * nobody learns that it exists.
 */
public record Caller(String user) {
    public static final Caller ANONYMOUS = new Caller(null);
    static final String NAMESPACE_LABEL_PREFIX = "user:";

    public boolean isAnonymous() {
        return user == null;
    }

    /** True when this caller may see {@code thread}. */
    public boolean owns(ConversationThread thread) {
        if (isAnonymous()) {
            return true;
        }
        JsonNode owner = thread.metadata().get("owner");
        return owner != null && user.equals(owner.asText());
    }

    public ConversationThread check(ConversationThread thread) {
        if (!owns(thread)) {
            throw SwitchboardException.NotFound.of("Thread", thread.threadId());
        }
        return thread;
    }

    /** The namespace as stored: the caller's namespace under their own label. */
    public List<String> storeNamespace(List<String> visible) {
        if (isAnonymous()) {
            return visible;
        }
        List<String> stored = new ArrayList<>(visible.size() + 1);
        stored.add(NAMESPACE_LABEL_PREFIX + user);
        stored.addAll(visible);
        return stored;
    }

    /** The namespace as the caller sees it. */
    public List<String> visibleNamespace(List<String> stored) {
        if (isAnonymous()) {
            return stored;
        }
        return stored.subList(1, stored.size());
    }
}
