package dev.switchboard.testkit;

import dev.switchboard.SwitchboardException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Objects;

/**
 * A network partition between one runtime instance and its database, for crash and lease tests. Wrap each
 * storage port the instance uses with {@link #wrap}; then {@link #cutHeartbeats} makes only lease renewals
 * fail (the instance goes on working, unaware that its leases run out), {@link #cutAll} makes every call fail
 * (the instance is as good as dead: nothing it does reaches the store any more), and {@link #heal} lets
 * everything through again. A refused call throws {@link SwitchboardException.Unavailable}, as a store does
 * when the database cannot be reached.
 */
public final class StorePartition {
    private enum Cut { NONE, HEARTBEATS, ALL }

    private volatile Cut cut = Cut.NONE;

    /** {@code store} as this instance sees it through the partition. */
    public <T> T wrap(Class<T> port, T store) {
        Objects.requireNonNull(store, "store");
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(store, args);
            }
            Cut now = cut;
            if (now == Cut.ALL || (now == Cut.HEARTBEATS && method.getName().equals("renewLeases"))) {
                throw new SwitchboardException.Unavailable("partitioned from the database (" + port.getSimpleName()
                        + "." + method.getName() + ")");
            }
            try {
                return method.invoke(store, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, handler));
    }

    /** Lease renewals fail from now on; everything else still reaches the store. */
    public void cutHeartbeats() {
        cut = Cut.HEARTBEATS;
    }

    /** Every call fails from now on. */
    public void cutAll() {
        cut = Cut.ALL;
    }

    public void heal() {
        cut = Cut.NONE;
    }
}
