package dev.switchboard.event;

/**
 * Sees every event as it is appended, inside the publishing log's lock and therefore in publish order
 * across logs whose publishes are ordered by other means (as a cancelled run's end and its successor's
 * start are). It must be fast and must not publish.
 */
@FunctionalInterface
public interface PublishObserver {

    void published(EventLog log, SequencedEvent event);

    PublishObserver NONE = (log, event) -> { };
}
