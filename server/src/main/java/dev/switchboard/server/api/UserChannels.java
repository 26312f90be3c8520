package dev.switchboard.server.api;

import dev.switchboard.Ids;
import dev.switchboard.event.EventLog;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code /api/agent/run} users' event channels. A channel is held while a relay writes to it or a client
 * listens; once nobody holds it, it is kept so that a reconnect with {@code Last-Event-ID} resumes, but only the
 * {@code idleLimit} most recently used idle channels are kept: past that the oldest idle ones are dropped (a
 * later listener of a dropped channel starts from what happens next). So the memory held for users is bounded by
 * the users active now plus {@code idleLimit}, whatever user ids clients send.
 *
 * <p>A channel's life: absent ──acquire──► held (count &gt; 0) ──last release──► idle ──evicted──► absent; an
 * acquire of an idle channel holds it again. Each transition happens inside the map's atomic compute for its
 * user, so an eviction never drops a channel that someone is acquiring.
 */
final class UserChannels {
    static final int DEFAULT_IDLE_CHANNELS = 10_000;
    private static final int EVENTS_PER_CHANNEL = 10_000;

    /** One user's channel and how many hold it. Fields change only inside the map's compute for its user. */
    static final class Channel {
        private final String user;
        private final EventLog log;
        private int holders;
        private long lastUsed;

        private Channel(String user, EventLog log) {
            this.user = user;
            this.log = log;
        }

        EventLog log() {
            return log;
        }
    }

    private final ConcurrentHashMap<String, Channel> byUser = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    /** Channels with at least one holder; only idle ones count against the limit. */
    private final java.util.concurrent.atomic.AtomicInteger heldCount = new java.util.concurrent.atomic.AtomicInteger();
    private final int idleLimit;

    UserChannels(int idleLimit) {
        if (idleLimit < 0) {
            throw new IllegalArgumentException("idleLimit must be >= 0");
        }
        this.idleLimit = idleLimit;
    }

    Channel acquire(String user) {
        Channel held = byUser.compute(user, (u, c) -> {
            Channel channel = c != null ? c
                    : new Channel(u, new EventLog(Ids.nameBased(AgentRunApi.USER_THREADS, "channel:" + u), null, EVENTS_PER_CHANNEL));
            if (channel.holders++ == 0) {
                heldCount.incrementAndGet();
            }
            channel.lastUsed = clock.incrementAndGet();
            return channel;
        });
        evictIfOver();
        return held;
    }

    void release(Channel channel) {
        byUser.computeIfPresent(channel.user, (u, c) -> {
            if (c == channel) {
                if (--c.holders == 0) {
                    heldCount.decrementAndGet();
                }
                c.lastUsed = clock.incrementAndGet();
            }
            return c;
        });
        evictIfOver();
    }

    int size() {
        return byUser.size();
    }

    /**
     * Drops the least recently used idle channels once there are more than the limit, down to nine tenths of it,
     * so the sort is paid once per many acquisitions rather than on each.
     */
    private void evictIfOver() {
        int idle = byUser.size() - heldCount.get();
        if (idle <= idleLimit) {
            return;
        }
        int target = idleLimit - idleLimit / 10;
        byUser.values().stream()
                .filter(c -> c.holders == 0)
                .sorted(Comparator.comparingLong(c -> c.lastUsed))
                .limit(Math.max(0, idle - target))
                .forEach(c -> byUser.computeIfPresent(c.user, (u, now) -> now == c && now.holders == 0 ? null : now));
    }
}
