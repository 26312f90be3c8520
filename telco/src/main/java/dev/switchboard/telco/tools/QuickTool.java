package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.backend.TelcoException;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolSpec;

/** A quick, read-only tool: one backend read for the resolved customer, answered as JSON. */
abstract class QuickTool implements Tool {
    final TelcoBackend backend;
    private final ToolSpec spec;

    QuickTool(TelcoBackend backend, String name, String description, ObjectNode parameters) {
        this.backend = backend;
        this.spec = ToolSpec.quick(name, description, parameters);
    }

    @Override
    public final ToolSpec spec() {
        return spec;
    }

    abstract ObjectNode answer(ObjectNode arguments, String customerId) throws ToolException;

    @Override
    public final String call(ObjectNode arguments, ToolContext context) throws ToolException {
        try {
            return Json.write(answer(arguments, Customers.resolve(context, backend)));
        } catch (TelcoException refused) {
            throw new ToolException(refused.getMessage());
        } catch (RuntimeException broken) {
            throw Customers.unexpected(spec.name(), broken);
        }
    }
}
