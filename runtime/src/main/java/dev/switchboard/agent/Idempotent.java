package dev.switchboard.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Says a long-running tool method may safely run again with the same
 * {@link dev.switchboard.tool.ToolContext#idempotencyKey() idempotency key} (it deduplicates on that key), so
 * crash recovery may resume its operation instead of failing it. Quick tools are always treated as idempotent.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Idempotent {
}
