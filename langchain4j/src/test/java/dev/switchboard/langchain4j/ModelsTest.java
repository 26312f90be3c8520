package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.langchain4j.ModelSpec.Provider;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelsTest {

    @ParameterizedTest
    @CsvSource({
            "openai:gpt-4o-mini, OPENAI, gpt-4o-mini",
            "ollama:llama3.1, OLLAMA, llama3.1",
            "ollama:llama3.1:8b, OLLAMA, llama3.1:8b",
            "anthropic:claude-3-5-sonnet-latest, ANTHROPIC, claude-3-5-sonnet-latest",
            "gpt-4o, OPENAI, gpt-4o",
            "' OpenAI : gpt-4o ', OPENAI, gpt-4o",
            "offline, OFFLINE, offline",
            "OFFLINE, OFFLINE, offline"})
    void aModelStringNamesAProviderAndAModel(String text, Provider provider, String model) {
        ModelSpec spec = ModelSpec.parse(text);

        assertThat(spec.provider()).isEqualTo(provider);
        assertThat(spec.model()).isEqualTo(model);
        assertThat(ModelSpec.parse(spec.toString())).isEqualTo(spec);
    }

    @Test
    void aBareModelNameMeansOpenAi() {
        assertThat(ModelSpec.parse("gpt-4o")).hasToString("openai:gpt-4o");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mistral:large", "openai:", "ollama:  ", " "})
    void aMalformedModelStringIsRefusedSayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> ModelSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openai:<model>, ollama:<model>, anthropic:<model>");
    }

    @Test
    void withoutReactModelAnOpenAiKeyMeansGpt4o() {
        ModelChoice choice = Models.choose(Map.of("OPENAI_API_KEY", "sk-1"));

        assertThat(choice.spec()).isEqualTo(ModelSpec.parse("openai:gpt-4o"));
        assertThat(choice.reason()).isEqualTo("REACT_MODEL is not set and OPENAI_API_KEY is set");
        assertThat(choice).hasToString("openai:gpt-4o (REACT_MODEL is not set and OPENAI_API_KEY is set)");
    }

    @Test
    void withoutReactModelOrAnOpenAiKeyTheModelIsOffline() {
        ModelChoice choice = Models.choose(Map.of("OPENAI_API_KEY", " ", "ANTHROPIC_API_KEY", "sk-ant"));

        assertThat(choice.spec()).isEqualTo(ModelSpec.OFFLINE);
        assertThat(choice.spec().isOffline()).isTrue();
        assertThat(choice.reason()).isEqualTo("REACT_MODEL is not set and OPENAI_API_KEY is not set");
    }

    @Test
    void reactModelWinsOverTheDefault() {
        ModelChoice choice = Models.choose(Map.of("REACT_MODEL", "ollama:llama3.1", "OPENAI_API_KEY", "sk-1"));

        assertThat(choice.spec()).isEqualTo(ModelSpec.parse("ollama:llama3.1"));
        assertThat(choice.reason()).isEqualTo("REACT_MODEL=ollama:llama3.1");
    }

    @Test
    void aMalformedReactModelIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> Models.choose(Map.of("REACT_MODEL", "gemini:pro")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("REACT_MODEL=gemini:pro: unknown model provider \"gemini\"");
    }

    @Test
    void theSecondaryLaneUsesSecondaryModelOrElseTheMainModel() {
        ModelChoice main = Models.choose(Map.of("REACT_MODEL", "anthropic:claude-3-5-sonnet-latest"));

        ModelChoice secondary = Models.chooseSecondary(Map.of("SECONDARY_MODEL", "openai:gpt-4o-mini"), main);
        ModelChoice same = Models.chooseSecondary(Map.of(), main);

        assertThat(secondary.spec()).isEqualTo(ModelSpec.parse("openai:gpt-4o-mini"));
        assertThat(secondary.reason()).isEqualTo("SECONDARY_MODEL=openai:gpt-4o-mini");
        assertThat(same.spec()).isEqualTo(main.spec());
        assertThat(same.reason()).isEqualTo("SECONDARY_MODEL is not set, so the secondary lane uses the main model");
    }

    @Test
    void aProviderWithoutItsKeyIsRefusedSayingWhichVariableToSet() {
        assertThatThrownBy(() -> Models.create(ModelSpec.parse("openai:gpt-4o"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openai:gpt-4o needs OPENAI_API_KEY")
                .hasMessageContaining("OPENAI_BASE_URL");
        assertThatThrownBy(() -> Models.create(ModelSpec.parse("anthropic:claude-3-5-haiku-latest"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("anthropic:claude-3-5-haiku-latest needs ANTHROPIC_API_KEY");
    }

    @Test
    void anOpenAiCompatibleServerNeedsNoKeyAndOllamaNeedsNothing() {
        assertThat(Models.create(ModelSpec.parse("openai:qwen2.5"), Map.of("OPENAI_BASE_URL", "http://localhost:8000/v1")))
                .hasToString("openai:qwen2.5");
        assertThat(Models.create(ModelSpec.parse("ollama:llama3.1"), Map.of())).hasToString("ollama:llama3.1");
    }

    @Test
    void theOfflineModelIsNotBuiltHere() {
        assertThatThrownBy(() -> Models.create(ModelSpec.OFFLINE, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the server supplies the offline telco model");
    }
}
