// Receiver throughput: the OTLP/HTTP receiver runs in this process; a load generator in a child process (so the two
// do not share one JavaScript thread) runs 16 concurrent senders, each POSTing OTLP/JSON log batches of 50 Claude
// Code events over keep-alive loopback connections for ~5 s. Prints events ingested per second (decoded and mapped to
// model events by the real handler path) and the p50/p99 request latency seen by the senders.
//
//   bun bench/otlp-bench.ts [--seconds 5] [--senders 16] [--batch 50] [--encoding json|protobuf] [--no-map]
//
// `runOtlpBench()` is exported for bench/bench.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TelemetryStore } from "../src/net/telemetry-store.ts";
import { createState, reduce } from "../src/model/state.ts";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as protobuf from "protobufjs/light.js";
import { logsToEvents } from "../src/net/otlp-map.ts";
import { OTLP_PROTO_DESCRIPTOR } from "../src/net/otlp-proto.ts";
import { startOtlpReceiver } from "../src/net/otlp-receiver.ts";

export interface OtlpBenchOptions {
  seconds: number;
  senders: number;
  batch: number;
  encoding: "json" | "protobuf";
  /** run the model mapping (logsToEvents) in the handler, as the app does */
  map: boolean;
}

export interface OtlpBenchResult extends OtlpBenchOptions {
  requests: number;
  failed: number;
  events: number;
  mappedEvents: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bodyBytes: number;
}

const SELF = fileURLToPath(import.meta.url);

/** One batch: `n` Claude Code events (prompts, API requests, tool results), distinct per sender and batch. */
function batch(sender: number, seq: number, n: number): Record<string, unknown> {
  const s = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const i = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
  const base = Date.UTC(2026, 10, 26, 12) + seq * 1000;
  const records = Array.from({ length: n }, (_, k) => {
    const session = `sess-${sender}-${k % 5}`;
    const std = [s("session.id", session), s("user.email", `dev${sender}@example.com`), s("terminal.type", "vscode"), s("app.version", "2.1.0")];
    const time = String(BigInt(base + k) * 1_000_000n);
    const kind = k % 3;
    if (kind === 0) return { timeUnixNano: time, body: { stringValue: "claude_code.user_prompt" }, attributes: [...std, i("prompt_length", 40 + k)] };
    if (kind === 1)
      return {
        timeUnixNano: time,
        body: { stringValue: "claude_code.api_request" },
        attributes: [
          ...std,
          s("model", "claude-sonnet-4-5"),
          i("input_tokens", 1000 + k),
          i("output_tokens", 300),
          i("cache_read_tokens", 40_000),
          i("cache_creation_tokens", 1500),
          { key: "cost_usd", value: { doubleValue: 0.04 } },
          i("duration_ms", 4000),
          s("request_id", `req_${sender}_${seq}_${k}`),
        ],
      };
    return {
      timeUnixNano: time,
      body: { stringValue: "claude_code.tool_result" },
      attributes: [...std, s("tool_name", "Bash"), { key: "success", value: { boolValue: true } }, i("duration_ms", 120)],
    };
  });
  return {
    resourceLogs: [
      {
        resource: { attributes: [s("service.name", "claude-code"), s("service.version", "2.1.0")] },
        scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events", version: "2.1.0" }, logRecords: records }],
      },
    ],
  };
}

function encodeBatch(o: Record<string, unknown>, encoding: "json" | "protobuf"): Uint8Array {
  if (encoding === "json") return new TextEncoder().encode(JSON.stringify(o));
  const T = protobuf.Root.fromJSON(OTLP_PROTO_DESCRIPTOR as protobuf.INamespace).lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
  return T.encode(T.fromObject(o)).finish();
}

/** The child: 16 senders in a loop until the deadline; prints one JSON line of stats. */
async function senderMain(url: string, o: OtlpBenchOptions): Promise<void> {
  // A pool of distinct bodies per sender, prepared up front so that encoding does not count.
  const POOL = 20;
  const bodies = Array.from({ length: o.senders }, (_, s) => Array.from({ length: POOL }, (_, q) => encodeBatch(batch(s, q, o.batch), o.encoding)));
  const contentType = o.encoding === "json" ? "application/json" : "application/x-protobuf";
  const latencies: number[] = [];
  let failed = 0;
  let bodyBytes = 0;
  const deadline = performance.now() + o.seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: o.senders }, async (_, s) => {
      for (let q = 0; performance.now() < deadline; q++) {
        const body = bodies[s]![q % POOL]!;
        const start = performance.now();
        try {
          const r = await fetch(`${url}/v1/logs`, { method: "POST", headers: { "Content-Type": contentType }, body });
          await r.arrayBuffer();
          if (r.status !== 200) failed++;
        } catch {
          failed++;
        }
        latencies.push(performance.now() - start);
        bodyBytes += body.length;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0;
  process.stdout.write(
    `${JSON.stringify({ requests: latencies.length, failed, elapsed, p50: pct(50), p99: pct(99), max: latencies[latencies.length - 1] ?? 0, bodyBytes: bodyBytes / Math.max(1, latencies.length) })}\n`,
  );
}

export async function runOtlpBench(o: OtlpBenchOptions): Promise<OtlpBenchResult> {
  let events = 0;
  let mappedEvents = 0;
  // As the app does: map, store (SQLite, in a temp dir) and reduce into a model.
  const dir = mkdtempSync(join(tmpdir(), "claude-dash-otlp-bench-"));
  const store = o.map ? new TelemetryStore(join(dir, "telemetry.sqlite")) : null;
  const state = createState();
  const receiver = await startOtlpReceiver({
    host: "127.0.0.1",
    port: 0,
    maxConcurrent: 256,
    onLogs: (req) => {
      for (const rl of req.resourceLogs) for (const sl of rl.scopeLogs) events += sl.logRecords.length;
      if (o.map) {
        const mapped = logsToEvents(req).events;
        store?.append(mapped, []);
        for (const e of mapped) reduce(state, e);
        mappedEvents += mapped.length;
      }
    },
    onMetrics: () => {},
  });
  try {
    const child = spawn(
      process.execPath,
      [SELF, "--sender", receiver.url, "--seconds", String(o.seconds), "--senders", String(o.senders), "--batch", String(o.batch), "--encoding", o.encoding],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
    if (code !== 0) throw new Error(`the load generator exited with ${code}`);
    const s = JSON.parse(out.trim().split("\n").pop()!) as {
      requests: number;
      failed: number;
      elapsed: number;
      p50: number;
      p99: number;
      max: number;
      bodyBytes: number;
    };
    return {
      ...o,
      requests: s.requests,
      failed: s.failed,
      events,
      mappedEvents,
      seconds: s.elapsed,
      eventsPerSecond: events / s.elapsed,
      p50Ms: s.p50,
      p99Ms: s.p99,
      maxMs: s.max,
      bodyBytes: s.bodyBytes,
    };
  } finally {
    await receiver.stop();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatOtlpBench(r: OtlpBenchResult): string {
  return (
    `OTLP receiver (${r.encoding}, ${r.senders} senders × ${r.batch}-event batches of ~${(r.bodyBytes / 1024).toFixed(0)} KB, ${r.map ? "decoded, mapped, stored in SQLite and reduced" : "decoded only"}): ` +
    `${Math.round(r.eventsPerSecond).toLocaleString("en-US")} events/s ingested (${r.events.toLocaleString("en-US")} events, ${r.requests.toLocaleString("en-US")} requests, ${r.failed} failed, in ${r.seconds.toFixed(1)} s); ` +
    `latency p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms`
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      sender: { type: "string" },
      seconds: { type: "string", default: "5" },
      senders: { type: "string", default: "16" },
      batch: { type: "string", default: "50" },
      encoding: { type: "string", default: "json" },
      "no-map": { type: "boolean", default: false },
    },
  });
  const o: OtlpBenchOptions = {
    seconds: Number(values.seconds),
    senders: Number(values.senders),
    batch: Number(values.batch),
    encoding: values.encoding === "protobuf" ? "protobuf" : "json",
    map: !values["no-map"],
  };
  if (values.sender) await senderMain(values.sender, o);
  else console.log(formatOtlpBench(await runOtlpBench(o)));
}
