/**
 * Tools: what a model can call. Each declares its kind (quick or long-running), side effects, idempotency
 * and point of no return in a {@link dev.switchboard.tool.ToolSpec}; the runtime, not the model, decides
 * which tools a lane may use.
 */
package dev.switchboard.tool;
