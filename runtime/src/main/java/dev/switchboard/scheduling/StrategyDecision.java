package dev.switchboard.scheduling;

import dev.switchboard.run.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.SwitchboardException;
import dev.switchboard.message.HumanMessage;
import dev.switchboard.message.Message;
import dev.switchboard.message.MessageJson;
import java.util.ArrayList;
import java.util.List;

/**
 * The admission decision, a pure function of a new run's strategy and the thread's active runs (DESIGN.md §2):
 * <pre>
 *   no active run        → admitted as it is
 *   reject               → refused: Conflict thread_busy
 *   enqueue, interrupt   → admitted as it is (the scheduler cancels the active runs for interrupt)
 *   rollback             → admitted; with superseded_input carry its input becomes the cancelled runs' user
 *                          messages followed by its own
 * </pre>
 * {@link RunStore#admit} applies it inside the store's own atomic step, so the decision and the insert are one.
 */
final class StrategyDecision {
    private StrategyDecision() {
    }

    static Run decide(Run candidate, List<Run> active, SupersededInput superseded) {
        if (active.isEmpty()) {
            return candidate;
        }
        return switch (candidate.multitaskStrategy()) {
            case REJECT -> throw SwitchboardException.Conflict.threadBusy(candidate.threadId());
            case ENQUEUE, INTERRUPT -> candidate;
            case ROLLBACK -> superseded == SupersededInput.CARRY ? carryOver(candidate, active) : candidate;
        };
    }

    /** The new run's input becomes the cancelled runs' user messages followed by its own. */
    private static Run carryOver(Run candidate, List<Run> active) {
        List<Message> carried = new ArrayList<>();
        ArrayNode supersededIds = Json.array();
        for (Run old : active) {
            supersededIds.add(old.runId().toString());
            for (Message m : LoopSteps.inputMessages(old.input())) {
                if (m instanceof HumanMessage) {
                    carried.add(m);
                }
            }
        }
        JsonNode input = candidate.input();
        List<Message> own = LoopSteps.inputMessages(input);
        ObjectNode newInput = input.isObject() ? ((ObjectNode) input).deepCopy() : Json.object();
        List<Message> all = new ArrayList<>(carried);
        all.addAll(own);
        newInput.set("messages", MessageJson.toJson(all));
        ObjectNode kwargs = candidate.kwargs();
        kwargs.set("input", newInput);
        kwargs.set("superseded_runs", supersededIds);
        return candidate.withKwargs(kwargs);
    }

}
