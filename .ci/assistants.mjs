// Assistants through the official LangGraph JS SDK, against a running Switchboard (the telco agent): create,
// update (a new version), versions, setLatest, search with sortBy/sortOrder/select, count, an assistant's prompt
// and tool subset reaching its runs, delete with its threads. Usage: node assistants.mjs URL
import { Client } from "@langchain/langgraph-sdk";

const url = process.argv[2] ?? "http://127.0.0.1:2024";
const client = new Client({ apiUrl: url });
let failed = 0;
const check = (name, ok, detail = "") => {
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
  if (!ok) failed += 1;
};
const refused = async (promise) => {
  try { await promise; return null; } catch (e) { return e; }
};

const tag = `ci-${Date.now()}`;
const made = await client.assistants.create({
  graphId: "telco", name: "billing only", metadata: { tag },
  config: { configurable: { tools: ["get_billing_summary"], system_prompt: "You answer billing questions." } },
});
check("create answers version 1 of the telco graph", made.version === 1 && made.graph_id === "telco", `v${made.version}`);
const again = await client.assistants.create({ graphId: "telco", assistantId: made.assistant_id, ifExists: "do_nothing" });
check("ifExists do_nothing returns the existing one", again.assistant_id === made.assistant_id && again.version === 1);
const dup = await refused(client.assistants.create({ graphId: "telco", assistantId: made.assistant_id }));
check("a second create of one id is refused", dup?.status === 409, String(dup?.status));

const v2 = await client.assistants.update(made.assistant_id, { name: "billing v2", metadata: { tag, v: 2 } });
check("update makes version 2", v2.version === 2 && v2.name === "billing v2", `v${v2.version}`);
const versions = await client.assistants.getVersions(made.assistant_id);
check("getVersions lists both, newest first", versions.map((v) => v.version).join(",") === "2,1",
  versions.map((v) => v.version).join(","));
const back = await client.assistants.setLatest(made.assistant_id, 1);
check("setLatest(1) makes version 1 live again", back.version === 1 && back.name === "billing only", back.name);
const got = await client.assistants.get(made.assistant_id);
check("get reads the live version", got.version === 1);

const other = await client.assistants.create({ graphId: "telco", name: "another", metadata: { tag } });
const sorted = await client.assistants.search({ metadata: { tag }, sortBy: "name", sortOrder: "asc", select: ["assistant_id", "name"] });
check("search sorts by name and selects fields", sorted.map((a) => a.name).join(",") === "another,billing only"
  && Object.keys(sorted[0]).sort().join(",") === "assistant_id,name", JSON.stringify(sorted));
check("count filters by metadata", (await client.assistants.count({ metadata: { tag } })) === 2);
const unknownGraph = await refused(client.assistants.create({ graphId: "no-such-graph" }));
check("an unknown graph is refused", unknownGraph?.status === 404 || unknownGraph?.status === 422, String(unknownGraph?.status));
const unknownTool = await refused(client.assistants.create({ graphId: "telco", config: { configurable: { tools: ["nope"] } } }));
check("a tool subset naming an unknown tool is 422", unknownTool?.status === 422, String(unknownTool?.status));

const thread = await client.threads.create({ metadata: { assistant_id: made.assistant_id } });
const values = await client.runs.wait(thread.thread_id, made.assistant_id, {
  input: { messages: [{ type: "human", content: "what is my bill?" }] },
});
const calls = (values.messages ?? []).flatMap((m) => m.tool_calls ?? []).map((c) => c.name);
check("the assistant's runs call only its tools", calls.every((n) => n === "get_billing_summary"), calls.join(","));

await client.assistants.delete(made.assistant_id, { deleteThreads: true });
const gone = await refused(client.assistants.get(made.assistant_id));
check("delete removes the assistant", gone?.status === 404, String(gone?.status));
const threadGone = await refused(client.threads.get(thread.thread_id));
check("deleteThreads removes its threads", threadGone?.status === 404, String(threadGone?.status));
await client.assistants.delete(other.assistant_id);

console.log(failed === 0 ? "assistants: all passed" : `assistants: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
