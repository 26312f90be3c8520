package dev.switchboard.telco.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL seed and the in-memory seed are the same data: every read answers alike. */
class SeedParityTest {
    private static final Clock CLOCK = TelcoBackendContract.CLOCK;

    @TempDir
    Path dir;

    @Test
    void theMigrationsSeed_equalsTheInMemorySeed() {
        TelcoBackend memory = new InMemoryTelcoBackend(CLOCK);
        TelcoBackend jdbc = new JdbcTelcoBackend(SqliteDatabase.migrated(dir), CLOCK);

        assertThat(jdbc.packages()).isEqualTo(memory.packages());
        assertThat(jdbc.addOns()).isEqualTo(memory.addOns());
        assertThat(jdbc.zones()).isEqualTo(memory.zones());
        for (RoamingZone zone : memory.zones()) {
            assertThat(jdbc.roamingPasses(zone.zoneId())).isEqualTo(memory.roamingPasses(zone.zoneId()));
            assertThat(jdbc.countries(zone.zoneId())).isEqualTo(memory.countries(zone.zoneId()));
        }
        for (Seed.CountryRow country : Seed.COUNTRIES) {
            assertThat(jdbc.countryZone(country.name())).isEqualTo(memory.countryZone(country.name())).isPresent();
            for (String alias : country.aliases()) {
                assertThat(jdbc.countryZone(alias)).as(alias).isEqualTo(memory.countryZone(alias))
                        .get().extracting(CountryZone::country).isEqualTo(country.name());
            }
        }
        for (Seed.CustomerRow row : Seed.CUSTOMERS) {
            String id = row.customer().customerId();
            assertThat(jdbc.customer(id)).isEqualTo(memory.customer(id));
            assertThat(jdbc.subscription(id)).isEqualTo(memory.subscription(id));
            assertThat(jdbc.contract(id)).isEqualTo(memory.contract(id));
            assertThat(jdbc.dataBalance(id)).isEqualTo(memory.dataBalance(id));
            assertThat(jdbc.activeAddOns(id)).isEqualTo(memory.activeAddOns(id));
            assertThat(jdbc.bills(id, 12)).isEqualTo(memory.bills(id, 12));
            assertThat(jdbc.passPurchases(id)).isEqualTo(memory.passPurchases(id));
        }
    }
}
