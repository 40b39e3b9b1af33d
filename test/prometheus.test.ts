// A Prometheus-compatible engine as the team source: metric names discovered (spellings vary), the connection's
// credentials kept out of everything shown, every fault a one-line state (never a crash), and — against the real
// engines (Debian's victoria-metrics and prometheus; skipped with a reason where they are not installed, never
// under CI=true) — `--json --view insights --prometheus` equal to the engine's own sum by (…) (increase(…)).
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { discoverNames, PromError, promConnection, PrometheusClient, promInsights } from "../src/net/prometheus.ts";

import { tempDirs } from "./builders.ts";
import { until } from "./until.ts";

const REPO = resolve(import.meta.dir, "..");
const temp = tempDirs();

describe("names and the connection", () => {
  test("each metric's spelling is found, whatever the set-up did to it (unit suffix or not, a doubled prefix)", () => {
    expect(
      discoverNames([
        "up",
        "claude_code_token_usage_tokens_total",
        "claude_code_cost_usage_USD_total",
        "claude_code_session_count_total",
        "claude_code_active_time_total_seconds_total",
      ]),
    ).toEqual({
      tokens: "claude_code_token_usage_tokens_total",
      cost: "claude_code_cost_usage_USD_total",
      sessions: "claude_code_session_count_total",
      activeTime: "claude_code_active_time_total_seconds_total",
    });
    expect(discoverNames(["claude_code_claude_code_token_usage_total", "claude_code_claude_code_cost_usage"])).toEqual({
      tokens: "claude_code_claude_code_token_usage_total",
      cost: "claude_code_claude_code_cost_usage",
    });
    expect(discoverNames(["claude_code_token_usage", "claude_code_token_usage_tokens_total"]).tokens).toBe("claude_code_token_usage_tokens_total");
  });

  test("basic auth leaves the URL for a header and is masked where the URL is shown; a token and headers are added", () => {
    const c = promConnection("https://ada:s3cret@prom.example.com:9090/prefix/", { headers: ["X-Scope-OrgID: team1"], token: null });
    expect(c.url).toBe("https://prom.example.com:9090/prefix");
    expect(c.shown).toBe("https://ada:****@prom.example.com:9090/prefix");
    expect(c.headers).toEqual({ Authorization: `Basic ${btoa("ada:s3cret")}`, "X-Scope-OrgID": "team1" });
    expect(promConnection("http://p:9090", { token: "tok" }).headers).toEqual({ Authorization: "Bearer tok" });
    expect(() => promConnection("ftp://x")).toThrow(PromError);
  });
});

/** A fake engine answering every request with `answer`, or (`null`) never answering. */
async function fakeEngine(answer: { status: number; body: string } | null) {
  const server = createServer((_req, res) => {
    if (!answer) return; // (held until close: the client's own timeout is what ends it)
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(answer.body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://ada:s3cret@127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

describe("faults are a clear state, never a crash, and never show a credential", () => {
  const cases: [string, { status: number; body: string } | null, RegExp][] = [
    ["HTTP 401", { status: 401, body: "unauthorized" }, /answered HTTP 401 \(check --prometheus-header or CLAUDE_DASH_PROMETHEUS_TOKEN\)/],
    [
      "HTTP 400 with the engine's error",
      { status: 400, body: JSON.stringify({ status: "error", error: "parse error at char 3" }) },
      /answered HTTP 400: parse error at char 3/,
    ],
    ["HTTP 503", { status: 503, body: "" }, /answered HTTP 503/],
    ["a malformed answer", { status: 200, body: "{not json" }, /not the Prometheus API's JSON/],
    ["an answer of the wrong shape", { status: 200, body: JSON.stringify({ status: "success", data: 7 }) }, /malformed list of metric names/],
    ["no answer within the timeout", null, /did not answer within 1 s/],
  ];
  for (const [name, answer, said] of cases)
    test(name, async () => {
      const engine = await fakeEngine(answer);
      try {
        const client = new PrometheusClient(promConnection(engine.url, { timeoutMs: 1000 }));
        const err = await promInsights(client, Date.now(), 24).catch((e) => e);
        expect(err).toBeInstanceOf(PromError);
        expect(err.message).toMatch(said);
        expect(err.message).not.toContain("s3cret");
        expect(err.message).toContain("ada:****@");
      } finally {
        await engine.close();
      }
    });

  test("a wrong URL (nothing listening) through the CLI: one line, exit 1, no password", () => {
    const p = spawnSync(process.execPath, [join(REPO, "src/cli.ts"), "--json", "--view", "insights", "--prometheus", "http://ada:s3cret@127.0.0.1:9/"], {
      encoding: "utf8",
    });
    expect(p.status).toBe(1);
    expect(p.stderr.trim().split("\n")).toHaveLength(1);
    expect(p.stderr).toMatch(/^claude-dash: http:\/\/ada:\*\*\*\*@127\.0\.0\.1:9 cannot be reached/);
    expect(p.stdout + p.stderr).not.toContain("s3cret");
  });
});

const haveVM = spawnSync("victoria-metrics", ["-version"]).status === 0;
const reason = "victoria-metrics is not installed (apt-get install victoria-metrics; .ci/run installs it)";
if (!haveVM && process.env.CI === "true") throw new Error(`under CI=true the engine tests must run: ${reason}`);
if (!haveVM) console.log(`skip: --prometheus against VictoriaMetrics: ${reason}`);

describe.skipIf(!haveVM)("against a real VictoriaMetrics", () => {
  test("--json --view insights --prometheus equals the engine's own sum by (…) (increase(…[24h])) per user and model", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const vm = Bun.spawn(
      ["victoria-metrics", `-storageDataPath=${temp("vm")}`, `-httpListenAddr=127.0.0.1:${port}`, "-retentionPeriod=100y", "-search.latencyOffset=0s"],
      { stdout: "ignore", stderr: "ignore" },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await until(async () => (await fetch(`${url}/health`)).ok, "VictoriaMetrics to be up");
      // three users, two models, cumulative counters every 5 minutes over the last 30 hours
      const now = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
      const lines: string[] = [];
      const users = ["ada@example.com", "bob@example.com", "cy@example.com"];
      const models = ["claude-opus-4-6", "claude-sonnet-4-5"];
      for (const [u, user] of users.entries())
        for (const [m, model] of models.entries()) {
          let tokens = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
          let cost = 0;
          for (let t = now - 30 * 3_600_000; t <= now; t += 5 * 60_000) {
            tokens = {
              input: tokens.input + 10 * (u + 1),
              output: tokens.output + 100 * (m + 1),
              cacheRead: tokens.cacheRead + 1000,
              cacheCreation: tokens.cacheCreation + 50,
            };
            cost += 0.01 * (u + 1) * (m + 1);
            for (const [type, v] of Object.entries(tokens))
              lines.push(`claude_code_token_usage_tokens_total{user_email="${user}",model="${model}",type="${type}"} ${v} ${t}`);
            lines.push(`claude_code_cost_usage_USD_total{user_email="${user}",model="${model}"} ${cost.toFixed(6)} ${t}`);
          }
        }
      expect((await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") })).status).toBe(204);
      await fetch(`${url}/internal/force_flush`).catch(() => undefined);
      const engine = async (q: string) =>
        (
          (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q, time: String(now / 1000) })}`)).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          }
        ).data.result;
      const expectedCost = await until(async () => {
        const r = await engine("sum by (user_email) (increase(claude_code_cost_usage_USD_total[86400s]))");
        return r.length === 3 && r;
      }, "the engine to show the imported series");
      const p = spawnSync(
        process.execPath,
        [join(REPO, "src/cli.ts"), "--json", "--view", "insights", "--prometheus", url, "--insights-hours", "24", "--now", new Date(now).toISOString()],
        { encoding: "utf8" },
      );
      expect(p.stderr).toBe("");
      const d = JSON.parse(p.stdout);
      expect(d.source).toBe("prometheus");
      expect(d.metrics.tokens).toBe("claude_code_token_usage_tokens_total");
      expect(d.deltas).toBe(false);
      const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
      for (const r of expectedCost) close(d.users.find((u: { user: string }) => u.user === r.metric.user_email).costUSD, Number(r.value[1]));
      const tokens = await engine("sum by (user_email, type) (increase(claude_code_token_usage_tokens_total[86400s]))");
      expect(tokens.length).toBe(12);
      for (const r of tokens) close(d.users.find((u: { user: string }) => u.user === r.metric.user_email).tokens[r.metric.type!], Number(r.value[1]));
      const byModel = await engine("sum by (model) (increase(claude_code_cost_usage_USD_total[86400s]))");
      for (const r of byModel) close(d.models.find((m: { model: string }) => m.model === r.metric.model).costUSD, Number(r.value[1]));
      expect(d.users.map((u: { user: string }) => u.user)).toEqual(["cy@example.com", "bob@example.com", "ada@example.com"]); // by cost
      expect(d.needsEvents.join(" ")).toContain("command durations (p50/p95): needs events (--otlp");
      // over time: one row per step of the window, from query_range, adding up to the window's tokens
      expect(d.overTime.length).toBeGreaterThan(40);
      const overTimeOut = d.overTime.reduce((a: number, b: { output: number }) => a + b.output, 0);
      expect(Math.abs(overTimeOut - d.tokens.output) / d.tokens.output).toBeLessThan(0.05);
      // the dashboard's INSIGHTS on the engine: its users and cost, and what needs events says so
      const f = spawnSync(
        process.execPath,
        [
          join(REPO, "src/cli.ts"),
          "--once",
          "--plain",
          "--width",
          "160",
          "--height",
          "50",
          "--view",
          "insights",
          "--source",
          "prometheus",
          "--prometheus",
          url,
          "--insights-hours",
          "24",
          "--now",
          new Date(now).toISOString(),
          "--no-allowance",
          "--root",
          temp("root"),
        ],
        { encoding: "utf8" },
      );
      expect(f.status).toBe(0);
      expect(f.stdout).toContain(`t prometheus`);
      expect(f.stdout).toContain(`${url} · updated`);
      expect(f.stdout).toContain("cy@example.com");
      expect(f.stdout).toContain("needs per-request events");
      expect(f.stdout).not.toContain("no tool calls in this window");
      expect(f.stdout).toContain("USD as Claude Code reported it");
      expect(f.stdout).toContain("claude_code.code_edit_tool.decision metric"); // (USER DECISIONS: the engine has none)
      expect(f.stdout).toMatch(/cy@example\.com +– +– +– +\$25\.92/);
      expect(f.stdout).toMatch(/input \d/); // TOKEN USAGE OVER TIME drawn from query_range
      // the engine stopped mid-run: the poller keeps the last good numbers and says why they are stale
      const { PromPoller } = await import("../src/net/prom-poller.ts");
      const poller = new PromPoller(new PrometheusClient(promConnection(url, { timeoutMs: 2000 })), 30_000);
      await poller.refresh(now, 24);
      expect(poller.state.data?.users.length).toBe(3);
      vm.kill("SIGKILL");
      await vm.exited;
      await poller.refresh(now, 24);
      expect(poller.state.data?.users.length).toBe(3);
      expect(poller.state.error).toMatch(/cannot be reached|did not answer/);
    } finally {
      vm.kill("SIGTERM");
      await vm.exited;
    }
  }, 120_000);
});

describe.skipIf(!haveVM)("at scale, against a real VictoriaMetrics", () => {
  test("1,000 users × 5 models × 30 days: the top 20 by cost and one 'others' row add up to the engine's total; per model too", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const vm = Bun.spawn(
      ["victoria-metrics", `-storageDataPath=${temp("vm-scale")}`, `-httpListenAddr=127.0.0.1:${port}`, "-retentionPeriod=100y", "-search.latencyOffset=0s"],
      { stdout: "ignore", stderr: "ignore" },
    );
    const url = `http://127.0.0.1:${port}`;
    try {
      await until(async () => (await fetch(`${url}/health`)).ok, "VictoriaMetrics to be up");
      const end = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3_600_000;
      const models = ["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"];
      let lines: string[] = [];
      for (let u = 0; u < 1000; u++)
        for (const [m, model] of models.entries()) {
          let cost = 0;
          let out = 0;
          for (let day = 30; day >= 0; day--) {
            cost += 0.01 * (1 + ((u * 7 + m) % 23));
            out += 100 * (1 + (u % 11));
            const t = end - day * 86_400_000;
            lines.push(`claude_code_cost_usage_USD_total{user_email="u${u}@example.com",model="${model}"} ${cost.toFixed(4)} ${t}`);
            lines.push(`claude_code_token_usage_tokens_total{user_email="u${u}@example.com",model="${model}",type="output"} ${out} ${t}`);
          }
          if (lines.length > 200_000) {
            expect((await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") })).status).toBe(204);
            lines = [];
          }
        }
      if (lines.length > 0) await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") });
      await fetch(`${url}/internal/force_flush`).catch(() => undefined);
      const at = String(end / 1000);
      const engine = async (q: string) =>
        (
          (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q, time: at })}`)).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          }
        ).data.result;
      await until(
        async () => Number((await engine("count(count by (user_email) (claude_code_cost_usage_USD_total))"))[0]?.value[1]) === 1000,
        "the engine to show all 1,000 users",
      );
      const total = Number((await engine("sum(increase(claude_code_cost_usage_USD_total[2592000s]))"))[0]!.value[1]);
      // (how long this takes is the bench's figure: bench/prometheus-bench.ts)
      const p = spawnSync(
        process.execPath,
        [join(REPO, "src/cli.ts"), "--json", "--view", "insights", "--prometheus", url, "--insights-hours", "720", "--now", new Date(end).toISOString()],
        { encoding: "utf8" },
      );
      expect(p.stderr).toBe("");
      const d = JSON.parse(p.stdout);
      expect(d.users).toHaveLength(20);
      expect(d.others.users).toBe(980);
      const sum = d.users.reduce((a: number, u: { costUSD: number }) => a + u.costUSD, 0) + d.others.costUSD;
      expect(Math.abs(sum - total) / total).toBeLessThan(1e-9);
      expect(d.users[0].costUSD).toBeGreaterThanOrEqual(d.users[19].costUSD);
      const byModel = await engine("sum by (model) (increase(claude_code_cost_usage_USD_total[2592000s]))");
      for (const r of byModel) expect(d.models.find((m: { model: string }) => m.model === r.metric.model).costUSD).toBeCloseTo(Number(r.value[1]), 6);
    } finally {
      vm.kill("SIGTERM");
      await vm.exited;
    }
  }, 180_000);
});

describe("the poller", () => {
  test("keeps the last good numbers on a failure, says why, backs off; answers again clear the error", async () => {
    const { PromPoller } = await import("../src/net/prom-poller.ts");
    let fail = false;
    let calls = 0;
    const client = {
      insightsFor: async () => {
        calls++;
        if (fail) throw new PromError("http://p answered HTTP 503");
        return { source: "prometheus", costUSD: 5 } as never;
      },
    };
    let clock = 0;
    const p = new PromPoller(client as never, 30_000, () => clock);
    p.tick(0, 24);
    await Bun.sleep(0);
    expect(p.state).toMatchObject({ data: { costUSD: 5 }, error: null, hours: 24 });
    p.tick(0, 24); // not due
    expect(calls).toBe(1);
    fail = true;
    clock = 30_000;
    p.tick(0, 24);
    await Bun.sleep(0);
    expect(p.state).toMatchObject({ data: { costUSD: 5 }, error: "http://p answered HTTP 503" });
    clock = 59_000; // backed off: 30 s, then 60 s
    p.tick(0, 24);
    expect(calls).toBe(2);
    clock = 60_001;
    p.tick(0, 24);
    await Bun.sleep(0);
    expect(calls).toBe(3);
    fail = false;
    clock = 200_000;
    p.tick(0, 168); // a new window asks at once
    await Bun.sleep(0);
    expect(p.state).toMatchObject({ error: null, hours: 168 });
  });
});

test("series that look like deltas (Claude Code's default temporality, which Prometheus cannot sum) are flagged", async () => {
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams.get("query") ?? "";
    const vector = (value: number) =>
      JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [0, String(value)] }] } });
    const body = req.url?.includes("__name__")
      ? JSON.stringify({ status: "success", data: ["claude_code_token_usage_tokens_total"] })
      : req.url?.includes("query_range")
        ? JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } })
        : q.startsWith("sum(resets(")
          ? vector(90)
          : q.startsWith("sum(count_over_time(")
            ? vector(120)
            : JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const port = (server.address() as { port: number }).port;
    const v = await promInsights(new PrometheusClient(promConnection(`http://127.0.0.1:${port}`)), Date.now(), 24);
    expect(v.deltas).toBe(true);
    const { insightsFromPrometheus } = await import("../src/net/prom-insights-view.ts");
    const view = insightsFromPrometheus(
      { data: v, hours: 24, fetchedAt: Date.now(), error: null, busy: false },
      { now: Date.now(), hours: 24, url: "http://p" },
    );
    expect(view.origin).toMatchObject({ stale: true, text: expect.stringContaining("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative") });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("SESSIONS on an engine adds what only metrics say: active time, lines of code, commits, pull requests", async () => {
  const { insightsFromPrometheus } = await import("../src/net/prom-insights-view.ts");
  const { drawInsightPanel } = await import("../src/panels/insights/registry.ts");
  const { CellGrid } = await import("../src/ui/grid.ts");
  const { HitMap } = await import("../src/ui/hits.ts");
  const data = {
    source: "prometheus",
    url: "http://p",
    window: { from: "", to: "", hours: 24 },
    metrics: { tokens: "t", cost: "c", sessions: "s", activeTime: "a", linesOfCode: "l", commits: "m", pullRequests: "r", decisions: null },
    deltas: false,
    tokens: { input: 1, output: 1, cacheRead: 1, cacheCreation: 1 },
    costUSD: 1,
    users: [],
    others: null,
    models: [],
    sessions: 12,
    activeTimeSeconds: 5.5 * 3600,
    linesOfCode: { added: 1200, removed: 300 },
    commits: 14,
    pullRequests: 3,
    decisions: [],
    terminals: [],
    overTime: [],
    needsEvents: [],
  } as const;
  const v = insightsFromPrometheus({ data: data as never, hours: 24, fetchedAt: 0, error: null, busy: false }, { now: 0, hours: 24, url: "http://p" });
  const g = new CellGrid(80, 8);
  drawInsightPanel("sessions", g, { x: 0, y: 0, w: 80, h: 8 }, v, { full: false, sort: "cost", time: 0, hits: new HitMap() });
  const text = g.toPlain();
  expect(text).toContain("12");
  expect(text).toContain("active 5.5 h · +1.20k / −300 lines · 14 commits · 3 pull requests");
  expect(text).not.toContain("prompts");
});

test("the row of everyone beyond the top stays last, whatever the order", async () => {
  const { insightsFromPrometheus } = await import("../src/net/prom-insights-view.ts");
  const { drawInsightPanel } = await import("../src/panels/insights/registry.ts");
  const { CellGrid } = await import("../src/ui/grid.ts");
  const { HitMap } = await import("../src/ui/hits.ts");
  const data = {
    metrics: {},
    sessions: 0,
    activeTimeSeconds: 0,
    linesOfCode: { added: 0, removed: 0 },
    commits: 0,
    pullRequests: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
    costUSD: 100,
    users: [{ user: "top@example.com", costUSD: 5, tokens: {} }],
    others: { users: 980, costUSD: 95 },
    models: [],
    decisions: [],
    terminals: [],
    overTime: [],
  };
  const v = insightsFromPrometheus({ data: data as never, hours: 24, fetchedAt: 0, error: null, busy: false }, { now: 0, hours: 24, url: "http://p" });
  const g = new CellGrid(70, 6);
  drawInsightPanel("projects", g, { x: 0, y: 0, w: 70, h: 6 }, v, { full: false, sort: "cost", time: 0, hits: new HitMap() });
  const rows = g
    .toPlain()
    .split("\n")
    .filter((l) => l.includes("$"));
  expect(rows[0]).toContain("top@example.com");
  expect(rows[1]).toContain("others (980 users)");
});
