package dev.switchboard.store;

import dev.switchboard.SwitchboardException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespaceTest {

    @Test
    void of_validLabels_keepsThemInOrder() {
        assertThat(Namespace.of("threads", "t-1", "x y").labels()).containsExactly("threads", "t-1", "x y");
    }

    @Test
    void of_noLabels_isRejected() {
        assertInvalidNamespace(Namespace::of);
        assertInvalidNamespace(() -> Namespace.of((String[]) null));
        assertInvalidNamespace(() -> new Namespace(null));
        assertInvalidNamespace(() -> new Namespace(List.of()));
    }

    @Test
    void of_emptyLabel_isRejected() {
        assertInvalidNamespace(() -> Namespace.of(""));
        assertInvalidNamespace(() -> Namespace.of("a", ""));
    }

    @Test
    void of_nullLabel_isRejected() {
        assertInvalidNamespace(() -> Namespace.of("a", null));
        assertInvalidNamespace(() -> new Namespace(Arrays.asList("a", null)));
    }

    @Test
    void of_labelWithPeriod_isRejectedWithTheWireMessage() {
        assertThatThrownBy(() -> Namespace.of("a.b"))
                .isInstanceOf(SwitchboardException.InvalidRequest.class)
                .hasMessageContaining("Namespace labels cannot be empty or contain periods");
        assertInvalidNamespace(() -> Namespace.of("ok", "."));
    }

    @Test
    void constructor_copiesLabels_soLaterChangesToTheSourceDoNotLeakIn() {
        List<String> source = new ArrayList<>(List.of("a", "b"));
        Namespace ns = new Namespace(source);

        source.add("c");

        assertThat(ns.labels()).containsExactly("a", "b");
        assertThatThrownBy(() -> ns.labels().add("d")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseDotted_splitsOnPeriods() {
        assertThat(Namespace.parseDotted("users.u1.prefs")).isEqualTo(Namespace.of("users", "u1", "prefs"));
        assertThat(Namespace.parseDotted("single")).isEqualTo(Namespace.of("single"));
    }

    @Test
    void parseDotted_emptyLabelAnywhere_isRejected() {
        for (String bad : List.of("", ".", "a..b", ".a", "a.")) {
            assertInvalidNamespace(() -> Namespace.parseDotted(bad));
        }
        assertInvalidNamespace(() -> Namespace.parseDotted(null));
    }

    @Test
    void dotted_isTheInverseOfParseDotted() {
        Namespace ns = Namespace.of("threads", "3f2c", "memory");

        assertThat(ns.dotted()).isEqualTo("threads.3f2c.memory");
        assertThat(Namespace.parseDotted(ns.dotted())).isEqualTo(ns);
    }

    @Test
    void equality_followsLabels() {
        assertThat(Namespace.of("a", "b")).isEqualTo(new Namespace(List.of("a", "b")))
                .hasSameHashCodeAs(new Namespace(List.of("a", "b")))
                .isNotEqualTo(Namespace.of("a", "bc"));
    }

    @Test
    void startsWith_matchesWholeLabelsOnly() {
        Namespace ns = Namespace.of("a", "bc", "d");

        assertThat(ns.startsWith(Namespace.of("a"))).isTrue();
        assertThat(ns.startsWith(Namespace.of("a", "bc"))).isTrue();
        assertThat(ns.startsWith(ns)).isTrue();
        assertThat(ns.startsWith(List.of())).isTrue();
        assertThat(ns.startsWith(Namespace.of("a", "b"))).isFalse();
        assertThat(ns.startsWith(Namespace.of("bc"))).isFalse();
        assertThat(ns.startsWith(Namespace.of("a", "bc", "d", "e"))).isFalse();
    }

    @Test
    void endsWith_matchesWholeLabelsOnly() {
        Namespace ns = Namespace.of("a", "bc", "d");

        assertThat(ns.endsWith(List.of("d"))).isTrue();
        assertThat(ns.endsWith(List.of("bc", "d"))).isTrue();
        assertThat(ns.endsWith(List.of("a", "bc", "d"))).isTrue();
        assertThat(ns.endsWith(List.of())).isTrue();
        assertThat(ns.endsWith(List.of("c", "d"))).isFalse();
        assertThat(ns.endsWith(List.of("x", "a", "bc", "d"))).isFalse();
    }

    @Test
    void truncate_keepsLeadingLabels() {
        Namespace ns = Namespace.of("a", "b", "c");

        assertThat(ns.truncate(2)).isEqualTo(Namespace.of("a", "b"));
        assertThat(ns.truncate(3)).isSameAs(ns);
        assertThat(ns.truncate(9)).isSameAs(ns);
        assertThatThrownBy(() -> ns.truncate(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compareTo_ordersLabelByLabelWithPrefixesFirst() {
        List<Namespace> sorted = List.of(Namespace.of("ab"), Namespace.of("a-b"), Namespace.of("a", "b"),
                Namespace.of("a"), Namespace.of("B")).stream().sorted().toList();

        assertThat(sorted).containsExactly(Namespace.of("B"), Namespace.of("a"), Namespace.of("a", "b"),
                Namespace.of("a-b"), Namespace.of("ab"));
    }

    @Test
    void checkLabels_allowsEmptyListButNotBadLabels() {
        assertThat(Namespace.checkLabels(List.of())).isEmpty();
        assertInvalidNamespace(() -> Namespace.checkLabels(List.of("a", "")));
        assertInvalidNamespace(() -> Namespace.checkLabels(null));
    }

    private static void assertInvalidNamespace(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(SwitchboardException.InvalidRequest.class,
                e -> assertThat(e.code()).isEqualTo("invalid_namespace"));
    }
}
