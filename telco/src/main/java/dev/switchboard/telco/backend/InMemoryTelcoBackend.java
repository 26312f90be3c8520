package dev.switchboard.telco.backend;

import dev.switchboard.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The backend in memory, seeded with the demo customers. One read-write lock guards everything: a change
 * validates, applies and records its key under the write lock, so two calls with one key apply once.
 */
public final class InMemoryTelcoBackend implements TelcoBackend {
    private final Clock clock;
    /** The month the demo history was last brought up to (a process running into a new month extends it). */
    private volatile YearMonth historyUpTo;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    private final Map<String, Customer> customers = new LinkedHashMap<>();
    private final Map<String, Subscription> subscriptions = new HashMap<>();
    private final Map<String, Contract> contracts = new HashMap<>();
    private final Map<String, Set<String>> customerAddOns = new HashMap<>();
    private final Map<String, String> countryByAlias = new HashMap<>();
    private final Map<String, String> zoneByCountry = new LinkedHashMap<>();
    private final List<PassPurchase> purchases = new ArrayList<>();
    private final List<StoredLine> lines = new ArrayList<>();
    private final Map<String, Change> applied = new HashMap<>();

    private record StoredLine(String lineId, String customerId, YearMonth period, BillLine line, Instant createdAt) {
    }

    /** Seeded, on the system clock. */
    public InMemoryTelcoBackend() {
        this(Clock.systemUTC());
    }

    /** Seeded; "today" (bills, data resets, fees, pass validity) comes from {@code clock}, in UTC. */
    public InMemoryTelcoBackend(Clock clock) {
        this.clock = clock;
        for (Seed.CustomerRow row : Seed.CUSTOMERS) {
            Customer c = row.customer();
            customers.put(c.customerId(), c);
            subscriptions.put(c.customerId(), new Subscription(c.customerId(), c.msisdn(), pkg(row.packageId()),
                    row.since(), row.dataUsedMb()));
            customerAddOns.put(c.customerId(), new TreeSet<>());
        }
        Seed.CONTRACTS.forEach(c -> contracts.put(c.customerId(), c));
        Seed.CUSTOMER_ADD_ONS.forEach(pair -> customerAddOns.get(pair[0]).add(pair[1]));
        for (Seed.CountryRow country : Seed.COUNTRIES) {
            zoneByCountry.put(country.name(), country.zoneId());
            countryByAlias.put(Rules.aliasKey(country.name()), country.name());
            country.aliases().forEach(a -> countryByAlias.put(Rules.aliasKey(a), country.name()));
        }
        addHistory(YearMonth.from(today()));
    }

    /** The demo bill history up to the month before {@code current}: lines it already holds are kept as they are. */
    private void addHistory(YearMonth current) {
        java.util.Set<String> held = new java.util.HashSet<>();
        java.util.Set<String> lived = new java.util.HashSet<>();
        for (StoredLine l : lines) {
            held.add(l.lineId());
            if (!Seed.isHistory(l.lineId())) {
                lived.add(l.customerId() + " " + l.period());
            }
        }
        for (Seed.LineRow l : Seed.history(current)) {
            // A month this backend lived through has real lines: it is not made up after the fact.
            if (!lived.contains(l.customerId() + " " + l.period()) && held.add(l.lineId())) {
                lines.add(new StoredLine(l.lineId(), l.customerId(), l.period(), l.line(), l.createdAt()));
            }
        }
        historyUpTo = current;
    }

    private static MobilePackage pkg(String id) {
        return Seed.PACKAGES.stream().filter(p -> p.packageId().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public LocalDate today() {
        return LocalDate.now(clock);
    }

    private <T> T read(Supplier<T> body) {
        lock.readLock().lock();
        try {
            return body.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    private <T> T write(Supplier<T> body) {
        lock.writeLock().lock();
        try {
            return body.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void requireCustomer(String customerId) {
        if (!customers.containsKey(customerId)) {
            customer(customerId);
        }
    }

    @Override
    public Optional<Customer> findCustomer(String customerId) {
        return read(() -> Optional.ofNullable(customerId == null ? null : customers.get(customerId)));
    }

    @Override
    public Customer provision(String customerId) {
        Checks.id(customerId, "customerId");
        Customer known = findCustomer(customerId).orElse(null);
        if (known != null) {
            return known;
        }
        return write(() -> {
            Customer again = customers.get(customerId);
            if (again != null) {
                return again;
            }
            DemoAccount account = DemoAccount.of(customerId, today(), 0);
            Customer c = account.customer();
            customers.put(customerId, c);
            subscriptions.put(customerId, new Subscription(customerId, c.msisdn(), pkg(account.packageId()),
                    account.since(), account.dataUsedMb()));
            contracts.put(customerId, account.contract());
            customerAddOns.put(customerId, new TreeSet<>(account.addOnIds()));
            account.lines().forEach(l -> lines.add(new StoredLine(l.lineId(), l.customerId(), l.period(), l.line(),
                    l.createdAt())));
            return c;
        });
    }

    @Override
    public List<MobilePackage> packages() {
        return Seed.PACKAGES;
    }

    @Override
    public Subscription subscription(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            return subscriptions.get(customerId);
        });
    }

    @Override
    public Contract contract(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            return contracts.get(customerId);
        });
    }

    @Override
    public DataBalance dataBalance(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            Subscription s = subscriptions.get(customerId);
            return Rules.balance(customerId, s.mobilePackage(), addOnsOf(customerId), s.dataUsedMb(), today());
        });
    }

    @Override
    public List<AddOn> addOns() {
        return Seed.ADD_ONS;
    }

    @Override
    public List<AddOn> activeAddOns(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            return addOnsOf(customerId);
        });
    }

    private List<AddOn> addOnsOf(String customerId) {
        Set<String> ids = customerAddOns.get(customerId);
        return Seed.ADD_ONS.stream().filter(a -> ids.contains(a.addOnId())).toList();
    }

    @Override
    public List<RoamingZone> zones() {
        return Seed.ZONES;
    }

    @Override
    public Optional<CountryZone> countryZone(String country) {
        String name = countryByAlias.get(Rules.aliasKey(country));
        if (name == null) {
            return Optional.empty();
        }
        String zoneId = zoneByCountry.get(name);
        return Seed.ZONES.stream().filter(z -> z.zoneId().equals(zoneId)).findFirst()
                .map(z -> new CountryZone(name, z));
    }

    @Override
    public List<String> countries(String zoneId) {
        return zoneByCountry.entrySet().stream().filter(e -> e.getValue().equals(zoneId)).map(Map.Entry::getKey)
                .toList();
    }

    @Override
    public List<RoamingPass> roamingPasses(String zoneId) {
        return Seed.PASSES.stream().filter(p -> p.zoneId().equals(zoneId)).toList();
    }

    @Override
    public List<PassPurchase> passPurchases(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            return purchases.stream().filter(p -> p.customerId().equals(customerId)).toList().reversed();
        });
    }

    @Override
    public Bill currentBill(String customerId) {
        return read(() -> {
            requireCustomer(customerId);
            return openBill(customerId);
        });
    }

    private Bill openBill(String customerId) {
        YearMonth period = YearMonth.from(today());
        List<BillLine> out = new ArrayList<>(Rules.recurringLines(subscriptions.get(customerId).mobilePackage(),
                addOnsOf(customerId)));
        out.addAll(storedLines(customerId, period));
        return new Bill(customerId, period, true, out);
    }

    private List<BillLine> storedLines(String customerId, YearMonth period) {
        return lines.stream().filter(l -> l.customerId().equals(customerId) && l.period().equals(period))
                .sorted(Comparator.comparing(StoredLine::createdAt).thenComparing(StoredLine::lineId))
                .map(StoredLine::line).toList();
    }

    @Override
    public List<Bill> bills(String customerId, int previous) {
        YearMonth now = YearMonth.from(today());
        if (!now.equals(historyUpTo)) {
            write(() -> {
                addHistory(now);
                return null;
            });
        }
        return read(() -> {
            requireCustomer(customerId);
            YearMonth current = YearMonth.from(today());
            List<Bill> out = new ArrayList<>();
            out.add(openBill(customerId));
            lines.stream().filter(l -> l.customerId().equals(customerId) && l.period().isBefore(current))
                    .map(StoredLine::period).distinct().sorted(Comparator.reverseOrder()).limit(Math.max(0, previous))
                    .forEach(p -> out.add(new Bill(customerId, p, false, storedLines(customerId, p))));
            return out;
        });
    }

    @Override
    public Optional<Change> applied(String idempotencyKey) {
        return read(() -> Optional.ofNullable(applied.get(idempotencyKey)));
    }

    @Override
    public PackageChange changePackage(String customerId, String packageId, String idempotencyKey) {
        return (PackageChange) write(() -> {
            Change recorded = applied.get(idempotencyKey);
            if (recorded != null) {
                return Rules.replay(recorded, PackageChange.ACTION, customerId, idempotencyKey);
            }
            requireCustomer(customerId);
            Rules.requireActive(contracts.get(customerId));
            MobilePackage to = findPackage(packageId).orElseThrow(() -> Rules.unknownPackage(packageId, packages()));
            Subscription s = subscriptions.get(customerId);
            Rules.requireDifferent(s.mobilePackage(), to);
            LocalDate today = today();
            PackageChange change = new PackageChange(customerId, s.mobilePackage(), to, today,
                    Rules.proRata(s.mobilePackage(), to, today));
            subscriptions.put(customerId, new Subscription(customerId, s.msisdn(), to, today, s.dataUsedMb()));
            addLine(customerId, Rules.proRataLine(change));
            applied.put(idempotencyKey, change);
            return change;
        });
    }

    @Override
    public ContractClosure closeContract(String customerId, String idempotencyKey) {
        return (ContractClosure) write(() -> {
            Change recorded = applied.get(idempotencyKey);
            if (recorded != null) {
                return Rules.replay(recorded, ContractClosure.ACTION, customerId, idempotencyKey);
            }
            requireCustomer(customerId);
            Contract contract = contracts.get(customerId);
            Rules.requireActive(contract);
            LocalDate today = today();
            ContractClosure closure = new ContractClosure(customerId, contract.contractId(), today,
                    contract.feeIfClosedOn(today));
            contracts.put(customerId, contract.closed(today));
            if (!closure.fee().isZero()) {
                addLine(customerId, Rules.feeLine(closure));
            }
            applied.put(idempotencyKey, closure);
            return closure;
        });
    }

    @Override
    public PassPurchase purchaseRoamingPass(String customerId, String passId, String country, String idempotencyKey) {
        return (PassPurchase) write(() -> {
            Change recorded = applied.get(idempotencyKey);
            if (recorded != null) {
                return Rules.replay(recorded, PassPurchase.ACTION, customerId, idempotencyKey);
            }
            requireCustomer(customerId);
            Rules.requireActive(contracts.get(customerId));
            CountryZone where = countryZone(country).orElseThrow(() -> Rules.unknownCountry(country));
            RoamingPass pass = Rules.passFor(where, passId, roamingPasses(where.zone().zoneId()));
            PassPurchase purchase = Rules.purchase(Ids.newId().toString(), customerId, pass, where.country(),
                    today());
            purchases.add(purchase);
            addLine(customerId, Rules.passLine(purchase));
            applied.put(idempotencyKey, purchase);
            return purchase;
        });
    }

    private void addLine(String customerId, BillLine line) {
        lines.add(new StoredLine(Ids.newId().toString(), customerId, YearMonth.from(today()), line,
                clock.instant()));
    }
}
