package dev.switchboard.telco.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.Json;
import java.util.List;

/** JSON schemas of tool arguments, as a model sees them. */
final class Schemas {
    private Schemas() {
    }

    record Property(String name, String type, String description, List<String> values, boolean required) {
        static Property required(String name, String description, List<String> values) {
            return new Property(name, "string", description, values, true);
        }

        static Property optional(String name, String description, List<String> values) {
            return new Property(name, "string", description, values, false);
        }

        static Property optionalInteger(String name, String description) {
            return new Property(name, "integer", description, List.of(), false);
        }
    }

    static ObjectNode object(Property... properties) {
        ObjectNode schema = Json.object();
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = Json.array();
        for (Property p : properties) {
            ObjectNode prop = props.putObject(p.name());
            prop.put("type", p.type());
            prop.put("description", p.description());
            if (!p.values().isEmpty()) {
                ArrayNode values = prop.putArray("enum");
                p.values().forEach(values::add);
            }
            if (p.required()) {
                required.add(p.name());
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        schema.put("additionalProperties", false);
        return schema;
    }
}
