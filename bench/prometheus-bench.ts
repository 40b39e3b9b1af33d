// `bun run bench` part: a team's month in a Prometheus-compatible engine (VictoriaMetrics, seeded through
// /api/v1/import/prometheus with 1,000 users × 5 models × 30 days, hourly points of cumulative counters), and the
// refresh of INSIGHTS from it end to end (`--json --view insights --prometheus`, the whole process); plus a scrape
// of the receiver's /metrics holding 10,000 series. Run alone: bun bench/prometheus-bench.ts
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MetricCounters } from "../src/net/metrics-exposition.ts";
import type { MetricSample } from "../src/net/otlp-map.ts";
import { startOtlpReceiver } from "../src/net/otlp-receiver.ts";

export interface PrometheusBench {
  series: number;
  samples: number;
  day: { ms: number; rss: number };
  month: { ms: number; rss: number };
  scrapeMs: number;
}

const USERS = 1000;
const MODELS = ["claude-opus-4-6", "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4"];
const TYPES = ["input", "output", "cacheRead", "cacheCreation"];
const STEP = 3_600_000;
const DAYS = 30;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function seed(url: string, end: number): Promise<number> {
  let samples = 0;
  let chunk: string[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const r = await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body: chunk.join("\n") });
    if (r.status !== 204) throw new Error(`import: HTTP ${r.status}`);
    samples += chunk.length;
    chunk = [];
  };
  for (let u = 0; u < USERS; u++) {
    const user = `dev${String(u).padStart(4, "0")}@example.com`;
    for (const [m, model] of MODELS.entries()) {
      const rate = 1 + ((u * 7 + m * 13) % 17); // users differ
      const tokens = [0, 0, 0, 0];
      let cost = 0;
      for (let t = end - DAYS * 86_400_000; t <= end; t += STEP) {
        tokens[0]! += 20 * rate;
        tokens[1]! += 400 * rate;
        tokens[2]! += 20_000 * rate;
        tokens[3]! += 900 * rate;
        cost += 0.02 * rate * (m + 1);
        for (let k = 0; k < 4; k++)
          chunk.push(`claude_code_token_usage_tokens_total{user_email="${user}",model="${model}",type="${TYPES[k]}"} ${tokens[k]} ${t}`);
        chunk.push(`claude_code_cost_usage_USD_total{user_email="${user}",model="${model}"} ${cost.toFixed(4)} ${t}`);
      }
      if (chunk.length > 400_000) await flush();
    }
  }
  await flush();
  return samples;
}

/** The engine with the team's month in it (kept under $TMPDIR between runs), started; `stop` ends it. */
async function engine(): Promise<{ url: string; end: number; samples: number; stop: () => Promise<void> }> {
  const dir = join(tmpdir(), "claude-dash-bench-vm");
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, "seeded.json");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const vm = Bun.spawn(
    ["victoria-metrics", `-storageDataPath=${join(dir, "data")}`, `-httpListenAddr=127.0.0.1:${port}`, "-retentionPeriod=100y", "-search.latencyOffset=0s"],
    { stdout: "ignore", stderr: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 200 &&
    !(await fetch(`${url}/health`)
      .then((r) => r.ok)
      .catch(() => false));
    i++
  )
    await Bun.sleep(100);
  let info = existsSync(marker) ? (JSON.parse(readFileSync(marker, "utf8")) as { end: number; samples: number }) : null;
  if (!info) {
    const end = Math.floor(Date.now() / STEP) * STEP - STEP;
    const samples = await seed(url, end);
    await fetch(`${url}/internal/force_flush`).catch(() => undefined);
    info = { end, samples };
    writeFileSync(marker, JSON.stringify(info));
  }
  return { url, end: info.end, samples: info.samples, stop: async () => void (vm.kill("SIGTERM"), await vm.exited) };
}

async function scrape10k(): Promise<number> {
  const counters = new MetricCounters();
  const batch: MetricSample[] = [];
  for (let u = 0; u < 1000; u++)
    for (const model of MODELS)
      for (const type of ["input", "output"])
        batch.push({ key: "", name: "claude_code.token.usage", time: 0, user: `dev${u}@example.com`, sessionId: null, model, type, value: u + 1 });
  counters.add(batch);
  const r = await startOtlpReceiver({ host: "127.0.0.1", port: 0, onLogs: () => undefined, onMetrics: () => undefined, onScrape: () => counters.text() });
  try {
    const times: number[] = [];
    for (let i = 0; i < 11; i++) {
      const t = performance.now();
      const text = await (await fetch(`${r.url}/metrics`)).text();
      times.push(performance.now() - t);
      if (text.length < 100_000) throw new Error("short scrape");
    }
    return median(times);
  } finally {
    await r.stop();
  }
}

export async function runPrometheusBench(repo: string): Promise<PrometheusBench | null> {
  if (spawnSync("victoria-metrics", ["-version"]).status !== 0) return null;
  const e = await engine();
  try {
    const run = (hours: number) => {
      const rs = Array.from({ length: 3 }, () => {
        const t = performance.now();
        const p = Bun.spawnSync(
          [
            process.execPath,
            join(repo, "src/cli.ts"),
            "--json",
            "--view",
            "insights",
            "--prometheus",
            e.url,
            "--insights-hours",
            String(hours),
            "--now",
            new Date(e.end).toISOString(),
          ],
          { stdout: "pipe", stderr: "pipe" },
        );
        const ms = performance.now() - t;
        if (p.exitCode !== 0) throw new Error(p.stderr.toString());
        const d = JSON.parse(p.stdout.toString()) as { users: unknown[]; others: { users: number } | null };
        if (d.users.length !== 20 || d.others?.users !== USERS - 20) throw new Error("unexpected answer");
        return { ms, rss: (p.resourceUsage?.maxRSS ?? 0) / 2 ** 20 };
      });
      return { ms: median(rs.map((r) => r.ms)), rss: Math.max(...rs.map((r) => r.rss)) };
    };
    return { series: USERS * MODELS.length * 5, samples: e.samples, day: run(24), month: run(720), scrapeMs: await scrape10k() };
  } finally {
    await e.stop();
  }
}

export function formatPrometheusBench(b: PrometheusBench): string {
  return [
    `  ${b.series} series, ${b.samples} samples (1,000 users × 5 models × 30 days, hourly) in VictoriaMetrics; median of 3, the whole process:`,
    `  --json --view insights --prometheus, 24 h        ${b.day.ms.toFixed(0).padStart(5)} ms   peak RSS ${b.day.rss.toFixed(0)} MB`,
    `  the same over 30 days                            ${b.month.ms.toFixed(0).padStart(5)} ms   peak RSS ${b.month.rss.toFixed(0)} MB`,
    `  GET /metrics of a receiver holding 10,000 series ${b.scrapeMs.toFixed(1).padStart(5)} ms`,
  ].join("\n");
}

if (import.meta.main) {
  const t = performance.now();
  const b = await runPrometheusBench(join(import.meta.dir, ".."));
  if (!b) console.log("skip: victoria-metrics is not installed");
  else console.log(`${formatPrometheusBench(b)}\n  (${((performance.now() - t) / 1000).toFixed(0)} s in all)`);
}
