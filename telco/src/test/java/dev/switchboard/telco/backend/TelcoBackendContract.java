package dev.switchboard.telco.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules every {@link TelcoBackend} follows, run against each implementation on the demo seed. */
abstract class TelcoBackendContract {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    static final LocalDate TODAY = LocalDate.of(2026, 11, 22);

    TelcoBackend backend;

    abstract TelcoBackend create(Clock clock) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        backend = create(CLOCK);
    }

    private static TelcoException.Reason reasonOf(Throwable t) {
        return ((TelcoException) t).reason();
    }

    /** A clock that a test moves on, as months pass for a server that keeps running. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static List<String> previousPeriods(TelcoBackend backend, String customerId, int previous) {
        return backend.bills(customerId, previous).stream().skip(1).map(b -> b.period().toString()).toList();
    }

    @Test
    void demoBills_areTheMonthsBeforeToday_withoutAGap_whateverTheDate() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2027-03-15T09:00:00Z"));
        TelcoBackend later = create(clock);

        assertThat(previousPeriods(later, "demo", 3)).containsExactly("2027-02", "2027-01", "2026-12");
        assertThat(later.bills("demo", 1).get(1).lines()).extracting(BillLine::description)
                .containsExactly("Standard package");
        assertThat(previousPeriods(later, "alice", 12)).containsExactly("2027-02", "2027-01", "2026-12", "2026-11",
                "2026-10", "2026-09");

        // The server keeps running into April: March has closed, and the list still has no gap.
        clock.set(Instant.parse("2027-04-02T09:00:00Z"));
        assertThat(previousPeriods(later, "demo", 3)).containsExactly("2027-03", "2027-02", "2027-01");
    }

    @Test
    void seededDemoCustomers_existWithTheirLines() {
        assertThat(backend.customer("demo").msisdn()).isEqualTo("+447700900000");
        assertThat(backend.customer("alice").name()).isEqualTo("Alice Example");
        assertThat(backend.subscription("bob").mobilePackage().name()).isEqualTo("Premium");
        assertThat(backend.findCustomer("mallory")).isEmpty();
        assertThatThrownBy(() -> backend.subscription("mallory")).isInstanceOf(TelcoException.class)
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.UNKNOWN_CUSTOMER));
        assertThatThrownBy(() -> backend.contract("mallory")).isInstanceOf(TelcoException.class);
        assertThat(backend.today()).isEqualTo(TODAY);
    }

    @Test
    void provision_aNewId_createsARealisticAccount_andAgainReturnsTheSameOneUnchanged() {
        Customer made = backend.provision("visitor-7f3a");

        assertThat(backend.provision("visitor-7f3a")).isEqualTo(made);
        assertThat(backend.subscription("visitor-7f3a").mobilePackage()).isIn(backend.packages());
        assertThat(backend.contract("visitor-7f3a").isActive()).isTrue();
        assertThat(backend.contract("visitor-7f3a").feeIfClosedOn(TODAY).isZero()).as("inside its minimum term")
                .isFalse();
        assertThat(backend.dataBalance("visitor-7f3a")).isNotNull();
        assertThat(backend.bills("visitor-7f3a", 2)).hasSize(3)
                .allSatisfy(bill -> assertThat(bill.lines()).isNotEmpty());
        assertThat(backend.customer("demo").msisdn()).as("others untouched").isEqualTo("+447700900000");
    }

    @Test
    void provision_ofAnExistingCustomer_changesNothing() {
        backend.changePackage("alice", "premium", "k-alice");

        assertThat(backend.provision("alice").name()).isEqualTo("Alice Example");
        assertThat(backend.subscription("alice").mobilePackage().packageId()).isEqualTo("premium");
    }

    @Test
    void provision_twoIds_areTwoAccounts_aChangeToOneLeavesTheOther() {
        backend.provision("visitor-one");
        backend.provision("visitor-two");
        backend.closeContract("visitor-one", "close-one");

        assertThat(backend.contract("visitor-one").isActive()).isFalse();
        assertThat(backend.contract("visitor-two").isActive()).isTrue();
        assertThat(backend.customer("visitor-one").msisdn()).isNotEqualTo(backend.customer("visitor-two").msisdn());
    }

    @Test
    void provision_refusesAnInvalidCustomerId() {
        assertThatThrownBy(() -> backend.provision("Visitor:Not Valid")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void catalogue_listsFourPackagesCheapestFirst_andFindsThemByIdOrName() {
        assertThat(backend.packages()).extracting(MobilePackage::name)
                .containsExactly("Basic", "Standard", "Premium", "Unlimited");
        assertThat(backend.packages()).extracting(p -> p.monthlyPrice().pence()).isSorted();
        assertThat(backend.findPackage("PREMIUM")).get().extracting(MobilePackage::packageId).isEqualTo("premium");
        assertThat(backend.findPackage("Unlimited")).get().satisfies(p -> {
            assertThat(p.unlimitedData()).isTrue();
            assertThat(p.unlimitedMinutes()).isTrue();
        });
        assertThat(backend.findPackage("gold")).isEmpty();
    }

    @Test
    void changePackage_movesTheCustomer_andCreditsTheDaysOnTheOldPackage() {
        PackageChange change = backend.changePackage("demo", "premium", "k1");

        assertThat(change.from().name()).isEqualTo("Standard");
        assertThat(change.to().name()).isEqualTo("Premium");
        assertThat(change.effectiveOn()).isEqualTo(TODAY);
        // 21 of November's 30 days were on Standard (£20), the bill now charges Premium (£30) in full.
        assertThat(change.proRataAdjustment()).isEqualTo(Money.ofPence(-700));
        assertThat(backend.subscription("demo").mobilePackage().packageId()).isEqualTo("premium");
        assertThat(backend.currentBill("demo").lines()).extracting(BillLine::description, l -> l.amount().pence())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Premium package", 3000L),
                        org.assertj.core.groups.Tuple.tuple("Pro-rata adjustment: Standard to Premium", -700L));
        assertThat(backend.currentBill("demo").total()).isEqualTo(Money.ofPence(2300));
        assertThat(backend.applied("k1")).contains(change);
    }

    @Test
    void changePackage_withTheSameKeyTwice_changesOnceAndReturnsTheFirstResult() {
        PackageChange first = backend.changePackage("demo", "premium", "same-key");
        PackageChange again = backend.changePackage("demo", "premium", "same-key");

        assertThat(again).isEqualTo(first);
        assertThat(backend.currentBill("demo").lines()).hasSize(2);
        // Even a request that would now be refused (already on Premium) replays the recorded result.
        assertThat(backend.changePackage("demo", "basic", "same-key")).isEqualTo(first);
        assertThat(backend.subscription("demo").mobilePackage().packageId()).isEqualTo("premium");
    }

    @Test
    void changePackage_isRefusedForAnUnknownOrTheCurrentPackage() {
        assertThatThrownBy(() -> backend.changePackage("demo", "gold", "k1"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.UNKNOWN_PACKAGE))
                .hasMessageContaining("Basic, Standard, Premium, Unlimited");
        assertThatThrownBy(() -> backend.changePackage("demo", "Standard", "k2"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.SAME_PACKAGE))
                .hasMessage("You're already on the Standard package.");
        assertThat(backend.applied("k1")).isEmpty();
        assertThat(backend.applied("k2")).isEmpty();
        assertThat(backend.currentBill("demo").lines()).hasSize(1);
    }

    @Test
    void aKeyUsedForOneAction_cannotBeReusedForAnother() {
        backend.changePackage("demo", "premium", "k1");
        assertThatThrownBy(() -> backend.closeContract("demo", "k1"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.KEY_REUSED));
        assertThatThrownBy(() -> backend.changePackage("alice", "premium", "k1"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.KEY_REUSED));
        assertThat(backend.contract("demo").isActive()).isTrue();
        assertThat(backend.subscription("alice").mobilePackage().packageId()).isEqualTo("basic");
    }

    @Test
    void closeContract_insideTheMinimumTerm_chargesTheEarlyTerminationFee() {
        ContractClosure closure = backend.closeContract("demo", "close-1");

        assertThat(closure.fee()).isEqualTo(Money.ofPence(4500));
        assertThat(closure.closedOn()).isEqualTo(TODAY);
        Contract contract = backend.contract("demo");
        assertThat(contract.status()).isEqualTo(ContractStatus.CLOSED);
        assertThat(contract.closedOn()).isEqualTo(TODAY);
        assertThat(backend.currentBill("demo").lines()).extracting(BillLine::kind, BillLine::description)
                .contains(org.assertj.core.groups.Tuple.tuple(LineKind.FEE, "Early termination fee"));
        assertThat(backend.closeContract("demo", "close-1")).isEqualTo(closure);
        assertThat(backend.currentBill("demo").lines()).filteredOn(l -> l.kind() == LineKind.FEE).hasSize(1);
    }

    @Test
    void closeContract_afterTheMinimumTerm_isFree_andAClosedContractAllowsNoMoreChanges() {
        ContractClosure closure = backend.closeContract("bob", "close-bob");
        assertThat(closure.fee().isZero()).isTrue();
        assertThat(backend.currentBill("bob").lines()).noneMatch(l -> l.kind() == LineKind.FEE);

        assertThatThrownBy(() -> backend.closeContract("bob", "close-bob-again"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.CONTRACT_CLOSED));
        assertThatThrownBy(() -> backend.changePackage("bob", "basic", "k"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.CONTRACT_CLOSED));
        assertThatThrownBy(() -> backend.purchaseRoamingPass("bob", "eu_day", "Spain", "p"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.CONTRACT_CLOSED));
    }

    @Test
    void countries_areFoundByNameOrAlias_inAnyCaseAndWithOrWithoutAccents() {
        assertThat(backend.countryZone("Spain")).get().satisfies(c -> {
            assertThat(c.country()).isEqualTo("Spain");
            assertThat(c.zone().zoneId()).isEqualTo("eu");
        });
        assertThat(backend.countryZone("ESPAÑA")).get().extracting(CountryZone::country).isEqualTo("Spain");
        assertThat(backend.countryZone("the USA")).get().extracting(c -> c.zone().name()).isEqualTo("USA & Canada");
        assertThat(backend.countryZone("U.S.")).get().extracting(CountryZone::country).isEqualTo("United States");
        assertThat(backend.countryZone("Deutschland")).get().extracting(CountryZone::country).isEqualTo("Germany");
        assertThat(backend.countryZone("south korea")).get().extracting(c -> c.zone().zoneId()).isEqualTo("asia");
        assertThat(backend.countryZone("UK")).get().extracting(c -> c.zone().home()).isEqualTo(true);
        assertThat(backend.countryZone("Narnia")).isEmpty();
        assertThat(backend.countries("usa")).containsExactly("United States", "Canada");
        assertThat(backend.zones()).extracting(RoamingZone::zoneId).containsExactly("home", "eu", "usa", "asia", "world");
        assertThat(backend.roamingPasses("eu")).extracting(RoamingPass::passId).containsExactly("eu_day", "eu_week");
        assertThat(backend.roamingPasses("home")).isEmpty();
    }

    @Test
    void purchaseRoamingPass_addsThePassAndABillLine_once() {
        PassPurchase purchase = backend.purchaseRoamingPass("demo", "eu_week", "españa", "pass-1");

        assertThat(purchase.country()).isEqualTo("Spain");
        assertThat(purchase.validFrom()).isEqualTo(TODAY);
        assertThat(purchase.validUntil()).isEqualTo(TODAY.plusDays(6));
        assertThat(purchase.pass().price()).isEqualTo(Money.ofPence(1200));
        assertThat(backend.purchaseRoamingPass("demo", "eu_week", "Spain", "pass-1")).isEqualTo(purchase);
        assertThat(backend.passPurchases("demo")).containsExactly(purchase);
        assertThat(backend.currentBill("demo").lines()).filteredOn(l -> l.kind() == LineKind.ROAMING)
                .extracting(BillLine::description).containsExactly("Europe Week Pass (Spain)");
    }

    @Test
    void purchaseRoamingPass_isRefusedForAnUnknownCountry_anotherZonesPass_orHome() {
        assertThatThrownBy(() -> backend.purchaseRoamingPass("demo", "eu_day", "Narnia", "a"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.UNKNOWN_COUNTRY));
        assertThatThrownBy(() -> backend.purchaseRoamingPass("demo", "eu_day", "Japan", "b"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.UNKNOWN_PASS))
                .hasMessageContaining("asia_day");
        assertThatThrownBy(() -> backend.purchaseRoamingPass("demo", "eu_day", "Scotland", "c"))
                .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(TelcoException.Reason.NO_PASS_NEEDED));
        assertThat(backend.passPurchases("demo")).isEmpty();
    }

    @Test
    void dataBalance_countsDataAddOns_andIsUnlimitedOnUnlimited() {
        DataBalance alice = backend.dataBalance("alice");
        assertThat(alice.allowanceMb()).isEqualTo(10 * 1024);
        assertThat(alice.usedMb()).isEqualTo(4100);
        assertThat(alice.remainingMb()).isEqualTo(10 * 1024 - 4100);
        assertThat(alice.resetsOn()).isEqualTo(LocalDate.of(2026, 12, 1));
        assertThat(backend.activeAddOns("alice")).extracting(AddOn::addOnId).containsExactly("data_boost_5gb");

        backend.changePackage("alice", "unlimited", "k");
        DataBalance unlimited = backend.dataBalance("alice");
        assertThat(unlimited.unlimited()).isTrue();
        assertThat(unlimited.remainingMb()).isEqualTo(MobilePackage.UNLIMITED);
    }

    @Test
    void bills_showTheOpenMonthFirst_thenIssuedMonthsNewestFirst() {
        List<Bill> bills = backend.bills("bob", 5);

        assertThat(bills).extracting(Bill::period)
                .containsExactly(YearMonth.of(2026, 11), YearMonth.of(2026, 10), YearMonth.of(2026, 9));
        assertThat(bills).extracting(Bill::open).containsExactly(true, false, false);
        assertThat(bills.get(0).lines()).extracting(BillLine::description)
                .containsExactly("Premium package", "International Calls 100", "Music Streaming");
        assertThat(bills.get(2).total()).isEqualTo(Money.ofPence(3000 + 700 + 400 + 1200));
        assertThat(backend.bills("bob", 1)).hasSize(2);
        assertThat(backend.bills("bob", 0)).hasSize(1);
    }

    @Test
    void concurrentCallsWithOneKey_applyTheChangeOnce() throws Exception {
        int callers = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<PackageChange>> calls = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            calls.add(() -> {
                start.await();
                return backend.changePackage("demo", "premium", "race");
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<PackageChange>> results = new ArrayList<>();
            calls.forEach(c -> results.add(pool.submit(c)));
            start.countDown();
            PackageChange first = results.getFirst().get();
            for (Future<PackageChange> r : results) {
                assertThat(r.get()).isEqualTo(first);
            }
        }
        assertThat(backend.currentBill("demo").lines()).filteredOn(l -> l.kind() == LineKind.ADJUSTMENT).hasSize(1);
    }
}
