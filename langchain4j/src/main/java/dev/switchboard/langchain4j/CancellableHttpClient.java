package dev.switchboard.langchain4j;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The HTTP transport under every provider {@link Models} builds: LangChain4j's {@link HttpClient} contract on
 * the JDK client, plus one thing LangChain4j's own JDK transport cannot do. A streaming request registers with
 * the {@link StreamCloser} of the call sending it, so an interrupted call closes the connection at any stage:
 * before the response headers arrive (LangChain4j hands out no handle yet, and a provider loading a model or a
 * reasoning model thinking can take that long) as well as while the body streams.
 */
final class CancellableHttpClient implements HttpClient {
    private static final Logger LOG = Logger.getLogger(CancellableHttpClient.class.getName());

    private final java.net.http.HttpClient jdk;
    private final Duration readTimeout;

    private CancellableHttpClient(Duration connectTimeout, Duration readTimeout) {
        java.net.http.HttpClient.Builder builder = java.net.http.HttpClient.newBuilder()
                // A stream's reader blocks for as long as the model talks; virtual threads make that cheap.
                .executor(Executors.newVirtualThreadPerTaskExecutor());
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        this.jdk = builder.build();
        this.readTimeout = readTimeout;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = jdk.send(toJdk(request), BodyHandlers.ofByteArray());
            if (!isSuccessful(response.statusCode())) {
                throw new HttpException(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
            }
            return toSuccessful(response, response.body());
        } catch (HttpTimeoutException e) {
            throw new TimeoutException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            // LangChain4j's contract has no checked exception here; keep the interrupt for the caller to see.
            Thread.currentThread().interrupt();
            throw new RuntimeException("interrupted while waiting for " + request.url(), e);
        }
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        StreamCloser closer = StreamCloser.sending();
        CompletableFuture<HttpResponse<InputStream>> exchange = jdk.sendAsync(toJdk(request), BodyHandlers.ofInputStream());
        if (closer != null) {
            // Before the headers arrive, cancelling the exchange is the only way to abort it (JDK 16+ closes the connection).
            closer.onCancel(() -> exchange.cancel(true));
        }
        exchange.thenAccept(response -> stream(response, parser, listener, closer))
                .exceptionally(failure -> {
                    if (!cancelled(closer)) {
                        Throwable cause = unwrap(failure);
                        notify(() -> listener.onError(cause instanceof HttpTimeoutException
                                ? new TimeoutException(cause) : cause));
                    }
                    return null;
                });
    }

    private static void stream(HttpResponse<InputStream> response, ServerSentEventParser parser,
            ServerSentEventListener listener, StreamCloser closer) {
        if (!isSuccessful(response.statusCode())) {
            HttpException error = new HttpException(response.statusCode(), readAll(response.body()));
            notify(() -> listener.onError(error));
            return;
        }
        try (InputStream body = response.body()) {
            if (closer != null) {
                // Closing the body makes the JDK client drop the connection (HTTP/1.1) or reset the stream (HTTP/2).
                closer.onCancel(() -> closeQuietly(body));
            }
            notify(() -> listener.onOpen(toSuccessful(response, null)));
            parser.parse(body, listener);
            if (!cancelled(closer)) {
                notify(listener::onClose);
            }
        } catch (IOException e) {
            if (!cancelled(closer)) {
                notify(() -> listener.onError(e));
            }
        }
    }

    private java.net.http.HttpRequest toJdk(HttpRequest request) {
        if (!request.formDataFields().isEmpty() || !request.formDataFiles().isEmpty()) {
            throw new UnsupportedOperationException("multipart requests are not used by the chat models");
        }
        URI uri = URI.create(request.url());
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(uri);
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            // Over cleartext the JDK would try an h2c upgrade, which local OpenAI-compatible servers (vLLM, LM Studio,
            // uvicorn) answer by dropping the body or hanging. Over TLS, ALPN negotiates HTTP/2 safely.
            builder.version(java.net.http.HttpClient.Version.HTTP_1_1);
        }
        request.headers().forEach((name, values) -> {
            if (values != null) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.method(request.method().name(), request.body() == null
                ? java.net.http.HttpRequest.BodyPublishers.noBody()
                : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        if (readTimeout != null) {
            builder.timeout(readTimeout);
        }
        return builder.build();
    }

    private static SuccessfulHttpResponse toSuccessful(HttpResponse<?> response, byte[] body) {
        return SuccessfulHttpResponse.builder()
                .statusCode(response.statusCode())
                .headers(response.headers().map())
                .body(body)
                .build();
    }

    private static boolean isSuccessful(int status) {
        return status >= 200 && status < 300;
    }

    private static boolean cancelled(StreamCloser closer) {
        return closer != null && closer.isCancelled();
    }

    private static String readAll(InputStream body) {
        try (body) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(the error response could not be read: " + e.getMessage() + ")";
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing a model stream failed", e);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** A listener that throws must not kill the reader thread silently; LangChain4j's transport ignores it too. */
    private static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "a stream listener failed", e);
        }
    }

    /** LangChain4j sets the timeouts it was given on this builder, then builds one client per model. */
    static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout;
        private Duration readTimeout;

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public CancellableHttpClient build() {
            return new CancellableHttpClient(connectTimeout, readTimeout);
        }
    }
}
