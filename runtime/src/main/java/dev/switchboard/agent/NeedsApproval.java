package dev.switchboard.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a tool method whose calls wait for a person's decision before they run (approve, edit, reject or respond,
 * in LangChain's human-in-the-loop shapes). {@link #description} names a method of the same object,
 * {@code String name(ObjectNode arguments, ToolContext context)}, that writes what the person is asked (e.g.
 * stating a fee); empty gives a default text naming the tool and its arguments. A run's {@code interrupt_on}
 * config overrides it. For a long-running tool the decision comes before its operation starts.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface NeedsApproval {
    /** The describing method's name, or empty for the default text. */
    String description() default "";

    /** The decisions allowed: any of approve, edit, reject, respond. */
    String[] allowed() default {"approve", "edit", "reject", "respond"};
}
