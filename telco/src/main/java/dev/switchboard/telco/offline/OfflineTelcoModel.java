package dev.switchboard.telco.offline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.Message;
import dev.switchboard.model.ChatModel;
import dev.switchboard.model.ModelListener;
import dev.switchboard.model.ModelRequest;
import java.time.Duration;

/**
 * A deterministic telco model without a network: the same request always gets the same answer. The first
 * message also loads the sentence-embedding model (about 0.7 s of CPU, see {@link Similarity}); after that an
 * answer takes milliseconds. It understands the telco intents by similarity to example phrases (new
 * paraphrases, typos), asks when unsure, declines what is not about the customer's mobile account, asks for a
 * missing slot instead of guessing and fills it from the next message,
 * calls only the tools the request offers and never a side-effecting one on the secondary lane, answers from
 * the tools' JSON results, and for a synthesis states each operation's outcome and answers every interim
 * question. Answers stream as word pieces, one every {@code token_delay_ms} (run configurable) or the
 * constructor's delay; interrupting the caller stops the stream.
 */
public final class OfflineTelcoModel implements ChatModel {
    public static final Duration DEFAULT_TOKEN_DELAY = Duration.ofMillis(15);
    /** The run {@code configurable} key that overrides the token delay, in milliseconds. */
    public static final String TOKEN_DELAY_KEY = "token_delay_ms";

    private static final class Shared {
        static final Knowledge KNOWLEDGE = Knowledge.bundled();
        static final Responder RESPONDER = new Responder(KNOWLEDGE, new Understanding(KNOWLEDGE));
    }

    private final Duration tokenDelay;
    private final Responder responder;

    public OfflineTelcoModel() {
        this(DEFAULT_TOKEN_DELAY);
    }

    public OfflineTelcoModel(Duration tokenDelay) {
        if (tokenDelay == null || tokenDelay.isNegative()) {
            throw new IllegalArgumentException("tokenDelay must be zero or positive, got " + tokenDelay);
        }
        this.tokenDelay = tokenDelay;
        // The knowledge loads here, so that a server is ready when it says so; the embedding model, which would
        // add most of a second to start-up, loads on the first message instead.
        this.responder = Shared.RESPONDER;
    }

    @Override
    public AiMessage chat(ModelRequest request, ModelListener listener) throws InterruptedException {
        Responder.Turn turn = responder.respond(request);
        Speech.stream(turn.text(), delay(request), listener);
        return new AiMessage(Message.newId(), turn.text(), turn.calls(), turn.kwargs());
    }

    private Duration delay(ModelRequest request) {
        JsonNode value = request.configurable().get(TOKEN_DELAY_KEY);
        if (value == null || value.isNull()) {
            return tokenDelay;
        }
        try {
            long ms = value.isNumber() ? value.asLong() : Long.parseLong(value.asText().strip());
            return ms >= 0 ? Duration.ofMillis(ms) : tokenDelay;
        } catch (NumberFormatException e) {
            return tokenDelay;
        }
    }
}
