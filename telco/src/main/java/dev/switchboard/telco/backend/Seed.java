package dev.switchboard.telco.backend;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

/**
 * The demo data the in-memory backend starts with. {@code db/telco/V1__telco.sql} seeds the same rows for the
 * JDBC backend; a test holds the two to each other.
 */
final class Seed {
    private Seed() {
    }

    record CustomerRow(Customer customer, String packageId, LocalDate since, long dataUsedMb) {
    }

    record CountryRow(String name, String zoneId, List<String> aliases) {
    }

    record LineRow(String lineId, String customerId, YearMonth period, BillLine line, Instant createdAt) {
    }

    static final List<MobilePackage> PACKAGES = List.of(
            new MobilePackage("basic", "Basic", Money.ofPence(1000), 5, 250),
            new MobilePackage("standard", "Standard", Money.ofPence(2000), 25, 1000),
            new MobilePackage("premium", "Premium", Money.ofPence(3000), 100, -1),
            new MobilePackage("unlimited", "Unlimited", Money.ofPence(4000), -1, -1));

    static final List<CustomerRow> CUSTOMERS = List.of(
            new CustomerRow(new Customer("demo", "Demo Customer", "+447700900000"), "standard", LocalDate.parse("2025-03-01"), 8300),
            new CustomerRow(new Customer("alice", "Alice Example", "+447700900001"), "basic", LocalDate.parse("2026-05-10"), 4100),
            new CustomerRow(new Customer("bob", "Bob Example", "+447700900002"), "premium", LocalDate.parse("2023-06-01"), 35200));

    static final List<Contract> CONTRACTS = List.of(
            new Contract("c-demo", "demo", ContractStatus.ACTIVE, LocalDate.parse("2025-03-01"),
                    LocalDate.parse("2027-02-28"), Money.ofPence(4500), null),
            new Contract("c-alice", "alice", ContractStatus.ACTIVE, LocalDate.parse("2026-05-10"),
                    LocalDate.parse("2028-05-09"), Money.ofPence(12000), null),
            new Contract("c-bob", "bob", ContractStatus.ACTIVE, LocalDate.parse("2023-06-01"),
                    LocalDate.parse("2025-05-31"), Money.ofPence(5000), null));

    static final List<AddOn> ADD_ONS = List.of(
            new AddOn("data_boost_5gb", "Data Boost 5 GB",
                    "5 GB of extra data every month", Money.ofPence(500), 5),
            new AddOn("intl_calls_100", "International Calls 100",
                    "100 minutes a month to 50 countries", Money.ofPence(400), 0),
            new AddOn("music_streaming", "Music Streaming",
                    "Ad-free music streaming that does not count toward your data", Money.ofPence(700), 0),
            new AddOn("device_insurance", "Device Insurance",
                    "Cover for loss, theft and damage of your phone", Money.ofPence(800), 0));

    /** customer id, add-on id */
    static final List<String[]> CUSTOMER_ADD_ONS = List.of(
            new String[] {"alice", "data_boost_5gb"},
            new String[] {"bob", "music_streaming"},
            new String[] {"bob", "intl_calls_100"});

    static final List<RoamingZone> ZONES = List.of(
            new RoamingZone("home", "United Kingdom (home)", true),
            new RoamingZone("eu", "Europe", false),
            new RoamingZone("usa", "USA & Canada", false),
            new RoamingZone("asia", "Asia Pacific", false),
            new RoamingZone("world", "Rest of the world", false));

    static final List<CountryRow> COUNTRIES = List.of(
            new CountryRow("United Kingdom", "home", List.of("uk", "great britain", "britain", "england", "scotland", "wales", "northern ireland", "gb")),
            new CountryRow("Spain", "eu", List.of("espana", "canary islands", "mallorca", "ibiza")),
            new CountryRow("France", "eu", List.of("paris")),
            new CountryRow("Germany", "eu", List.of("deutschland")),
            new CountryRow("Italy", "eu", List.of("italia")),
            new CountryRow("Portugal", "eu", List.of("madeira")),
            new CountryRow("Netherlands", "eu", List.of("holland", "amsterdam")),
            new CountryRow("Belgium", "eu", List.of()),
            new CountryRow("Ireland", "eu", List.of("republic of ireland", "eire")),
            new CountryRow("Greece", "eu", List.of("crete")),
            new CountryRow("Austria", "eu", List.of()),
            new CountryRow("Switzerland", "eu", List.of()),
            new CountryRow("Sweden", "eu", List.of()),
            new CountryRow("Denmark", "eu", List.of()),
            new CountryRow("Norway", "eu", List.of()),
            new CountryRow("Finland", "eu", List.of()),
            new CountryRow("Iceland", "eu", List.of()),
            new CountryRow("Poland", "eu", List.of()),
            new CountryRow("Czech Republic", "eu", List.of("czechia", "prague")),
            new CountryRow("Croatia", "eu", List.of()),
            new CountryRow("Malta", "eu", List.of()),
            new CountryRow("Cyprus", "eu", List.of()),
            new CountryRow("United States", "usa", List.of("usa", "us", "united states of america", "america", "the states", "new york", "florida")),
            new CountryRow("Canada", "usa", List.of()),
            new CountryRow("Japan", "asia", List.of("tokyo")),
            new CountryRow("China", "asia", List.of()),
            new CountryRow("India", "asia", List.of()),
            new CountryRow("Thailand", "asia", List.of("bangkok")),
            new CountryRow("Singapore", "asia", List.of()),
            new CountryRow("South Korea", "asia", List.of("korea", "republic of korea")),
            new CountryRow("Vietnam", "asia", List.of("viet nam")),
            new CountryRow("Indonesia", "asia", List.of("bali")),
            new CountryRow("Malaysia", "asia", List.of()),
            new CountryRow("Philippines", "asia", List.of()),
            new CountryRow("Hong Kong", "asia", List.of()),
            new CountryRow("Australia", "asia", List.of("sydney")),
            new CountryRow("New Zealand", "asia", List.of()),
            new CountryRow("Mexico", "world", List.of()),
            new CountryRow("Brazil", "world", List.of("brasil")),
            new CountryRow("Argentina", "world", List.of()),
            new CountryRow("South Africa", "world", List.of()),
            new CountryRow("Egypt", "world", List.of()),
            new CountryRow("United Arab Emirates", "world", List.of("uae", "dubai", "emirates")),
            new CountryRow("Turkey", "world", List.of("turkiye")),
            new CountryRow("Morocco", "world", List.of()),
            new CountryRow("Kenya", "world", List.of()));

    static final List<RoamingPass> PASSES = List.of(
            new RoamingPass("eu_day", "eu", "Europe Day Pass", 1, 2048, 100, Money.ofPence(250)),
            new RoamingPass("eu_week", "eu", "Europe Week Pass", 7, 10240, 500, Money.ofPence(1200)),
            new RoamingPass("usa_day", "usa", "USA & Canada Day Pass", 1, 1024, 60, Money.ofPence(600)),
            new RoamingPass("usa_week", "usa", "USA & Canada Week Pass", 7, 5120, 300, Money.ofPence(2500)),
            new RoamingPass("asia_day", "asia", "Asia Pacific Day Pass", 1, 1024, 60, Money.ofPence(700)),
            new RoamingPass("asia_week", "asia", "Asia Pacific Week Pass", 7, 5120, 300, Money.ofPence(3000)),
            new RoamingPass("world_day", "world", "World Day Pass", 1, 512, 30, Money.ofPence(1000)),
            new RoamingPass("world_week", "world", "World Week Pass", 7, 3072, 120, Money.ofPence(4500)));

    /** The first month of demo bill history, as V1__telco.sql seeded it (with 2026-10) in fixed rows. */
    static final YearMonth HISTORY_START = YearMonth.parse("2026-09");
    /** However long ago the history started, a bill list shows at most a year of it. */
    static final int HISTORY_MONTHS_MAX = 12;
    /** The demo history always covers at least these many months before the current one. */
    static final int HISTORY_MONTHS_MIN = 2;

    /** What each demo customer pays every month: customer id, kind, description, pence. */
    private static final List<String[]> MONTHLY = List.of(
            new String[] {"demo", "package", "Standard package", "2000"},
            new String[] {"alice", "package", "Basic package", "1000"},
            new String[] {"alice", "add_on", "Data Boost 5 GB", "500"},
            new String[] {"bob", "package", "Premium package", "3000"},
            new String[] {"bob", "add_on", "Music Streaming", "700"},
            new String[] {"bob", "add_on", "International Calls 100", "400"});

    /**
     * The demo customers' closed bills before {@code current}, every month without a gap: from
     * {@link #HISTORY_START} (or {@link #HISTORY_MONTHS_MIN} months back, if that is later) to the month before
     * {@code current}, at most {@link #HISTORY_MONTHS_MAX} months back, none before the customer joined. Fixed
     * months went stale as time passed and left a gap before the current bill; these follow today. Line ids are
     * stable ({@code seed-<customer>-<period>-<n>}), so writing the history again is a no-op, and they match the
     * rows V1__telco.sql seeded for 2026-09 and 2026-10.
     */
    static List<LineRow> history(YearMonth current) {
        YearMonth earliest = HISTORY_START.isBefore(current.minusMonths(HISTORY_MONTHS_MIN))
                ? HISTORY_START : current.minusMonths(HISTORY_MONTHS_MIN);
        if (earliest.isBefore(current.minusMonths(HISTORY_MONTHS_MAX))) {
            earliest = current.minusMonths(HISTORY_MONTHS_MAX);
        }
        List<LineRow> out = new java.util.ArrayList<>();
        for (YearMonth period = earliest; period.isBefore(current); period = period.plusMonths(1)) {
            Instant first = period.atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            java.util.Map<String, Integer> numbers = new java.util.HashMap<>();
            for (String[] line : MONTHLY) {
                if (!joinedBy(line[0], period)) {
                    continue;
                }
                int n = numbers.merge(line[0], 1, Integer::sum);
                out.add(new LineRow("seed-" + line[0] + "-" + period + "-" + n, line[0], period,
                        new BillLine(LineKind.fromWire(line[1]), line[2], Money.ofPence(Long.parseLong(line[3]))), first));
            }
            // Bob's trip to France, in the month V1 seeded it.
            if (period.equals(YearMonth.parse("2026-09"))) {
                out.add(new LineRow("seed-bob-2026-09-4", "bob", period, new BillLine(LineKind.fromWire("roaming"),
                        "Europe Week Pass (France)", Money.ofPence(1200)), first));
            }
        }
        return out;
    }

    /** Whether a bill line is demo history rather than something that happened. */
    static boolean isHistory(String lineId) {
        return lineId.startsWith("seed-");
    }

    private static boolean joinedBy(String customerId, YearMonth period) {
        return CUSTOMERS.stream().filter(c -> c.customer().customerId().equals(customerId))
                .anyMatch(c -> !YearMonth.from(c.since()).isAfter(period));
    }
}
