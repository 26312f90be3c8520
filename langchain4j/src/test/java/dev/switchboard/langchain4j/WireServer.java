package dev.switchboard.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.Json;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A raw-socket HTTP/1.1 server on a free local port that plays a vendor's side of a streaming call.
 *
 * <p>Raw sockets, not {@code com.sun.net.httpserver}, because the tests must see exactly when the client closes
 * its connection: after reading a request the server keeps reading the socket, and end-of-stream (or a reset)
 * there means the client closed it, whatever the responder is doing at that moment.
 */
final class WireServer implements AutoCloseable {

    /** Plays the vendor for one request. Runs on its own virtual thread; an IOException means the client left. */
    @FunctionalInterface
    interface Responder {
        void respond(Exchange exchange, Response response) throws IOException, InterruptedException;
    }

    private final ServerSocket socket;
    private final Responder responder;
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private WireServer(Responder responder) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.responder = responder;
        Thread.ofVirtual().name("wire-server-accept").start(this::acceptLoop);
    }

    static WireServer start(Responder responder) throws IOException {
        return new WireServer(responder);
    }

    /** {@code http://127.0.0.1:<port>}; append the vendor's path prefix (e.g. {@code /v1}). */
    String baseUrl() {
        return "http://" + socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    /** Requests received so far, oldest first. */
    List<Exchange> exchanges() {
        return List.copyOf(exchanges);
    }

    Exchange onlyExchange() {
        if (exchanges.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + exchanges.size());
        }
        return exchanges.getFirst();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.add(connection);
                Thread.ofVirtual().name("wire-server-connection").start(() -> serve(connection));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        Connection state = new Connection();
        try (connection) {
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            while (true) {
                Optional<Exchange> next = readRequest(in, state);
                if (next.isEmpty()) {
                    return;
                }
                Exchange exchange = next.get();
                exchanges.add(exchange);
                // The responder writes while this thread goes back to reading, which is how a close is seen at once.
                Thread.ofVirtual().name("wire-server-responder").start(() -> {
                    try {
                        responder.respond(exchange, new Response(out, state));
                    } catch (IOException | InterruptedException e) {
                        // The client went away mid-response; that is what some tests want.
                    }
                });
            }
        } catch (IOException e) {
            // A reset is a close too.
        } finally {
            state.closed.countDown();
        }
    }

    private static Optional<Exchange> readRequest(InputStream in, Connection connection) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return Optional.empty();
        }
        Map<String, String> headers = new TreeMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine(in).strip(), 16); size > 0;
                    size = Integer.parseInt(readLine(in).strip(), 16)) {
                buffer.write(in.readNBytes(size));
                readLine(in);
            }
            readLine(in);
            body = buffer.toByteArray();
        } else {
            body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        }
        String[] parts = requestLine.split(" ");
        return Optional.of(new Exchange(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8), connection));
    }

    /** One CRLF-terminated line, or null at end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return null;
    }

    private static final class Connection {
        final CountDownLatch closed = new CountDownLatch(1);
    }

    /** One request as the server read it. */
    static final class Exchange {
        final String method;
        final String path;
        /** Header names in lower case. */
        final Map<String, String> headers;
        final String body;
        private final Connection connection;

        private Exchange(String method, String path, Map<String, String> headers, String body, Connection connection) {
            this.method = method;
            this.path = path;
            this.headers = Map.copyOf(headers);
            this.body = body;
            this.connection = connection;
        }

        JsonNode json() {
            return Json.parse(body);
        }

        /** Whether the client has closed the connection this request came on. */
        boolean connectionClosed() {
            return connection.closed.getCount() == 0;
        }
    }

    /** Writes one response; streams use chunked encoding so that only the client can end the connection early. */
    static final class Response {
        private final OutputStream out;
        private final Connection connection;

        private Response(OutputStream out, Connection connection) {
            this.out = out;
            this.connection = connection;
        }

        void startStream(String contentType) throws IOException {
            write("HTTP/1.1 200 OK\r\nContent-Type: " + contentType + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        }

        /** One chunk, flushed at once so the client sees it now. */
        void chunk(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            write(Integer.toHexString(bytes.length) + "\r\n");
            out.write(bytes);
            write("\r\n");
        }

        void endStream() throws IOException {
            write("0\r\n\r\n");
        }

        void send(int status, String contentType, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            write("HTTP/1.1 " + status + " Status\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                    + bytes.length + "\r\n\r\n");
            out.write(bytes);
            out.flush();
        }

        /** Never finishes: blocks until the client closes the connection (or a minute passes). */
        void hang() throws InterruptedException {
            connection.closed.await(1, TimeUnit.MINUTES);
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
