package dev.switchboard.telco.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.Json;
import dev.switchboard.message.AiMessage;
import dev.switchboard.message.ToolCall;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the offline model does with one message on the main lane: which tool it calls with which arguments,
 * or (rows without a tool) what its answer contains. Paraphrases, typos and small talk included.
 */
class UtteranceTableTest {

    @ParameterizedTest(name = "\"{0}\" → {1} {2} {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            change my package to premium                          | change_package          | {"package":"premium"}                   | -
            switch me to the unlimited plan please                | change_package          | {"package":"unlimited"}                 | -
            I'd like to downgrade to basic                        | change_package          | {"package":"basic"}                     | -
            upgrade my tarif to standrd                           | change_package          | {"package":"standard"}                  | -
            chnage my pakage to premuim                           | change_package          | {"package":"premium"}                   | -
            can you move me from basic to premium?                | change_package          | {"package":"premium"}                   | -
            change my package                                     | -                       | -                                       | Which package would you like
            I want a different plan                               | -                       | -                                       | Which package would you like
            premium                                               | -                       | -                                       | switch to the Premium package
            what package am I on?                                 | get_current_package     | {}                                      | -
            which plan do I have at the moment                    | get_current_package     | {}                                      | -
            when does my contract end?                            | get_current_package     | {}                                      | -
            what packages do you have?                            | list_available_packages | {}                                      | -
            show me all your plans                                | list_available_packages | {}                                      | -
            is there a cheaper package?                           | list_available_packages | {}                                      | -
            what's my data balance?                               | get_data_balance        | {}                                      | -
            how much data have I got left                         | get_data_balance        | {}                                      | -
            how many gigs do I have left this month?              | get_data_balance        | {}                                      | -
            am I running out of dataa                             | get_data_balance        | {}                                      | -
            what roaming passes are there for Spain?              | get_roaming_info        | {"country":"Spain"}                     | -
            I'm travelling to the USA next week, what do I need?  | get_roaming_info        | {"country":"United States"}             | -
            how much is roaming in Japn                           | get_roaming_info        | {"country":"Japan"}                     | -
            tell me about roaming                                 | get_roaming_info        | {}                                      | -
            can I use my phone in españa?                         | get_roaming_info        | {"country":"Spain"}                     | -
            roaming in Narnia                                     | get_roaming_info        | {"country":"Narnia"}                    | -
            Germany                                               | get_roaming_info        | {"country":"Germany"}                   | -
            buy a week pass for France                            | purchase_roaming_pass   | {"country":"France","pass":"week"}      | -
            please purchase a daily pass for Italy                | purchase_roaming_pass   | {"country":"Italy","pass":"day"}        | -
            get me a roaming pass for Thailand for a week         | purchase_roaming_pass   | {"country":"Thailand","pass":"week"}    | -
            buy a roaming pass for Greece                         | -                       | -                                       | day pass or a week pass for Greece
            I want to buy a roaming pass                          | -                       | -                                       | Which country
            what add-ons are there?                               | list_addons             | {}                                      | -
            which bolt ons can I get                              | list_addons             | {}                                      | -
            show me my bill                                       | get_billing_summary     | {}                                      | -
            why is my bil so high?                                | get_billing_summary     | {}                                      | -
            how much did I pay last month                         | get_billing_summary     | {}                                      | -
            close my contract                                     | close_contract          | {}                                      | -
            close my account please                               | close_contract          | {}                                      | -
            close it                                              | close_contract          | {}                                      | -
            i wanna leave                                         | close_contract          | {}                                      | -
            cancel my roaming pass                                | -                       | -                                       | can't add or remove add-ons, or cancel a roaming pass
            I'm off to Portugal on Friday                         | get_roaming_info        | {"country":"Portugal"}                  | -
            can you buy me a day pass for Tokyo                   | purchase_roaming_pass   | {"country":"Japan","pass":"day"}        | -
            swtich to unlimted                                    | change_package          | {"package":"unlimited"}                 | -
            I need more data                                      | list_addons             | {}                                      | -
            how much do I owe you                                 | get_billing_summary     | {}                                      | -
            how many minutes do I have                            | get_current_package     | {}                                      | -
            cool                                                  | -                       | -                                       | Glad I could help
            I want to cancel my contract                          | close_contract          | {}                                      | -
            please terminate my contarct                          | close_contract          | {}                                      | -
            how far along is it?                                  | -                       | -                                       | Nothing is running
            cancel that                                           | -                       | -                                       | nothing in progress to cancel
            hi there                                              | -                       | -                                       | Hi!
            good morning                                          | -                       | -                                       | Hi!
            thanks a lot!                                         | -                       | -                                       | You're welcome
            thank u                                               | -                       | -                                       | You're welcome
            what can you do?                                      | -                       | -                                       | I can help with your mobile account
            how are you?                                          | -                       | -                                       | I'm doing well
            bye                                                   | -                       | -                                       | Goodbye
            what's the weather like in Paris tomorrow?            | -                       | -                                       | can't help with that
            tell me a joke                                        | -                       | -                                       | can't help with that
            who won the football yesterday                        | -                       | -                                       | can't help with that
            """)
    void understandsTheMessage(String utterance, String tool, String args, String answerContains) throws Exception {
        AiMessage answer = Requests.answer(utterance);
        if (tool == null) {
            assertThat(answer.toolCalls()).as("tool calls for \"%s\": %s", utterance, answer.content()).isEmpty();
            assertThat(answer.content()).contains(answerContains);
        } else {
            assertThat(answer.toolCalls()).as("answer was: %s", answer.content()).hasSize(1);
            ToolCall call = answer.toolCalls().getFirst();
            assertThat(call.name()).isEqualTo(tool);
            assertThat(call.args()).isEqualTo(Json.parse(args));
        }
    }
}
