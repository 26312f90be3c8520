package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.operation.Operation;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Whose account a tool works on (DESIGN.md §6, "Whose account"): the conversation owner's, as the server resolved
 * it from the caller and passed in {@code configurable.user_id} (a long-running tool's operation keeps that user
 * on its record, so a resumed one acts for the same user). A conversation without any user identity has an
 * account of its own, keyed by its coordination namespace, which a secondary thread sharing the namespace shares.
 * A new user or conversation gets a demo account provisioned on first sight. There is no fallback account: a
 * client-supplied {@code customer_id} is refused rather than honoured or ignored.
 */
final class Customers {
    static final String USER_KEY = Operation.USER_KEY;
    private static final String CUSTOMER_ID_PATTERN = "[a-z0-9][a-z0-9_.-]{0,63}";

    private static final Logger LOG = Logger.getLogger(Customers.class.getName());

    private Customers() {
    }

    static String resolve(ToolContext context, TelcoBackend backend) throws ToolException {
        ObjectNode configurable = context.configurable();
        if (text(configurable, "customer_id") != null) {
            throw new ToolException("customer_id is not accepted: the tools act on the account of the "
                    + "conversation's owner, which the server sets from the signed-in caller");
        }
        String user = text(configurable, USER_KEY);
        String account = user != null ? accountOfUser(user) : accountOfConversation(context.namespace());
        return backend.provision(account).customerId();
    }

    /**
     * The customer id of a user: the user id itself when it is a valid customer id (so a signed-in {@code alice}
     * is the seeded customer {@code alice}), else a digest of it, which never equals another user's id.
     */
    static String accountOfUser(String user) {
        return user.matches(CUSTOMER_ID_PATTERN) ? user : "acct-" + digest(user);
    }

    /** The customer id of a conversation that carries no user identity: a digest of its coordination namespace. */
    static String accountOfConversation(List<String> namespace) {
        return "conv-" + digest(String.join("\u0000", namespace));
    }

    /**
     * A backend failure that is no refusal by the rules (storage down, a bug): the model, the thread and the
     * operation record hear that it failed, not the exception's text, which stays in the server log.
     */
    static ToolException unexpected(String tool, RuntimeException e) {
        LOG.log(Level.WARNING, tool + " failed", e);
        return new ToolException("The telco system could not complete " + tool + " just now; nothing more is "
                + "known here. Please try again in a moment.");
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String text(ObjectNode configurable, String key) {
        JsonNode value = configurable == null ? null : configurable.get(key);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText().strip() : null;
    }
}
