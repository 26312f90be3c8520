package dev.switchboard.telco.offline;

import dev.switchboard.model.ModelListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Streams an answer the way a hosted model does: word pieces, one every {@code delay}, stoppable by interruption. */
final class Speech {
    private static final Pattern WORD = Pattern.compile("\\s*\\S+|\\s+$");
    private static final int PIECE = 6;

    private Speech() {
    }

    /** Words with their leading whitespace; long words in pieces of {@value #PIECE} characters. Joined, they are the text. */
    static List<String> pieces(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            String word = m.group();
            String lead = word.substring(0, word.length() - word.stripLeading().length());
            String body = word.stripLeading();
            if (body.length() <= PIECE + 4) {
                out.add(word);
                continue;
            }
            for (int i = 0; i < body.length(); i += PIECE) {
                String piece = body.substring(i, Math.min(body.length(), i + PIECE));
                out.add(i == 0 ? lead + piece : piece);
            }
        }
        return out;
    }

    static void stream(String text, Duration delay, ModelListener listener) throws InterruptedException {
        for (String piece : pieces(text)) {
            pause(delay);
            listener.onToken(piece);
        }
        pause(Duration.ZERO);
    }

    private static void pause(Duration delay) throws InterruptedException {
        if (delay.isPositive()) {
            Thread.sleep(delay);
        } else if (Thread.interrupted()) {
            throw new InterruptedException("stopped while streaming");
        }
    }
}
