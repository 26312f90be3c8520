/**
 * Sign-in and ownership (DESIGN.md §6). Off by default: every caller is anonymous and known only by the visitor
 * id the web UI and terminal chat send, which decides whose demo account the tools act on. With
 * {@code SWITCHBOARD_API_KEYS} and/or {@code SWITCHBOARD_JWT_*} on, every request needs an API key or a JWT, and
 * every thread, run, operation and store namespace belongs to the user who created it; the {@code admin} role sees
 * all of them.
 */
package dev.switchboard.server.auth;
