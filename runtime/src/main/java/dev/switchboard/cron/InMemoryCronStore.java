package dev.switchboard.cron;

import dev.switchboard.SwitchboardException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Crons in memory, for tests and single-process runs; every step is atomic through the map's own locking. */
public final class InMemoryCronStore implements CronStore {
    private final ConcurrentMap<UUID, Cron> crons = new ConcurrentHashMap<>();

    @Override
    public Cron create(Cron cron) {
        if (crons.putIfAbsent(cron.cronId(), cron) != null) {
            throw new SwitchboardException.Conflict("cron_exists", "Cron " + cron.cronId() + " already exists");
        }
        return cron;
    }

    @Override
    public Optional<Cron> get(UUID cronId) {
        return Optional.ofNullable(crons.get(cronId));
    }

    @Override
    public Cron update(Cron cron) {
        if (crons.replace(cron.cronId(), cron) == null) {
            throw SwitchboardException.NotFound.of("Cron", cron.cronId());
        }
        return cron;
    }

    @Override
    public boolean delete(UUID cronId) {
        return crons.remove(cronId) != null;
    }

    @Override
    public int deleteByThread(UUID threadId) {
        int[] removed = {0};
        crons.values().removeIf(c -> {
            boolean match = threadId.equals(c.threadId());
            if (match) {
                removed[0]++;
            }
            return match;
        });
        return removed[0];
    }

    @Override
    public List<Cron> search(CronQuery query) {
        return crons.values().stream().filter(query::matches).sorted(query.order())
                .skip(query.offset()).limit(query.limit()).toList();
    }

    @Override
    public long count(CronQuery query) {
        return crons.values().stream().filter(query::matches).count();
    }

    @Override
    public List<Cron> due(Instant now, int limit) {
        return crons.values().stream()
                .filter(c -> c.enabled() && c.nextRunAt() != null && !c.nextRunAt().isAfter(now))
                .sorted(Comparator.comparing(Cron::nextRunAt).thenComparing(c -> c.cronId().toString()))
                .limit(limit).toList();
    }

    @Override
    public Optional<Instant> nextDue() {
        return crons.values().stream().filter(c -> c.enabled() && c.nextRunAt() != null).map(Cron::nextRunAt)
                .min(Comparator.naturalOrder());
    }

    @Override
    public Optional<Cron> claim(UUID cronId, Instant expectedNext, Instant newNext) {
        Cron[] claimed = {null};
        crons.computeIfPresent(cronId, (id, c) -> {
            if (c.enabled() && c.nextRunAt() != null && Objects.equals(c.nextRunAt(), expectedNext)) {
                claimed[0] = c.withNextRunAt(newNext);
                return claimed[0];
            }
            return c;
        });
        return Optional.ofNullable(claimed[0]);
    }
}
