package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.telco.TelcoSettings;
import dev.switchboard.telco.backend.Change;
import dev.switchboard.telco.backend.Contract;
import dev.switchboard.telco.backend.MobilePackage;
import dev.switchboard.telco.backend.PackageChange;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.tool.ToolException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Moves the customer to another package; the network provisioning step is the point of no return. */
final class ChangePackageTool extends LongRunningTool {
    static final Procedure PROCEDURE = new Procedure(Duration.ofSeconds(10), List.of(
            new Step(10, "checking eligibility", 0.2),
            new Step(30, "reserving the new package", 0.2),
            new Step(60, "provisioning on the network", 0.4),
            new Step(90, "updating billing", 0.2)), 60);

    ChangePackageTool(TelcoBackend backend, TelcoSettings settings) {
        super(backend, settings, TelcoTools.CHANGE_PACKAGE,
                "Changes the customer's mobile package. Takes about 10 seconds and runs in the background; the "
                        + "change is applied at the network provisioning step and cannot be cancelled after that.",
                Schemas.object(Schemas.Property.required("package", "the package to move to",
                        backend.packages().stream().map(MobilePackage::packageId).toList())),
                true, PROCEDURE);
    }

    @Override
    Effect prepare(ObjectNode arguments, String customerId) throws ToolException {
        String wanted = arguments.path("package").asText("").strip();
        List<MobilePackage> catalogue = backend.packages();
        String names = catalogue.stream().map(MobilePackage::name).collect(Collectors.joining(", "));
        if (wanted.isEmpty()) {
            throw new ToolException("Which package? The packages are " + names + ".");
        }
        MobilePackage target = backend.findPackage(wanted).orElseThrow(
                () -> new ToolException("There is no package called '" + wanted + "'. The packages are " + names + "."));
        Contract contract = backend.contract(customerId);
        if (!contract.isActive()) {
            throw new ToolException("Your contract was closed on " + Views.day(contract.closedOn())
                    + ", so the package can't be changed.");
        }
        MobilePackage current = backend.subscription(customerId).mobilePackage();
        if (current.packageId().equals(target.packageId())) {
            throw new ToolException("You're already on the " + current.name() + " package.");
        }
        return key -> Views.packageChange(refusable(() -> backend.changePackage(customerId, target.packageId(), key)));
    }

    @Override
    Optional<ObjectNode> replay(Change recorded) {
        return recorded instanceof PackageChange c ? Optional.of(Views.packageChange(c)) : Optional.empty();
    }
}
