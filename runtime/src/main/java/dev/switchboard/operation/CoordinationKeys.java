package dev.switchboard.operation;

import java.util.List;
import java.util.UUID;

/**
 * The store keys through which the two lanes of one conversation coordinate, with the seed's names and
 * meanings, in the conversation's coordination namespace ({@code namespace_for_memory}, default
 * {@code ["threads", <thread id>]}).
 */
public final class CoordinationKeys {
    /** The in-flight operation's progress: operation id, tool, percent, message, status. */
    public static final String WORKING_TOOL_STATUS = "working-tool-status-update";
    /** The secondary lane's processing lock: {@code processing} is true while a secondary run works. */
    public static final String SECONDARY_STATUS = "secondary_status";
    /** Set by the main run to stop a secondary run that outlived the wait. */
    public static final String SECONDARY_ABORT = "secondary_abort";
    /** The interim exchange ({@code messages}) the synthesis covers. */
    public static final String SECONDARY_INTERIM_MESSAGES = "secondary_interim_messages";
    /** Written when the main run has answered after its operation. */
    public static final String MAIN_OPERATION_COMPLETE = "main_operation_complete";

    private CoordinationKeys() {
    }

    /** The default coordination namespace of a thread. */
    public static List<String> defaultNamespace(UUID threadId) {
        return List.of("threads", threadId.toString());
    }
}
