package dev.switchboard.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/** {@code switchboard chat} on pipes: what a test types goes to its stdin, what it prints is the transcript. */
final class ChatTranscript implements AutoCloseable {
    private final PipedOutputStream keyboard = new PipedOutputStream();
    private final Screen screen = new Screen();
    final CompletableFuture<Integer> exit;

    ChatTranscript(ChatCommand command) {
        PipedInputStream stdin;
        try {
            stdin = new PipedInputStream(keyboard, 64 * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrintStream out = new PrintStream(screen, true, StandardCharsets.UTF_8);
        exit = CompletableFuture.supplyAsync(() -> command.run(stdin, out, StandardCharsets.UTF_8, true),
                r -> Thread.ofVirtual().start(r));
    }

    /** Types a line and presses Enter. */
    void type(String line) {
        try {
            keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything printed so far. */
    String text() {
        return screen.text();
    }

    /** Ends the input, as Ctrl-D would. */
    @Override
    public void close() {
        try {
            keyboard.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A byte sink the chat writes from several threads while the test reads it. */
    private static final class Screen extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final ReentrantLock lock = new ReentrantLock();

        @Override
        public void write(int b) {
            lock.lock();
            try {
                bytes.write(b);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            lock.lock();
            try {
                bytes.write(b, off, len);
            } finally {
                lock.unlock();
            }
        }

        String text() {
            lock.lock();
            try {
                return bytes.toString(StandardCharsets.UTF_8);
            } finally {
                lock.unlock();
            }
        }
    }
}
