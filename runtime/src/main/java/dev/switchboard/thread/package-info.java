/**
 * Threads: one conversation each. A {@link dev.switchboard.thread.ConversationThread} holds its metadata
 * (the owner among it), its derived status and a mirror of its latest state; the state itself lives in
 * checkpoints. {@link dev.switchboard.thread.ThreadStore} is the storage port.
 */
package dev.switchboard.thread;
