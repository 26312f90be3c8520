/**
 * Webhooks a security team accepts: a run's {@code webhook} URL is refused when it reaches loopback, link-local,
 * private or cloud-metadata addresses (unless an allow-list says otherwise), checked again after DNS resolution
 * and on every redirect; a delivery is signed with HMAC-SHA256 when a secret is set, and retried a bounded number
 * of times with exponential backoff.
 */
package dev.switchboard.server.webhook;
