package dev.switchboard.server.manifest;

import dev.switchboard.agent.AgentGraph;
import dev.switchboard.agent.AgentProvider;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;

/**
 * A manifest's agent factory: {@code com.acme.Support::agent} (a public static method, with no parameter or with the
 * environment as a {@code Map<String, String>}, returning an {@link AgentGraph}) or {@code com.acme.SupportProvider}
 * (a public class implementing {@link AgentProvider} with a public no-argument constructor). Each way it can be wrong
 * is told apart, so the start-up line says exactly what to change.
 */
final class AgentFactory {
    private static final String FORMS = "write \"com.acme.Support::agent\" (a public static method returning an "
            + "AgentGraph) or \"com.acme.SupportProvider\" (a class implementing dev.switchboard.agent.AgentProvider)";

    private AgentFactory() {
    }

    static AgentGraph build(String where, String factory, ClassLoader loader, Map<String, String> env) {
        if (factory == null || !factory.matches("[\\p{javaJavaIdentifierPart}.$]+(::[\\p{javaJavaIdentifierPart}$]+)?")) {
            throw new ManifestException(where + ": \"" + factory + "\" is not a factory", FORMS);
        }
        int colons = factory.indexOf("::");
        String className = colons < 0 ? factory : factory.substring(0, colons);
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ManifestException(where + ": class " + className + " is not on the manifest's classpath"
                    + (e instanceof LinkageError ? " (" + e + ")" : ""),
                    "check the class name, or add its jar or class folder to \"classpath\"", e);
        }
        Object built = colons < 0 ? fromProvider(where, type, env, loader)
                : fromMethod(where, type, factory.substring(colons + 2), env, loader);
        if (built == null) {
            throw new ManifestException(where + ": " + factory + " returned null",
                    "return the agent (LangChain4jAgent.builder(…).build() or AgentGraph.builder(…).build())");
        }
        return (AgentGraph) built;
    }

    private static Object fromMethod(String where, Class<?> type, String name, Map<String, String> env,
            ClassLoader loader) {
        Method method = find(type, name);
        String factory = type.getName() + "::" + name;
        if (method == null) {
            throw new ManifestException(where + ": " + type.getName() + " has no method " + name + "() or "
                    + name + "(Map<String, String> env)", "add that method, or correct the name after '::'");
        }
        if (!Modifier.isStatic(method.getModifiers()) || !Modifier.isPublic(method.getModifiers())
                || !Modifier.isPublic(type.getModifiers())) {
            throw new ManifestException(where + ": " + factory + " is not a public static method of a public class",
                    "make the class public and the method public static");
        }
        if (!AgentGraph.class.isAssignableFrom(method.getReturnType())) {
            throw new ManifestException(where + ": " + factory + " returns " + method.getReturnType().getName()
                    + ", not an AgentGraph", "return LangChain4jAgent.builder(…).build() or AgentGraph.builder(…).build()");
        }
        return call(where, factory, loader, () -> method.getParameterCount() == 0 ? method.invoke(null)
                : method.invoke(null, env));
    }

    private static Method find(Class<?> type, String name) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 0) {
                return m;
            }
        }
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == 1 && m.getParameterTypes()[0] == Map.class) {
                return m;
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            // A non-public match still counts as found, so the line says "make it public" rather than "add it".
            if (m.getName().equals(name) && (m.getParameterCount() == 0
                    || m.getParameterCount() == 1 && m.getParameterTypes()[0] == Map.class)) {
                return m;
            }
        }
        return null;
    }

    private static Object fromProvider(String where, Class<?> type, Map<String, String> env, ClassLoader loader) {
        if (!AgentProvider.class.isAssignableFrom(type)) {
            throw new ManifestException(where + ": " + type.getName() + " does not implement "
                    + AgentProvider.class.getName(), "implement it, or name a factory method as " + type.getName()
                    + "::method");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new ManifestException(where + ": " + type.getName() + " has no public no-argument constructor",
                    "add one (the server creates the provider with it)", e);
        }
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw new ManifestException(where + ": " + type.getName() + " is not a public concrete class",
                    "make it public and not abstract");
        }
        return call(where, type.getName(), loader,
                () -> ((AgentProvider) constructor.newInstance()).agent(env));
    }

    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }

    /** Runs the team's code with its own class loader as the context loader (service lookups find its classes). */
    private static Object call(String where, String factory, ClassLoader loader, Call call) {
        java.lang.Thread current = java.lang.Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(loader);
        try {
            return call.run();
        } catch (InvocationTargetException e) {
            throw failed(where, factory, e.getCause());
        } catch (Exception | LinkageError e) {
            throw failed(where, factory, e);
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private static ManifestException failed(String where, String factory, Throwable cause) {
        String message = cause.getMessage() == null || cause.getMessage().isBlank() ? cause.getClass().getName()
                : cause.getMessage().replace('\n', ' ').strip();
        String todo = cause instanceof IllegalArgumentException
                ? "fix the agent's definition (a tool or model mistake is named above); --debug prints the stack trace"
                : "fix the factory; --debug prints the stack trace";
        return new ManifestException(where + ": " + factory + " failed: " + message, todo, cause);
    }
}
