// The telemetry store: SQLite on disk, so a restart of the receiver keeps what it received; idempotent appends (an
// OTLP retry stores nothing new); retention; a fresh data directory is created.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ModelEvent } from "../src/model/events.ts";
import { createState, reduceAll } from "../src/model/state.ts";
import { decodeLogs, decodeMetrics } from "../src/net/otlp-decode.ts";
import { logsToEvents as mapLogs, MetricState, metricsToEvents as mapMetrics, type MetricSample } from "../src/net/otlp-map.ts";

// requests as the receiver hands them on: decoded from OTLP/JSON, then mapped
const utf8 = new TextEncoder();
const logsToEvents = (req: unknown) => mapLogs(decodeLogs(utf8.encode(JSON.stringify(req)), "json").request);
const metricsToEvents = (req: unknown, st: MetricState) => mapMetrics(decodeMetrics(utf8.encode(JSON.stringify(req)), "json").request, st);
import { DAY_MS, defaultStorePath, TelemetryStore } from "../src/net/telemetry-store.ts";

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const meta = { origin: "team" as const, user: "ada@example.com", terminal: "vscode" };

function events(base = T0): ModelEvent[] {
  return [
    // deliberately out of time order: loadEvents sorts by time
    { type: "PromptObserved", key: "otel:prompt:s1:2", time: base + 2000, sessionId: "s1", cwd: null, ...meta },
    {
      type: "ResponseObserved",
      key: "otel:req_1",
      requestId: "req_1",
      time: base + 1000,
      sessionId: "s1",
      agentId: null,
      model: "claude-sonnet-4-5",
      usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 0, cacheRead: 3, output: 4 },
      cwd: null,
      entrypoint: null,
      ...meta,
    },
    // a call and its result share a key: both are kept (the store keys by type + key)
    { type: "ToolCallObserved", key: "toolu_1", time: base + 3000, sessionId: "s1", agentId: null, name: "Bash", ...meta },
    { type: "ToolResultObserved", key: "toolu_1", time: base + 3500, sessionId: "s1", agentId: null, outcome: "ok", reportedMs: 500, ...meta },
    { type: "ApiErrorObserved", key: "otel:err:s1:4", time: base + 4000, sessionId: "s1", agentId: null, status: 529, message: "Overloaded", retry: false, ...meta },
  ];
}

function samples(base = T0): MetricSample[] {
  return [
    { key: "k1", name: "claude_code.token.usage", time: base + 60_000, user: "ada@example.com", sessionId: "s1", model: "m", type: "input", value: 120 },
    { key: "k2", name: "claude_code.cost.usage", time: base + 60_000, user: "ada@example.com", sessionId: "s1", model: "m", type: null, value: 0.25 },
  ];
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claude-dash-store-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("TelemetryStore", () => {
  test("append, close, reopen: the same events and samples come back, in time order (a restart keeps the data)", () => {
    const path = join(dir, "telemetry.sqlite");
    const a = new TelemetryStore(path);
    a.append(events(), samples());
    a.close();
    const b = new TelemetryStore(path);
    const back = b.loadEvents();
    expect(back).toEqual([...events()].sort((x, y) => (x as { time: number }).time - (y as { time: number }).time));
    expect(b.loadSamples()).toEqual(samples());
    // and they reduce to the same state as the originals
    const s1 = createState();
    const s2 = createState();
    reduceAll(s1, events());
    reduceAll(s2, back);
    expect(s2.totals).toEqual(s1.totals);
    b.close();
  });

  test("appending the same events twice stores them once", () => {
    const store = new TelemetryStore(join(dir, "t.sqlite"));
    expect(store.append(events(), samples())).toBe(7);
    expect(store.append(events(), samples())).toBe(0);
    expect(store.append([...events(), ...events()], [...samples(), ...samples()])).toBe(0);
    expect(store.counts()).toEqual({ events: 5, samples: 2 });
    expect(store.loadEvents()).toHaveLength(5);
    store.close();
  });

  test("end to end: a re-delivered OTLP request stores nothing new", () => {
    const req = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: "session.id", value: { stringValue: "s9" } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(T0 * 1e6),
                  body: { stringValue: "claude_code.api_request" },
                  attributes: [
                    { key: "model", value: { stringValue: "claude-haiku-4-5" } },
                    { key: "input_tokens", value: { intValue: "10" } },
                  ],
                },
                { timeUnixNano: String(T0 * 1e6 + 1), body: { stringValue: "claude_code.user_prompt" }, attributes: [] },
              ],
            },
          ],
        },
      ],
    };
    const store = new TelemetryStore(join(dir, "t.sqlite"));
    expect(store.append(logsToEvents(req).events, [])).toBe(2);
    expect(store.append(logsToEvents(structuredClone(req)).events, [])).toBe(0);
    store.close();
  });

  test("prune deletes rows older than the retention and keeps the rest", () => {
    const store = new TelemetryStore(join(dir, "t.sqlite"));
    const old = T0 - 40 * DAY_MS;
    const oldEvents = events(old).map((e) => ({ ...e, key: `old:${(e as { key: string }).key}` }) as ModelEvent);
    store.append(oldEvents, [{ ...samples(old)[0]!, key: "old" }]);
    store.append(events(), samples());
    expect(store.prune(T0 + DAY_MS, 30)).toBe(6);
    expect(store.counts()).toEqual({ events: 5, samples: 2 });
    expect(store.loadEvents().every((e) => (e as { time: number }).time >= T0)).toBe(true);
    expect(store.prune(T0 + DAY_MS, 30)).toBe(0);
    store.close();
  });

  test("a store path in a directory that does not exist yet is created (private to the user)", () => {
    const path = join(dir, "deep", "er", "claude-dash", "telemetry.sqlite");
    const store = new TelemetryStore(path);
    store.append(events(), []);
    store.close();
    expect(existsSync(path)).toBe(true);
    if (process.platform !== "win32") {
      expect(statSync(join(dir, "deep", "er", "claude-dash")).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o077).toBe(0);
    }
    const again = new TelemetryStore(path);
    expect(again.loadEvents()).toHaveLength(5);
    again.close();
  });

  test("the metric state saved with an append resumes cumulative deltas after a restart", () => {
    const path = join(dir, "t.sqlite");
    const req = (timeMs: number, v: number) => ({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "claude_code.cost.usage",
                  sum: { aggregationTemporality: 2, dataPoints: [{ startTimeUnixNano: String(T0 * 1e6), timeUnixNano: String(timeMs * 1e6), asDouble: v }] },
                },
              ],
            },
          ],
        },
      ],
    });
    const a = new TelemetryStore(path);
    const st = a.loadMetricState();
    a.append([], metricsToEvents(req(T0 + 60_000, 1), st).samples, st);
    a.close();
    const b = new TelemetryStore(path);
    const st2 = b.loadMetricState();
    expect(st2).toBeInstanceOf(MetricState);
    const r = metricsToEvents(req(T0 + 120_000, 1.75), st2);
    expect(r.samples.map((x) => x.value)).toEqual([0.75]);
    b.append([], r.samples, st2);
    expect(b.loadSamples().map((x) => x.value)).toEqual([1, 0.75]);
    b.close();
  });

  test("close is idempotent and a closed store refuses work", () => {
    const store = new TelemetryStore(join(dir, "t.sqlite"));
    store.close();
    store.close();
    expect(() => store.loadEvents()).toThrow(/closed/);
  });

  test("a failing append is rolled back whole", () => {
    const store = new TelemetryStore(join(dir, "t.sqlite"));
    const bad = { ...samples()[0]!, key: "bad", value: 1n as unknown as number }; // JSON.stringify throws mid-batch
    expect(() => store.append(events(), [samples()[0]!, bad])).toThrow();
    expect(store.counts()).toEqual({ events: 0, samples: 0 });
    store.close();
  });
});

describe("TelemetryStore: a crash mid-write", () => {
  test("a writer killed (SIGKILL) between and during appends leaves whole batches only, and the store reopens", async () => {
    const path = join(dir, "crash.sqlite");
    const script = join(dir, "writer.ts");
    const storeModule = resolve(import.meta.dir, "../src/net/telemetry-store.ts");
    writeFileSync(
      script,
      `import { TelemetryStore } from ${JSON.stringify(storeModule)};
const store = new TelemetryStore(${JSON.stringify(path)});
for (let batch = 0; ; batch++) {
  const events = [];
  for (let i = 0; i < 200; i++)
    events.push({ type: "PromptObserved", key: "b" + batch + ":" + i, time: ${T0} + batch * 1000 + i, sessionId: "s", cwd: null, origin: "team", user: "u", terminal: null });
  store.append(events, []);
  process.stdout.write("committed " + (batch + 1) + "\\n");
}
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<void>((res) => child.on("exit", () => res()));
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`writer made no progress: ${err}`)), 20_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if ((out.match(/committed/g) ?? []).length >= 20) {
          clearTimeout(timer);
          res();
        }
      });
    });
    child.kill("SIGKILL");
    await exited;
    const committed = Math.max(...[...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1])));
    const store = new TelemetryStore(path);
    const { events: n } = store.counts();
    expect(n % 200).toBe(0); // no half batch
    expect(n / 200).toBeGreaterThanOrEqual(committed); // nothing acknowledged is lost
    expect(store.loadEvents()).toHaveLength(n);
    store.append([{ type: "PromptObserved", key: "after", time: T0, sessionId: "s", cwd: null }], []);
    expect(store.counts().events).toBe(n + 1);
    store.close();
  }, 30_000);
});

describe("defaultStorePath", () => {
  test("XDG_DATA_HOME when absolute, else ~/.local/share", () => {
    expect(defaultStorePath({ XDG_DATA_HOME: "/data" }, "/home/ada")).toBe("/data/claude-dash/telemetry.sqlite");
    expect(defaultStorePath({}, "/home/ada")).toBe("/home/ada/.local/share/claude-dash/telemetry.sqlite");
    expect(defaultStorePath({ XDG_DATA_HOME: "" }, "/home/ada")).toBe("/home/ada/.local/share/claude-dash/telemetry.sqlite");
    expect(defaultStorePath({ XDG_DATA_HOME: "relative/dir" }, "/home/ada")).toBe("/home/ada/.local/share/claude-dash/telemetry.sqlite");
  });
});
