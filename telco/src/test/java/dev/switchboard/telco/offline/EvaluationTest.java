package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The project's evaluation of the offline model, run with the build: prints the report (accuracy by intent,
 * every confusion, the synthesis scenarios) and holds the floors. The floors only ever go up: when a change
 * raises the measured accuracy, raise them in the same commit to a case or so under the new measure.
 */
class EvaluationTest {
    /**
     * Overall accuracy on all the sets (measured 97.7 % = 384/393 on 4 December 2026). Each floor sits a case or so under
     * the measure, so that a float rounding differently on another CPU cannot fail the build.
     */
    static final double OVERALL_FLOOR = 0.97;
    /**
     * No intent with at least {@link #MANY} cases (nor the several-at-once cases) below this: issue 18's bar
     * (lowest measured: check_status, 90.0 %, which sits on it; clarify, now 12 cases, 100 %).
     */
    static final double INTENT_FLOOR = 0.90;
    /** An intent with fewer cases, where one case moves the rate by 12 points or more (lowest: 100 %). */
    static final double SMALL_INTENT_FLOOR = 0.75;
    static final int MANY = 10;

    @Test
    void theEvaluationSet_meetsItsFloors() throws Exception {
        List<Evaluation.Outcome> outcomes = new Evaluation().run();
        System.out.print(Evaluation.report(outcomes));

        assertThat(outcomes).as("labelled utterances").hasSizeGreaterThanOrEqualTo(200);
        assertThat(Evaluation.overall(outcomes).accuracy()).as("overall accuracy").isGreaterThanOrEqualTo(OVERALL_FLOOR);
        for (Map.Entry<String, Evaluation.Score> e : Evaluation.byIntent(outcomes).entrySet()) {
            double floor = e.getValue().total() >= MANY ? INTENT_FLOOR : SMALL_INTENT_FLOOR;
            assertThat(e.getValue().accuracy()).as("accuracy of %s", e.getKey()).isGreaterThanOrEqualTo(floor);
        }
    }

    @Test
    void everySynthesis_statesTheOutcome_andAnswersEveryInterimQuestion() throws Exception {
        List<Syntheses.Result> results = new Syntheses().run();
        System.out.print(Syntheses.report(results));
        assertThat(results).as("scenarios").isNotEmpty();
        assertThat(results).allSatisfy(r -> assertThat(r.right()).as("after \"%s\"", r.request()).isTrue());
    }

    @Test
    void noEvaluationUtterance_isOneOfTheModelsOwnExamples() {
        Knowledge knowledge = Knowledge.bundled();
        java.util.Set<String> examples = new java.util.HashSet<>();
        knowledge.intents().forEach(i -> i.examples().forEach(x -> examples.add(plain(x))));
        // The evaluated message is new; an earlier turn may be a plain answer such as "yes".
        List<String> seen = Evaluation.cases().stream().map(c -> c.turns().getLast())
                .filter(t -> examples.contains(plain(t))).toList();
        assertThat(seen).as("evaluation utterances that are training examples").isEmpty();
    }

    private static String plain(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 ]", "").replaceAll("\\s+", " ").strip();
    }
}
