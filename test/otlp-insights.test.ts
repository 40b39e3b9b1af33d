// The whole team path with a real OpenTelemetry JS SDK exporter: LoggerProvider → OTLP exporter (http/json and
// http/protobuf) → our receiver on loopback → the mapping → the model → the INSIGHTS view models.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { logsToEvents } from "../src/net/otlp-map.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../src/net/otlp-receiver.ts";
import { selectInsights } from "../src/model/insights/registry.ts";
import { drawInsightPanel } from "../src/panels/insights/registry.ts";
import { createState, reduce } from "../src/model/state.ts";
import { responseCost } from "../src/model/pricing.ts";
import { rect } from "../src/ui/canvas.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { HitMap } from "../src/ui/hits.ts";

const state = createState();
let receiver: OtlpReceiver;
const NOW = Date.now();

beforeAll(async () => {
  receiver = await startOtlpReceiver({
    host: "127.0.0.1",
    port: 0,
    onLogs: (req) => {
      for (const e of logsToEvents(req).events) reduce(state, e);
    },
    onMetrics: () => {},
  });
});
afterAll(async () => {
  await receiver.stop();
});

async function send(Exporter: typeof JsonLogExporter | typeof ProtoLogExporter, user: string, terminal: string, requestId: string): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.200" }),
    processors: [new BatchLogRecordProcessor({ exporter: new Exporter({ url: `${receiver.url}/v1/logs` }) })],
  });
  const logger = provider.getLogger("com.anthropic.claude_code.events");
  const std = { "session.id": `s-${user}`, "user.email": user, "terminal.type": terminal, "app.version": "2.1.200" };
  logger.emit({ timestamp: NOW - 60_000, body: "claude_code.user_prompt", attributes: { ...std, prompt_length: 30 } });
  logger.emit({
    timestamp: NOW - 50_000,
    body: "claude_code.api_request",
    attributes: {
      ...std,
      model: "claude-opus-4-6",
      input_tokens: 10,
      output_tokens: 200,
      cache_read_tokens: 5000,
      cache_creation_tokens: 300,
      cost_usd: 0.05,
      duration_ms: 3000,
      request_id: requestId,
    },
  });
  logger.emit({
    timestamp: NOW - 40_000,
    body: "claude_code.tool_result",
    attributes: { ...std, tool_name: "Bash", success: false, duration_ms: 900, error: "exit 1" },
  });
  logger.emit({
    timestamp: NOW - 30_000,
    body: "claude_code.tool_decision",
    attributes: { ...std, tool_name: "Edit", decision: "reject", source: "user_reject" },
  });
  await provider.forceFlush();
  await provider.shutdown();
}

describe("INSIGHTS from a real OpenTelemetry exporter", () => {
  test("two developers (one over http/json, one over http/protobuf) show up per user, per terminal, with tools and decisions", async () => {
    await send(JsonLogExporter, "ada@example.com", "vscode", "req_a");
    await send(ProtoLogExporter, "bob@example.com", "iTerm.app", "req_b");
    const v = selectInsights(state, null, { now: NOW, hours: 1, buckets: 12, source: "team" });
    expect(v.users.map((u) => [u.project, u.prompts, u.responses])).toEqual([
      ["ada@example.com", 1, 1],
      ["bob@example.com", 1, 1],
    ]);
    expect(v.terminals.map((t) => t.name).sort()).toEqual(["iTerm.app", "vscode"]);
    expect(v.success.toolsFailed).toBe(2);
    expect(v.decisions.rejected).toBe(2);
    expect(v.durations.all?.max).toBe(900);
    expect(v.knownUsers).toEqual(["ada@example.com", "bob@example.com"]);
    expect(selectInsights(state, null, { now: NOW, hours: 1, buckets: 12, source: "team", user: "bob@example.com" }).users.map((u) => u.project)).toEqual([
      "bob@example.com",
    ]);
    expect(selectInsights(state, null, { now: NOW, hours: 1, buckets: 12, source: "local" }).sessions.count).toBe(0);
    // the cost panel: priced here, and beside it what Claude Code reported (cost_usd 0.05 on each request)
    expect(v.cost.reportedUSD).toBeCloseTo(0.1, 9);
    expect(v.cost.reportedResponses).toBe(2);
    expect(v.cost.totalUSD).toBeCloseTo(
      2 * responseCost("claude-opus-4-6", { uncached: 10, cacheWrite5m: 300, cacheWrite1h: 0, cacheRead: 5000, output: 200 }),
      9,
    );
    expect(v.cost.byModel).toEqual([
      { model: "claude-opus-4-6", costUSD: expect.closeTo(v.cost.totalUSD, 9), responses: 2, reportedUSD: expect.closeTo(0.1, 9) },
    ]);
    const g = new CellGrid(60, 10);
    drawInsightPanel("cost", g, rect(0, 0, 60, 10), v, { full: false, sort: "cost", time: NOW, hits: new HitMap() });
    const text = g.toPlain();
    expect(text).toContain("USD at list prices (priced here)");
    expect(text).toContain("reported by Claude Code");
    expect(text).toContain("$0.10 (2 team)");
  }, 20_000);
});
