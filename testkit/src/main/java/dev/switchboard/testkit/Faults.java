package dev.switchboard.testkit;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for storage ports: {@link #wrap} puts a port behind a proxy that consults a {@link Rule} on
 * every call and, when it says so, throws instead of (or blocks before) delegating. Tests use it to break a
 * store at one chosen write and check what the engine does about it.
 */
public final class Faults {
    private Faults() {
    }

    /** Decides, per call, whether to fail it. Called before the delegate. */
    @FunctionalInterface
    public interface Rule {
        /** Throw to fail the call; return to let it through. */
        void before(String method, Object[] args) throws Throwable;
    }

    /** The failure a rule throws for an injected store error. */
    public static final class InjectedFault extends RuntimeException {
        public InjectedFault(String what) {
            super("injected fault: " + what);
        }
    }

    /** {@code delegate} behind {@code rule}. */
    public static <T> T wrap(Class<T> port, T delegate, Rule rule) {
        Objects.requireNonNull(delegate);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(delegate, args);
            }
            if (method.isDefault() && delegate.getClass().getMethod(method.getName(), method.getParameterTypes()).isDefault()) {
                // A port's default method the delegate does not override is built on the port's other methods:
                // run it against the proxy, so a rule on those methods (a checkpoint "put") still applies.
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            rule.before(method.getName(), args == null ? new Object[0] : args);
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, handler));
    }

    /** A rule that fails the next {@code times} calls of {@code method} once armed, then lets everything through. */
    public static final class FailNext implements Rule {
        private final String method;
        private final AtomicInteger remaining = new AtomicInteger();

        public FailNext(String method) {
            this.method = method;
        }

        public FailNext arm(int times) {
            remaining.set(times);
            return this;
        }

        public int remaining() {
            return remaining.get();
        }

        @Override
        public void before(String called, Object[] args) {
            if (called.equals(method) && remaining.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new InjectedFault(called);
            }
        }
    }
}
