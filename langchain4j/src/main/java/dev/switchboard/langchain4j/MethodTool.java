package dev.switchboard.langchain4j;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;

/**
 * One {@code @Tool} method as a runtime {@link Tool}: binds the model's JSON arguments to the method's parameters
 * (Jackson, by the declared generic types), passes the run's {@link ToolContext} where the method asks for it, and
 * turns the return value into the tool result (a string as it is, anything else as JSON).
 *
 * <p>A missing argument is {@code null} (or an empty {@code Optional}), as LangChain4j's AI services pass it, so the
 * method can ask the user for it; a missing primitive, or an argument of the wrong shape, is a {@link ToolException}
 * the model sees and can correct. What the method throws reaches the runtime unchanged: a {@link ToolException} is
 * relayed to the model, {@link ToolContext.OperationCancelledException} and {@link InterruptedException} end a
 * cancelled operation.
 */
final class MethodTool implements Tool {
    private final Object target;
    private final Method method;
    private final ToolSpec spec;
    private final List<Binding> bindings;

    /** How one parameter gets its value: the run's context, or the named JSON argument. */
    record Binding(String name, Type type, boolean primitive) {
        static Binding context() {
            return new Binding(null, ToolContext.class, false);
        }

        static Binding argument(String name, Type type, boolean primitive) {
            return new Binding(name, type, primitive);
        }

        boolean isContext() {
            return name == null;
        }
    }

    private final dev.switchboard.tool.ApprovalPolicy approval;

    MethodTool(Object target, Method method, ToolSpec spec, List<Binding> bindings,
            dev.switchboard.tool.ApprovalPolicy approval) {
        this.target = target;
        this.method = method;
        this.spec = spec;
        this.bindings = List.copyOf(bindings);
        this.approval = approval;
    }

    @Override
    public dev.switchboard.tool.ApprovalPolicy approval() {
        return approval;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public String call(ObjectNode arguments, ToolContext context) throws Exception {
        Object[] values = new Object[bindings.size()];
        for (int i = 0; i < values.length; i++) {
            Binding b = bindings.get(i);
            values[i] = b.isContext() ? context : bind(b, arguments == null ? null : arguments.get(b.name()));
        }
        Object result;
        try {
            result = method.invoke(target, values);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
        if (result == null) {
            return method.getReturnType() == void.class ? "done" : "null";
        }
        if (result instanceof String text) {
            return text;
        }
        if (result instanceof JsonNode node) {
            return Json.write(node);
        }
        return Json.mapper().writeValueAsString(result);
    }

    private static Object bind(Binding b, JsonNode value) throws ToolException {
        boolean optional = b.type() == Optional.class
                || b.type() instanceof ParameterizedType p && p.getRawType() == Optional.class;
        if (value == null || value.isNull()) {
            if (b.primitive()) {
                throw new ToolException("the argument " + b.name() + " is required");
            }
            return optional ? Optional.empty() : null;
        }
        Type type = b.type();
        if (optional) {
            type = type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
        }
        try {
            JavaType javaType = Json.mapper().getTypeFactory().constructType(type);
            Object bound = Json.mapper().convertValue(value, javaType);
            return optional ? Optional.ofNullable(bound) : bound;
        } catch (IllegalArgumentException e) {
            throw new ToolException("the argument " + b.name() + " does not fit its schema: " + Json.write(value));
        }
    }
}
