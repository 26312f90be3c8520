// Interrupt and resume through the official LangGraph JS SDK, against a running Switchboard (the telco agent):
// closing a contract pauses for approval, the SDK sees the interrupt in the stream and in the thread state, and
// client.runs.stream(thread, assistant, {command: {resume}}) continues it. Usage: node interrupts.mjs URL
import { Client } from "@langchain/langgraph-sdk";

const url = process.argv[2] ?? "http://127.0.0.1:2024";
const client = new Client({ apiUrl: url });
let failed = 0;
const check = (name, ok, detail = "") => {
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
  if (!ok) failed += 1;
};

const thread = await client.threads.create();
let interrupt = null;
for await (const part of client.runs.stream(thread.thread_id, "telco", {
  input: { messages: [{ type: "human", content: "close my contract" }] },
  streamMode: ["values", "updates"],
})) {
  if (part.event === "updates" && part.data?.__interrupt__) interrupt = part.data.__interrupt__[0];
}
check("the stream carries __interrupt__", interrupt != null);
check("the interrupt asks approval of close_contract",
  interrupt?.value?.action_requests?.[0]?.name === "close_contract", JSON.stringify(interrupt?.value?.action_requests?.[0]?.description));
const paused = await client.threads.get(thread.thread_id);
check("the thread is interrupted", paused.status === "interrupted", paused.status);
const state = await client.threads.getState(thread.thread_id);
check("the state's task carries the interrupt", state.tasks?.[0]?.interrupts?.[0]?.id === interrupt?.id);
check("the state names the next node", JSON.stringify(state.next) === '["tools"]', JSON.stringify(state.next));

const seen = [];
for await (const part of client.runs.stream(thread.thread_id, "telco", {
  command: { resume: { decisions: [{ type: "approve" }] } },
  streamMode: ["values"],
})) {
  seen.push(part.event);
}
const done = await client.threads.get(thread.thread_id);
check("the resumed run ends the pause", done.status === "idle", done.status);
const last = done.values?.messages?.at(-1);
check("the agent answers after the operation", last?.type === "ai" && /closed/i.test(String(last?.content)), String(last?.content).slice(0, 80));

let refused = false;
try {
  await client.runs.wait(thread.thread_id, "telco", { command: { resume: "again" } });
} catch (e) {
  refused = e?.status === 409 || /409|not_interrupted/.test(String(e));
}
check("resume on a thread that is not interrupted is refused", refused);

console.log(`${failed === 0 ? "all" : failed} ${failed === 0 ? "passed" : "failed"}`);
process.exit(failed === 0 ? 0 : 1);
