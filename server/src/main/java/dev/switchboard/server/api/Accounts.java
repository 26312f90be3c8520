package dev.switchboard.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.SwitchboardException.InvalidRequest;
import dev.switchboard.operation.Operation;
import dev.switchboard.server.auth.Caller;
import dev.switchboard.thread.ConversationThread;
import java.util.List;

/**
 * Whose account a run's tools act on (DESIGN.md §6, "Whose account"): the conversation owner's, resolved by the
 * server from the authenticated caller and passed to the run as {@code configurable.user_id}, which its operations
 * keep. A client cannot choose it: {@code user_id}, {@code customer_id} or {@code owner} in {@code config.configurable}
 * or {@code context} naming another account is refused with 403, unless the caller has the admin or service role
 * (then the run acts for the account named). Restating the caller's own account is accepted, as LangGraph clients
 * often send {@code user_id}.
 */
final class Accounts {
    static final List<String> IDENTITY_KEYS = List.of(Operation.USER_KEY, "customer_id", "owner");

    private Accounts() {
    }

    /** The account user for a run on {@code thread}; refuses an override the caller may not make. */
    static String resolve(Caller caller, ConversationThread thread, ObjectNode configurable, ObjectNode context) {
        String account = caller.accountUser(thread);
        String override = null;
        for (String where : List.of("config.configurable", "context")) {
            ObjectNode source = where.equals("context") ? context : configurable;
            if (source == null) {
                continue;
            }
            for (String key : IDENTITY_KEYS) {
                JsonNode value = source.get(key);
                if (value == null || value.isNull()) {
                    continue;
                }
                if (!value.isTextual() || value.asText().isBlank()) {
                    throw new InvalidRequest("invalid_field", where + "." + key + " must be a non-empty string");
                }
                String named = value.asText().strip();
                if (named.equals(account)) {
                    continue;
                }
                if (!caller.mayActForOthers()) {
                    throw new InvalidRequest("forbidden", where + "." + key + " cannot choose the account the tools "
                            + "act on: it is the conversation owner's, which the server resolves from the caller"
                            + (caller.isAnonymous() ? " (without sign-in, send your visitor id in the "
                                    + "X-Switchboard-Visitor header)"
                                    : "; only the admin or service role may act for another"));
                }
                if (override != null && !override.equals(named)) {
                    throw new InvalidRequest("invalid_field", "config and context name two different accounts: '"
                            + override + "' and '" + named + "'");
                }
                override = named;
            }
        }
        return override != null ? override : account;
    }

    /** Writes the resolved account as the only identity key the run's tools see. */
    static void apply(ObjectNode configurable, String account) {
        IDENTITY_KEYS.forEach(configurable::remove);
        if (account != null) {
            configurable.put(Operation.USER_KEY, account);
        }
    }
}
