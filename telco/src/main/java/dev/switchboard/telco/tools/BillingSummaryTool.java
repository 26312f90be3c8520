package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Bill;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolException;
import java.time.Duration;
import java.util.List;

/**
 * This month's bill so far and the previous bills. Read-only but slow (the billing system rates usage on
 * demand), so it runs as an operation that can be cancelled at any step: its point of no return is 100.
 */
final class BillingSummaryTool extends LongRunningTool {
    static final int DEFAULT_PREVIOUS = 2;
    static final int MAX_PREVIOUS = 12;
    static final Procedure PROCEDURE = new Procedure(Duration.ofSeconds(6), List.of(
            new Step(10, "fetching usage records", 1 / 3.0),
            new Step(50, "rating calls and data", 1 / 3.0),
            new Step(90, "compiling the summary", 1 / 3.0)), 100);

    BillingSummaryTool(TelcoBackend backend, TelcoSettings settings) {
        super(backend, settings, TelcoTools.GET_BILLING_SUMMARY,
                "Summarises this month's bill so far (line by line) and the previous bills. Read-only, but takes "
                        + "about 6 seconds and runs in the background.",
                Schemas.object(Schemas.Property.optionalInteger("previous_months",
                        "how many previous bills to include, 0-" + MAX_PREVIOUS + " (default " + DEFAULT_PREVIOUS + ")")),
                false, PROCEDURE);
    }

    @Override
    Effect prepare(ObjectNode arguments, String customerId) throws ToolException {
        int previous = arguments.path("previous_months").asInt(DEFAULT_PREVIOUS);
        if (previous < 0 || previous > MAX_PREVIOUS) {
            throw new ToolException("previous_months must be between 0 and " + MAX_PREVIOUS + ", not " + previous + ".");
        }
        backend.customer(customerId);
        return key -> {
            List<Bill> bills = backend.bills(customerId, previous);
            ObjectNode out = Json.object();
            out.set("current", Views.bill(bills.getFirst()));
            ArrayNode earlier = out.putArray("previous");
            bills.subList(1, bills.size()).forEach(b -> earlier.add(Views.bill(b)));
            return out;
        };
    }
}
