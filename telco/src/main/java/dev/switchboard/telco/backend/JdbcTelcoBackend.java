package dev.switchboard.telco.backend;

import dev.switchboard.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The backend over plain JDBC, on the tables of {@code db/telco/V1__telco.sql} (SQLite or PostgreSQL; the
 * schema must be migrated first). A change runs in one transaction: look up its key, validate, apply, record
 * the key with its result. The key's primary key settles a race between server instances: the loser's
 * insert fails, it rolls back and returns the winner's recorded result.
 *
 * <p>Why this class is longer than ~400 lines: it is one port's implementation, one short SQL method per
 * {@link TelcoBackend} operation, each its own transaction; splitting them by table would split transactions that
 * must stay whole (a change and its idempotency record).
 */
public final class JdbcTelcoBackend implements TelcoBackend {
    private final DataSource dataSource;
    private final Clock clock;
    // SQLite refuses to upgrade a read transaction to a write while another connection writes (SQLITE_BUSY
    // without waiting), so changes from this process queue here instead of failing.
    private final ReentrantLock writes = new ReentrantLock();
    /** The month the demo bill history was last written up to. */
    private volatile YearMonth historyUpTo;

    public JdbcTelcoBackend(DataSource dataSource) {
        this(dataSource, Clock.systemUTC());
    }

    /** "Today" (bills, data resets, fees, pass validity) comes from {@code clock}, in UTC. */
    public JdbcTelcoBackend(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** A storage failure: not a refusal by the rules, so not a {@link TelcoException}. */
    public static final class StorageException extends RuntimeException {
        StorageException(String message, SQLException cause) {
            super(message + ": " + cause.getMessage(), cause);
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StorageException("could not read " + what, e);
        }
    }

    private static <T> T transaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    @Override
    public LocalDate today() {
        return LocalDate.now(clock);
    }

    // Fixed width, so that the text columns sort in time order (Instant.toString drops zero fractions).
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private String now() {
        return TIMESTAMP.format(clock.instant());
    }

    // ---- reads ------------------------------------------------------------------------------------------------

    @Override
    public Optional<Customer> findCustomer(String customerId) {
        return read("customer " + customerId, c -> findCustomer(c, customerId));
    }

    private static Optional<Customer> findCustomer(Connection c, String customerId) throws SQLException {
        return one(c, "SELECT customer_id, name, msisdn FROM telco_customer WHERE customer_id = ?",
                rs -> new Customer(rs.getString(1), rs.getString(2), rs.getString(3)), customerId);
    }

    private void requireCustomer(Connection c, String customerId) throws SQLException {
        if (findCustomer(c, customerId).isEmpty()) {
            customer(customerId);
        }
    }

    @Override
    public List<MobilePackage> packages() {
        return read("packages", JdbcTelcoBackend::packages);
    }

    private static final String PACKAGE_COLUMNS = "p.package_id, p.name, p.monthly_price_pence, p.data_gb, p.minutes";

    private static List<MobilePackage> packages(Connection c) throws SQLException {
        return list(c, "SELECT " + PACKAGE_COLUMNS + " FROM telco_package p ORDER BY p.sort_order",
                rs -> pkg(rs, 1));
    }

    private static MobilePackage pkg(ResultSet rs, int from) throws SQLException {
        return new MobilePackage(rs.getString(from), rs.getString(from + 1), Money.ofPence(rs.getLong(from + 2)),
                rs.getInt(from + 3), rs.getInt(from + 4));
    }

    @Override
    public Subscription subscription(String customerId) {
        return read("subscription of " + customerId, c -> subscription(c, customerId));
    }

    private Subscription subscription(Connection c, String customerId) throws SQLException {
        return one(c, "SELECT s.customer_id, cu.msisdn, s.active_since, s.data_used_mb, " + PACKAGE_COLUMNS
                        + " FROM telco_subscription s JOIN telco_customer cu ON cu.customer_id = s.customer_id"
                        + " JOIN telco_package p ON p.package_id = s.package_id WHERE s.customer_id = ?",
                rs -> new Subscription(rs.getString(1), rs.getString(2), pkg(rs, 5), LocalDate.parse(rs.getString(3)),
                        rs.getLong(4)), customerId)
                .orElseThrow(() -> new TelcoException(TelcoException.Reason.UNKNOWN_CUSTOMER,
                        "There is no customer with id '" + customerId + "'."));
    }

    @Override
    public Contract contract(String customerId) {
        return read("contract of " + customerId, c -> contract(c, customerId));
    }

    private Contract contract(Connection c, String customerId) throws SQLException {
        requireCustomer(c, customerId);
        return one(c, "SELECT contract_id, customer_id, status, started_on, minimum_term_ends,"
                        + " early_termination_fee_pence, closed_on FROM telco_contract WHERE customer_id = ?",
                rs -> new Contract(rs.getString(1), rs.getString(2), ContractStatus.fromWire(rs.getString(3)),
                        LocalDate.parse(rs.getString(4)), LocalDate.parse(rs.getString(5)),
                        Money.ofPence(rs.getLong(6)), rs.getString(7) == null ? null : LocalDate.parse(rs.getString(7))),
                customerId)
                .orElseThrow(() -> new IllegalStateException("customer " + customerId + " has no contract"));
    }

    @Override
    public DataBalance dataBalance(String customerId) {
        return read("data balance of " + customerId, c -> {
            Subscription s = subscription(c, customerId);
            return Rules.balance(customerId, s.mobilePackage(), activeAddOns(c, customerId), s.dataUsedMb(), today());
        });
    }

    private static final String ADD_ON_COLUMNS = "a.addon_id, a.name, a.description, a.monthly_price_pence, a.extra_data_gb";

    private static AddOn addOn(ResultSet rs) throws SQLException {
        return new AddOn(rs.getString(1), rs.getString(2), rs.getString(3), Money.ofPence(rs.getLong(4)), rs.getInt(5));
    }

    @Override
    public List<AddOn> addOns() {
        return read("add-ons", c -> list(c, "SELECT " + ADD_ON_COLUMNS + " FROM telco_addon a ORDER BY a.sort_order",
                JdbcTelcoBackend::addOn));
    }

    @Override
    public List<AddOn> activeAddOns(String customerId) {
        return read("add-ons of " + customerId, c -> {
            requireCustomer(c, customerId);
            return activeAddOns(c, customerId);
        });
    }

    private static List<AddOn> activeAddOns(Connection c, String customerId) throws SQLException {
        return list(c, "SELECT " + ADD_ON_COLUMNS + " FROM telco_addon a JOIN telco_customer_addon ca"
                + " ON ca.addon_id = a.addon_id WHERE ca.customer_id = ? ORDER BY a.sort_order",
                JdbcTelcoBackend::addOn, customerId);
    }

    @Override
    public List<RoamingZone> zones() {
        return read("roaming zones", c -> list(c,
                "SELECT zone_id, name, is_home FROM telco_roaming_zone ORDER BY sort_order",
                rs -> new RoamingZone(rs.getString(1), rs.getString(2), rs.getInt(3) != 0)));
    }

    @Override
    public Optional<CountryZone> countryZone(String country) {
        return read("country " + country, c -> countryZone(c, country));
    }

    private static Optional<CountryZone> countryZone(Connection c, String country) throws SQLException {
        return one(c, "SELECT co.name, z.zone_id, z.name, z.is_home FROM telco_country_alias a"
                        + " JOIN telco_country co ON co.name = a.country"
                        + " JOIN telco_roaming_zone z ON z.zone_id = co.zone_id WHERE a.alias = ?",
                rs -> new CountryZone(rs.getString(1), new RoamingZone(rs.getString(2), rs.getString(3),
                        rs.getInt(4) != 0)), Rules.aliasKey(country));
    }

    @Override
    public List<String> countries(String zoneId) {
        return read("countries of " + zoneId, c -> list(c,
                "SELECT name FROM telco_country WHERE zone_id = ? ORDER BY sort_order", rs -> rs.getString(1), zoneId));
    }

    private static final String PASS_COLUMNS = "rp.pass_id, rp.zone_id, rp.name, rp.days, rp.data_mb, rp.minutes, rp.price_pence";

    private static RoamingPass pass(ResultSet rs, int from) throws SQLException {
        return new RoamingPass(rs.getString(from), rs.getString(from + 1), rs.getString(from + 2), rs.getInt(from + 3),
                rs.getInt(from + 4), rs.getInt(from + 5), Money.ofPence(rs.getLong(from + 6)));
    }

    @Override
    public List<RoamingPass> roamingPasses(String zoneId) {
        return read("passes of " + zoneId, c -> roamingPasses(c, zoneId));
    }

    private static List<RoamingPass> roamingPasses(Connection c, String zoneId) throws SQLException {
        return list(c, "SELECT " + PASS_COLUMNS + " FROM telco_roaming_pass rp WHERE rp.zone_id = ?"
                + " ORDER BY rp.sort_order", rs -> pass(rs, 1), zoneId);
    }

    @Override
    public List<PassPurchase> passPurchases(String customerId) {
        return read("passes of " + customerId, c -> {
            requireCustomer(c, customerId);
            return list(c, "SELECT pp.purchase_id, pp.customer_id, pp.country, pp.valid_from, pp.valid_until, "
                            + PASS_COLUMNS + " FROM telco_pass_purchase pp JOIN telco_roaming_pass rp"
                            + " ON rp.pass_id = pp.pass_id WHERE pp.customer_id = ?"
                            + " ORDER BY pp.purchased_at DESC, pp.purchase_id DESC",
                    rs -> new PassPurchase(rs.getString(1), rs.getString(2), pass(rs, 6), rs.getString(3),
                            LocalDate.parse(rs.getString(4)), LocalDate.parse(rs.getString(5))), customerId);
        });
    }

    @Override
    public Bill currentBill(String customerId) {
        return read("bill of " + customerId, c -> openBill(c, customerId));
    }

    private Bill openBill(Connection c, String customerId) throws SQLException {
        Subscription s = subscription(c, customerId);
        YearMonth period = YearMonth.from(today());
        List<BillLine> lines = new ArrayList<>(Rules.recurringLines(s.mobilePackage(), activeAddOns(c, customerId)));
        lines.addAll(storedLines(c, customerId, period));
        return new Bill(customerId, period, true, lines);
    }

    private static List<BillLine> storedLines(Connection c, String customerId, YearMonth period) throws SQLException {
        return list(c, "SELECT kind, description, amount_pence FROM telco_bill_line WHERE customer_id = ?"
                        + " AND period = ? ORDER BY created_at, line_id",
                rs -> new BillLine(LineKind.fromWire(rs.getString(1)), rs.getString(2), Money.ofPence(rs.getLong(3))),
                customerId, period.toString());
    }

    /**
     * Writes the demo customers' bill history up to last month (see {@link Seed#history}) once per month of this
     * process: a database seeded months ago would otherwise show a gap before the current bill. Rows already there
     * stay as they are.
     */
    private void ensureHistory() {
        YearMonth current = YearMonth.from(today());
        if (current.equals(historyUpTo)) {
            return;
        }
        writes.lock();
        try {
            transaction(dataSource, c -> {
                java.util.Set<String> lived = new java.util.HashSet<>(list(c, "SELECT DISTINCT customer_id, period"
                        + " FROM telco_bill_line WHERE line_id NOT LIKE 'seed-%'", rs -> rs.getString(1) + " " + rs.getString(2)));
                for (Seed.LineRow row : Seed.history(current)) {
                    // A month this database lived through has real lines: it is not made up after the fact.
                    if (lived.contains(row.customerId() + " " + row.period())) {
                        continue;
                    }
                    update(c, "INSERT INTO telco_bill_line (line_id, customer_id, period, kind, description,"
                                    + " amount_pence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (line_id) DO NOTHING",
                            row.lineId(), row.customerId(), row.period().toString(), row.line().kind().wireName(),
                            row.line().description(), row.line().amount().pence(), row.createdAt().toString());
                }
                return null;
            });
            historyUpTo = current;
        } catch (SQLException e) {
            throw new StorageException("could not write the demo bill history", e);
        } finally {
            writes.unlock();
        }
    }

    @Override
    public List<Bill> bills(String customerId, int previous) {
        ensureHistory();
        return read("bills of " + customerId, c -> {
            List<Bill> out = new ArrayList<>();
            out.add(openBill(c, customerId));
            List<String> periods = list(c, "SELECT DISTINCT period FROM telco_bill_line WHERE customer_id = ?"
                    + " AND period < ? ORDER BY period DESC", rs -> rs.getString(1), customerId,
                    YearMonth.from(today()).toString());
            for (String p : periods.subList(0, Math.min(Math.max(0, previous), periods.size()))) {
                YearMonth period = YearMonth.parse(p);
                out.add(new Bill(customerId, period, false, storedLines(c, customerId, period)));
            }
            return out;
        });
    }

    @Override
    public Optional<Change> applied(String idempotencyKey) {
        return read("idempotency key", c -> applied(c, idempotencyKey));
    }

    private static Optional<Change> applied(Connection c, String key) throws SQLException {
        return one(c, "SELECT result FROM telco_applied_request WHERE idempotency_key = ?",
                rs -> ChangeCodec.read(rs.getString(1)), key);
    }

    // ---- changes ----------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Apply<T extends Change> {
        T apply(Connection c, LocalDate today) throws SQLException;
    }

    /** Looks the key up, applies the change and records it, in one transaction; a lost race replays the winner. */
    private <T extends Change> T change(String action, String customerId, String key, Class<T> type, Apply<T> apply) {
        writes.lock();
        try {
            return type.cast(transaction(dataSource, c -> {
                Optional<Change> recorded = applied(c, key);
                if (recorded.isPresent()) {
                    return Rules.replay(recorded.get(), action, customerId, key);
                }
                requireCustomer(c, customerId);
                T change = apply.apply(c, today());
                update(c, "INSERT INTO telco_applied_request (idempotency_key, customer_id, action, result, applied_at)"
                        + " VALUES (?, ?, ?, ?, ?)", key, customerId, action, ChangeCodec.write(change),
                        now());
                return change;
            }));
        } catch (SQLException e) {
            Optional<Change> winner = applied(key);
            if (winner.isPresent()) {
                return type.cast(Rules.replay(winner.get(), action, customerId, key));
            }
            throw new StorageException("could not apply " + action + " for " + customerId, e);
        } finally {
            writes.unlock();
        }
    }

    @Override
    public PackageChange changePackage(String customerId, String packageId, String idempotencyKey) {
        return change(PackageChange.ACTION, customerId, idempotencyKey, PackageChange.class, (c, today) -> {
            Rules.requireActive(contract(c, customerId));
            List<MobilePackage> catalogue = packages(c);
            MobilePackage to = catalogue.stream().filter(p -> packageId != null
                            && (p.packageId().equalsIgnoreCase(packageId.strip()) || p.name().equalsIgnoreCase(packageId.strip())))
                    .findFirst().orElseThrow(() -> Rules.unknownPackage(packageId, catalogue));
            Subscription s = subscription(c, customerId);
            Rules.requireDifferent(s.mobilePackage(), to);
            PackageChange change = new PackageChange(customerId, s.mobilePackage(), to, today,
                    Rules.proRata(s.mobilePackage(), to, today));
            update(c, "UPDATE telco_subscription SET package_id = ?, active_since = ? WHERE customer_id = ?",
                    to.packageId(), today.toString(), customerId);
            addLine(c, customerId, Rules.proRataLine(change));
            return change;
        });
    }

    @Override
    public ContractClosure closeContract(String customerId, String idempotencyKey) {
        return change(ContractClosure.ACTION, customerId, idempotencyKey, ContractClosure.class, (c, today) -> {
            Contract contract = contract(c, customerId);
            Rules.requireActive(contract);
            ContractClosure closure = new ContractClosure(customerId, contract.contractId(), today,
                    contract.feeIfClosedOn(today));
            update(c, "UPDATE telco_contract SET status = ?, closed_on = ? WHERE contract_id = ?",
                    ContractStatus.CLOSED.wireName(), today.toString(), contract.contractId());
            if (!closure.fee().isZero()) {
                addLine(c, customerId, Rules.feeLine(closure));
            }
            return closure;
        });
    }

    @Override
    public PassPurchase purchaseRoamingPass(String customerId, String passId, String country, String idempotencyKey) {
        return change(PassPurchase.ACTION, customerId, idempotencyKey, PassPurchase.class, (c, today) -> {
            Rules.requireActive(contract(c, customerId));
            CountryZone where = countryZone(c, country).orElseThrow(() -> Rules.unknownCountry(country));
            RoamingPass pass = Rules.passFor(where, passId, roamingPasses(c, where.zone().zoneId()));
            PassPurchase purchase = Rules.purchase(Ids.newId().toString(), customerId, pass, where.country(), today);
            update(c, "INSERT INTO telco_pass_purchase (purchase_id, customer_id, pass_id, country, valid_from,"
                            + " valid_until, purchased_at) VALUES (?, ?, ?, ?, ?, ?, ?)", purchase.purchaseId(),
                    customerId, pass.passId(), purchase.country(), purchase.validFrom().toString(),
                    purchase.validUntil().toString(), now());
            addLine(c, customerId, Rules.passLine(purchase));
            return purchase;
        });
    }

    @Override
    public Customer provision(String customerId) {
        Checks.id(customerId, "customerId");
        Optional<Customer> known = findCustomer(customerId);
        if (known.isPresent()) {
            return known.get();
        }
        writes.lock();
        try {
            // A number another customer has (a hash collision) gets the next salt; another instance that
            // provisioned the same id first wins the primary key, and its account is the one answered.
            for (int salt = 0; salt < 8; salt++) {
                DemoAccount account = DemoAccount.of(customerId, today(), salt);
                try {
                    Customer made = transaction(dataSource, c -> {
                        Optional<Customer> raced = findCustomer(c, customerId);
                        if (raced.isPresent()) {
                            return raced.get();
                        }
                        if (one(c, "SELECT customer_id FROM telco_customer WHERE msisdn = ?", rs -> rs.getString(1),
                                account.customer().msisdn()).isPresent()) {
                            return null;
                        }
                        insert(c, account);
                        return account.customer();
                    });
                    if (made != null) {
                        return made;
                    }
                } catch (SQLException e) {
                    Optional<Customer> winner = findCustomer(customerId);
                    if (winner.isPresent()) {
                        return winner.get();
                    }
                    if (salt == 7) {
                        throw new StorageException("could not provision customer " + customerId, e);
                    }
                }
            }
            throw new IllegalStateException("no free phone number for customer " + customerId);
        } finally {
            writes.unlock();
        }
    }

    private static void insert(Connection c, DemoAccount a) throws SQLException {
        Customer cu = a.customer();
        update(c, "INSERT INTO telco_customer (customer_id, name, msisdn) VALUES (?, ?, ?)", cu.customerId(), cu.name(),
                cu.msisdn());
        update(c, "INSERT INTO telco_subscription (customer_id, package_id, active_since, data_used_mb)"
                + " VALUES (?, ?, ?, ?)", cu.customerId(), a.packageId(), a.since().toString(), a.dataUsedMb());
        Contract k = a.contract();
        update(c, "INSERT INTO telco_contract (contract_id, customer_id, status, started_on, minimum_term_ends,"
                        + " early_termination_fee_pence, closed_on) VALUES (?, ?, ?, ?, ?, ?, ?)", k.contractId(),
                k.customerId(), k.status().wireName(), k.startedOn().toString(), k.minimumTermEnds().toString(),
                k.earlyTerminationFee().pence(), null);
        for (String addOn : a.addOnIds()) {
            update(c, "INSERT INTO telco_customer_addon (customer_id, addon_id) VALUES (?, ?)", cu.customerId(), addOn);
        }
        for (Seed.LineRow l : a.lines()) {
            update(c, "INSERT INTO telco_bill_line (line_id, customer_id, period, kind, description, amount_pence,"
                            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", l.lineId(), l.customerId(),
                    l.period().toString(), l.line().kind().wireName(), l.line().description(), l.line().amount().pence(),
                    TIMESTAMP.format(l.createdAt()));
        }
    }

    private void addLine(Connection c, String customerId, BillLine line) throws SQLException {
        update(c, "INSERT INTO telco_bill_line (line_id, customer_id, period, kind, description, amount_pence,"
                        + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", Ids.newId().toString(), customerId,
                YearMonth.from(today()).toString(), line.kind().wireName(), line.description(), line.amount().pence(),
                now());
    }

    // ---- JDBC plumbing ------------------------------------------------------------------------------------------

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            Object p = params[i];
            if (p instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else {
                ps.setString(i + 1, p == null ? null : p.toString());
            }
        }
    }

    private static <T> List<T> list(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.map(rs));
                }
                return out;
            }
        }
    }

    private static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... params) throws SQLException {
        List<T> rows = list(c, sql, row, params);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            ps.executeUpdate();
        }
    }
}
