// The TypeScript MCP SDK's stdio client running mcp_bench.py's workload (the client most
// assistants embed). Usage: node mcp_bench_client.mjs WORKLOAD.json COMMAND [ARGS...]
// Env: MCP_SDK_DIR = the @modelcontextprotocol/sdk package directory; SERVER_PIDFILE = where the
// server's wrapper writes its pid; CLOCK_TICKS = the kernel's clock ticks per second. The
// server's own env passes through. Prints one JSON line shaped like mcp_bench.py's run_python.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [workloadPath, command, ...args] = process.argv.slice(2);
const sdk = process.env.MCP_SDK_DIR;
const { Client } = await import(pathToFileURL(join(sdk, "dist/esm/client/index.js")).href);
const { StdioClientTransport } = await import(pathToFileURL(join(sdk, "dist/esm/client/stdio.js")).href);

const work = JSON.parse(readFileSync(workloadPath, "utf-8"));
const client = new Client({ name: "cortexdb-bench", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args, env: process.env, stderr: "inherit" }));
await client.listTools(); // as real clients do: it also turns on output-schema validation

const ticks = Number(process.env.CLOCK_TICKS || 100);
const pid = Number(readFileSync(process.env.SERVER_PIDFILE, "utf-8").trim());
const serverCpu = () => { // utime + stime (fields 14 and 15) of the server process
  const fields = readFileSync(`/proc/${pid}/stat`, "utf-8").split(")").pop().trim().split(/\s+/);
  return (Number(fields[11]) + Number(fields[12])) / ticks;
};
const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const now = () => performance.now() / 1000;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const tenths = (xs) => { const n = Math.max(1, Math.floor(xs.length / 10)); return [median(xs.slice(0, n)) * 1000, median(xs.slice(-n)) * 1000]; };

const out = { phase_s: {}, server_cpu_s: {}, latency_ms: {}, digests: {} };
async function phase(name, calls) {
  const t0 = now(), c0 = serverCpu(), latencies = [];
  for (const [tool, toolArgs] of calls) {
    const t = now();
    const result = await client.callTool({ name: tool, arguments: toolArgs }, undefined, { timeout: 600_000 });
    latencies.push(now() - t);
    if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
    if (tool === "search_nodes" && !(toolArgs.query in out.digests)) {
      out.digests[toolArgs.query] = createHash("sha1").update(JSON.stringify(result.structuredContent)).digest("hex");
    }
  }
  out.phase_s[name] = now() - t0;
  out.server_cpu_s[name] = serverCpu() - c0;
  out.latency_ms[name] = tenths(latencies);
}
const slices = (items, size, key, tool) => {
  const calls = [];
  for (let i = 0; i < items.length; i += size) calls.push([tool, { [key]: items.slice(i, i + size) }]);
  return calls;
};
const started = now(), cpu0 = serverCpu(), client0 = clientCpu();
await phase("entities", slices(work.entities, work.entity_batch, "entities", "create_entities"));
await phase("relations", slices(work.relations, work.relation_batch, "relations", "create_relations"));
await phase("searches", work.queries.map((query) => ["search_nodes", { query }]));
out.total_s = now() - started;
out.server_cpu_s.total = serverCpu() - cpu0;
out.client_cpu_s = clientCpu() - client0;
await client.close().catch(() => {});
process.stdout.write(JSON.stringify(out) + "\n");
