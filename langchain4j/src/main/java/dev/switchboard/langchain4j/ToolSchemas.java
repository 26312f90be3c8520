package dev.switchboard.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import dev.switchboard.Json;
import dev.switchboard.tool.ToolSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Our tools' JSON schemas as LangChain4j schema elements, which each provider then writes in its own form.
 *
 * <p>The keywords LangChain4j models (type object/string/number/integer/boolean/array/null, properties, required,
 * items, enum of strings, anyOf, description) become typed elements. A sub-schema using anything else ({@code
 * format}, {@code minimum}, {@code pattern}, {@code oneOf}, a type list, …) passes through verbatim as a raw
 * schema rather than losing what the tool told the model.
 */
final class ToolSchemas {

    private static final Set<String> OBJECT_KEYS = Set.of("type", "description", "properties", "required",
            "additionalProperties", "title");
    private static final Set<String> ARRAY_KEYS = Set.of("type", "description", "items", "title");
    private static final Set<String> SCALAR_KEYS = Set.of("type", "description", "title");
    private static final Set<String> ENUM_KEYS = Set.of("type", "description", "enum", "title");
    private static final Set<String> ANY_OF_KEYS = Set.of("description", "anyOf", "title");
    /** Keywords that mean nothing to a model and may appear on any sub-schema. */
    private static final Set<String> IGNORABLE_KEYS = Set.of("$schema", "$id");

    private ToolSchemas() {
    }

    static ToolSpecification toSpecification(ToolSpec tool) {
        return ToolSpecification.builder()
                .name(tool.name())
                .description(tool.description().isBlank() ? null : tool.description())
                .parameters(parameters(tool.name(), tool.parameters()))
                .build();
    }

    /** A tool's parameters must be an object schema: every provider passes arguments as one JSON object. */
    static JsonObjectSchema parameters(String toolName, JsonNode schema) {
        if (!schema.isObject() || !"object".equals(schema.path("type").asText("object"))) {
            throw new IllegalArgumentException("tool " + toolName + ": parameters must be a JSON schema of type "
                    + "\"object\", got " + Json.write(schema));
        }
        JsonObjectSchema.Builder root = objectBuilder(schema);
        JsonNode definitions = schema.path("$defs");
        if (definitions.isObject() && !definitions.isEmpty()) {
            // Raw sub-schemas may point here with $ref; LangChain4j writes these back as the root's $defs.
            Map<String, JsonSchemaElement> defs = new LinkedHashMap<>();
            definitions.fieldNames().forEachRemaining(name -> defs.put(name, element(definitions.get(name))));
            root.definitions(defs);
        }
        return root.build();
    }

    static JsonSchemaElement element(JsonNode schema) {
        if (!schema.isObject()) {
            // `true` and `false` are valid JSON schemas; only a raw schema can say them.
            return raw(schema.isBoolean() && schema.booleanValue() ? Json.object() : schema);
        }
        JsonNode enumValues = schema.get("enum");
        if (enumValues != null) {
            return isStringEnum(schema, enumValues) && only(schema, ENUM_KEYS)
                    ? JsonEnumSchema.builder().enumValues(strings(enumValues)).description(description(schema)).build()
                    : raw(schema);
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.path("anyOf").isArray() && only(schema, ANY_OF_KEYS)) {
                List<JsonSchemaElement> options = new ArrayList<>();
                schema.get("anyOf").forEach(option -> options.add(element(option)));
                return JsonAnyOfSchema.builder().anyOf(options).description(description(schema)).build();
            }
            return schema.has("properties") ? object(schema) : raw(schema);
        }
        if (!type.isTextual()) {
            return raw(schema);
        }
        return switch (type.textValue()) {
            case "object" -> object(schema);
            case "array" -> only(schema, ARRAY_KEYS)
                    ? JsonArraySchema.builder()
                            .items(schema.has("items") ? element(schema.get("items")) : null)
                            .description(description(schema))
                            .build()
                    : raw(schema);
            case "string" -> only(schema, SCALAR_KEYS)
                    ? JsonStringSchema.builder().description(description(schema)).build() : raw(schema);
            case "number" -> only(schema, SCALAR_KEYS)
                    ? JsonNumberSchema.builder().description(description(schema)).build() : raw(schema);
            case "integer" -> only(schema, SCALAR_KEYS)
                    ? JsonIntegerSchema.builder().description(description(schema)).build() : raw(schema);
            case "boolean" -> only(schema, SCALAR_KEYS)
                    ? JsonBooleanSchema.builder().description(description(schema)).build() : raw(schema);
            case "null" -> only(schema, SCALAR_KEYS) ? new JsonNullSchema() : raw(schema);
            default -> raw(schema);
        };
    }

    private static JsonSchemaElement object(JsonNode schema) {
        boolean typed = only(schema, OBJECT_KEYS)
                && (!schema.has("additionalProperties") || schema.get("additionalProperties").isBoolean());
        return typed ? objectBuilder(schema).build() : raw(schema);
    }

    private static JsonObjectSchema.Builder objectBuilder(JsonNode schema) {
        JsonObjectSchema.Builder builder = JsonObjectSchema.builder().description(description(schema));
        JsonNode properties = schema.path("properties");
        properties.fieldNames().forEachRemaining(name -> builder.addProperty(name, element(properties.get(name))));
        List<String> required = strings(schema.path("required"));
        if (!required.isEmpty()) {
            builder.required(required);
        }
        if (schema.path("additionalProperties").isBoolean()) {
            builder.additionalProperties(schema.get("additionalProperties").booleanValue());
        }
        return builder;
    }

    private static String description(JsonNode schema) {
        JsonNode description = schema.get("description");
        return description != null && description.isTextual() ? description.textValue() : null;
    }

    private static List<String> strings(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** An enum LangChain4j can model: strings only, and a type (if any) of string. */
    private static boolean isStringEnum(JsonNode schema, JsonNode values) {
        if (!values.isArray() || values.isEmpty()) {
            return false;
        }
        for (JsonNode value : values) {
            if (!value.isTextual()) {
                return false;
            }
        }
        JsonNode type = schema.get("type");
        return type == null || "string".equals(type.asText());
    }

    private static boolean only(JsonNode schema, Set<String> allowed) {
        for (Iterator<String> keys = schema.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!allowed.contains(key) && !IGNORABLE_KEYS.contains(key)) {
                return false;
            }
        }
        return true;
    }

    private static JsonRawSchema raw(JsonNode schema) {
        return JsonRawSchema.from(Json.write(schema));
    }
}
