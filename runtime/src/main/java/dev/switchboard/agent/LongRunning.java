package dev.switchboard.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a tool method as long-running: the runtime executes it as a background operation on the main lane,
 * with progress, while the conversation goes on (the secondary lane answers meanwhile). {@link #seconds} is the
 * nominal duration a model and a client are told about; the method itself decides how long it really takes.
 * A tool method without this annotation is quick: read-only, run inline, allowed on both lanes.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface LongRunning {
    /** The nominal duration in seconds (greater than zero). */
    double seconds();
}
