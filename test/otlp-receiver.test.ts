// The OTLP/HTTP receiver over loopback: the REAL OpenTelemetry JS SDK exporters (http/json and http/protobuf, logs
// and metrics, plain and gzip) send events shaped like Claude Code's and the decoded requests are checked (the same
// shape for both encodings); then hostile or broken clients (truncated protobuf, JSON of the wrong types, a 50 MB
// body, a gzip bomb, wrong content type, wrong token, a stalled body) get the right status, and the server keeps
// serving others meanwhile and afterwards.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import net from "node:net";
import zlib from "node:zlib";
import { ValueType } from "@opentelemetry/api";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import * as protobuf from "protobufjs/light.js";
import { generateOtlpProtoModule, OUTPUT } from "../scripts/gen-otlp-proto.ts";
import type { KeyValue, OtlpLogsRequest, OtlpMetricsRequest } from "../src/net/otlp-decode.ts";
import { decodeExportResponse, decodeStatus } from "../src/net/otlp-wire.ts";
import { OTLP_PROTO_DESCRIPTOR } from "../src/net/otlp-proto.ts";
import { startOtlpReceiver, type OtlpHandlerResult, type OtlpReceiver, type OtlpRequestInfo } from "../src/net/otlp-receiver.ts";
import { fakeClock } from "./fake-clock.ts";
import { until } from "./until.ts";

const TOKEN = "team-secret-123";
// The receiver's body deadline and pace checks run on a fake clock that only the stalled-body test moves on: no request
// here is cut off by real time passing. The timeout is below the rate rule's 2 s grace, so that moving the clock past
// it shows the body timeout, not the rate rule (hostile.test.ts covers that one, on real time).
const BODY_TIMEOUT_MS = 1_500;
const clock = fakeClock();

let receiver: OtlpReceiver;
const logs: { req: OtlpLogsRequest; info: OtlpRequestInfo }[] = [];
const metrics: { req: OtlpMetricsRequest; info: OtlpRequestInfo }[] = [];
const errors: { status: number; message: string }[] = [];
/** what the next onLogs call answers (then reset) */
let nextLogsAnswer: OtlpHandlerResult | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver({
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
    clock,
    onLogs: (req, info) => {
      logs.push({ req, info });
      const a = nextLogsAnswer;
      nextLogsAnswer = undefined;
      return a;
    },
    onMetrics: (req, info) => {
      metrics.push({ req, info });
    },
    onError: (e) => errors.push(e),
  });
});

afterAll(async () => {
  await receiver.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const AUTH = { Authorization: `Bearer ${TOKEN}` };
const T0_MS = Date.UTC(2026, 10, 26, 12, 0, 0);

function attrs(list: KeyValue[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const kv of list) o[kv.key] = kv.value;
  return o;
}

const waitFor = (cond: () => boolean, what: string) => until(cond, what);

type LogExporterCtor = typeof JsonLogExporter | typeof ProtoLogExporter;
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof ProtoLogExporter>[0]>["compression"]>;

/** Emits five Claude Code events through a real LoggerProvider + exporter, flushes, and returns what arrived. */
async function sendClaudeCodeEvents(Exporter: LogExporterCtor, gzip = false): Promise<{ req: OtlpLogsRequest; info: OtlpRequestInfo }> {
  const before = logs.length;
  const exporter = new Exporter({ url: `${receiver.url}/v1/logs`, headers: AUTH, ...(gzip ? { compression: "gzip" as Compression } : {}) });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.0", "os.type": "linux" }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger("com.anthropic.claude_code.events", "2.1.0");
  const std = {
    "session.id": "sess-1",
    "user.email": "ada@example.com",
    "user.account_uuid": "acc-1",
    "terminal.type": "vscode",
    "app.version": "2.1.0",
  };
  const at = (i: number) => ({ timestamp: T0_MS + i * 1000, observedTimestamp: T0_MS + i * 1000 + 5 });
  logger.emit({ ...at(0), body: "claude_code.user_prompt", attributes: { ...std, "event.name": "user_prompt", prompt_length: 42 } });
  logger.emit({
    ...at(1),
    body: "claude_code.api_request",
    attributes: {
      ...std,
      "event.name": "api_request",
      model: "claude-sonnet-4-5",
      input_tokens: 1200,
      output_tokens: 350,
      cache_read_tokens: 40_000,
      cache_creation_tokens: 2_000,
      cost_usd: 0.0421,
      duration_ms: 5321,
      request_id: "req_011CUabc",
    },
  });
  logger.emit({
    ...at(2),
    body: "claude_code.tool_result",
    attributes: { ...std, "event.name": "tool_result", tool_name: "Bash", success: true, duration_ms: 812 },
  });
  logger.emit({
    ...at(3),
    body: "claude_code.tool_decision",
    attributes: { ...std, "event.name": "tool_decision", tool_name: "Edit", decision: "reject", source: "user_reject" },
  });
  logger.emit({
    ...at(4),
    eventName: "claude_code.api_error",
    body: "claude_code.api_error",
    attributes: { ...std, "event.name": "api_error", model: "claude-sonnet-4-5", status_code: 529, attempt: 3, error: "Overloaded" },
  });
  await provider.forceFlush();
  await provider.shutdown();
  await waitFor(() => logs.length > before, "the log export");
  return logs[logs.length - 1]!;
}

type MetricExporterCtor = typeof JsonMetricExporter | typeof ProtoMetricExporter;

/** Adds to claude_code.token.usage (int) and claude_code.cost.usage (double) through a real MeterProvider. */
async function sendClaudeCodeMetrics(
  Exporter: MetricExporterCtor,
  temporality: AggregationTemporalityPreference,
): Promise<{ req: OtlpMetricsRequest; info: OtlpRequestInfo }> {
  const before = metrics.length;
  const exporter = new Exporter({ url: `${receiver.url}/v1/metrics`, headers: AUTH, temporalityPreference: temporality });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.0" }), readers: [reader] });
  const meter = provider.getMeter("com.anthropic.claude_code", "2.1.0");
  const tokens = meter.createCounter("claude_code.token.usage", { unit: "tokens", valueType: ValueType.INT, description: "Number of tokens used" });
  const cost = meter.createCounter("claude_code.cost.usage", { unit: "USD", valueType: ValueType.DOUBLE });
  const common = { "session.id": "sess-1", "user.email": "ada@example.com", "terminal.type": "vscode", model: "claude-sonnet-4-5" };
  tokens.add(1200, { ...common, type: "input" });
  tokens.add(350, { ...common, type: "output" });
  tokens.add(40_000, { ...common, type: "cacheRead" });
  tokens.add(2_000, { ...common, type: "cacheCreation" });
  cost.add(0.0421, common);
  await provider.forceFlush();
  await provider.shutdown();
  await waitFor(() => metrics.length > before, "the metric export");
  return metrics[metrics.length - 1]!;
}

/** A raw HTTP/1.1 exchange on a socket, for what fetch will not do (stalling, lying about lengths, huge bodies). */
interface RawResult {
  status: number;
  headers: string;
  body: Buffer;
  /** body bytes the client had written when the answer came */
  sent: number;
}

function rawRequest(head: string, write: (w: (b: Buffer | string) => boolean, socket: net.Socket) => void, timeoutMs = 10_000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(receiver.port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let sent = 0;
    let settled = false;
    const settle = (r: RawResult | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (r instanceof Error) reject(r);
      else resolve(r);
    };
    const timer = setTimeout(() => settle(new Error("no answer")), timeoutMs);
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const headers = buf.subarray(0, end).toString("latin1");
      const len = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? "0");
      if (buf.length < end + 4 + len) return;
      settle({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
        headers,
        body: buf.subarray(end + 4, end + 4 + len),
        sent,
      });
    });
    socket.on("error", (e) => settle(e));
    socket.on("close", () => settle(new Error(`closed without an answer (${buf.length} bytes read)`)));
    socket.on("connect", () => {
      socket.write(head);
      write((b) => {
        if (socket.destroyed || settled) return false;
        sent += typeof b === "string" ? Buffer.byteLength(b) : b.length;
        try {
          return socket.write(b);
        } catch {
          return false; // the server closed; its answer (if any) is already in
        }
      }, socket);
    });
  });
}

const head = (contentType: string, extra: string[] = [], path = "/v1/logs") =>
  [`POST ${path} HTTP/1.1`, "Host: 127.0.0.1", `Authorization: Bearer ${TOKEN}`, `Content-Type: ${contentType}`, ...extra, "", ""].join("\r\n");

function post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(`${receiver.url}${path}`, { method: "POST", headers: { ...AUTH, ...headers }, body });
}

const root = protobuf.Root.fromJSON(OTLP_PROTO_DESCRIPTOR as protobuf.INamespace);
const LogsRequest = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");

function protoLogsBody(n: number): Uint8Array {
  const record = (i: number) => ({
    timeUnixNano: String(BigInt(T0_MS + i) * 1_000_000n),
    body: { stringValue: "claude_code.user_prompt" },
    attributes: [{ key: "session.id", value: { stringValue: `sess-${i}` } }],
  });
  return LogsRequest.encode(
    LogsRequest.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: Array.from({ length: n }, (_, i) => record(i)) }] }] }),
  ).finish();
}

const goodJson = JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "1", body: { stringValue: "claude_code.user_prompt" } }] }] }] });

async function serverStillServes(): Promise<void> {
  const r = await post("/v1/logs", goodJson, { "Content-Type": "application/json" });
  expect(r.status).toBe(200);
  expect(await r.text()).toBe("{}");
}

// ---------------------------------------------------------------------------------------------------------------

describe("the schema", () => {
  test("src/net/otlp-proto.ts is what scripts/gen-otlp-proto.ts makes from the shipped .proto files", async () => {
    expect(await Bun.file(OUTPUT).text()).toBe(generateOtlpProtoModule());
  });
});

describe("real OpenTelemetry SDK exporters", () => {
  test("log events over http/json and http/protobuf arrive as the same decoded request", async () => {
    const json = await sendClaudeCodeEvents(JsonLogExporter);
    const proto = await sendClaudeCodeEvents(ProtoLogExporter);
    expect(json.info.encoding).toBe("json");
    expect(proto.info.encoding).toBe("protobuf");
    expect(proto.req).toEqual(json.req);

    const rl = json.req.resourceLogs[0]!;
    expect(attrs(rl.resource.attributes)).toMatchObject({ "service.name": { stringValue: "claude-code" }, "os.type": { stringValue: "linux" } });
    // (the scope the exporter names is not kept: the mapping never reads it)
    const records = rl.scopeLogs[0]!.logRecords;
    expect(records.map((r) => r.body)).toEqual([
      { stringValue: "claude_code.user_prompt" },
      { stringValue: "claude_code.api_request" },
      { stringValue: "claude_code.tool_result" },
      { stringValue: "claude_code.tool_decision" },
      { stringValue: "claude_code.api_error" },
    ]);
    expect(records[0]!.timeUnixNano).toBe(String(BigInt(T0_MS) * 1_000_000n));
    expect(records[0]!.observedTimeUnixNano).toBe(String(BigInt(T0_MS + 5) * 1_000_000n));
    expect(records[4]!.eventName).toBe("claude_code.api_error");
    for (const r of records) {
      expect(attrs(r.attributes)).toMatchObject({
        "session.id": { stringValue: "sess-1" },
        "user.email": { stringValue: "ada@example.com" },
        "terminal.type": { stringValue: "vscode" },
        "app.version": { stringValue: "2.1.0" },
      });
    }
    // Integers as decimal strings (the JSON exporter sends numbers, protobuf int64s: both end up the same),
    // doubles as numbers, booleans as booleans.
    expect(attrs(records[1]!.attributes)).toMatchObject({
      model: { stringValue: "claude-sonnet-4-5" },
      input_tokens: { intValue: "1200" },
      output_tokens: { intValue: "350" },
      cache_read_tokens: { intValue: "40000" },
      cache_creation_tokens: { intValue: "2000" },
      cost_usd: { doubleValue: 0.0421 },
      duration_ms: { intValue: "5321" },
      request_id: { stringValue: "req_011CUabc" },
    });
    expect(attrs(records[2]!.attributes)).toMatchObject({ tool_name: { stringValue: "Bash" }, success: { boolValue: true }, duration_ms: { intValue: "812" } });
    expect(attrs(records[3]!.attributes)).toMatchObject({
      tool_name: { stringValue: "Edit" },
      decision: { stringValue: "reject" },
      source: { stringValue: "user_reject" },
    });
    expect(attrs(records[4]!.attributes)).toMatchObject({ status_code: { intValue: "529" }, attempt: { intValue: "3" } });
  });

  test("gzip-compressed protobuf from the exporter decodes the same", async () => {
    const plain = await sendClaudeCodeEvents(ProtoLogExporter);
    const gz = await sendClaudeCodeEvents(ProtoLogExporter, true);
    expect(gz.info.bytes).toBeLessThan(plain.info.bytes);
    expect(gz.req).toEqual(plain.req);
  });

  test("claude_code.token.usage over http/json and http/protobuf (delta and cumulative)", async () => {
    const json = await sendClaudeCodeMetrics(JsonMetricExporter, AggregationTemporalityPreference.DELTA);
    const proto = await sendClaudeCodeMetrics(ProtoMetricExporter, AggregationTemporalityPreference.DELTA);
    const cumulative = await sendClaudeCodeMetrics(ProtoMetricExporter, AggregationTemporalityPreference.CUMULATIVE);
    // Timestamps differ between the runs; everything else must be identical.
    const untimed = (r: OtlpMetricsRequest) =>
      JSON.parse(JSON.stringify(r, (k, v) => (k === "startTimeUnixNano" || k === "timeUnixNano" ? (/^\d+$/.test(v) && v !== "0" ? "T" : v) : v)));
    expect(untimed(proto.req)).toEqual(untimed(json.req));

    const ms = json.req.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    const usage = ms.find((m) => m.name === "claude_code.token.usage")!;
    // (the unit and isMonotonic are not kept: the mapping never reads them)
    expect(usage.sum!.aggregationTemporality).toBe(1);
    const byType = Object.fromEntries(usage.sum!.dataPoints.map((p) => [(attrs(p.attributes).type as { stringValue: string }).stringValue, p]));
    expect(Object.keys(byType).sort()).toEqual(["cacheCreation", "cacheRead", "input", "output"]);
    expect(byType.input!.asInt).toBe("1200");
    expect(byType.cacheRead!.asInt).toBe("40000");
    expect(attrs(byType.output!.attributes)).toMatchObject({ model: { stringValue: "claude-sonnet-4-5" }, "session.id": { stringValue: "sess-1" } });
    const cost = ms.find((m) => m.name === "claude_code.cost.usage")!;
    expect(cost.sum!.dataPoints[0]!.asDouble).toBe(0.0421);

    const cum = cumulative.req.resourceMetrics[0]!.scopeMetrics[0]!.metrics.find((m) => m.name === "claude_code.token.usage")!;
    expect(cum.sum!.aggregationTemporality).toBe(2);
  });
});

describe("answers per the OTLP spec", () => {
  test("success: an empty body in the request's encoding", async () => {
    const j = await post("/v1/logs", goodJson, { "Content-Type": "application/json" });
    expect(j.status).toBe(200);
    expect(j.headers.get("content-type")).toBe("application/json");
    expect(await j.text()).toBe("{}");
    const p = await post("/v1/logs", protoLogsBody(3), { "Content-Type": "application/x-protobuf" });
    expect(p.status).toBe(200);
    expect(p.headers.get("content-type")).toBe("application/x-protobuf");
    expect((await p.arrayBuffer()).byteLength).toBe(0);
    expect(logs[logs.length - 1]!.req.resourceLogs[0]!.scopeLogs[0]!.logRecords).toHaveLength(3);
  });

  test("records the handler rejects come back as partialSuccess (protobuf and JSON)", async () => {
    nextLogsAnswer = { rejected: 2, message: "2 records lacked a session" };
    const p = await post("/v1/logs", protoLogsBody(3), { "Content-Type": "application/x-protobuf" });
    expect(p.status).toBe(200);
    expect(decodeExportResponse("logs", "protobuf", new Uint8Array(await p.arrayBuffer()))).toEqual({ rejected: 2, message: "2 records lacked a session" });
    nextLogsAnswer = { rejected: 1, message: "one" };
    const j = await post("/v1/logs", goodJson, { "Content-Type": "application/json; charset=utf-8" });
    expect(await j.json()).toEqual({ partialSuccess: { rejectedLogRecords: "1", errorMessage: "one" } });
  });

  test("the token: Bearer or x-claude-dash-token; anything else is 401", async () => {
    const ok = await fetch(`${receiver.url}/v1/logs`, {
      method: "POST",
      headers: { "x-claude-dash-token": TOKEN, "Content-Type": "application/json" },
      body: goodJson,
    });
    expect(ok.status).toBe(200);
    for (const headers of [
      {},
      { Authorization: "Bearer wrong-secret-123" },
      { Authorization: `Basic ${TOKEN}` },
      { "x-claude-dash-token": `${TOKEN}x` },
    ] as Record<string, string>[]) {
      const r = await fetch(`${receiver.url}/v1/logs`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: goodJson });
      expect(r.status).toBe(401);
    }
  });

  test("wrong content type → 415, unknown content encoding → 415, other paths → 404, other methods → 405", async () => {
    expect((await post("/v1/logs", goodJson, { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await post("/v1/logs", goodJson, { "Content-Type": "application/json", "Content-Encoding": "br" })).status).toBe(415);
    expect((await post("/v1/traces", goodJson, { "Content-Type": "application/json" })).status).toBe(404);
    const get = await fetch(`${receiver.url}/v1/metrics`, { headers: AUTH });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});

describe("bad bodies", () => {
  test("truncated protobuf → 400 with a google.rpc.Status", async () => {
    const full = protoLogsBody(5);
    const r = await post("/v1/logs", full.subarray(0, full.length - 9), { "Content-Type": "application/x-protobuf" });
    expect(r.status).toBe(400);
    const status = decodeStatus(new Uint8Array(await r.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toContain("not a valid protobuf");
    const junk = await post("/v1/metrics", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07]), { "Content-Type": "application/x-protobuf" });
    expect(junk.status).toBe(400);
  });

  test("JSON of the wrong types: a wrong container → 400; wrong records → 200 with partialSuccess, the rest kept", async () => {
    for (const body of [
      "{not json",
      '"a string"',
      '{"resourceLogs":"nope"}',
      '{"resourceLogs":[{"scopeLogs":{"logRecords":[]}}]}',
      '{"resourceLogs":[{"resource":{"attributes":7}}]}',
    ]) {
      const r = await post("/v1/logs", body, { "Content-Type": "application/json" });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { code: number }).code).toBe(3);
    }
    const before = logs.length;
    const mixed = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: "1764158400000000000",
                  body: { stringValue: "claude_code.user_prompt" },
                  attributes: [
                    { key: "session.id", value: { stringValue: "s" } },
                    { key: 5, value: {} },
                  ],
                },
                { timeUnixNano: { nanos: 1 }, body: { stringValue: "claude_code.user_prompt" } },
                { timeUnixNano: "1", attributes: "session.id=s" },
                { timeUnixNano: "1", body: { intValue: "12.5" } },
                "not a record",
              ],
            },
          ],
        },
      ],
    };
    const r = await post("/v1/logs", JSON.stringify(mixed), { "Content-Type": "application/json" });
    expect(r.status).toBe(200);
    const answer = (await r.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedLogRecords).toBe("4");
    expect(answer.partialSuccess.errorMessage).toContain("logRecords[1]: timeUnixNano");
    expect(logs.length).toBe(before + 1);
    const kept = logs[logs.length - 1]!.req.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(kept).toHaveLength(1);
    // the malformed attribute entry was dropped on its own
    expect(kept[0]!.attributes).toEqual([{ key: "session.id", value: { stringValue: "s" } }]);
    expect(logs[logs.length - 1]!.info.rejectedByDecoder).toBe(4);
  });

  test("a 50 MB body → 413 without reading it (declared) or as soon as it passes the limit (chunked)", async () => {
    const declared = await rawRequest(head("application/x-protobuf", ["Content-Length: 52428800"]), () => {});
    expect(declared.status).toBe(413);
    expect(declared.sent).toBe(0);

    const total = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    const chunked = await rawRequest(head("application/json", ["Transfer-Encoding: chunked"]), (w, socket) => {
      let written = 0;
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!w(frame)) {
            if (!socket.destroyed) socket.once("drain", pump);
            return;
          }
        }
        w("0\r\n\r\n");
      };
      pump();
    });
    expect(chunked.status).toBe(413);
    // the answer came long before the client could send 50 MB
    expect(chunked.sent).toBeLessThan(total / 2);
    await serverStillServes();
  });

  test("a gzip bomb (64 KB that inflates to 64 MB) → 413", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const r = await post("/v1/logs", bomb, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    expect(r.status).toBe(413);
    const notGzip = await post("/v1/logs", "plainly not gzip", { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    expect(notGzip.status).toBe(400);
    await serverStillServes();
  });

  test("a client that stalls mid-body gets 408 for the body timeout, not before it", async () => {
    const half = Buffer.from(goodJson.slice(0, 40));
    const armed = clock.pending();
    let answered = false;
    const answer = rawRequest(head("application/json", [`Content-Length: ${goodJson.length}`]), (w) => void w(half), 60_000);
    void answer.then(
      () => (answered = true),
      () => (answered = true),
    );
    // the server waits for the rest of the body: its deadline (and pace check) are set on the test's clock
    await until(() => clock.pending() > armed, "the stalled body's deadline to be set");
    const reported = errors.length;
    clock.advance(BODY_TIMEOUT_MS - 1);
    // (a whole request and its answer meanwhile: a 408 decided at the last moment before the deadline would be in by now)
    await serverStillServes();
    expect(errors.slice(reported)).toEqual([]);
    expect(answered).toBe(false);
    clock.advance(1);
    const stalled = await answer;
    expect(stalled.status).toBe(408);
    // (the body timeout, not another limit: the rate rule's grace is 2 s)
    expect(JSON.parse(stalled.body.toString()).message).toBe(`the body did not arrive within ${BODY_TIMEOUT_MS} ms`);
  });

  test("a client that stalls mid-body does not hold up a concurrent request", async () => {
    // A receiver whose body timeout is 10 minutes: the stalled body is still open however slow the machine is.
    const patient = await startOtlpReceiver({ host: "127.0.0.1", port: 0, bodyTimeoutMs: 600_000, onLogs: () => {}, onMetrics: () => {} });
    const s = net.connect(patient.port, "127.0.0.1");
    let got = "";
    s.on("data", (d: Buffer) => void (got += d.toString("latin1")));
    s.on("error", () => {});
    try {
      s.write(`POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${goodJson.length}\r\nExpect: 100-continue\r\n\r\n`);
      // (the server's 100 Continue: it has taken the request in, and waits for its body)
      await until(() => got.startsWith("HTTP/1.1 100"), "the stalled request to be taken in");
      s.write(goodJson.slice(0, 40));
      const r = await fetch(`${patient.url}/v1/logs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: goodJson });
      expect(r.status).toBe(200);
      expect(got).toBe("HTTP/1.1 100 Continue\r\n\r\n"); // (the stalled one, meanwhile, still without an answer)
      // and it is answered once the rest of its body comes
      s.write(goodJson.slice(40));
      await until(() => /\r\n\r\nHTTP\/1\.1 200 /.test(got), "the stalled request's answer once its body is whole");
    } finally {
      s.destroy();
      await patient.stop();
    }
  });

  test("garbage on the socket does not take the server down", async () => {
    await new Promise<void>((resolve) => {
      const s = net.connect(receiver.port, "127.0.0.1", () => s.end("\x00\x01 NOT HTTP AT ALL\r\n\r\n"));
      s.on("data", () => {});
      s.on("close", () => resolve());
      s.on("error", () => resolve());
    });
    // a client that lies about its length and hangs up
    await new Promise<void>((resolve) => {
      const s = net.connect(receiver.port, "127.0.0.1", () => {
        s.write(head("application/json", ["Content-Length: 100000"]));
        s.write("{");
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 30);
      });
      s.on("error", () => resolve());
    });
    await serverStillServes();
  });

  test("the server is still up after all of it, and every refusal was reported", async () => {
    await serverStillServes();
    const statuses = new Set(errors.map((e) => e.status));
    for (const s of [400, 401, 404, 405, 408, 413, 415]) expect(statuses.has(s)).toBe(true);
  });
});

describe("limits", () => {
  test("more concurrent bodies than maxConcurrent → 503 with Retry-After; the slot is free again once that body is in", async () => {
    // (a 10-minute body timeout: the held slot stays held until the test itself completes the body)
    const small = await startOtlpReceiver({ host: "127.0.0.1", port: 0, maxConcurrent: 1, bodyTimeoutMs: 600_000, onLogs: () => {}, onMetrics: () => {} });
    const s = net.connect(small.port, "127.0.0.1");
    let got = "";
    s.on("data", (d: Buffer) => void (got += d.toString("latin1")));
    s.on("error", () => {});
    try {
      // one request holds the only slot: its headers are in (the server's 100 Continue says so), its body is not
      s.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{");
      await until(() => got.startsWith("HTTP/1.1 100"), "the holding request to be taken in");
      const r = await fetch(`${small.url}/v1/logs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("1");
      // its body completes: it is answered, and its slot is given back before that answer is sent
      s.write("}");
      await until(() => /\r\n\r\nHTTP\/1\.1 200 /.test(got), "the holding request's answer");
      const after = await fetch(`${small.url}/v1/logs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      expect(after.status).toBe(200);
    } finally {
      s.destroy();
      await small.stop();
    }
  });
});
