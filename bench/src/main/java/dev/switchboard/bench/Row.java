package dev.switchboard.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;

/**
 * One line of the results: a figure on our server and (when measured) on the peer, what the product aims at,
 * and whether our figure reaches it. {@code met} is null where a row has no target.
 */
record Row(String id, String name, String unit, Better better, Stats ours, Stats peer, String target, Boolean met,
        String note) {

    enum Better { LOWER, HIGHER }

    /** How many times better ours is at the median: peer/ours for times and memory, ours/peer for rates. */
    Double ratio() {
        if (ours == null || peer == null || ours.isEmpty() || peer.isEmpty()) {
            return null;
        }
        double r = better == Better.LOWER ? peer.p50() / ours.p50() : ours.p50() / peer.p50();
        return Double.isFinite(r) ? r : null;
    }

    ObjectNode toJson() {
        ObjectNode node = Json.object();
        node.put("id", id);
        node.put("name", name);
        // Ours' store: P7 and ids ending in -pg ran on PostgreSQL (the peer always uses its own).
        node.put("engine", id.endsWith(Engine.POSTGRES.idSuffix) || id.startsWith("P7") ? Engine.POSTGRES.wireName()
                : Engine.SQLITE.wireName());
        node.put("unit", unit);
        node.put("better", better.name().toLowerCase(java.util.Locale.ROOT));
        node.set("ours", ours == null ? null : ours.toJson());
        node.set("peer", peer == null ? null : peer.toJson());
        Double ratio = ratio();
        if (ratio == null) {
            node.putNull("ratio");
        } else {
            node.put("ratio", Math.round(ratio * 100.0) / 100.0);
        }
        node.put("target", target);
        if (met == null) {
            node.putNull("target_met");
        } else {
            node.put("target_met", met);
        }
        node.put("note", note);
        return node;
    }
}
