package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolException;

/** Whose account a tool works on. */
final class Customers {
    static final String DEMO = "demo";

    private Customers() {
    }

    /**
     * {@code configurable.customer_id} if set (and it must exist); else the conversation's user
     * ({@code user_id}, then {@code owner}) when that user is a customer; else the demo customer. A signed-in
     * user who is no customer still gets a working demo rather than an error on every tool.
     */
    static String resolve(ObjectNode configurable, TelcoBackend backend) throws ToolException {
        String explicit = text(configurable, "customer_id");
        if (explicit != null) {
            if (backend.findCustomer(explicit).isEmpty()) {
                throw new ToolException("There is no customer with id '" + explicit + "'.");
            }
            return explicit;
        }
        for (String key : new String[] {"user_id", "owner"}) {
            String user = text(configurable, key);
            if (user != null && backend.findCustomer(user).isPresent()) {
                return user;
            }
        }
        return DEMO;
    }

    private static String text(ObjectNode configurable, String key) {
        JsonNode value = configurable == null ? null : configurable.get(key);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText().strip() : null;
    }
}
