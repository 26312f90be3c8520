package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The first sentence of an answer: abbreviations and prices do not end it, a full stop before a space does. */
class SentencesTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            Roaming passes by zone — Europe (e.g. Spain, France): Day Pass £2.50. Tell me more. | Roaming passes by zone — Europe (e.g. Spain, France): Day Pass £2.50.
            You have 16.9 GB left. It resets on 1 December.                                  | You have 16.9 GB left.
            That is, i.e. the same thing, etc. and more! Then this.                            | That is, i.e. the same thing, etc. and more!
            Is it done? Yes.                                                                   | Is it done?
            One line without an end                                                            | One line without an end
            First line\\nSecond line.                                                          | First line
            """)
    void firstSentence_endsAtARealSentenceEnd(String text, String first) {
        assertThat(Sentences.first(text.replace("\\n", "\n"))).isEqualTo(first);
    }
}
