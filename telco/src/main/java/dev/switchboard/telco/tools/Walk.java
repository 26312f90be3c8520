package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Change;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.backend.TelcoException;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How every long-running telco tool runs: it checks its arguments at once (so a refusal costs no waiting), then
 * walks its steps, reporting each through {@link ToolContext#progress} and pausing for the step's share of the
 * scaled duration. Its effect is applied right after the progress report of the point-of-no-return step has
 * returned (the runtime commits the operation there, so a cancel can no longer race the change), and exactly once
 * per idempotency key: a resumed operation whose key was already applied returns the recorded result without
 * walking the steps again.
 */
final class Walk {
    private final TelcoBackend backend;
    private final TelcoSettings settings;

    /** What a validated call will do at its point of no return. */
    @FunctionalInterface
    interface Effect {
        ObjectNode apply(String idempotencyKey) throws ToolException;
    }

    /** Validates the arguments against the customer's current state; throws the refusal to relay. */
    @FunctionalInterface
    interface Preparation {
        Effect prepare(String customerId) throws ToolException;
    }

    Walk(TelcoBackend backend, TelcoSettings settings) {
        this.backend = backend;
        this.settings = settings;
    }

    /**
     * Runs one call of {@code tool}. {@code replay} finds the result of a change already recorded under this call's
     * key ({@code null} for a read-only tool, which has nothing to replay).
     */
    String run(String tool, ToolContext context, Procedure procedure, Preparation preparation,
            Function<Change, Optional<ObjectNode>> replay) throws Exception {
        try {
            String customerId = Customers.resolve(context, backend);
            String key = context.idempotencyKey();
            Optional<ObjectNode> done = replay != null ? backend.applied(key).flatMap(replay) : Optional.empty();
            if (done.isPresent()) {
                context.progress(100, "already done");
                return Json.write(done.get());
            }
            Effect effect = preparation.prepare(customerId);
            ObjectNode result = null;
            for (Step step : procedure.steps()) {
                context.progress(step.percent(), step.name());
                if (step.percent() == procedure.pointOfNoReturn()) {
                    result = effect.apply(key);
                }
                settings.pacer().pause(settings.scaled(procedure.durationOf(step)));
            }
            if (!procedure.commitsAtAStep()) {
                result = effect.apply(key);
            }
            return Json.write(result);
        } catch (TelcoException refused) {
            throw new ToolException(refused.getMessage());
        } catch (RuntimeException broken) {
            throw Customers.unexpected(tool, broken);
        }
    }

    /** Runs a backend change, turning a refusal into the message the model relays. */
    static <T> T refusable(Supplier<T> change) throws ToolException {
        try {
            return change.get();
        } catch (TelcoException refused) {
            throw new ToolException(refused.getMessage());
        }
    }
}
