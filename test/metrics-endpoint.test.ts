// The receiver's GET /metrics: cumulative counters of the metric points received, under the names Claude Code's
// own Prometheus exporter uses, behind the same token as /v1/*; through the real CLI (the token from the
// environment, not the command line); and a real Prometheus scraping it (skipped with a reason where Prometheus is
// not installed, never under CI=true).
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MetricCounters } from "../src/net/metrics-exposition.ts";
import type { MetricSample } from "../src/net/otlp-map.ts";

const REPO = resolve(import.meta.dir, "..");
const dirs: string[] = [];
const temp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), `claude-dash-${p}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sample = (o: Partial<MetricSample>): MetricSample => ({ key: "k", name: "claude_code.token.usage", time: 0, user: "ada@example.com", sessionId: "s1", model: "claude-opus-4-6", type: "input", value: 1, ...o });

describe("the exposition", () => {
  test("counters sum the deltas per series, named as Claude Code's Prometheus exporter names them; labels escaped", () => {
    const c = new MetricCounters();
    c.add([sample({ value: 100 }), sample({ value: 20 }), sample({ type: "output", value: 7 }), sample({ name: "claude_code.cost.usage", type: null, value: 0.25 }), sample({ user: 'e"vil\\\n', value: 1 })]);
    c.add([sample({ name: "some.other.metric", value: 5 })]);
    const text = c.text();
    expect(text).toContain("# TYPE claude_code_token_usage_tokens_total counter");
    expect(text).toContain('claude_code_token_usage_tokens_total{model="claude-opus-4-6",session_id="s1",type="input",user_email="ada@example.com"} 120');
    expect(text).toContain('type="output",user_email="ada@example.com"} 7');
    expect(text).toContain('claude_code_cost_usage_USD_total{model="claude-opus-4-6",session_id="s1",user_email="ada@example.com"} 0.25');
    expect(text).toContain('user_email="e\\"vil\\\\\\n"} 1');
    expect(text).not.toContain("other");
    expect(c.size).toBe(4);
  });

  test("10,000 series scrape in well under 50 ms", () => {
    const c = new MetricCounters();
    const batch: MetricSample[] = [];
    for (let u = 0; u < 1000; u++) for (let m = 0; m < 5; m++) for (const type of ["input", "output"]) batch.push(sample({ user: `user${u}@example.com`, model: `model-${m}`, type, sessionId: null, value: u + m + 1 }));
    c.add(batch);
    expect(c.size).toBe(10_000);
    const t = performance.now();
    const text = c.text();
    const ms = performance.now() - t;
    expect(text.split("\n").length).toBeGreaterThan(10_000);
    expect(ms).toBeLessThan(50);
  });
});

function metricsBody(start: number, now: number, cumulative: number) {
  const attrs = (o: Record<string, string>) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
  return {
    resourceMetrics: [
      {
        resource: { attributes: attrs({ "service.name": "claude-code" }) },
        scopeMetrics: [
          {
            metrics: [
              {
                name: "claude_code.token.usage",
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: [{ attributes: attrs({ "user.email": "ada@example.com", model: "claude-opus-4-6", type: "input", "session.id": "s1" }), startTimeUnixNano: String(start * 1e6), timeUnixNano: String(now * 1e6), asInt: String(cumulative) }],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

async function until<T>(f: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(100);
  }
}

describe("claude-dash --otlp --headless serves /metrics", () => {
  test("behind the token from CLAUDE_DASH_OTLP_TOKEN: 401 without it, the counters with it; POST is 405", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = { ...process.env, XDG_DATA_HOME: temp("xdg"), HOME: temp("home"), CLAUDE_DASH_OTLP_TOKEN: "sekrit-token-1" };
    const server = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--otlp", String(port), "--headless", "--root", temp("root"), "--no-allowance"], { env, stdout: "pipe", stderr: "pipe" });
    try {
      const url = `http://127.0.0.1:${port}`;
      const auth = { authorization: "Bearer sekrit-token-1" };
      await until(async () => ((await fetch(`${url}/metrics`, { headers: auth })).ok ? true : null));
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const now = Date.now();
      for (const v of [100, 250]) {
        const r = await fetch(`${url}/v1/metrics`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(metricsBody(now - 600_000, now + v, v)) });
        expect(r.status).toBe(200);
      }
      const scraped = await (await fetch(`${url}/metrics`, { headers: auth })).text();
      expect(scraped).toContain('claude_code_token_usage_tokens_total{model="claude-opus-4-6",session_id="s1",type="input",user_email="ada@example.com"} 250');
      expect((await fetch(`${url}/metrics`, { method: "POST", headers: auth })).status).toBe(405);
    } finally {
      server.kill("SIGTERM");
      await server.exited;
    }
    expect(new TextDecoder().decode(await new Response(server.stderr).arrayBuffer())).not.toContain("sekrit-token-1");
  }, 20_000);
});

const havePrometheus = spawnSync("prometheus", ["--version"]).status === 0;
const promReason = "prometheus is not installed (apt-get install prometheus; .ci/run installs it)";
if (!havePrometheus && process.env.CI === "true") throw new Error(`under CI=true the Prometheus tests must run: ${promReason}`);
if (!havePrometheus) console.log(`skip: a real Prometheus scraping /metrics: ${promReason}`);

describe.skipIf(!havePrometheus)("a real Prometheus scrapes the receiver", () => {
  test("and what it stores equals what was sent (the sum over users of the scraped counter)", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const promPort = port + 1;
    const env = { ...process.env, XDG_DATA_HOME: temp("xdg"), HOME: temp("home") };
    const server = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--otlp", String(port), "--headless", "--root", temp("root"), "--no-allowance"], { env, stdout: "pipe", stderr: "pipe" });
    const dir = temp("prom");
    writeFileSync(join(dir, "prometheus.yml"), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: claude-dash\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`);
    const prom = Bun.spawn(["prometheus", `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdout: "ignore", stderr: "ignore" });
    try {
      const url = `http://127.0.0.1:${port}`;
      await until(async () => ((await fetch(`${url}/metrics`)).ok ? true : null));
      const start = Date.now();
      let total = 0;
      for (let i = 1; i <= 6; i++) {
        total = 1000 * i;
        await fetch(`${url}/v1/metrics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(metricsBody(start - 600_000, start + i * 1000, total)) });
        await Bun.sleep(1000);
      }
      await Bun.sleep(2500);
      const q = encodeURIComponent('sum by (user_email) (claude_code_token_usage_tokens_total{type="input"})');
      const value = await until(async () => {
        const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`)).json()) as { data: { result: { value: [number, string] }[] } };
        const v = Number(r.data.result[0]?.value[1]);
        return v === total ? v : null;
      }, 15_000);
      expect(value).toBe(6000);
      // and claude-dash reading that Prometheus gives its own increase() answer
      const at = Date.now();
      const inc = encodeURIComponent('sum by (user_email, type) (increase(claude_code_token_usage_tokens_total[3600s]))');
      const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${inc}&time=${at / 1000}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      const engine = Number(r.data.result[0]!.value[1]);
      const p = Bun.spawnSync([process.execPath, join(REPO, "src/cli.ts"), "--json", "--view", "insights", "--prometheus", `http://127.0.0.1:${promPort}`, "--insights-hours", "1", "--now", new Date(at).toISOString()], { env });
      const d = JSON.parse(p.stdout.toString());
      expect(d.users).toEqual([{ user: "ada@example.com", costUSD: 0, tokens: { input: engine, output: 0, cacheRead: 0, cacheCreation: 0 } }]);
    } finally {
      prom.kill("SIGTERM");
      server.kill("SIGTERM");
      await Promise.all([prom.exited, server.exited]);
    }
  }, 40_000);
});
