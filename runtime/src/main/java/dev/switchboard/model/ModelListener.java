package dev.switchboard.model;

/** Receives a model's output while it streams. Called on the model caller's thread, in order. */
@FunctionalInterface
public interface ModelListener {

    void onToken(String text);

    ModelListener NONE = text -> { };
}
