package dev.switchboard.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.SwitchboardException;
import dev.switchboard.thread.ConversationThread;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who is calling. With auth off every caller is anonymous and sees everything; a visitor id (sent by the web UI
 * and the terminal chat) only decides whose demo account the tools act on. With auth on, a thread belongs to the
 * user who created it ({@code metadata.owner}); runs and operations belong to their thread; store namespaces are
 * kept per user by a hidden first label. Anything of another user is a 404, so nobody learns that it exists. The
 * {@value #ADMIN} role sees everything and may act on another account; the {@value #SERVICE} role may act on
 * another account from its own threads.
 */
public record Caller(String user, Set<String> roles, String visitor) {
    public static final String ADMIN = "admin";
    /** A back-end acting for customers: it may name the account a run acts on, and sees only its own threads. */
    public static final String SERVICE = "service";
    public static final Caller ANONYMOUS = new Caller(null, Set.of(), null);
    static final String NAMESPACE_LABEL_PREFIX = "user:";
    /** The prefix that keeps a visitor's account apart from every signed-in user's. */
    public static final String VISITOR_PREFIX = "visitor:";

    public Caller {
        roles = Set.copyOf(roles);
    }

    /** A signed-in user without roles. */
    public Caller(String user) {
        this(user, Set.of(), null);
    }

    /** An anonymous visitor, known by the id its browser or terminal keeps. */
    public static Caller visitor(String visitorId) {
        return new Caller(null, Set.of(), visitorId);
    }

    public boolean isAnonymous() {
        return user == null;
    }

    public boolean isAdmin() {
        return !isAnonymous() && roles.contains(ADMIN);
    }

    /** True when this caller may have a run act on another user's account ({@code customer_id} / {@code user_id}). */
    public boolean mayActForOthers() {
        return isAdmin() || (!isAnonymous() && roles.contains(SERVICE));
    }

    /** True when this caller may see {@code thread}. */
    public boolean owns(ConversationThread thread) {
        if (isAnonymous() || isAdmin()) {
            return true;
        }
        JsonNode owner = thread.metadata().get("owner");
        return owner != null && user.equals(owner.asText());
    }

    /**
     * True when this caller may see {@code assistant}: a built-in one (no owner) is everyone's; a created one is its
     * creator's (and an admin's), as a thread is.
     */
    public boolean mayUse(dev.switchboard.assistant.Assistant assistant) {
        JsonNode owner = assistant.metadata().get("owner");
        return isAnonymous() || isAdmin() || owner == null || user.equals(owner.asText());
    }

    public ConversationThread check(ConversationThread thread) {
        if (!owns(thread)) {
            throw SwitchboardException.NotFound.of("Thread", thread.threadId());
        }
        return thread;
    }

    /**
     * The user a run on {@code thread} acts for: the conversation's owner (with auth on, the thread's owner, so an
     * admin working on a user's thread acts on that user's account), or this visitor; null when the conversation
     * carries no identity at all, whose account its coordination namespace then keys.
     */
    public String accountUser(ConversationThread thread) {
        if (!isAnonymous()) {
            String owner = thread == null ? null : thread.owner();
            return owner != null ? owner : user;
        }
        return visitor == null ? null : VISITOR_PREFIX + visitor;
    }

    /** The first store label of the conversation's coordination namespace with auth on: its owner's. */
    public static List<String> ownedNamespace(String owner, List<String> visible) {
        List<String> stored = new ArrayList<>(visible.size() + 1);
        stored.add(NAMESPACE_LABEL_PREFIX + owner);
        stored.addAll(visible);
        return stored;
    }

    /** The namespace as stored: the caller's namespace under their own label (an admin's as given). */
    public List<String> storeNamespace(List<String> visible) {
        if (isAnonymous() || isAdmin()) {
            return visible;
        }
        return ownedNamespace(user, visible);
    }

    /** The namespace as the caller sees it. */
    public List<String> visibleNamespace(List<String> stored) {
        if (isAnonymous() || isAdmin()) {
            return stored;
        }
        return stored.subList(1, stored.size());
    }

    /** How many leading labels of a stored namespace the caller does not see. */
    public int hiddenLabels() {
        return isAnonymous() || isAdmin() ? 0 : 1;
    }
}
