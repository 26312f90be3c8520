package dev.switchboard.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.SwitchboardException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** How a database failure reaches a client: a full disk and a busy or unreachable database are conditions. */
class StoreErrorTranslationTest {
    private final Transactions sqlite = new Transactions(null, Dialect.SQLITE);
    private final Transactions postgres = new Transactions(null, Dialect.POSTGRESQL);

    @Test
    void aFullDisk_isStoreFull_onBothEngines() {
        assertThat(sqlite.translate(new SQLiteException("full", SQLiteErrorCode.SQLITE_FULL)))
                .isInstanceOf(SwitchboardException.Unavailable.class)
                .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("store_full");
        assertThat(postgres.translate(new SQLException("could not extend file", "53100")))
                .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("store_full");
    }

    @Test
    void busyOrUnreachableOrShortOfConnections_isStoreUnavailable() {
        assertThat(sqlite.translate(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY)))
                .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("store_unavailable");
        for (String state : new String[] {"08006", "57P01", "53300", "53200"}) {
            assertThat(postgres.translate(new SQLException("x", state))).as(state)
                    .extracting(e -> ((SwitchboardException) e).code()).isEqualTo("store_unavailable");
        }
    }

    @Test
    void aDiskFault_isNotCalledFull() {
        assertThat(sqlite.translate(new SQLiteException("I/O", SQLiteErrorCode.SQLITE_IOERR_WRITE)))
                .isNotInstanceOf(SwitchboardException.class);
    }
}
