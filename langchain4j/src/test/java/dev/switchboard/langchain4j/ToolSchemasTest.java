package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.switchboard.Json;
import dev.switchboard.tool.ToolSpec;
import org.junit.jupiter.api.Test;

class ToolSchemasTest {

    @Test
    void theKeywordsLangChain4jModelsBecomeTypedElements() {
        ToolSpec tool = ToolSpec.quick("buy_pass", "Buys a roaming pass.", schema("""
                {"type": "object", "description": "What to buy.",
                 "properties": {
                   "country": {"type": "string", "description": "ISO country code"},
                   "days": {"type": "integer"},
                   "price_cap": {"type": "number"},
                   "auto_renew": {"type": "boolean"},
                   "kind": {"type": "string", "enum": ["data", "voice"], "description": "Pass kind"},
                   "add_ons": {"type": "array", "items": {"type": "string"}},
                   "contact": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]},
                   "note": {"anyOf": [{"type": "string"}, {"type": "null"}]}
                 },
                 "required": ["country", "days"]}
                """));

        ToolSpecification spec = ToolSchemas.toSpecification(tool);

        assertThat(spec.name()).isEqualTo("buy_pass");
        assertThat(spec.description()).isEqualTo("Buys a roaming pass.");
        JsonObjectSchema parameters = spec.parameters();
        assertThat(parameters.description()).isEqualTo("What to buy.");
        assertThat(parameters.required()).containsExactly("country", "days");
        assertThat(parameters.properties()).containsOnlyKeys(
                "country", "days", "price_cap", "auto_renew", "kind", "add_ons", "contact", "note");
        assertThat(parameters.properties().get("country")).isInstanceOfSatisfying(JsonStringSchema.class,
                s -> assertThat(s.description()).isEqualTo("ISO country code"));
        assertThat(parameters.properties().get("days")).isInstanceOf(JsonIntegerSchema.class);
        assertThat(parameters.properties().get("price_cap")).isInstanceOf(JsonNumberSchema.class);
        assertThat(parameters.properties().get("auto_renew")).isInstanceOf(JsonBooleanSchema.class);
        assertThat(parameters.properties().get("kind")).isInstanceOfSatisfying(JsonEnumSchema.class, e -> {
            assertThat(e.enumValues()).containsExactly("data", "voice");
            assertThat(e.description()).isEqualTo("Pass kind");
        });
        assertThat(parameters.properties().get("add_ons")).isInstanceOfSatisfying(JsonArraySchema.class,
                a -> assertThat(a.items()).isInstanceOf(JsonStringSchema.class));
        assertThat(parameters.properties().get("contact")).isInstanceOfSatisfying(JsonObjectSchema.class, o -> {
            assertThat(o.properties()).containsOnlyKeys("email");
            assertThat(o.required()).containsExactly("email");
        });
        assertThat(parameters.properties().get("note")).isInstanceOfSatisfying(JsonAnyOfSchema.class,
                a -> assertThat(a.anyOf()).hasSize(2));
    }

    @Test
    void aSubSchemaWithKeywordsLangChain4jCannotModelPassesThroughVerbatim() {
        String days = "{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 30}";
        String plan = "{\"oneOf\": [{\"const\": \"S\"}, {\"const\": \"M\"}]}";
        String level = "{\"enum\": [1, 2, 3]}";
        String email = "{\"type\": \"string\", \"format\": \"email\"}";
        JsonObjectSchema parameters = ToolSchemas.parameters("t", schema("""
                {"type": "object", "properties": {"days": %s, "plan": %s, "level": %s, "email": %s}}
                """.formatted(days, plan, level, email)));

        assertThat(raw(parameters, "days")).isEqualTo(Json.parse(days));
        assertThat(raw(parameters, "plan")).isEqualTo(Json.parse(plan));
        assertThat(raw(parameters, "level")).isEqualTo(Json.parse(level));
        assertThat(raw(parameters, "email")).isEqualTo(Json.parse(email));
    }

    @Test
    void aToolWithoutParametersDeclaresAnEmptyObject() {
        ToolSpecification spec = ToolSchemas.toSpecification(ToolSpec.quick("list_packages", "", null));

        assertThat(spec.description()).isNull();
        assertThat(spec.parameters().properties()).isEmpty();
    }

    @Test
    void parametersThatAreNotAnObjectSchemaAreRefusedNamingTheTool() {
        assertThatThrownBy(() -> ToolSchemas.parameters("get_balance", schema("{\"type\": \"string\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("get_balance")
                .hasMessageContaining("\"object\"");
    }

    private static Object raw(JsonObjectSchema parameters, String property) {
        assertThat(parameters.properties().get(property)).isInstanceOf(JsonRawSchema.class);
        return Json.parse(((JsonRawSchema) parameters.properties().get(property)).schema());
    }

    private static ObjectNode schema(String json) {
        return (ObjectNode) Json.parse(json);
    }
}
