package dev.switchboard.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy for fault tests: clients connect to {@link #port()} and are piped to the target, one virtual thread
 * per direction. {@link #cut()} drops every open connection with a reset and stops listening, so new connections
 * are refused, as when a network path or the database host goes away; {@link #heal()} listens on the same port
 * again.
 */
final class TcpProxy implements AutoCloseable {
    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private ServerSocket listener;
    private volatile boolean silent;

    private TcpProxy(InetSocketAddress target, ServerSocket first) {
        this.target = target;
        this.port = first.getLocalPort();
        this.listener = first;
        accept(first);
    }

    /** A proxy to {@code host:targetPort} on a free local port. */
    static TcpProxy to(String host, int targetPort) {
        try {
            ServerSocket first = new ServerSocket();
            first.setReuseAddress(true);
            first.bind(new InetSocketAddress("127.0.0.1", 0));
            return new TcpProxy(new InetSocketAddress(host, targetPort), first);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    /** Connections accepted since the start. */
    int accepted() {
        return accepted.get();
    }

    /** Connections reset by {@link #cut()} since the start. */
    int dropped() {
        return dropped.get();
    }

    boolean isCut() {
        lock.lock();
        try {
            return listener == null;
        } finally {
            lock.unlock();
        }
    }

    /** Resets every open connection and refuses new ones until {@link #heal()}. */
    void cut() {
        lock.lock();
        try {
            if (listener != null) {
                closeQuietly(listener);
                listener = null;
            }
            for (Socket s : open) {
                reset(s);
                dropped.incrementAndGet();
            }
            open.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A silent partition: from now on nothing gets through and nothing is reset. Bytes already on their way are
     * dropped, new connections are accepted and then hear nothing, as when packets are lost on the path.
     */
    void silence() {
        silent = true;
    }

    /**
     * Ends a {@link #silence()}: every connection that lived through it is reset (as a path whose state was lost
     * meanwhile), and new ones go through again.
     */
    void speak() {
        lock.lock();
        try {
            silent = false;
            for (Socket s : open) {
                reset(s);
                dropped.incrementAndGet();
            }
            open.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Accepts connections again, on the same port. */
    void heal() {
        lock.lock();
        try {
            if (listener != null) {
                return;
            }
            ServerSocket again = new ServerSocket();
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
            listener = again;
            accept(again);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " again", e);
        } finally {
            lock.unlock();
        }
    }

    private void accept(ServerSocket server) {
        java.lang.Thread.ofVirtual().name("proxy-accept-" + port).start(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException closed) {
                    return;
                }
                java.lang.Thread.ofVirtual().name("proxy-connect").start(() -> connect(server, client));
            }
        });
    }

    private void connect(ServerSocket server, Socket client) {
        if (silent) {
            // Held open, answered never; reset when the silence ends.
            open.add(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            upstream.connect(target, 2_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException e) {
            reset(client);
            closeQuietly(upstream);
            return;
        }
        lock.lock();
        try {
            // A cut between accept and here: the connection belongs to a listener that is gone.
            if (listener != server) {
                reset(client);
                reset(upstream);
                return;
            }
            open.add(client);
            open.add(upstream);
            accepted.incrementAndGet();
        } finally {
            lock.unlock();
        }
        java.lang.Thread.ofVirtual().name("proxy-up").start(() -> pipe(client, upstream));
        java.lang.Thread.ofVirtual().name("proxy-down").start(() -> pipe(upstream, client));
    }

    /** Copies until either side ends, then ends both. */
    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (silent) {
                    continue; // lost on the way
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ended) {
            // one side closed or was reset
        } finally {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a reset, as when a path breaks, not an orderly end. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // nothing to do: it is going away either way
        }
    }

    @Override
    public void close() {
        cut();
    }
}
