package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Writes {@code results.json} (everything) and {@code results.md} (the table people read). */
final class Report {
    private Report() {
    }

    static ObjectNode json(String command, String mode, ObjectNode machine, List<Row> rows, Instant started,
            Instant ended) {
        ObjectNode root = Json.object();
        root.put("command", command);
        root.put("mode", mode);
        root.put("started", started.toString());
        root.put("ended", ended.toString());
        root.set("machine", machine);
        ArrayNode measures = root.putArray("measures");
        rows.forEach(r -> measures.add(r.toJson()));
        return root;
    }

    static String markdown(ObjectNode root, List<Row> rows) {
        ObjectNode m = (ObjectNode) root.get("machine");
        StringBuilder b = new StringBuilder();
        b.append("Command: `").append(root.path("command").asText()).append("` (").append(root.path("mode").asText())
                .append(", ").append(root.path("started").asText()).append(" → ").append(root.path("ended").asText())
                .append(")\n\n");
        b.append("Machine: ").append(m.path("cores").asInt()).append(" cores (").append(m.path("cpu").asText())
                .append("), ").append(m.path("memory").asText()).append(" RAM; ").append(m.path("java").asText())
                .append("; node ").append(m.path("node").asText()).append("\n\n");
        b.append("Load average (1 min) before: ").append(m.path("loadavg_before").asText().split(" ")[0])
                .append(", during: ").append(spread(Json.mapper().convertValue(m.get("load1_during"), StatsView.class)))
                .append(", after: ").append(m.path("loadavg_after").asText().split(" ")[0]).append("\n\n");
        b.append("| id | figure | unit | ours min / p50 / p99 / max | peer min / p50 / p99 / max | ratio (p50) | target | met |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Double ratio = r.ratio();
            b.append("| ").append(r.id()).append(" | ").append(r.name()).append(" | ").append(r.unit()).append(" | ")
                    .append(spread(r.ours())).append(" | ").append(r.peer() == null ? "—" : spread(r.peer()))
                    .append(" | ").append(ratio == null ? "—" : String.format(Locale.ROOT, "%.2f×", ratio))
                    .append(" | ").append(r.target() == null ? "" : r.target()).append(" | ")
                    .append(r.met() == null ? "" : r.met() ? "yes" : "**no**").append(" |\n");
        }
        b.append("\nRatio: how many times better ours is at the median (peer ÷ ours for times and memory, ours ÷ peer "
                + "for rates and capacity).\n\nNotes:\n\n");
        for (Row r : rows) {
            if (r.note() != null && !r.note().isBlank()) {
                b.append("- ").append(r.id()).append(": ").append(r.note()).append('\n');
            }
        }
        return b.toString();
    }

    /** Jackson view of a stats node, for the load line. */
    record StatsView(int n, Double min, Double p50, Double p99, Double max, Double mean) {
    }

    private static String spread(StatsView s) {
        return s == null || s.n() == 0 ? "n/a" : fmt(s.min()) + " / " + fmt(s.p50()) + " / " + fmt(s.p99()) + " / "
                + fmt(s.max());
    }

    static String spread(Stats s) {
        if (s == null || s.isEmpty()) {
            return "n/a";
        }
        if (s.n() == 1) {
            return fmt(s.p50());
        }
        return fmt(s.min()) + " / " + fmt(s.p50()) + " / " + fmt(s.p99()) + " / " + fmt(s.max()) + " (n=" + s.n() + ")";
    }

    private static String fmt(double v) {
        double a = Math.abs(v);
        if (v == Math.rint(v) && a >= 1) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static void write(Path out, ObjectNode root, String markdown) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), Json.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(root));
        Files.writeString(out.resolve("results.md"), markdown);
    }
}
