// The receiver's GET /metrics: cumulative counters of the metric points received, under the names Claude Code's
// own Prometheus exporter uses, behind the same token as /v1/*; through the real CLI (the token from the
// environment, not the command line); and a real Prometheus scraping it (skipped with a reason where Prometheus is
// not installed, never under CI=true).
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MetricCounters } from "../src/net/metrics-exposition.ts";
import type { MetricSample } from "../src/net/otlp-map.ts";

import { tempDirs } from "./builders.ts";
import { until } from "./until.ts";

const REPO = resolve(import.meta.dir, "..");
const temp = tempDirs();

const sample = (o: Partial<MetricSample>): MetricSample => ({
  key: "k",
  name: "claude_code.token.usage",
  time: 0,
  user: "ada@example.com",
  sessionId: "s1",
  model: "claude-opus-4-6",
  type: "input",
  value: 1,
  ...o,
});

describe("the exposition", () => {
  test("counters sum the deltas per series, named as Claude Code's Prometheus exporter names them; labels escaped", () => {
    const c = new MetricCounters();
    c.add([
      sample({ value: 100 }),
      sample({ value: 20 }),
      sample({ type: "output", value: 7 }),
      sample({ name: "claude_code.cost.usage", type: null, value: 0.25 }),
      sample({ user: 'e"vil\\\n', value: 1 }),
    ]);
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

  // (how fast a scrape of 10,000 series is, is the bench's to say: bench/prometheus-bench.ts, "/metrics 10k series")
  test("10,000 series: every one exposed once, with its own sum, under one HELP and TYPE", () => {
    const c = new MetricCounters();
    const batch: MetricSample[] = [];
    for (let u = 0; u < 1000; u++)
      for (let m = 0; m < 5; m++)
        for (const type of ["input", "output"])
          batch.push(sample({ user: `user${u}@example.com`, model: `model-${m}`, type, sessionId: null, value: u + m + 1 }));
    c.add(batch);
    c.add(batch.slice(0, 2)); // (a second delta for two series: summed, not a new line)
    expect(c.size).toBe(10_000);
    const lines = c.text().split("\n");
    expect(lines.at(-1)).toBe(""); // (the text ends in a newline)
    expect(lines.slice(0, 2)).toEqual([
      "# HELP claude_code_token_usage_tokens_total Tokens used, by type (input, output, cacheRead, cacheCreation) and model",
      "# TYPE claude_code_token_usage_tokens_total counter",
    ]);
    const series = lines.slice(2, -1);
    expect(series).toHaveLength(10_000);
    expect(new Set(series).size).toBe(10_000);
    expect(series[0]).toBe('claude_code_token_usage_tokens_total{model="model-0",type="input",user_email="user0@example.com"} 2');
    expect(series[1]).toBe('claude_code_token_usage_tokens_total{model="model-0",type="output",user_email="user0@example.com"} 2');
    expect(series[2]).toBe('claude_code_token_usage_tokens_total{model="model-1",type="input",user_email="user0@example.com"} 2');
    expect(series.at(-1)).toBe('claude_code_token_usage_tokens_total{model="model-4",type="output",user_email="user999@example.com"} 1004');
    const total = series.reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    expect(total).toBe(batch.reduce((n, s) => n + s.value, 0) + 2);
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
                  dataPoints: [
                    {
                      attributes: attrs({ "user.email": "ada@example.com", model: "claude-opus-4-6", type: "input", "session.id": "s1" }),
                      startTimeUnixNano: String(start * 1e6),
                      timeUnixNano: String(now * 1e6),
                      asInt: String(cumulative),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe("claude-dash --otlp --headless serves /metrics", () => {
  test("behind the token from CLAUDE_DASH_OTLP_TOKEN: 401 without it, the counters with it; POST is 405", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const env = { ...process.env, XDG_DATA_HOME: temp("xdg"), HOME: temp("home"), CLAUDE_DASH_OTLP_TOKEN: "sekrit-token-1" };
    const server = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--otlp", String(port), "--headless", "--root", temp("root"), "--no-allowance"], {
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      const auth = { authorization: "Bearer sekrit-token-1" };
      await until(async () => (await fetch(`${url}/metrics`, { headers: auth })).ok, "the receiver to serve /metrics");
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const now = Date.now();
      for (const v of [100, 250]) {
        const r = await fetch(`${url}/v1/metrics`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify(metricsBody(now - 600_000, now + v, v)),
        });
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
  }, 90_000);
});

const havePrometheus = spawnSync("prometheus", ["--version"]).status === 0;
const promReason = "prometheus is not installed (apt-get install prometheus; .ci/run installs it)";
if (!havePrometheus && process.env.CI === "true") throw new Error(`under CI=true the Prometheus tests must run: ${promReason}`);
if (!havePrometheus) console.log(`skip: a real Prometheus scraping /metrics: ${promReason}`);

describe.skipIf(!havePrometheus)(
  "end to end: OpenTelemetry SDK exporters → claude-dash --otlp --headless → a real Prometheus → claude-dash --prometheus",
  () => {
    test("per-user tokens and cost equal the engine's own sum by (user_email, …) (increase(…))", async () => {
      const { OTLPMetricExporter, AggregationTemporalityPreference } = await import("@opentelemetry/exporter-metrics-otlp-http");
      const { MeterProvider, PeriodicExportingMetricReader } = await import("@opentelemetry/sdk-metrics");
      const { resourceFromAttributes } = await import("@opentelemetry/resources");
      const { ValueType } = await import("@opentelemetry/api");
      const port = 20000 + Math.floor(Math.random() * 20000);
      const promPort = port + 1;
      const env = { ...process.env, XDG_DATA_HOME: temp("xdg"), HOME: temp("home") };
      const server = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--otlp", String(port), "--headless", "--root", temp("root"), "--no-allowance"], {
        env,
        stdout: "pipe",
        stderr: "pipe",
      });
      const dir = temp("prom");
      writeFileSync(
        join(dir, "prometheus.yml"),
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: claude-dash\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
      );
      const prom = Bun.spawn(
        [
          "prometheus",
          `--config.file=${join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdout: "ignore", stderr: "ignore" },
      );
      const url = `http://127.0.0.1:${port}`;
      const promUrl = `http://127.0.0.1:${promPort}`;
      // one developer's Claude Code per user: a MeterProvider exporting cumulative sums (as the README's set-up asks)
      const users = ["ada@example.com", "bob@example.com", "cy@example.com"];
      const providers = users.map((user) => {
        const exporter = new OTLPMetricExporter({ url: `${url}/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.CUMULATIVE });
        const provider = new MeterProvider({
          resource: resourceFromAttributes({ "service.name": "claude-code" }),
          readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
        });
        const meter = provider.getMeter("com.anthropic.claude_code");
        return {
          user,
          provider,
          tokens: meter.createCounter("claude_code.token.usage", { unit: "tokens", valueType: ValueType.INT }),
          cost: meter.createCounter("claude_code.cost.usage", { unit: "USD", valueType: ValueType.DOUBLE }),
        };
      });
      try {
        await until(async () => (await fetch(`${url}/metrics`)).ok, "the receiver to serve /metrics");
        await until(async () => (await fetch(`${promUrl}/-/ready`)).ok, "Prometheus to be ready");
        const engine = async (q: string, time?: number) =>
          (
            (await (
              await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: q, ...(time === undefined ? {} : { time: String(time / 1000) }) })}`)
            ).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
          ).data.result;
        /** cy's output tokens as Prometheus last scraped them (cy sends 3,000 a round) */
        const scrapedOutput = async () =>
          Number((await engine('claude_code_token_usage_tokens_total{user_email="cy@example.com",type="output"}'))[0]?.value[1] ?? 0);
        for (let round = 1; round <= 6; round++) {
          for (const [k, p] of providers.entries()) {
            const attrs = { "session.id": `s-${k}`, "user.email": p.user, model: k === 2 ? "claude-opus-4-6" : "claude-sonnet-4-5", "terminal.type": "vscode" };
            p.tokens.add(100 * (k + 1), { ...attrs, type: "input" });
            p.tokens.add(1000 * (k + 1), { ...attrs, type: "output" });
            p.tokens.add(20_000, { ...attrs, type: "cacheRead" });
            p.cost.add(0.05 * (k + 1), attrs);
            await p.provider.forceFlush();
          }
          // each round scraped before the next is sent (increase() needs the counters seen growing, scrape by scrape);
          // cy's counter is the last one each round sends
          await until(async () => (await scrapedOutput()) === 3000 * round, `Prometheus to scrape round ${round}`);
        }
        const at = Date.now();
        const tokens = await engine("sum by (user_email, type) (increase(claude_code_token_usage_tokens_total[3600s]))", at);
        const cost = await engine("sum by (user_email) (increase(claude_code_cost_usage_USD_total[3600s]))", at);
        expect(tokens.length).toBe(9);
        expect(cost.length).toBe(3);
        const p = Bun.spawnSync(
          [
            process.execPath,
            join(REPO, "src/cli.ts"),
            "--json",
            "--view",
            "insights",
            "--prometheus",
            promUrl,
            "--insights-hours",
            "1",
            "--now",
            new Date(at).toISOString(),
          ],
          { env },
        );
        expect(p.stderr.toString()).toBe("");
        const d = JSON.parse(p.stdout.toString()) as { users: { user: string; costUSD: number; tokens: Record<string, number> }[] };
        expect(d.users.map((u) => u.user).sort()).toEqual(users);
        for (const r of tokens) expect(d.users.find((u) => u.user === r.metric.user_email)!.tokens[r.metric.type!]).toBeCloseTo(Number(r.value[1]), 6);
        for (const r of cost) expect(d.users.find((u) => u.user === r.metric.user_email)!.costUSD).toBeCloseTo(Number(r.value[1]), 9);
        // (and the counters hold what the SDK sent in all: 6 rounds)
        const scraped = await (await fetch(`${url}/metrics`)).text();
        expect(scraped).toContain(
          'claude_code_token_usage_tokens_total{model="claude-opus-4-6",session_id="s-2",type="output",user_email="cy@example.com"} 18000',
        );
      } finally {
        for (const p of providers) await p.provider.shutdown().catch(() => undefined);
        prom.kill("SIGTERM");
        server.kill("SIGTERM");
        await Promise.all([prom.exited, server.exited]);
      }
    }, 180_000);
  },
);
