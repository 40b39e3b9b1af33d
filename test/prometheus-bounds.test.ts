// What a Prometheus-compatible engine answers is bounded (issue 21, failure 8): a sample value is used only when it
// is a plain decimal number, finite, >= 0 and small enough that no sum of them overflows; anything else is rejected
// and counted, and the count shows in `--json` and in the INSIGHTS page's header. An answer is capped in bytes (read
// incrementally: a 200 MB answer is not buffered first) and in series, with one line naming the cap. No number on
// screen reads "Infinity", "NaN" or "∞". Every engine here is a fake one (Bun.serve on 127.0.0.1, port 0).
import { describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import { PromError, promConnection, PrometheusClient, promInsights } from "../src/net/prometheus.ts";
import { compact, hhmm, percent, spanLabel, usd, weekdayDay, whenShort } from "../src/ui/format.ts";
import { tempDirs } from "./builders.ts";

const REPO = resolve(import.meta.dir, "..");
const temp = tempDirs();
const NOW = Date.parse("2026-11-20T15:37:00Z");

const NAMES = [
  "claude_code_token_usage_tokens_total",
  "claude_code_cost_usage_USD_total",
  "claude_code_session_count_total",
  "claude_code_active_time_seconds_total",
  "claude_code_lines_of_code_count_total",
  "claude_code_commit_count_total",
  "claude_code_pull_request_count_total",
  "claude_code_code_edit_tool_decision_total",
];
const TYPES = ["input", "output", "cacheRead", "cacheCreation"];

/** The labels of series `i` (every query gets the same series: each label any of our queries groups by). */
const labels = (i: number) => ({
  user_email: `u${i}@example.com`,
  type: TYPES[i % 4]!,
  model: `claude-opus-4-${i % 3}`,
  tool_name: "Edit",
  decision: i % 2 ? "reject" : "accept",
  terminal_type: "vscode",
});
const vector = (values: readonly unknown[]) =>
  JSON.stringify({ status: "success", data: { resultType: "vector", result: values.map((v, i) => ({ metric: labels(i), value: [NOW / 1000, v] })) } });
const matrix = (values: readonly unknown[]) =>
  JSON.stringify({ status: "success", data: { resultType: "matrix", result: values.map((v, i) => ({ metric: labels(i), values: [[NOW / 1000 - 600, v]] })) } });

/**
 * A fake engine: the metric names, then `answer(query, range)` (a body, or a stream) for every query; `values`
 * makes one series per value for every query (instant and range).
 */
async function engine(answer: { values: readonly unknown[] } | ((query: string, range: boolean) => string)) {
  const bodies = typeof answer === "function" ? null : { vector: vector(answer.values), matrix: matrix(answer.values) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const u = new URL(req.url);
      if (u.pathname.endsWith("/values")) return Response.json({ status: "success", data: NAMES });
      const range = u.pathname.endsWith("query_range");
      const q = u.searchParams.get("query") ?? "";
      const body = typeof answer === "function" ? answer(q, range) : range ? bodies!.matrix : bodies!.vector;
      return new Response(body, { headers: { "content-type": "application/json" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.stop(true) };
}

const insightsFrom = async (url: string) => promInsights(new PrometheusClient(promConnection(url, { timeoutMs: 10_000 })), NOW, 24);

/** claude-dash itself (asynchronously: the fake engine answers from this process). */
async function cli(args: string[]) {
  const p = Bun.spawn(
    [process.execPath, join(REPO, "src/cli.ts"), ...args, "--now", new Date(NOW).toISOString(), "--no-allowance", "--no-store", "--root", temp("root")],
    { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } },
  );
  const [stdout, stderr, status] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { stdout, stderr, status };
}
const json = (url: string) => cli(["--json", "--view", "insights", "--prometheus", url, "--insights-hours", "24"]);
const frame = (url: string) =>
  cli(["--once", "--plain", "--width", "160", "--height", "50", "--view", "insights", "--source", "prometheus", "--prometheus", url, "--insights-hours", "24"]);

/** Every number in a parsed --json answer, with where it is (and every null where a number may be). */
function numbers(x: unknown, at = "", out: [string, unknown][] = []): [string, unknown][] {
  if (x === null) {
    if (at !== ".others" && !at.startsWith(".metrics.")) out.push([at, null]);
  } else if (typeof x === "number") out.push([at, x]);
  else if (Array.isArray(x)) x.forEach((v, i) => numbers(v, `${at}[${i}]`, out));
  else if (typeof x === "object") for (const [k, v] of Object.entries(x as object)) numbers(v, `${at}.${k}`, out);
  return out;
}

describe("sample values: only plain, finite, non-negative decimal numbers count; the rest are rejected and counted", () => {
  test("negative values are not summed: tokens, cost and sessions stay >= 0, and the rejection is counted", async () => {
    const e = await engine({ values: ["-5000000001", "-9999999997", "2", "3"] });
    try {
      const v = await insightsFrom(e.url);
      for (const [at, n] of numbers(v)) expect([at, typeof n === "number" && n >= 0]).toEqual([at, true]);
      expect(v.tokens).toEqual({ input: 0, output: 0, cacheRead: 2, cacheCreation: 3 });
      expect(v.sessions).toBe(5);
      expect(v.rejected.samples).toBeGreaterThan(0);
      expect(v.rejected.reasons.negative).toBe(v.rejected.samples);
      const j = await json(e.url);
      expect(j.status).toBe(0);
      const d = JSON.parse(j.stdout);
      expect(d.costUSD).toBeGreaterThanOrEqual(0);
      expect(d.rejected).toEqual({ samples: v.rejected.samples, reasons: { negative: v.rejected.samples } });
    } finally {
      e.close();
    }
  });

  test('"0x10", "", "NaN", "+Inf", "1e400", a number that is not a string: each rejected with its reason, none read as a number', async () => {
    const e = await engine({ values: ["0x10", "", "NaN", "+Inf", "-Inf", "1e400", " 7", "1_000", 16, null, "1.5e3"] });
    try {
      const v = await insightsFrom(e.url);
      // only "1.5e3" (series 10: type cacheRead) is a number
      expect(v.tokens).toEqual({ input: 0, output: 0, cacheRead: 1500, cacheCreation: 0 });
      expect(v.sessions).toBe(1500);
      expect(v.overTime.reduce((a, b) => a + b.input + b.output, 0)).toBe(1500);
      const queries = v.rejected.samples / 10;
      expect(Number.isInteger(queries) && queries > 0).toBe(true);
      expect(v.rejected.reasons).toEqual({ "not a decimal number": 9 * queries, "not finite": queries });
    } finally {
      e.close();
    }
  });

  test("1e308: not summed into Infinity; --json has no null and the dashboard no Infinity, NaN or ∞; the header counts the rejections", async () => {
    const e = await engine({ values: ["1e308", "1e308", "1e308", "1e308", "1"] });
    try {
      const j = await json(e.url);
      expect(j.status).toBe(0);
      const d = JSON.parse(j.stdout);
      expect(numbers(d).filter(([, n]) => typeof n !== "number" || !Number.isFinite(n))).toEqual([]);
      expect(d.rejected.reasons["too large"]).toBe(d.rejected.samples);
      expect(d.tokens.input).toBe(1);
      const f = await frame(e.url);
      expect(f.status).toBe(0);
      expect(f.stdout).not.toMatch(/Infinity|NaN|∞|e\+/);
      expect(f.stdout).toMatch(new RegExp(`${d.rejected.samples} engine values rejected \\(too large\\)`));
    } finally {
      e.close();
    }
  });

  test("the largest values that are accepted add up to finite sums that draw as numbers", async () => {
    const e = await engine({ values: Array.from({ length: 400 }, () => String(2 ** 53 - 1)) });
    try {
      const d = JSON.parse((await json(e.url)).stdout);
      expect(d.rejected.samples).toBe(0);
      expect(numbers(d).filter(([, n]) => typeof n !== "number" || !Number.isFinite(n))).toEqual([]);
      const f = await frame(e.url);
      expect(f.status).toBe(0);
      expect(f.stdout).not.toMatch(/Infinity|NaN|∞|e\+/);
      expect(f.stdout).toMatch(/input +output[\s\S]*>999T +>999T/); // (tokens, summed beyond what "1.23T" holds)
      expect(f.stdout).toMatch(/u0@example\.com +– +– +– +>\$999T/);
    } finally {
      e.close();
    }
  });
});

describe("answers are capped in bytes and in series, with one line naming the cap", () => {
  test("a 200 MB answer is read only up to the 32 MiB cap, not buffered first", async () => {
    // a list of metric names 200 MB long (valid JSON: what matters is its size), made as it is read
    let sent = 0;
    const MB = 2 ** 20;
    const pad = new TextEncoder().encode(" ".repeat(MB));
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        sent = 0;
        const body = new ReadableStream<Uint8Array>(
          {
            pull(ctl) {
              if (sent === 0) ctl.enqueue(new TextEncoder().encode(`{"status":"success","data":${JSON.stringify(NAMES)}`));
              if (sent >= 200 * MB) {
                ctl.enqueue(new TextEncoder().encode("}"));
                return ctl.close();
              }
              sent += pad.length;
              ctl.enqueue(pad);
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(body, { headers: { "content-type": "application/json" } });
      },
    });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const err = await insightsFrom(url).catch((x) => x);
      expect(err).toBeInstanceOf(PromError);
      expect(err.message).toBe(`${url} sent over 32 MiB of answers in one refresh (the cap)`);
      // it stopped reading near the cap (what the sockets hold in between aside): the rest was never made
      expect(sent).toBeLessThan(100 * MB);
      const j = await json(url);
      expect(j.status).toBe(1);
      expect(j.stdout).toBe("");
      expect(j.stderr).toBe(`claude-dash: ${url} sent over 32 MiB of answers in one refresh (the cap)\n`);
      expect(sent).toBeLessThan(100 * MB);
    } finally {
      server.stop(true);
    }
  }, 60_000);

  test("an answer that says in advance it is over the cap is not read at all", async () => {
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) =>
        new URL(req.url).pathname.endsWith("/values") ? Response.json({ status: "success", data: NAMES }) : new Response("x".repeat(33 * 2 ** 20)),
    });
    try {
      const err = await insightsFrom(`http://127.0.0.1:${server.port}`).catch((x) => x);
      expect(err).toBeInstanceOf(PromError);
      expect(err.message).toContain("sent over 32 MiB of answers in one refresh (the cap)");
    } finally {
      server.stop(true);
    }
  });

  test("100,000 series in every answer (17 MB each): refused at the cap on bytes, in --json and in the dashboard's header", async () => {
    const e = await engine({ values: Array.from({ length: 100_000 }, () => "1") });
    try {
      const said = `${e.url} sent over 32 MiB of answers in one refresh (the cap)`;
      const err = await insightsFrom(e.url).catch((x) => x);
      expect(err).toBeInstanceOf(PromError);
      expect(err.message).toBe(said);
      const j = await json(e.url);
      expect([j.status, j.stdout, j.stderr]).toEqual([1, "", `claude-dash: ${said}\n`]);
      const f = await frame(e.url);
      expect(f.status).toBe(0);
      expect(f.stdout).toContain(`${e.url} · no answer yet: sent over 32 MiB of answers in one refresh (the cap)`);
      expect(f.stdout).not.toContain("u99999@example.com");
    } finally {
      e.close();
    }
  }, 60_000);

  test("answers each under the cap on bytes but together over it are refused too", async () => {
    const pad = "x".repeat(3000);
    const big = JSON.stringify({
      status: "success",
      data: { resultType: "vector", result: Array.from({ length: 1000 }, (_, i) => ({ metric: { ...labels(i), pad }, value: [0, "1"] })) },
    });
    expect(big.length).toBeLessThan(4 * 2 ** 20); // (over a dozen queries: more than 32 MiB)
    const e = await engine(() => big);
    try {
      const err = await insightsFrom(e.url).catch((x) => x);
      expect(err).toBeInstanceOf(PromError);
      expect(err.message).toBe(`${e.url} sent over 32 MiB of answers in one refresh (the cap)`);
    } finally {
      e.close();
    }
  });

  test("10,001 series in one query's answer: refused with the cap named, in --json (stderr, exit 1) and in the dashboard's header", async () => {
    const many = vector(Array.from({ length: 10_001 }, () => "1"));
    const e = await engine((q, range) => (q.startsWith("topk(") ? many : range ? matrix(["1"]) : vector(["1"])));
    try {
      const said = `${e.url} sent over 10,000 series in one answer (the cap)`;
      const err = await insightsFrom(e.url).catch((x) => x);
      expect(err).toBeInstanceOf(PromError);
      expect(err.message).toBe(said);
      const j = await json(e.url);
      expect([j.status, j.stdout, j.stderr]).toEqual([1, "", `claude-dash: ${said}\n`]);
      const f = await frame(e.url);
      expect(f.status).toBe(0);
      expect(f.stdout).toContain(`${e.url} · no answer yet: sent over 10,000 series in one answer (the cap)`);
    } finally {
      e.close();
    }
  }, 30_000);

  test("an engine that ignores topk still gives the top 20 users and one row for the rest", async () => {
    const e = await engine({ values: Array.from({ length: 5_000 }, (_, i) => String(i + 1)) });
    try {
      const d = JSON.parse((await json(e.url)).stdout);
      expect(d.users).toHaveLength(20);
      expect(d.users[0].user).toBe("u4999@example.com");
    } finally {
      e.close();
    }
  }, 30_000);
});

describe("the number formatters never print Infinity, NaN or ∞", () => {
  test("not a number, or not finite: '–'", () => {
    for (const n of [Infinity, -Infinity, NaN]) {
      expect(compact(n)).toBe("–");
      expect(usd(n)).toBe("–");
      expect(spanLabel(n)).toBe("–");
      expect(hhmm(n)).toBe("–");
      expect(whenShort(n, NOW)).toBe("–");
      expect(weekdayDay(n)).toBe("–");
    }
    expect(percent(NaN, 5)).toBe("–");
    expect(percent(5, NaN)).toBe("–");
    expect(percent(1, Infinity)).toBe("–");
    expect(percent(Infinity, 5)).toBe("–");
    expect(percent(1e308, 1e-308)).toBe(">9999%");
  });

  test("finite but huge: clamped, never an exponent", () => {
    expect(compact(1.2e12)).toBe("1.20T");
    expect(compact(999e12)).toBe("999T");
    expect(compact(1e15)).toBe(">999T");
    expect(compact(1e308)).toBe(">999T");
    expect(compact(-1e308)).toBe("<-999T");
    expect(usd(1e308)).toBe(">$999T");
    expect(usd(-1e308)).toBe("<-$999T");
    expect(usd(2.5e9)).toBe("$2.50B");
    expect(usd(999_999_999)).toBe("$999,999,999");
    expect(usd(12_345)).toBe("$12,345");
    expect(usd(3.5)).toBe("$3.50");
    expect(spanLabel(1e308)).not.toMatch(/Infinity|NaN|e\+/);
    expect(hhmm(1e300)).toBe("–"); // (not a date)
  });
});
