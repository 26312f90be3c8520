package dev.switchboard.telco.tools;

import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.langchain4j.AnnotatedTools;
import dev.switchboard.tool.Tool;
import java.util.List;

/** The telco agent's tools over one backend: their names, and the objects whose {@code @Tool} methods they are. */
public final class TelcoTools {
    public static final String CLOSE_CONTRACT = "close_contract";

    /**
     * The customer id the tools act on for a conversation owned by {@code userId} (the server's
     * {@code configurable.user_id}: a signed-in user, or {@code visitor:<id>} without sign-in).
     */
    public static String accountOf(String userId) {
        return Customers.accountOfUser(userId);
    }

    public static final String PURCHASE_ROAMING_PASS = "purchase_roaming_pass";
    public static final String CHANGE_PACKAGE = "change_package";
    public static final String GET_BILLING_SUMMARY = "get_billing_summary";
    public static final String GET_CURRENT_PACKAGE = "get_current_package";
    public static final String GET_DATA_BALANCE = "get_data_balance";
    public static final String LIST_AVAILABLE_PACKAGES = "list_available_packages";
    public static final String GET_ROAMING_INFO = "get_roaming_info";
    public static final String LIST_ADDONS = "list_addons";

    private TelcoTools() {
    }

    /**
     * The tool objects a {@code LangChain4jAgent} derives the nine tools from: the long-running ones
     * ({@link AccountChanges}) and the quick ones ({@link AccountLookups}).
     */
    public static List<Object> objects(TelcoBackend backend, TelcoSettings settings) {
        return List.of(new AccountChanges(backend, settings), new AccountLookups(backend));
    }

    /** The four long-running tools, then the five quick ones (each group by name). */
    public static List<Tool> all(TelcoBackend backend, TelcoSettings settings) {
        return AnnotatedTools.from(objects(backend, settings).toArray());
    }
}
