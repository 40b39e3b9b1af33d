// The telemetry store: SQLite on disk, so a restart of the receiver keeps what it received; idempotent appends (an
// OTLP retry stores nothing new); retention; a fresh data directory is created.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
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
import { stateTotals } from "./oracle.ts";

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
    {
      type: "ApiErrorObserved",
      key: "otel:err:s1:4",
      time: base + 4000,
      sessionId: "s1",
      agentId: null,
      status: 529,
      message: "Overloaded",
      retry: false,
      ...meta,
    },
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
    expect(stateTotals(s2)).toEqual(stateTotals(s1));
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

// The telemetry store's path is kept as the usage store's is (issue 21, failure 6): driven through the real CLI — INSIGHTS
// reading what earlier runs received, and --otlp --headless opening it to receive.
describe("the telemetry store never follows a symbolic link, and never chmods a file it did not make", () => {
  const REPO = resolve(import.meta.dir, "..");
  // (a receiver that did start would run on: it is stopped after 10 s, and the test fails on its exit code)
  const cli = (xdg: string, args: string[]) =>
    Bun.spawnSync([process.execPath, "src/cli.ts", ...args], {
      cwd: REPO,
      env: { ...process.env, HOME: xdg, XDG_DATA_HOME: xdg, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1" },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 10_000,
    });
  /** INSIGHTS from the telemetry store, in --json (no receiver: the store is only read). */
  const insights = (xdg: string) => cli(xdg, ["--json", "--view", "insights", "--source", "team", "--root", join(xdg, "root"), "--no-allowance", "--no-store"]);
  /** --otlp --headless on a free port: the exit code and stderr when it cannot start (it would run on otherwise). */
  const headless = (xdg: string) =>
    cli(xdg, ["--otlp", String(40_000 + Math.floor(Math.random() * 20_000)), "--headless", "--root", join(xdg, "root"), "--no-allowance", "--no-store"]);

  function otherSqlite(where: string) {
    const path = join(where, "other.sqlite");
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    db.close();
    chmodSync(path, 0o644);
    return { path, bytes: readFileSync(path) };
  }

  test("a link at telemetry.sqlite to another SQLite file: refused in one line; that file keeps its mode, its bytes and its journal mode, and gains no table", () => {
    const xdg = join(dir, "xdg");
    mkdirSync(join(xdg, "claude-dash"), { recursive: true, mode: 0o700 });
    mkdirSync(join(xdg, "root", "projects"), { recursive: true });
    const elsewhere = join(dir, "elsewhere");
    mkdirSync(elsewhere);
    const other = otherSqlite(elsewhere);
    const path = defaultStorePath({ XDG_DATA_HOME: xdg }, xdg);
    symlinkSync(other.path, path);
    const r = insights(xdg);
    expect(r.exitCode).toBe(0);
    const telemetry = JSON.parse(r.stdout.toString()).diagnostics.telemetry as string;
    expect(telemetry).toContain(`${path} is a symbolic link`);
    expect(telemetry.split("\n")).toHaveLength(1);
    expect(statSync(other.path).mode & 0o777).toBe(0o644);
    expect(readFileSync(other.path)).toEqual(other.bytes);
    expect(readdirSync(elsewhere)).toEqual(["other.sqlite"]);

    // --otlp --headless will not start on it: one line, exit 1
    const h = headless(xdg);
    expect(h.exitCode).toBe(1);
    expect(h.stderr.toString().trim().split("\n")).toEqual([
      `claude-dash: cannot open the telemetry store: ${path} is a symbolic link (claude-dash does not follow one there)`,
    ]);
    expect(statSync(other.path).mode & 0o777).toBe(0o644);
    expect(readFileSync(other.path)).toEqual(other.bytes);
    expect(readdirSync(elsewhere)).toEqual(["other.sqlite"]);
  }, 40_000);

  test("a dangling link at telemetry.sqlite, or a link at its -wal: nothing is made at the target; a link is not taken for 'no store'", () => {
    const xdg = join(dir, "xdg");
    mkdirSync(join(xdg, "claude-dash"), { recursive: true, mode: 0o700 });
    mkdirSync(join(xdg, "root", "projects"), { recursive: true });
    const path = defaultStorePath({ XDG_DATA_HOME: xdg }, xdg);
    const target = join(dir, "made-here.sqlite");
    symlinkSync(target, path);
    const h = headless(xdg);
    expect(h.exitCode).toBe(1);
    expect(h.stderr.toString()).toContain(`${path} is a symbolic link`);
    expect(existsSync(target)).toBe(false);
    expect(JSON.parse(insights(xdg).stdout.toString()).diagnostics.telemetry).toContain(`${path} is a symbolic link`);
    expect(existsSync(target)).toBe(false);

    rmSync(path);
    symlinkSync(join(dir, "wal-here"), `${path}-wal`);
    const w = headless(xdg);
    expect(w.exitCode).toBe(1);
    expect(w.stderr.toString()).toContain(`${path}-wal is a symbolic link`);
    expect(existsSync(join(dir, "wal-here"))).toBe(false);
    expect(existsSync(path)).toBe(false);
  }, 40_000);

  test("a store it makes is 0600 from the start; one it did not make keeps its mode", () => {
    const path = join(dir, "claude-dash", "telemetry.sqlite");
    const made = new TelemetryStore(path);
    made.append(events(), []);
    made.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // a file someone else made (0644) is used as it is, never chmodded
    const theirs = join(dir, "theirs.sqlite");
    new DatabaseSync(theirs).close();
    chmodSync(theirs, 0o644);
    const s = new TelemetryStore(theirs);
    s.append(events(), []);
    s.close();
    expect(statSync(theirs).mode & 0o777).toBe(0o644);
  });
});
