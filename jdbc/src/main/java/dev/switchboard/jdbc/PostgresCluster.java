package dev.switchboard.jdbc;

import dev.switchboard.cluster.Cluster;
import dev.switchboard.run.CancelAction;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * {@link Cluster} over PostgreSQL {@code LISTEN}/{@code NOTIFY}. One dedicated connection listens; a virtual
 * thread blocks in the driver until a notification arrives (the driver waits on the socket, it does not poll).
 * Each instance ignores its own signals. If the listening connection breaks, it reconnects.
 */
public final class PostgresCluster implements Cluster {
    private static final Logger LOG = Logger.getLogger(PostgresCluster.class.getName());
    static final String CHANNEL = "switchboard_signals";

    private final DataSource pool;
    private final String url;
    private final String instanceId;
    private final java.util.List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Connection listening;
    private Thread worker;

    /** How often the listening connection, silent that long, is checked with a query. */
    static final int PING_EVERY_MILLIS = 5_000;

    /** The socket bound of each call (0: none): what makes a ping on a silently dead connection fail. */
    private final int networkTimeoutMillis;

    PostgresCluster(DataSource pool, String url, String instanceId, int networkTimeoutMillis) {
        this.pool = pool;
        this.url = url;
        this.instanceId = instanceId;
        this.networkTimeoutMillis = networkTimeoutMillis;
    }

    @Override
    public void cancel(UUID threadId, UUID runId, CancelAction action, UUID supersededBy) {
        notify("cancel " + threadId + " " + runId + " " + action.wireName() + " " + (supersededBy == null ? "-" : supersededBy));
    }

    @Override
    public void wake(UUID threadId) {
        notify("wake " + threadId);
    }

    @Override
    public void ended(UUID runId) {
        notify("ended " + runId);
    }

    @Override
    public void cancelOperation(UUID requestId, UUID operationId) {
        notify("opcancel " + requestId + " " + operationId);
    }

    @Override
    public void answerCancel(UUID requestId, String result) {
        notify("opanswer " + requestId + " " + result);
    }

    @Override
    public void follow(UUID runId) {
        notify("follow " + runId);
    }

    /**
     * One event per notification when it fits PostgreSQL's 8000-byte payload; larger events (full state values)
     * travel in numbered parts that the receiver joins.
     */
    @Override
    public void relay(UUID runId, long sequence, String event) {
        int max = 7000;
        if (event.length() <= max) {
            notify("event " + runId + " " + sequence + " 1/1 " + event);
            return;
        }
        int parts = (event.length() + max - 1) / max;
        for (int i = 0; i < parts; i++) {
            notify("event " + runId + " " + sequence + " " + (i + 1) + "/" + parts + " "
                    + event.substring(i * max, Math.min(event.length(), (i + 1) * max)));
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, StringBuilder> partial =
            new java.util.concurrent.ConcurrentHashMap<>();

    private void notify(String signal) {
        // Often sent from a run's own thread: a cancel's interrupt waits for it, as for any store call.
        dev.switchboard.Interruptions.deferredDuring(() -> {
            try (Connection c = pool.getConnection()) {
                bound(c);
                try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    st.setString(1, CHANNEL);
                    st.setString(2, instanceId + " " + signal);
                    st.execute();
                }
                if (!c.getAutoCommit()) {
                    c.commit();
                }
            } catch (SQLException e) {
                LOG.log(Level.WARNING, "could not signal the other instances: " + signal, e);
            }
            return null;
        });
    }

    private void bound(Connection c) throws SQLException {
        if (networkTimeoutMillis > 0) {
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
        }
    }

    private final java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);

    /** Returns once the LISTEN is in place (or after 10 s), so no signal sent after it is missed. */
    @Override
    public synchronized void listen(Listener l) {
        listeners.add(l);
        if (worker == null) {
            worker = Thread.ofVirtual().name("switchboard-cluster-listen").start(this::receive);
            try {
                if (!subscribed.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.warning("the cluster signal channel is not up after 10 s; continuing, it keeps trying");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void receive() {
        while (!closed) {
            try (Connection c = DriverManager.getConnection(url)) {
                listening = c;
                bound(c);
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                subscribed.countDown();
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(PING_EVERY_MILLIS);
                    if (notes == null || notes.length == 0) {
                        // Silence may be a network that drops packets without a reset: a query on a dead path fails
                        // within the socket bound, and the loop reconnects (signals missed meanwhile are repaired by
                        // the heartbeat's sweeps).
                        try (Statement ping = c.createStatement()) {
                            ping.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification note : notes) {
                        deliver(note.getParameter());
                    }
                }
            } catch (SQLException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "lost the cluster signal connection; reconnecting", e);
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    void deliver(String payload) {
        String[] parts = payload.split(" ");
        if (parts.length < 3 || parts[0].equals(instanceId)) {
            return;
        }
        try {
            if (parts[1].equals("event")) {
                // instance, "event", run, sequence, i/n, then the (part of the) event, which has spaces; the parts
                // are joined once, before any listener sees the event
                String[] head = payload.split(" ", 6);
                String[] ofN = head[4].split("/");
                String key = head[2] + ":" + head[3];
                String body = head[5];
                if (!ofN[1].equals("1")) {
                    StringBuilder sb = partial.computeIfAbsent(key, k -> new StringBuilder());
                    sb.append(body);
                    if (!ofN[0].equals(ofN[1])) {
                        return;
                    }
                    body = partial.remove(key).toString();
                }
                for (Listener l : listeners) {
                    l.relayed(UUID.fromString(head[2]), Long.parseLong(head[3]), body);
                }
                return;
            }
            for (Listener l : listeners) {
                switch (parts[1]) {
                    case "cancel" -> l.cancel(UUID.fromString(parts[2]), UUID.fromString(parts[3]),
                            CancelAction.fromWire(parts[4]), parts[5].equals("-") ? null : UUID.fromString(parts[5]));
                    case "wake" -> l.wake(UUID.fromString(parts[2]));
                    case "follow" -> l.follow(UUID.fromString(parts[2]));
                    case "ended" -> l.ended(UUID.fromString(parts[2]));
                    case "opcancel" -> l.cancelOperation(UUID.fromString(parts[2]), UUID.fromString(parts[3]));
                    case "opanswer" -> l.cancelAnswered(UUID.fromString(parts[2]), parts[3]);
                    default -> LOG.fine("unknown cluster signal " + payload);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "bad cluster signal " + payload, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = listening;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to wake the listener; nothing to do if it is already gone
            }
        }
        if (worker != null) {
            worker.interrupt();
        }
    }
}
