/**
 * Authentication and ownership. Off by default; {@code SWITCHBOARD_API_KEYS} maps keys to users, and then
 * every thread, run, operation and store namespace belongs to the user who created it.
 */
package dev.switchboard.server.auth;
