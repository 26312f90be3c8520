package dev.switchboard.cron;

import dev.switchboard.SwitchboardException;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * A cron schedule as the LangGraph SDKs write it: five fields, {@code minute hour day-of-month month
 * day-of-week} (day of week 0–7, Sunday being 0 and 7, or {@code SUN}–{@code SAT}), or one of {@code @yearly},
 * {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly}; read
 * in an IANA time zone (UTC when none is given), daylight-saving changes included.
 *
 * <p>Parsing and the calendar arithmetic are Quartz's {@link CronExpression}; this class only translates the
 * Unix form into Quartz's (a seconds field, day-of-week numbered from 1, {@code ?} in the unused day field).
 * Where Unix cron restricts both day fields it fires when either matches, which Quartz cannot say in one
 * expression, so that case is two expressions and the earlier next time wins.
 */
public final class CronSchedule {
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    // A day-of-week number that is not a step (after '/') or an nth-weekday count (after '#').
    private static final Pattern DOW_NUMBER = Pattern.compile("(?<![/#\\d])(\\d+)");

    private final String expression;
    private final ZoneId zone;
    private final List<CronExpression> expressions;

    private CronSchedule(String expression, ZoneId zone, List<CronExpression> expressions) {
        this.expression = expression;
        this.zone = zone;
        this.expressions = expressions;
    }

    /**
     * Parses {@code expression} in {@code timezone} (null or blank: UTC). A bad expression is an
     * {@code invalid_cron} and a bad zone an {@code invalid_timezone} {@link SwitchboardException.InvalidRequest}.
     */
    public static CronSchedule parse(String expression, String timezone) {
        ZoneId zone = zone(timezone);
        if (expression == null || expression.isBlank()) {
            throw invalid(expression, "the schedule is empty");
        }
        String unix = MACROS.getOrDefault(expression.strip().toLowerCase(Locale.ROOT), expression.strip());
        String[] f = unix.split("\\s+");
        if (f.length != 5) {
            throw invalid(expression, "it has " + f.length + " fields; a schedule has five: minute hour day-of-month"
                    + " month day-of-week");
        }
        String dom = f[2].equals("?") ? "*" : f[2];
        String dow = f[4].equals("?") ? "*" : quartzDayOfWeek(expression, f[4]);
        String head = "0 " + f[0] + " " + f[1] + " ";
        List<String> quartz = new ArrayList<>(2);
        if (dow.equals("*")) {
            quartz.add(head + dom + " " + f[3] + " ?");
        } else if (dom.equals("*")) {
            quartz.add(head + "? " + f[3] + " " + dow);
        } else {
            quartz.add(head + dom + " " + f[3] + " ?");
            quartz.add(head + "? " + f[3] + " " + dow);
        }
        TimeZone tz = TimeZone.getTimeZone(zone);
        List<CronExpression> parsed = new ArrayList<>(quartz.size());
        for (String q : quartz) {
            try {
                CronExpression ce = new CronExpression(q);
                ce.setTimeZone(tz);
                parsed.add(ce);
            } catch (ParseException | RuntimeException e) {
                throw invalid(expression, e.getMessage());
            }
        }
        return new CronSchedule(expression.strip(), zone, List.copyOf(parsed));
    }

    private static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return ZoneOffset.UTC;
        }
        try {
            return ZoneId.of(timezone.strip());
        } catch (DateTimeException e) {
            throw new SwitchboardException.InvalidRequest("invalid_timezone",
                    "timezone must be an IANA time zone such as Europe/Paris or America/New_York, got '" + timezone
                            + "'");
        }
    }

    /** Unix day-of-week numbers (0–7, Sunday 0 and 7) as Quartz's (1–7, Sunday 1). */
    private static String quartzDayOfWeek(String expression, String field) {
        Matcher m = DOW_NUMBER.matcher(field);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int day;
            try {
                day = Integer.parseInt(m.group(1));
            } catch (NumberFormatException e) {
                throw invalid(expression, "day of week '" + m.group(1) + "' is not 0-7");
            }
            if (day > 7) {
                throw invalid(expression, "day of week " + day + " is not 0-7");
            }
            m.appendReplacement(out, Integer.toString(day % 7 + 1));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static SwitchboardException.InvalidRequest invalid(String expression, String why) {
        return new SwitchboardException.InvalidRequest("invalid_cron", "schedule '" + expression
                + "' is not a valid cron expression: " + why);
    }

    /** The first time strictly after {@code after} the schedule matches; empty when there is none. */
    public Optional<Instant> nextAfter(Instant after) {
        Instant best = null;
        Date from = Date.from(after);
        for (CronExpression ce : expressions) {
            Date next = ce.getNextValidTimeAfter(from);
            if (next != null && (best == null || next.toInstant().isBefore(best))) {
                best = next.toInstant();
            }
        }
        return Optional.ofNullable(best);
    }

    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }
}
