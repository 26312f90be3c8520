/**
 * The {@code switchboard} command: {@code serve} (with start-up failures as one line a person can act on),
 * {@code chat} (the terminal chat: a line editor in a terminal, a plain transcript in a pipe) and {@code demo}.
 */
package dev.switchboard.server.cli;
