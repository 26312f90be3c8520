package dev.switchboard.telco.tools;

import dev.switchboard.telco.backend.Money;
import dev.switchboard.tool.ApprovalPolicy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Change;
import dev.switchboard.telco.backend.Contract;
import dev.switchboard.telco.backend.ContractClosure;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Closes the customer's contract; closing it in the contract system is the point of no return. */
final class CloseContractTool extends LongRunningTool {
    static final Procedure PROCEDURE = new Procedure(Duration.ofSeconds(10), List.of(
            new Step(10, "checking the contract", 0.2),
            new Step(40, "settling the final bill", 0.3),
            new Step(70, "closing the contract", 0.3),
            new Step(90, "sending the confirmation", 0.2)), 70);

    CloseContractTool(TelcoBackend backend, TelcoSettings settings) {
        super(backend, settings, TelcoTools.CLOSE_CONTRACT,
                "Closes the customer's contract (an early termination fee applies inside the minimum term). Takes "
                        + "about 10 seconds and runs in the background; it cannot be cancelled once the contract "
                        + "is being closed.",
                Schemas.object(Schemas.Property.optional("reason", "why the customer is leaving, if they said", List.of())),
                true, PROCEDURE);
    }

    /**
     * Closing a contract is the customer's decision to confirm: the request states what it costs today (the early
     * termination fee inside the minimum term), read from their contract when the call is made.
     */
    @Override
    public ApprovalPolicy approval() {
        return ApprovalPolicy.always((arguments, context) -> {
            String customerId = Customers.resolve(context, backend);
            Contract contract = backend.contract(customerId);
            if (!contract.isActive()) {
                return "Close your contract? (It was already closed on " + Views.day(contract.closedOn()) + ".)";
            }
            Money fee = contract.feeIfClosedOn(backend.today());
            return fee.isZero()
                    ? "Close your contract " + contract.contractId() + "? Your minimum term has ended, so there is no fee."
                    : "Close your contract " + contract.contractId() + "? An early termination fee of " + fee.format()
                            + " applies (minimum term until " + Views.day(contract.minimumTermEnds()) + ").";
        });
    }

    @Override
    Effect prepare(ObjectNode arguments, String customerId) throws ToolException {
        Contract contract = backend.contract(customerId);
        if (!contract.isActive()) {
            throw new ToolException("Your contract was already closed on " + Views.day(contract.closedOn()) + ".");
        }
        return key -> Views.closure(refusable(() -> backend.closeContract(customerId, key)));
    }

    @Override
    Optional<ObjectNode> replay(Change recorded) {
        return recorded instanceof ContractClosure c ? Optional.of(Views.closure(c)) : Optional.empty();
    }
}
