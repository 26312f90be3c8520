package dev.switchboard.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.SwitchboardException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {
    // A Thursday.
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static List<Instant> next(String expr, String zone, int n) {
        CronSchedule s = CronSchedule.parse(expr, zone);
        List<Instant> out = new ArrayList<>();
        Instant t = T0;
        for (int i = 0; i < n; i++) {
            t = s.nextAfter(t).orElseThrow();
            out.add(t);
        }
        return out;
    }

    private static List<DayOfWeek> days(String expr) {
        return next(expr, null, 7).stream().map(i -> i.atZone(ZoneOffset.UTC).getDayOfWeek()).toList();
    }

    @Test
    void everyFifteenMinutes_inUtc() {
        assertThat(next("*/15 * * * *", null, 3)).containsExactly(Instant.parse("2026-01-01T00:15:00Z"),
                Instant.parse("2026-01-01T00:30:00Z"), Instant.parse("2026-01-01T00:45:00Z"));
    }

    @Test
    void dailyAtTime_isReadInTheGivenZone_acrossDaylightSaving() {
        List<Instant> ny = next("30 9 * * *", "America/New_York", 1);
        assertThat(ny).containsExactly(Instant.parse("2026-01-01T14:30:00Z"));
        // 2026-03-08 is the switch to daylight saving in New York: 09:30 becomes 13:30 UTC.
        CronSchedule s = CronSchedule.parse("30 9 * * *", "America/New_York");
        assertThat(s.nextAfter(Instant.parse("2026-03-08T00:00:00Z"))).contains(Instant.parse("2026-03-08T13:30:00Z"));
    }

    @Test
    void dayOfWeek_unixNumbering_sundayIsZeroAndSeven() {
        assertThat(days("0 9 * * 0")).containsOnly(DayOfWeek.SUNDAY);
        assertThat(days("0 9 * * 7")).containsOnly(DayOfWeek.SUNDAY);
        assertThat(days("0 9 * * 1-5")).containsOnly(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY,
                DayOfWeek.THURSDAY, DayOfWeek.FRIDAY);
        assertThat(days("0 9 * * 5-7")).containsOnly(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
        assertThat(days("0 9 * * MON,WED")).containsOnly(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY);
        assertThat(days("0 9 * * */2")).containsOnly(DayOfWeek.SUNDAY, DayOfWeek.TUESDAY, DayOfWeek.THURSDAY,
                DayOfWeek.SATURDAY);
    }

    @Test
    void bothDayFieldsRestricted_firesWhenEitherMatches_asUnixCronDoes() {
        // The 15th of the month or any Monday.
        List<Instant> times = next("0 0 15 * 1", null, 4);
        assertThat(times).containsExactly(Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-01-12T00:00:00Z"),
                Instant.parse("2026-01-15T00:00:00Z"), Instant.parse("2026-01-19T00:00:00Z"));
    }

    @Test
    void macros() {
        assertThat(next("@hourly", null, 1)).containsExactly(Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(next("@daily", null, 1)).containsExactly(Instant.parse("2026-01-02T00:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "* * * * * *", "61 * * * *", "* 25 * * *", "* * * * 8", "not a cron",
            "* * 32 * *", "* * * 13 *"})
    void badExpression_isInvalidCron(String expr) {
        assertThatThrownBy(() -> CronSchedule.parse(expr, null))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_cron"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Mars/Olympus", "Europe/Nowhere", "+25:00", "not a zone"})
    void badZone_isInvalidTimezone(String zone) {
        assertThatThrownBy(() -> CronSchedule.parse("* * * * *", zone))
                .isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                        e -> assertThat(e.code()).isEqualTo("invalid_timezone"));
    }
}
