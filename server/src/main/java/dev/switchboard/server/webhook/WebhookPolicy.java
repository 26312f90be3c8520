package dev.switchboard.server.webhook;

import dev.switchboard.SwitchboardException.InvalidRequest;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where webhooks may go and how they are delivered.
 *
 * @param allowed allow-list entries ({@code SWITCHBOARD_WEBHOOK_ALLOW}): CIDR ranges ({@code 10.0.0.0/8},
 *        {@code 127.0.0.1/32}) or host names, which open otherwise refused addresses; empty by default
 * @param secret the HMAC-SHA256 key of the {@code X-Switchboard-Signature} header ({@code SWITCHBOARD_WEBHOOK_SECRET});
 *        null sends no signature
 * @param maxAttempts deliveries tried at most (the first one included)
 * @param backoff the wait before the second attempt; it doubles for each further one
 * @param timeout how long one attempt may take
 */
public record WebhookPolicy(List<String> allowed, String secret, int maxAttempts, Duration backoff, Duration timeout) {
    /** Names that reach a cloud's metadata service or this machine whatever they resolve to. */
    private static final Set<String> INTERNAL_NAMES = Set.of("localhost", "metadata", "metadata.google.internal",
            "metadata.goog", "instance-data", "instance-data.ec2.internal");

    public WebhookPolicy {
        allowed = List.copyOf(allowed);
        for (String entry : allowed) {
            if (entry.contains("/")) {
                Cidr.parse(entry);
            }
        }
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("webhook attempts must be 1..10");
        }
        secret = secret == null || secret.isEmpty() ? null : secret;
    }

    public static WebhookPolicy defaults() {
        return new WebhookPolicy(List.of(), null, 4, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }

    public static WebhookPolicy fromEnvironment(Map<String, String> env) {
        String allow = env.get("SWITCHBOARD_WEBHOOK_ALLOW");
        List<String> entries = new ArrayList<>();
        if (allow != null) {
            for (String e : allow.split(",")) {
                if (!e.isBlank()) {
                    entries.add(e.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        String attempts = env.get("SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS");
        WebhookPolicy d = defaults();
        try {
            return new WebhookPolicy(entries, env.get("SWITCHBOARD_WEBHOOK_SECRET"),
                    attempts == null || attempts.isBlank() ? d.maxAttempts() : Integer.parseInt(attempts.strip()),
                    d.backoff(), d.timeout());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SWITCHBOARD_WEBHOOK_MAX_ATTEMPTS must be a number 1..10");
        }
    }

    public WebhookPolicy withAllowed(List<String> entries) {
        return new WebhookPolicy(entries, secret, maxAttempts, backoff, timeout);
    }

    public WebhookPolicy withSecret(String key) {
        return new WebhookPolicy(allowed, key, maxAttempts, backoff, timeout);
    }

    public WebhookPolicy withRetries(int attempts, Duration firstBackoff) {
        return new WebhookPolicy(allowed, secret, attempts, firstBackoff, timeout);
    }

    /**
     * The check at submission, without DNS: an absolute http(s) URL without user info, whose host is not an
     * internal name or a literal internal address. A 422 otherwise.
     */
    public URI checkSubmitted(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("invalid_field", "webhook must be an absolute http(s) URL");
        }
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null) {
            throw new InvalidRequest("invalid_field", "webhook must be an absolute http(s) URL");
        }
        String refusal = syntaxRefusal(uri);
        if (refusal == null && isLiteralAddress(uri.getHost())) {
            try {
                refusal = addressRefusal(uri.getHost(), new InetAddress[] {InetAddress.getByName(uri.getHost())});
            } catch (UnknownHostException e) {
                refusal = "its host is not an address";
            }
        }
        if (refusal != null) {
            throw new InvalidRequest("webhook_refused", "webhook refused: " + refusal);
        }
        return uri;
    }

    /** Why a delivery to {@code uri} (resolved with {@code resolver}) is refused, or null when it may go. */
    String refusal(URI uri, Resolver resolver) {
        String refusal = syntaxRefusal(uri);
        if (refusal != null) {
            return refusal;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(hostOf(uri));
        } catch (UnknownHostException e) {
            return "its host does not resolve";
        }
        return addressRefusal(hostOf(uri), addresses);
    }

    private String syntaxRefusal(URI uri) {
        if (!uri.isAbsolute() || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null) {
            return "it must be an absolute http(s) URL";
        }
        if (uri.getRawUserInfo() != null) {
            return "it must not carry user info";
        }
        String host = hostOf(uri);
        if (!hostAllowed(host) && (INTERNAL_NAMES.contains(host) || host.endsWith(".localhost")
                || host.endsWith(".internal") || host.endsWith(".local"))) {
            return "its host " + host + " is internal (set SWITCHBOARD_WEBHOOK_ALLOW to allow it)";
        }
        return null;
    }

    private String addressRefusal(String host, InetAddress[] addresses) {
        if (hostAllowed(host)) {
            return null;
        }
        // Every address the name resolves to must be public: the client may connect to any of them.
        for (InetAddress a : addresses) {
            if (isInternal(a) && !addressAllowed(a)) {
                return "its host " + host + " reaches an internal address (" + a.getHostAddress()
                        + "); set SWITCHBOARD_WEBHOOK_ALLOW to allow it";
            }
        }
        return null;
    }

    private boolean hostAllowed(String host) {
        return allowed.stream().anyMatch(e -> !e.contains("/") && e.equals(host));
    }

    private boolean addressAllowed(InetAddress address) {
        return allowed.stream().filter(e -> e.contains("/")).anyMatch(e -> Cidr.parse(e).contains(address));
    }

    static String hostOf(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    private static boolean isLiteralAddress(String host) {
        return host.startsWith("[") || host.matches("[0-9.]+") || host.contains(":");
    }

    /** Loopback, link-local (cloud metadata), private, carrier-grade NAT, unique-local, unspecified, multicast. */
    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || first == 127 || (first == 100 && second >= 64 && second < 128)
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) || (first == 198 && (second & 0xfe) == 18)
                    || first >= 240;
        }
        if (a instanceof Inet6Address) {
            boolean uniqueLocal = (b[0] & 0xfe) == 0xfc;
            boolean mappedV4 = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mappedV4) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
            return uniqueLocal;
        }
        return true;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Resolves a host name to every address it has. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        Resolver SYSTEM = InetAddress::getAllByName;
    }

    /** An address range. */
    record Cidr(byte[] network, int bits) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            try {
                byte[] net = InetAddress.getByName(text.substring(0, slash)).getAddress();
                int bits = Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > net.length * 8) {
                    throw new IllegalArgumentException();
                }
                return new Cidr(net, bits);
            } catch (UnknownHostException | RuntimeException e) {
                throw new IllegalArgumentException("SWITCHBOARD_WEBHOOK_ALLOW entry '" + text
                        + "' is neither a host name nor a CIDR range");
            }
        }

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
