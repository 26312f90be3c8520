package dev.switchboard.telco;

import dev.switchboard.agent.AgentGraph;
import dev.switchboard.langchain4j.LangChain4jAgent;
import dev.switchboard.agent.ModelCatalog;
import dev.switchboard.model.ChatModel;
import dev.switchboard.telco.backend.TelcoBackend;
import dev.switchboard.telco.tools.TelcoTools;
import java.util.Objects;

/**
 * The {@code telco} graph: the telco tools, prompts for both lanes and the synthesis, and the models. It is defined
 * with the same public API a team uses for its own agent ({@code LangChain4jAgent} and {@code @Tool} classes).
 */
public final class TelcoAgent {
    public static final String GRAPH_ID = "telco";

    /** The main lane: what a hosted model must know to use operations well. */
    public static final String SYSTEM_PROMPT = """
            You are the customer-service assistant of a mobile network. You help the customer with their own \
            account only: their package, data balance, bills, roaming passes, add-ons and contract. Use the tools \
            for every fact; never invent prices, balances or dates.

            Some tools are long-running: change_package, close_contract, purchase_roaming_pass and \
            get_billing_summary take several seconds. When you call one it runs in the background as an \
            operation; the customer can keep chatting meanwhile on a second lane, where a colleague answers \
            quick questions, reports progress and can cancel the operation before its point of no return. When \
            the operation ends you are asked to write one answer that states its outcome and answers whatever \
            was asked meanwhile.

            Before calling a tool, make sure you know its required arguments: if the customer did not say which \
            package, which country or which pass, ask instead of guessing. A change the customer asked for is \
            done by calling its tool; do not ask for confirmation of a clear request, except before closing a \
            contract if the customer sounds unsure. If a tool reports an error, explain it in plain words and \
            suggest what the customer can do. Keep answers short, friendly and concrete.""";

    /** The secondary lane: quick answers while an operation runs, never a change. */
    public static final String SECONDARY_PROMPT = """
            You are the customer-service assistant of a mobile network, answering on the side while a \
            long-running operation you started for the customer is still in progress. Answer quickly and \
            briefly with the quick tools. Use check_status when the customer asks how far along it is \
            (report the percentage and the current step), and cancel_operation only when they clearly ask to \
            stop it (it cannot be stopped after its point of no return; say so if refused). You cannot make \
            changes here: if the customer asks for another change (a package change, closing the contract, \
            buying a pass, a billing summary), say that you will take care of it after the current operation \
            finishes, and do not call any other tool for it.""";

    /** The synthesis: one answer after the operation, covering everything said meanwhile. */
    public static final String SYNTHESIS_PROMPT = """
            The long-running operation you started for the customer has ended. Write one short answer that \
            continues the conversation. First state the outcome honestly: done (with the key details from the \
            result), failed (with the reason), or cancelled (nothing was changed). Then, for every question \
            the customer asked while it ran, restate the question briefly with the answer that was given (or \
            answer it now if it was not answered). If they asked for another change meanwhile, offer to do it \
            now.""";

    private TelcoAgent() {
    }

    /**
     * The {@code telco} graph over {@code backend}: {@code mainModel} answers on the main lane and writes the
     * synthesis, {@code secondaryModel} answers while an operation runs (pass the same model for both, or a
     * faster one for the secondary lane).
     */
    public static AgentGraph graph(TelcoBackend backend, ChatModel mainModel, ChatModel secondaryModel,
            TelcoSettings settings) {
        Objects.requireNonNull(mainModel, "mainModel");
        Objects.requireNonNull(secondaryModel, "secondaryModel");
        return definition(backend, settings).model(mainModel).secondaryModel(secondaryModel).build();
    }

    /**
     * The {@code telco} graph over {@code backend} whose assistants and runs choose their model by name from
     * {@code models} ({@code config.configurable.model}); the catalog's defaults answer otherwise.
     */
    public static AgentGraph graph(TelcoBackend backend, ModelCatalog models, TelcoSettings settings) {
        return definition(backend, settings).models(Objects.requireNonNull(models, "models")).build();
    }

    private static LangChain4jAgent.Builder definition(TelcoBackend backend, TelcoSettings settings) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(settings, "settings");
        return LangChain4jAgent.builder(GRAPH_ID)
                .systemPrompt(SYSTEM_PROMPT)
                .secondaryPrompt(SECONDARY_PROMPT)
                .synthesisPrompt(SYNTHESIS_PROMPT)
                .tools(TelcoTools.objects(backend, settings).toArray());
    }
}
