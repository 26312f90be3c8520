package dev.switchboard.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.agent.tool.ToolSpecifications;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.switchboard.Json;
import dev.switchboard.agent.Idempotent;
import dev.switchboard.agent.LongRunning;
import dev.switchboard.agent.PointOfNoReturn;
import dev.switchboard.agent.SideEffects;
import dev.switchboard.tool.Tool;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns plain objects whose methods carry LangChain4j's {@link dev.langchain4j.agent.tool.Tool @Tool} into the
 * runtime's {@link Tool}s.
 *
 * <p>The name, description and parameter schema come from LangChain4j's own {@link ToolSpecifications}, exactly as
 * its AI services derive them ({@code @Tool} name and text, {@code @P} descriptions and {@code required}, strings,
 * numbers, booleans, enums, records and classes, lists and arrays, {@code Optional}). Switchboard's annotations add
 * how the tool runs: {@link LongRunning}, {@link SideEffects}, {@link Idempotent}, {@link PointOfNoReturn}. A
 * parameter of type {@link ToolContext} is not shown to the model: it receives the calling run's context.
 *
 * <p>Every mistake is found here, when the agent is defined, not when a model first calls the tool: a method that
 * cannot be called, a parameter whose type has no JSON schema, a quick tool that declares side effects, a name
 * used twice. Each is an {@link IllegalArgumentException} naming the method and what to change.
 */
public final class AnnotatedTools {

    private AnnotatedTools() {
    }

    /**
     * The tools of {@code toolObjects}. An object that already is a {@link Tool} is taken as it is; any other
     * contributes its {@code @Tool} methods (public or not, declared or inherited), ordered by tool name so a
     * model sees them in the same order on every start.
     *
     * @throws IllegalArgumentException naming the method and what to change, when a tool cannot be derived
     */
    public static List<Tool> from(Object... toolObjects) {
        List<Tool> out = new ArrayList<>();
        for (Object object : toolObjects) {
            if (object == null) {
                throw new IllegalArgumentException("a tool object is null");
            }
            if (object instanceof Tool tool) {
                out.add(tool);
                continue;
            }
            List<Tool> found = new ArrayList<>();
            for (Method method : toolMethods(object.getClass())) {
                found.add(of(object, method));
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException(object.getClass().getName() + " has no @Tool methods; annotate "
                        + "the methods a model may call with dev.langchain4j.agent.tool.Tool");
            }
            found.sort(Comparator.comparing(t -> t.spec().name()));
            out.addAll(found);
        }
        List<String> names = out.stream().map(t -> t.spec().name()).toList();
        for (String name : names) {
            if (names.indexOf(name) != names.lastIndexOf(name)) {
                throw new IllegalArgumentException("two tools are named " + name + "; give one another name with "
                        + "@Tool(name = \"…\")");
            }
        }
        return List.copyOf(out);
    }

    /** The one tool of {@code method} on {@code target}. */
    static Tool of(Object target, Method method) {
        String where = method.getDeclaringClass().getName() + "." + method.getName();
        if (Modifier.isStatic(method.getModifiers())) {
            throw new IllegalArgumentException(where + " is static; @Tool methods are instance methods of the object "
                    + "you pass");
        }
        try {
            method.setAccessible(true);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + " cannot be called from Switchboard (" + e.getMessage()
                    + "); make it and its class public", e);
        }
        List<MethodTool.Binding> bindings = new ArrayList<>();
        List<String> contextNames = new ArrayList<>();
        for (Parameter parameter : method.getParameters()) {
            String name = parameterName(parameter, where);
            if (parameter.getType() == ToolContext.class) {
                contextNames.add(name);
                bindings.add(MethodTool.Binding.context());
            } else {
                checkHasSchema(parameter, name, where);
                bindings.add(MethodTool.Binding.argument(name, parameter.getParameterizedType(),
                        parameter.getType().isPrimitive()));
            }
        }
        ToolSpecification specification;
        try {
            specification = ToolSpecifications.toolSpecificationFrom(method);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": LangChain4j cannot derive its tool schema (" + e.getMessage()
                    + "); use parameter types with a JSON form (strings, numbers, booleans, enums, records, lists)", e);
        }
        ObjectNode parameters = schemaOf(specification, contextNames);
        try {
            return new MethodTool(target, method, spec(specification, parameters, method), bindings,
                    approval(target, method, where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@link dev.switchboard.agent.NeedsApproval} as a policy; never when absent. */
    private static dev.switchboard.tool.ApprovalPolicy approval(Object target, Method method, String where) {
        dev.switchboard.agent.NeedsApproval needs = method.getAnnotation(dev.switchboard.agent.NeedsApproval.class);
        if (needs == null) {
            return dev.switchboard.tool.ApprovalPolicy.NEVER;
        }
        java.util.Set<dev.switchboard.tool.Decision.Type> allowed = java.util.EnumSet.noneOf(dev.switchboard.tool.Decision.Type.class);
        for (String a : needs.allowed()) {
            try {
                allowed.add(dev.switchboard.tool.Decision.Type.fromWire(a));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(where + ": @NeedsApproval allows '" + a
                        + "', which is no decision (approve, edit, reject, respond)");
            }
        }
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException(where + ": @NeedsApproval must allow at least one decision");
        }
        dev.switchboard.tool.ApprovalPolicy.Description description = null;
        if (!needs.description().isEmpty()) {
            Method describer;
            try {
                describer = target.getClass().getMethod(needs.description(), ObjectNode.class, ToolContext.class);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(where + ": @NeedsApproval(description = \"" + needs.description()
                        + "\") names no public method String " + needs.description() + "(ObjectNode, ToolContext)", e);
            }
            if (describer.getReturnType() != String.class) {
                throw new IllegalArgumentException(where + ": " + needs.description() + " must return String");
            }
            describer.setAccessible(true);
            Method m = describer;
            description = (arguments, context) -> {
                try {
                    return (String) m.invoke(target, arguments, context);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            };
        }
        return dev.switchboard.tool.ApprovalPolicy.always(description).allowing(allowed);
    }

    private static List<Method> toolMethods(Class<?> type) {
        List<Method> out = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                String signature = m.getName() + List.of(m.getParameterTypes());
                if (m.isAnnotationPresent(dev.langchain4j.agent.tool.Tool.class) && !m.isBridge()
                        && !seen.contains(signature)) {
                    // An override is found first (subclass before superclass) and hides the method it overrides.
                    seen.add(signature);
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static ToolSpec spec(ToolSpecification specification, ObjectNode parameters, Method method) {
        LongRunning longRunning = method.getAnnotation(LongRunning.class);
        boolean sideEffects = method.isAnnotationPresent(SideEffects.class);
        PointOfNoReturn pointOfNoReturn = method.getAnnotation(PointOfNoReturn.class);
        String description = specification.description() == null ? "" : specification.description();
        if (longRunning == null) {
            if (sideEffects || pointOfNoReturn != null) {
                throw new IllegalArgumentException("a quick tool is read-only and always cancellable; add "
                        + "@LongRunning(seconds = …) or remove " + (sideEffects ? "@SideEffects" : "@PointOfNoReturn"));
            }
            return ToolSpec.quick(specification.name(), description, parameters);
        }
        if (!(longRunning.seconds() > 0) || Double.isInfinite(longRunning.seconds())) {
            throw new IllegalArgumentException("@LongRunning(seconds = " + longRunning.seconds() + ") must be a "
                    + "positive number of seconds");
        }
        Duration nominal = Duration.ofMillis(Math.round(longRunning.seconds() * 1000));
        return new ToolSpec(specification.name(), description, parameters, ToolKind.LONG_RUNNING, nominal,
                sideEffects, method.isAnnotationPresent(Idempotent.class),
                pointOfNoReturn == null ? 100 : pointOfNoReturn.value());
    }

    /** LangChain4j's schema as JSON, without the context parameters (the model never supplies those). */
    private static ObjectNode schemaOf(ToolSpecification specification, List<String> contextNames) {
        ObjectNode schema = specification.parameters() == null ? ToolSpec.emptySchema()
                : (ObjectNode) Json.mapper().valueToTree(JsonSchemaElementUtils.toMap(specification.parameters()));
        schema.put("type", "object");
        if (!schema.has("properties")) {
            schema.set("properties", Json.object());
        }
        ObjectNode properties = (ObjectNode) schema.get("properties");
        contextNames.forEach(properties::remove);
        JsonNode required = schema.get("required");
        if (required instanceof ArrayNode list) {
            ArrayNode kept = Json.array();
            list.forEach(n -> {
                if (!contextNames.contains(n.asText())) {
                    kept.add(n);
                }
            });
            if (kept.isEmpty()) {
                schema.remove("required");
            } else {
                schema.set("required", kept);
            }
        }
        return schema;
    }

    private static String parameterName(Parameter parameter, String where) {
        P p = parameter.getAnnotation(P.class);
        if (p != null && !p.name().isBlank()) {
            return p.name();
        }
        if (!parameter.isNamePresent() && parameter.getType() != ToolContext.class) {
            throw new IllegalArgumentException(where + ": the name of parameter " + parameter.getName() + " was not "
                    + "compiled in; compile with javac -parameters (maven-compiler-plugin <parameters>true</parameters>)"
                    + " or name it with @P(name = \"…\")");
        }
        return parameter.getName();
    }

    /**
     * A parameter type a model could fill from JSON: no {@code Object}, and no interface or abstract class other
     * than collections, maps and {@code Optional} (LangChain4j would describe those as an empty object, which no
     * argument could ever be bound to).
     */
    private static void checkHasSchema(Parameter parameter, String name, String where) {
        Class<?> type = parameter.getType();
        boolean container = Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                || type == Optional.class || type.isArray();
        // Primitives, arrays and enums with constant bodies report the abstract modifier too; they have a JSON form.
        boolean abstractType = type.isInterface() || Modifier.isAbstract(type.getModifiers()) && !type.isPrimitive()
                && !type.isArray() && !type.isEnum() && !Number.class.isAssignableFrom(type);
        if (type == Object.class || abstractType && !container && !type.isSealed()) {
            throw new IllegalArgumentException(where + ": parameter " + name + " of type " + type.getName()
                    + " has no JSON schema; use a string, a number, a boolean, an enum, a record, a list of those, "
                    + "or ToolContext");
        }
    }
}
