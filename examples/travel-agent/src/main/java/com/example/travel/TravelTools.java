package com.example.travel;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.agent.Idempotent;
import dev.switchboard.agent.LongRunning;
import dev.switchboard.agent.PointOfNoReturn;
import dev.switchboard.agent.SideEffects;
import dev.switchboard.tool.ToolContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The travel agent's tools: plain LangChain4j {@code @Tool} methods, plus how the booking runs. */
public class TravelTools {
    /** A flight the agent can offer. */
    public record Flight(String number, String from, String to, String departs, int priceEuro) {
    }

    private static final List<Flight> FLIGHTS = List.of(
            new Flight("SK1234", "OSL", "LIS", "2027-03-01 08:10", 189),
            new Flight("TP762", "OSL", "LIS", "2027-03-01 14:45", 214),
            new Flight("LH871", "FRA", "LIS", "2027-03-02 09:30", 156));

    /** Bookings by idempotency key: a retried booking books nothing twice. */
    private final Map<String, String> bookings = new ConcurrentHashMap<>();
    private final double timeScale;

    public TravelTools(double timeScale) {
        this.timeScale = timeScale;
    }

    @Tool(name = "search_flights", value = "Lists flights from one airport to another (IATA codes).")
    public List<Flight> searchFlights(@P("origin airport, e.g. OSL") String from,
            @P("destination airport, e.g. LIS") String to) {
        return FLIGHTS.stream().filter(f -> from == null || f.from().equalsIgnoreCase(from))
                .filter(f -> to == null || f.to().equalsIgnoreCase(to)).toList();
    }

    @Tool(name = "book_flight", value = "Books a seat on a flight and pays for it. Takes about 6 seconds and runs in "
            + "the background; it cannot be cancelled once the payment is taken.")
    @LongRunning(seconds = 6)
    @SideEffects
    @Idempotent
    @PointOfNoReturn(60)
    public String bookFlight(@P("the flight number, e.g. SK1234") String flight, ToolContext context)
            throws Exception {
        Flight chosen = FLIGHTS.stream().filter(f -> f.number().equalsIgnoreCase(flight)).findFirst()
                .orElseThrow(() -> new dev.switchboard.tool.ToolException("There is no flight " + flight + "."));
        context.progress(10, "holding a seat");
        pause(2);
        context.progress(60, "taking the payment");
        String reference = bookings.computeIfAbsent(context.idempotencyKey(),
                key -> "BK-" + Integer.toHexString(key.hashCode()).toUpperCase());
        pause(2);
        context.progress(90, "issuing the ticket");
        pause(2);
        return "Booked " + chosen.number() + " " + chosen.from() + "→" + chosen.to() + " on " + chosen.departs()
                + " for €" + chosen.priceEuro() + ", reference " + reference + ".";
    }

    private void pause(double seconds) throws InterruptedException {
        java.lang.Thread.sleep(Duration.ofMillis(Math.round(seconds * 1000 * timeScale)));
    }
}
