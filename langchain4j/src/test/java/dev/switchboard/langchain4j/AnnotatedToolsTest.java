package dev.switchboard.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.switchboard.Json;
import dev.switchboard.agent.Idempotent;
import dev.switchboard.agent.LongRunning;
import dev.switchboard.agent.PointOfNoReturn;
import dev.switchboard.agent.SideEffects;
import dev.switchboard.tool.ToolContext;
import dev.switchboard.tool.ToolException;
import dev.switchboard.tool.ToolKind;
import dev.switchboard.tool.ToolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** LangChain4j {@code @Tool} methods become runtime tools: schemas as LangChain4j derives them, plus how they run. */
class AnnotatedToolsTest {

    enum Cabin { ECONOMY, BUSINESS }

    /** An enum whose constants have bodies: its class is abstract, yet it has a JSON form. */
    enum Meal {
        VEGAN { @Override String label() { return "vegan"; } },
        STANDARD { @Override String label() { return "standard"; } };

        abstract String label();
    }

    public static final class Catering {
        @Tool("Orders a meal.")
        public String orderMeal(Meal meal) {
            return meal.label();
        }
    }

    @Test
    void anEnumWithConstantBodies_isAnEnumSchema_andBinds() throws Exception {
        dev.switchboard.tool.Tool order = AnnotatedTools.from(new Catering()).getFirst();
        assertThat(order.spec().parameters().path("properties").path("meal").path("enum").toString())
                .isEqualTo("[\"VEGAN\",\"STANDARD\"]");
        assertThat(order.call((ObjectNode) Json.parse("{\"meal\":\"VEGAN\"}"), null)).isEqualTo("vegan");
    }

    record Passenger(String name, int age) {
    }

    /** Every usual parameter type, echoed back as JSON so the binding shows too. */
    public static final class Travel {
        @Tool(name = "find_flights", value = "Finds flights between two airports.")
        public String findFlights(@P("IATA code of the origin") String from, @P("IATA code of the destination") String to,
                int passengers, double maxPrice, Cabin cabin, Passenger lead, List<Passenger> others,
                List<String> tags, Optional<String> note, @P(value = "how many stops at most", required = false)
                Integer maxStops) {
            ObjectNode out = Json.object();
            out.put("from", from).put("to", to).put("passengers", passengers).put("max_price", maxPrice)
                    .put("cabin", cabin.name()).put("lead", lead.name() + "/" + lead.age())
                    .put("others", others.stream().map(Passenger::name).collect(Collectors.joining(",")))
                    .put("tags", String.join(",", tags)).put("note", note.orElse("-"))
                    .put("max_stops", maxStops == null ? -1 : maxStops);
            return Json.write(out);
        }

        @Tool("Books a flight.")
        @LongRunning(seconds = 8)
        @SideEffects
        @Idempotent
        @PointOfNoReturn(60)
        public Map<String, String> bookFlight(@P("flight number") String flight, ToolContext context) {
            return Map.of("booked", flight, "key", context.idempotencyKey());
        }
    }

    private final Map<String, dev.switchboard.tool.Tool> tools = AnnotatedTools.from(new Travel()).stream()
            .collect(Collectors.toMap(t -> t.spec().name(), t -> t));

    private JsonNode schema(String tool) {
        return tools.get(tool).spec().parameters();
    }

    @Test
    void schema_ofStringsNumbersEnumsRecordsListsAndOptional_isLangChain4js() {
        JsonNode p = schema("find_flights").path("properties");
        assertThat(tools.get("find_flights").spec().description()).isEqualTo("Finds flights between two airports.");
        assertThat(p.path("from").path("type").asText()).isEqualTo("string");
        assertThat(p.path("from").path("description").asText()).isEqualTo("IATA code of the origin");
        assertThat(p.path("passengers").path("type").asText()).isEqualTo("integer");
        assertThat(p.path("maxPrice").path("type").asText()).isEqualTo("number");
        assertThat(p.path("cabin").path("enum").toString()).isEqualTo("[\"ECONOMY\",\"BUSINESS\"]");
        assertThat(p.path("lead").path("type").asText()).isEqualTo("object");
        assertThat(p.path("lead").path("properties").path("age").path("type").asText()).isEqualTo("integer");
        assertThat(p.path("others").path("type").asText()).isEqualTo("array");
        assertThat(p.path("others").path("items").path("properties").has("name")).isTrue();
        assertThat(p.path("tags").path("items").path("type").asText()).isEqualTo("string");
        assertThat(p.path("note").path("type").asText()).isEqualTo("string");
        assertThat(Json.mapper().convertValue(schema("find_flights").path("required"), List.class))
                .containsExactlyInAnyOrder("from", "to", "passengers", "maxPrice", "cabin", "lead", "others", "tags")
                .as("Optional and required=false are optional").doesNotContain("note", "maxStops");
    }

    @Test
    void quickTool_byDefault_andTheSwitchboardAnnotations_makeALongRunningOne() {
        assertThat(tools.get("find_flights").spec()).satisfies(s -> {
            assertThat(s.kind()).isEqualTo(ToolKind.QUICK);
            assertThat(s.sideEffects()).isFalse();
        });
        ToolSpec book = tools.get("bookFlight").spec();
        assertThat(book.kind()).isEqualTo(ToolKind.LONG_RUNNING);
        assertThat(book.nominalDuration()).isEqualTo(Duration.ofSeconds(8));
        assertThat(book.sideEffects()).isTrue();
        assertThat(book.idempotent()).isTrue();
        assertThat(book.pointOfNoReturn()).isEqualTo(60);
        assertThat(book.parameters().path("properties").has("context")).as("the context is not the model's").isFalse();
        assertThat(book.parameters().path("required").toString()).isEqualTo("[\"flight\"]");
    }

    @Test
    void call_bindsJsonArgumentsToTheParameters() throws Exception {
        String out = tools.get("find_flights").call((ObjectNode) Json.parse("""
                {"from":"LHR","to":"JFK","passengers":2,"maxPrice":450.5,"cabin":"BUSINESS",
                 "lead":{"name":"Ada","age":36},"others":[{"name":"Bo","age":7}],"tags":["a","b"]}"""), null);
        assertThat(Json.parse(out).toString()).isEqualTo("{\"from\":\"LHR\",\"to\":\"JFK\",\"passengers\":2,"
                + "\"max_price\":450.5,\"cabin\":\"BUSINESS\",\"lead\":\"Ada/36\",\"others\":\"Bo\",\"tags\":\"a,b\","
                + "\"note\":\"-\",\"max_stops\":-1}");
    }

    @Test
    void call_withAnArgumentOfTheWrongShape_isAToolErrorTheModelCanCorrect() {
        assertThatThrownBy(() -> tools.get("find_flights").call((ObjectNode) Json.parse("""
                {"from":"LHR","to":"JFK","passengers":"two","maxPrice":1,"cabin":"FIRST","lead":{"name":"A","age":1},
                 "others":[],"tags":[]}"""), null))
                .isInstanceOf(ToolException.class).hasMessageContaining("passengers");
        assertThatThrownBy(() -> tools.get("find_flights").call((ObjectNode) Json.parse("{\"from\":\"LHR\"}"), null))
                .isInstanceOf(ToolException.class).hasMessageContaining("the argument passengers is required");
    }

    static final class Unreadable {
        @Tool("takes anything")
        public String take(Object anything) {
            return "";
        }
    }

    static final class QuickWithEffects {
        @Tool("deletes")
        @SideEffects
        public String delete(String id) {
            return "";
        }
    }

    static final class Twice {
        @Tool(name = "same", value = "a")
        public String a() {
            return "";
        }
    }

    @Test
    void aParameterWithoutJsonSchema_isRefusedNamingTheMethod() {
        assertThatThrownBy(() -> AnnotatedTools.from(new Unreadable()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AnnotatedToolsTest$Unreadable.take: parameter anything of type java.lang.Object "
                        + "has no JSON schema");
    }

    @Test
    void aQuickToolWithSideEffects_isRefused() {
        assertThatThrownBy(() -> AnnotatedTools.from(new QuickWithEffects()))
                .hasMessageContaining("QuickWithEffects.delete: a quick tool is read-only")
                .hasMessageContaining("add @LongRunning");
    }

    @Test
    void twoToolsWithOneName_andAnObjectWithoutTools_areRefused() {
        assertThatThrownBy(() -> AnnotatedTools.from(new Twice(), new Twice())).hasMessageContaining("two tools are named same");
        assertThatThrownBy(() -> AnnotatedTools.from("not a toolbox")).hasMessageContaining("java.lang.String has no @Tool methods");
    }
}
