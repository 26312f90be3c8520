package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the words of a reply to a pending approval are read: yes, no, or something else to answer. */
class ApprovalReplyTest {

    @ParameterizedTest(name = "\"{0}\" → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            yes                                  | APPROVE
            Yes!                                 | APPROVE
            yes, go ahead                        | APPROVE
            yes please                           | APPROVE
            ok                                   | APPROVE
            okay then                            | APPROVE
            sure                                 | APPROVE
            go ahead                             | APPROVE
            do it                                | APPROVE
            please proceed                       | APPROVE
            sounds good, thanks                  | APPROVE
            yep, confirmed                       | APPROVE
            absolutely                           | APPROVE
            that's fine                          | APPROVE
            y                                    | APPROVE
            no                                   | REJECT
            No.                                  | REJECT
            no, wait                             | REJECT
            actually don't                       | REJECT
            don't do it                          | REJECT
            wait                                 | REJECT
            hold on                              | REJECT
            never mind                           | REJECT
            not now                              | REJECT
            no thanks                            | REJECT
            I changed my mind                    | REJECT
            cancel that                          | REJECT
            stop                                 | REJECT
            what is the fee?                     | OTHER
            yes but how much is it               | OTHER
            how much data do I have left?        | OTHER
            close my contract                    | OTHER
            yes no                               | OTHER
            please                               | OTHER
            ''                                   | OTHER
            maybe                                | OTHER
            """)
    void theWordsAloneDecide(String reply, ApprovalReply expected) {
        assertThat(ApprovalReply.classify(reply)).isEqualTo(expected);
    }
}
