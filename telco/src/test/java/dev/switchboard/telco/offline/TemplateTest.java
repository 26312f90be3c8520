package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Json;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private static String render(String template, String json) {
        return Template.parse(template).render(Json.parse(json));
    }

    @Test
    void insertsValuesByDottedPath_andCapitalisesOnRequest() {
        assertThat(render("{a.b} and {Noun}; {missing}.", "{\"a\":{\"b\":\"x\"},\"noun\":\"your change\"}"))
                .isEqualTo("x and Your change; .");
    }

    @Test
    void repeatsListSections_withASeparator_andLooksOutwardsForNames() {
        assertThat(render("{#items|, }{name} of {owner}{/items}.", "{\"owner\":\"bob\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"))
                .isEqualTo("a of bob, b of bob.");
    }

    @Test
    void conditionalSections_followTruthiness() {
        String t = "{?flag}yes{/flag}{^flag}no{/flag}";
        assertThat(render(t, "{\"flag\":true}")).isEqualTo("yes");
        assertThat(render(t, "{\"flag\":false}")).isEqualTo("no");
        assertThat(render(t, "{\"flag\":0}")).isEqualTo("no");
        assertThat(render(t, "{\"flag\":[]}")).isEqualTo("no");
        assertThat(render(t, "{}")).isEqualTo("no");
        assertThat(render("{?list}has {#list| and }{.}{/list}{/list}", "{\"list\":[\"x\"]}")).startsWith("has ");
    }

    @Test
    void editDistance_countsASwapOfNeighboursAsOneEdit() {
        assertThat(Edits.distance("premuim", "premium", 2)).isEqualTo(1);
        assertThat(Edits.distance("spian", "spain", 2)).isEqualTo(1);
        assertThat(Edits.distance("dataa", "data", 1)).isEqualTo(1);
        assertThat(Edits.distance("joke", "data", 1)).isEqualTo(2);
    }
}
