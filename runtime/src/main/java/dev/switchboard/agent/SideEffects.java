package dev.switchboard.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a long-running tool method as changing something outside the conversation (a booking, a contract).
 * Only a {@link LongRunning} tool may have side effects: quick tools are read-only by definition, because the
 * secondary lane may call them while an operation runs.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface SideEffects {
}
