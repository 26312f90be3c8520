package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Change;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.backend.TelcoException;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A tool that runs as an operation: it checks its arguments at once (so a refusal costs no waiting), then
 * walks its steps, reporting each through {@link ToolContext#progress} and pausing for the step's share of
 * the scaled duration. Its effect is applied right after the progress report of the point-of-no-return step
 * has returned (the runtime commits the operation there, so a cancel can no longer race the change), and
 * exactly once per idempotency key: a resumed operation whose key was already applied returns the recorded
 * result without walking the steps again.
 */
abstract class LongRunningTool implements Tool {
    final TelcoBackend backend;
    private final TelcoSettings settings;
    private final ToolSpec spec;
    private final Procedure procedure;

    /** What a validated call will do at its point of no return. */
    @FunctionalInterface
    interface Effect {
        ObjectNode apply(String idempotencyKey) throws ToolException;
    }

    LongRunningTool(TelcoBackend backend, TelcoSettings settings, String name, String description,
            ObjectNode parameters, boolean sideEffects, Procedure procedure) {
        this.backend = backend;
        this.settings = settings;
        this.procedure = procedure;
        this.spec = new ToolSpec(name, description, parameters, ToolKind.LONG_RUNNING, procedure.nominal(),
                sideEffects, true, procedure.pointOfNoReturn());
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }

    final Procedure procedure() {
        return procedure;
    }

    /** Validates the arguments against the customer's current state; throws the refusal to relay. */
    abstract Effect prepare(ObjectNode arguments, String customerId) throws ToolException;

    /** The result of a change recorded under this call's key, for a resumed operation; read-only tools have none. */
    Optional<ObjectNode> replay(Change recorded) {
        return Optional.empty();
    }

    @Override
    public final String call(ObjectNode arguments, ToolContext context) throws Exception {
        try {
            String customerId = Customers.resolve(context, backend);
            String key = context.idempotencyKey();
            Optional<ObjectNode> done = spec.sideEffects()
                    ? backend.applied(key).flatMap(this::replay) : Optional.empty();
            if (done.isPresent()) {
                context.progress(100, "already done");
                return Json.write(done.get());
            }
            Effect effect = prepare(arguments, customerId);
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
            throw Customers.unexpected(spec.name(), broken);
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
