package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import dev.switchboard.store.InMemoryItemStore;
import dev.switchboard.store.Item;
import dev.switchboard.store.Namespace;
import dev.switchboard.store.ScoredItem;
import dev.switchboard.store.SearchQuery;
import dev.switchboard.store.StoreIndex;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-process model ranks a small labelled set: twelve memories in four topics, and for each of eight queries the
 * best hit must be from the query's topic (and the top three mostly so). Measured on this set: every top hit right.
 */
class LocalSemanticSearchTest {
    private static final Map<String, String> MEMORIES = Map.ofEntries(
            Map.entry("roaming-1", "roaming|Customer travels to Spain in May and wants data abroad"),
            Map.entry("roaming-2", "roaming|Asked about using the phone in the United States without huge charges"),
            Map.entry("roaming-3", "roaming|Bought the EU travel pass for a holiday in Italy"),
            Map.entry("billing-1", "billing|Disputed a double charge on the March invoice"),
            Map.entry("billing-2", "billing|Prefers to pay the monthly bill by direct debit"),
            Map.entry("billing-3", "billing|Asked for a refund of the late payment fee"),
            Map.entry("device-1", "device|The screen of the new phone cracked after a week"),
            Map.entry("device-2", "device|Wants to upgrade to a phone with a better camera"),
            Map.entry("device-3", "device|Battery drains fast since the last software update"),
            Map.entry("network-1", "network|No signal at home in the evening"),
            Map.entry("network-2", "network|Mobile internet is very slow in the city centre"),
            Map.entry("network-3", "network|Calls drop when driving on the motorway"));
    private static final Map<String, String> QUERIES = Map.of(
            "going abroad next month, will my data work?", "roaming",
            "travel pass for Europe", "roaming",
            "why was I charged twice", "billing",
            "how do I pay my invoice", "billing",
            "my phone is broken", "device",
            "new handset with good photos", "device",
            "bad coverage, calls keep failing", "network",
            "internet speed is terrible", "network");

    @Test
    void localModel_ranksTheQuerysTopicFirst_onALabelledSet() {
        StoreIndex index = StoreIndexes.fromSetting("local:text").orElseThrow();
        InMemoryItemStore store = new InMemoryItemStore(Clock.systemUTC());
        Namespace ns = Namespace.of("memories", "u1");
        MEMORIES.forEach((key, labelled) -> {
            String[] parts = labelled.split("\\|");
            ObjectNode value = Json.object().put("text", parts[1]).put("topic", parts[0]);
            store.put(ns, key, value, null, index.embed(value, null));
        });
        int top1 = 0;
        int top3 = 0;
        for (Map.Entry<String, String> q : QUERIES.entrySet()) {
            List<ScoredItem> hits = store.searchSimilar(new SearchQuery(List.of("memories"), null, 3, 0),
                    index.embedder().embed(q.getKey()));
            List<String> topics = hits.stream().map(ScoredItem::item).map(Item::value)
                    .map(v -> v.path("topic").asText()).toList();
            top1 += topics.getFirst().equals(q.getValue()) ? 1 : 0;
            top3 += (int) topics.stream().filter(q.getValue()::equals).count();
            assertThat(hits.getFirst().score()).isBetween(0.0, 1.0);
        }
        assertThat(top1).as("queries whose best hit is from their topic").isEqualTo(QUERIES.size());
        assertThat(top3).as("of the 24 top-3 hits, from the query's topic").isGreaterThanOrEqualTo(18);
    }

    @Test
    void setting_forms() {
        assertThat(StoreIndexes.fromSetting(null)).isEmpty();
        assertThat(StoreIndexes.fromSetting("off")).isEmpty();
        assertThat(StoreIndexes.fromSetting("local").orElseThrow().fields()).containsExactly("$");
        assertThat(StoreIndexes.fromSetting("local:profile.bio, title").orElseThrow().fields())
                .containsExactly("profile.bio", "title");
        assertThatThrownBy(() -> StoreIndexes.fromSetting("cloud")).hasMessageContaining("SWITCHBOARD_STORE_INDEX");
        assertThatThrownBy(() -> StoreIndexes.fromSetting("local:a..b")).hasMessageContaining("SWITCHBOARD_STORE_INDEX");
    }
}
