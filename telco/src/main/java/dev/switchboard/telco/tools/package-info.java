/**
 * The telco agent's tools, written the way any team writes theirs: plain classes whose methods carry LangChain4j's
 * {@code @Tool}, with Switchboard's {@code @LongRunning}, {@code @SideEffects}, {@code @Idempotent} and
 * {@code @PointOfNoReturn} where they apply, and a {@link dev.switchboard.tool.ToolContext} parameter for progress.
 * {@link dev.switchboard.telco.tools.AccountChanges} holds four long-running ones that walk through named steps
 * with a point of no return ({@code close_contract}, {@code purchase_roaming_pass}, {@code change_package}, and the
 * slow but read-only {@code get_billing_summary}); {@link dev.switchboard.telco.tools.AccountLookups} the five
 * quick, read-only ones. Every result is a JSON object whose fields carry display-ready text ({@code "£20.00"},
 * {@code "25 GB"}) next to the raw numbers, so a model can relay it without arithmetic. A refusal (unknown package,
 * contract already closed …) is a {@link dev.switchboard.tool.ToolException} whose message can be read to the
 * customer as it is.
 */
package dev.switchboard.telco.tools;
