package dev.switchboard.agent;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The progress percentage from which a long-running tool's operation can no longer be cancelled: once the method
 * has reported this percent through {@link dev.switchboard.tool.ToolContext#progress}, a cancel is refused. 0 means
 * never cancellable; without this annotation a long-running tool can be cancelled at any step (100).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface PointOfNoReturn {
    /** A percentage, 0..100. */
    int value();
}
