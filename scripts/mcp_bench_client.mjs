// The TypeScript MCP SDK's stdio client running mcp_bench.py's workload (the client most
// assistants embed). Usage: node mcp_bench_client.mjs WORKLOAD.json BATCH COMMAND [ARGS...]
// Env: MCP_SDK_DIR = the @modelcontextprotocol/sdk package directory; the server's own env passes through.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [workloadPath, batchText, command, ...args] = process.argv.slice(2);
const sdk = process.env.MCP_SDK_DIR;
const { Client } = await import(pathToFileURL(join(sdk, "dist/esm/client/index.js")).href);
const { StdioClientTransport } = await import(pathToFileURL(join(sdk, "dist/esm/client/stdio.js")).href);

const work = JSON.parse(readFileSync(workloadPath, "utf-8"));
const batch = Number(batchText);
const client = new Client({ name: "cortexdb-bench", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" }));
await client.listTools(); // as real clients do: it also turns on output-schema validation

const now = () => performance.now() / 1000;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
let calls = 0;
async function call(name, args) {
  calls += 1;
  if (process.env.MCP_BENCH_TRACE) process.stderr.write(`call ${calls} ${name}\n`);
  const t = now();
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return [now() - t, result];
}
const timings = {};
const entityCalls = [], relationCalls = [], searchCalls = [];
const started = now();
for (let i = 0; i < work.entities.length; i += batch) entityCalls.push((await call("create_entities", { entities: work.entities.slice(i, i + batch) }))[0]);
timings.create_entities_s = now() - started;
let t0 = now();
for (let i = 0; i < work.relations.length; i += batch) relationCalls.push((await call("create_relations", { relations: work.relations.slice(i, i + batch) }))[0]);
timings.create_relations_s = now() - t0;
t0 = now();
for (const query of work.queries) searchCalls.push((await call("search_nodes", { query }))[0]);
timings.searches_s = now() - t0;
timings.total_s = now() - started;
try { // untimed for the total; a reply over the client's 10 MB message limit closes the connection
  const [readSeconds, graph] = await call("read_graph", {});
  timings.read_graph_s = readSeconds;
  timings.read_graph_entities = (graph.structuredContent?.entities ?? []).length;
} catch (error) {
  timings.read_graph_error = String(error?.message ?? error);
}
const tenth = (xs) => Math.max(1, Math.floor(xs.length / 10));
for (const [phase, xs] of [["entities", entityCalls], ["relations", relationCalls]]) {
  timings[`${phase}_first10pct_median_ms`] = median(xs.slice(0, tenth(xs))) * 1000;
  timings[`${phase}_last10pct_median_ms`] = median(xs.slice(-tenth(xs))) * 1000;
}
const creates = [...entityCalls, ...relationCalls];
timings.create_first10pct_median_ms = median(creates.slice(0, tenth(creates))) * 1000;
timings.create_last10pct_median_ms = median(creates.slice(-tenth(creates))) * 1000;
timings.search_median_ms = median(searchCalls) * 1000;
await client.close().catch(() => {});
process.stdout.write(JSON.stringify(timings) + "\n");
