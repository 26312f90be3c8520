package dev.switchboard.telco.backend;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo account a new user gets on first sight (DESIGN.md §6, "Whose account"): a package, a data balance, an
 * active contract inside its minimum term, perhaps an add-on, and the bills of the two months before this one.
 * Everything is derived from the customer id, so the same id always gets the same account (also across server
 * instances racing to provision it) and two ids almost always differ a little, as real customers do.
 */
record DemoAccount(Customer customer, String packageId, LocalDate since, long dataUsedMb, Contract contract,
        List<String> addOnIds, List<Seed.LineRow> lines) {

    private static final String[] FIRST = {"Alex", "Sam", "Jordan", "Robin", "Charlie", "Morgan", "Jamie", "Taylor"};
    private static final String[] LAST = {"Carter", "Evans", "Khan", "Murphy", "Okafor", "Patel", "Reid", "Silva"};
    // Never Premium or above, so the demo flows a newcomer tries first ("change my package to premium") work.
    private static final String[] PACKAGES = {"basic", "standard", "standard"};

    /** The account {@code customerId} gets when provisioned on {@code today}; {@code salt} varies its number. */
    static DemoAccount of(String customerId, LocalDate today, int salt) {
        byte[] h = hash(customerId);
        String tag = java.util.HexFormat.of().formatHex(h, 12, 24);
        String name = FIRST[u(h, 0) % FIRST.length] + " " + LAST[u(h, 1) % LAST.length];
        long digits = (((long) u(h, 2) << 24) | ((long) u(h, 3) << 16) | ((long) u(h, 4) << 8) | u(h, 5)) + salt;
        String msisdn = "+447" + String.format("%09d", Math.floorMod(digits, 1_000_000_000L));
        String packageId = PACKAGES[u(h, 6) % PACKAGES.length];
        MobilePackage pkg = Seed.PACKAGES.stream().filter(p -> p.packageId().equals(packageId)).findFirst().orElseThrow();
        // Joined 3 to 20 months ago, on a 24-month contract: inside the minimum term, so closing it costs a fee.
        LocalDate since = today.minusMonths(3 + u(h, 7) % 18).withDayOfMonth(1 + u(h, 8) % 28);
        Contract contract = new Contract("c-" + tag, customerId, ContractStatus.ACTIVE,
                since, since.plusMonths(24).minusDays(1), Money.ofPence(3000 + 500L * (u(h, 9) % 6)), null);
        long allowanceMb = pkg.dataGb() < 0 ? 60_000 : pkg.dataGb() * 1024L;
        long dataUsedMb = allowanceMb * (10 + u(h, 10) % 60) / 100;
        List<String> addOns = u(h, 11) % 3 == 0 ? List.of("data_boost_5gb") : List.of();
        List<Seed.LineRow> lines = new ArrayList<>();
        for (int back = 2; back >= 1; back--) {
            YearMonth period = YearMonth.from(today).minusMonths(back);
            Instant at = period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
            lines.add(new Seed.LineRow("prov-" + tag + "-" + period + "-1", customerId, period,
                    new BillLine(LineKind.PACKAGE, pkg.name() + " package", pkg.monthlyPrice()), at));
            if (!addOns.isEmpty()) {
                lines.add(new Seed.LineRow("prov-" + tag + "-" + period + "-2", customerId, period,
                        new BillLine(LineKind.ADD_ON, "Data Boost 5 GB", Money.ofPence(500)), at));
            }
        }
        return new DemoAccount(new Customer(customerId, name, msisdn), packageId, since, dataUsedMb, contract, addOns,
                List.copyOf(lines));
    }

    private static int u(byte[] h, int i) {
        return h[i] & 0xff;
    }

    private static byte[] hash(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
