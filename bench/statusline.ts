// The status line as Claude Code runs it: `claude-dash statusline` after every assistant message, a payload on stdin,
// one line out, the whole process timed (start-up included, page cache warm) on the benchmark's corpus and the warm
// store its first run left:
// - 200 sequential calls (after 5 warm-ups): p50, p90, p99, max and peak RSS, with the prebuilt bundle
//   (dist/statusline, built first), from the sources (CLAUDE_DASH_NO_BUNDLE=1) and as the compiled binary (built;
//   its size);
// - ccusage 20's `statusline` on the same payload in the same run: served from its cache (its output cache is kept
//   for --refresh-interval seconds, 1 by default: the series passes a long one so that every call is a cached one),
//   and its first call with the cache cleared, and one with the cache expired (as with its defaults a call more than a
//   second after the last computed one is);
// - the first call on an empty store (a fresh XDG_DATA_HOME; median of 3);
// - ten calls started at once (median wall time of 10 rounds, from the first spawn to the last exit, and the slowest);
// - a store busy with another process's fill (this process holds its write lock: BEGIN IMMEDIATE and a write).
// Peak RSS comes from GNU time (/usr/bin/time) on extra calls: the rusage Bun reports for a child it spawned also
// counts this process's own peak (the child shares its memory until exec). Waits (up to 10 min) for the machine's
// load average to be at most 1.5 before measuring, and says what it was.
//
// `bun bench/statusline.ts [--corpus DIR] [--runs N] [--ccusage PATH] [--data DIR] [--wait S] [--skip-binary]` runs it alone on a corpus that
// `bun run bench` generated (DIR, default the 1 GB one in $TMPDIR; a warm store is made first unless --data names
// one); `bun run bench` runs it after its warm starts (`--skip-statusline` leaves it out).
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CorpusInfo } from "./generate.ts";
import { storePathFor } from "./year.ts";

export interface StatuslineBenchOptions {
  repo: string;
  bun: string;
  corpus: Pick<CorpusInfo, "root" | "sampleFile" | "sampleSessionId" | "sampleCwd" | "end">;
  /** XDG_DATA_HOME of the warm store (left by a first run over the corpus). */
  data: string;
  /** the ccusage 20 binary, or null: no comparison */
  ccusage: string | null;
  /** a directory for fresh stores and ccusage's cache (kept by the caller, removed by it) */
  scratch: string;
  /** sequential calls per series (200) */
  runs?: number;
  /** build and measure the compiled binary (true) */
  binary?: boolean;
  /** wait for a load average ≤ this before measuring (1.5), at most waitSeconds (600) */
  maxLoad?: number;
  waitSeconds?: number;
  log?: (line: string) => void;
}

export interface Series {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  /** the median call's CPU time (user + system), ms */
  cpuMs: number;
  /** peak RSS (MB) over the extra calls under GNU time, or null without it */
  rssMb: number | null;
  /** calls whose line was not the reference line */
  differing: number;
}

export interface StatuslineBench {
  load: { before: number; waitedSeconds: number; after: number };
  line: string;
  trace: string;
  /** each traced step's median over 20 traced calls (ms), "before" the module ran (the process's start, cli.ts, the bundle's load) */
  steps: [string, number][];
  /** Bun itself: `bun -e 0` */
  runtime: Series;
  bundle: Series & { fresh: boolean };
  sources: Series;
  binary: (Series & { sizeMb: number; buildSeconds: number }) | null;
  ccusage: { cached: Series; uncached: { ms: number; rssMb: number | null }; expired: { ms: number }; line: string; flags: string } | null;
  empty: { ms: number[]; rssMb: (number | null)[] };
  burst: { rounds: number[]; differing: number };
  busy: Series;
}

const WARMUPS = 5;
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

/** Nearest-rank percentile of sorted values. */
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A payload as Claude Code sends it (2.1): the corpus's sample session, its limits resetting after the corpus's end. */
export function payloadFor(c: StatuslineBenchOptions["corpus"]): string {
  const endS = Math.floor(c.end / 1000);
  return JSON.stringify({
    hook_event_name: "Status",
    session_id: c.sampleSessionId,
    transcript_path: c.sampleFile,
    cwd: c.sampleCwd,
    model: { id: "claude-opus-4-6", display_name: "Opus 4.6" },
    workspace: { current_dir: c.sampleCwd, project_dir: c.sampleCwd },
    version: "2.1.90",
    output_style: { name: "default" },
    cost: { total_cost_usd: 1.23, total_duration_ms: 1_800_000, total_api_duration_ms: 600_000, total_lines_added: 120, total_lines_removed: 30 },
    context_window: {
      total_input_tokens: 80_010,
      total_output_tokens: 2_100,
      context_window_size: 200_000,
      used_percentage: 40,
      remaining_percentage: 60,
      current_usage: { input_tokens: 10, output_tokens: 100, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 79_000 },
    },
    exceeds_200k_tokens: false,
    rate_limits: { five_hour: { used_percentage: 37, resets_at: endS + 3 * 3600 }, seven_day: { used_percentage: 12, resets_at: endS + 3 * 86_400 } },
  });
}

interface Call {
  ms: number;
  cpuMs: number;
  out: string;
  err: string;
}

export async function runStatuslineBench(o: StatuslineBenchOptions): Promise<StatuslineBench> {
  const log = o.log ?? console.log;
  const runs = Math.max(1, o.runs ?? 200);
  const payload = Buffer.from(payloadFor(o.corpus));
  const now = new Date(o.corpus.end).toISOString();
  const noConfig = join(o.scratch, "statusline-config"); // (no config file: the default format)
  mkdirSync(noConfig, { recursive: true });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("CLAUDE_DASH_") || ["CLAUDE_CONFIG_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "NO_COLOR", "COLUMNS"].includes(k)) continue;
    base[k] = v;
  }
  const envFor = (data: string, extra: Record<string, string> = {}) => ({ ...base, CLAUDE_CONFIG_DIR: o.corpus.root, XDG_DATA_HOME: data, XDG_CONFIG_HOME: noConfig, ...extra });

  function call(cmd: string[], env: Record<string, string>): Call {
    const t0 = performance.now();
    const p = Bun.spawnSync(cmd, { cwd: o.repo, env, stdin: payload, stdout: "pipe", stderr: "pipe" });
    const ms = performance.now() - t0;
    if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited ${p.exitCode}: ${p.stderr.toString().slice(0, 500)}`);
    return { ms, cpuMs: Number(p.resourceUsage?.cpuTime.total ?? 0n) / 1000, out: p.stdout.toString(), err: p.stderr.toString() };
  }
  /** One call under GNU time: its own peak RSS (MB), and the time (GNU time's fork and exec included, ~1 ms). */
  function measured(cmd: string[], env: Record<string, string>): Call & { rssMb: number | null } {
    if (!GNU_TIME) return { ...call(cmd, env), rssMb: null };
    const file = join(o.scratch, "statusline-rss.txt");
    const c = call([GNU_TIME, "-f", "%M", "-o", file, ...cmd], env);
    const kb = Number(readFileSync(file, "utf8").trim().split("\n").pop());
    return { ...c, rssMb: Number.isFinite(kb) ? kb / 1024 : null };
  }
  function series(cmd: string[], env: Record<string, string>, reference: string | null, n = runs): Series & { first: string } {
    const first = call(cmd, env).out;
    for (let i = 1; i < WARMUPS; i++) call(cmd, env);
    const ms: number[] = [];
    const cpu: number[] = [];
    let differing = 0;
    const ref = reference ?? first;
    for (let i = 0; i < n; i++) {
      const c = call(cmd, env);
      ms.push(c.ms);
      cpu.push(c.cpuMs);
      if (c.out !== ref) differing++;
    }
    const rss = Array.from({ length: GNU_TIME ? 5 : 0 }, () => measured(cmd, env).rssMb ?? 0);
    const s = [...ms].sort((a, b) => a - b);
    return { n, p50: pct(s, 0.5), p90: pct(s, 0.9), p99: pct(s, 0.99), max: s.at(-1)!, min: s[0]!, cpuMs: median(cpu), rssMb: rss.length ? Math.max(...rss) : null, differing, first };
  }

  // Builds first (CPU-heavy: before the machine is let settle).
  log("  building the status line bundle and the compiled binary…");
  const b = Bun.spawnSync([o.bun, join(o.repo, "scripts", "build-statusline.ts")], { cwd: o.repo, stdout: "pipe", stderr: "pipe" });
  if (b.exitCode !== 0 || !bundleFresh(o.repo)) log(`  (the bundle was not built: ${b.stderr.toString().trim().slice(0, 200)}; "bundle" below runs the sources)`);
  const exe = join(o.repo, "dist", "claude-dash");
  let binaryBuild: { sizeMb: number; buildSeconds: number } | null = null;
  if (o.binary ?? true) {
    const t0 = performance.now();
    const bb = Bun.spawnSync([o.bun, join(o.repo, "scripts", "build-bin.ts")], { cwd: o.repo, stdout: "pipe", stderr: "pipe" });
    if (bb.exitCode === 0 && existsSync(exe)) binaryBuild = { sizeMb: statSync(exe).size / 1e6, buildSeconds: (performance.now() - t0) / 1000 };
    else log(`  (the binary was not built: ${bb.stderr.toString().trim().slice(0, 200)})`);
  }
  // Its page cache warm: the session's own files and today's (what a call reads).
  for (const f of [o.corpus.sampleFile, ...todaysFiles(join(o.corpus.root, "projects"), o.corpus.end)]) readFileSync(f);

  const load = await waitForQuiet(o.maxLoad ?? 1.5, o.waitSeconds ?? 600, log);

  const cli = [o.bun, "src/cli.ts", "statusline", "--now", now];
  const warmEnv = envFor(o.data);
  const runtime = series([o.bun, "-e", "0"], warmEnv, "", 50);
  const freshBefore = bundleFresh(o.repo);
  const bundle = series(cli, warmEnv, null);
  const freshAfter = bundleFresh(o.repo);
  const line = bundle.first;
  const traced = Array.from({ length: 20 }, () => call(cli, { ...warmEnv, CLAUDE_DASH_TRACE: "1" }).err.trim());
  const trace = traced[0]!;
  const steps = traceSteps(traced);
  const sources = series(cli, envFor(o.data, { CLAUDE_DASH_NO_BUNDLE: "1" }), line);
  const binary = binaryBuild ? { ...series([exe, "statusline", "--now", now], warmEnv, line), ...binaryBuild } : null;

  // ccusage 20: its cache is <tmpdir>/ccusage-semaphore/<session>.lock (it honours TMPDIR: one of its own here).
  let peer: StatuslineBench["ccusage"] = null;
  if (o.ccusage) {
    const ccTmp = join(o.scratch, "ccusage-tmp");
    rmSync(ccTmp, { recursive: true, force: true });
    mkdirSync(ccTmp, { recursive: true });
    const ccEnv = { ...base, CLAUDE_CONFIG_DIR: o.corpus.root, TMPDIR: ccTmp };
    const uncached = measured([o.ccusage, "statusline"], ccEnv);
    await Bun.sleep(1_100); // (past its default --refresh-interval of 1 s: computed again)
    const expired = call([o.ccusage, "statusline"], ccEnv);
    const flags = "--refresh-interval 86400";
    const cached = series([o.ccusage, "statusline", ...flags.split(" ")], ccEnv, uncached.out);
    peer = { cached, uncached: { ms: uncached.ms, rssMb: uncached.rssMb }, expired: { ms: expired.ms }, line: uncached.out.trim(), flags };
  }

  // The first call on an empty store (a fresh XDG_DATA_HOME each time).
  const empty = { ms: [] as number[], rssMb: [] as (number | null)[] };
  for (let i = 0; i < 3; i++) {
    const data = join(o.scratch, `statusline-empty-${i}`);
    rmSync(data, { recursive: true, force: true });
    const c = measured(cli, envFor(data));
    empty.ms.push(c.ms);
    empty.rssMb.push(c.rssMb);
    rmSync(data, { recursive: true, force: true });
  }

  // Ten at once, on the warm store: from the first spawn until the last exits.
  const burst = { rounds: [] as number[], differing: 0 };
  for (let round = -1; round < 10; round++) {
    const t0 = performance.now();
    const procs = Array.from({ length: 10 }, () => Bun.spawn(cli, { cwd: o.repo, env: warmEnv, stdin: payload, stdout: "pipe", stderr: "pipe" }));
    const ends = await Promise.all(procs.map((p) => p.exited.then((code) => ({ code, t: performance.now() }))));
    const wall = Math.max(...ends.map((e) => e.t)) - t0;
    const outs = await Promise.all(procs.map((p) => new Response(p.stdout).text()));
    if (ends.some((e) => e.code !== 0)) throw new Error("a status line started with nine others failed");
    if (round < 0) continue; // (a warm-up round)
    burst.rounds.push(wall);
    burst.differing += outs.filter((x) => x !== line).length;
  }

  // A store busy with another process's fill: its write lock held here while the calls run.
  const db = new Database(storePathFor(o.data, [o.corpus.root], process.env.HOME ?? "/"));
  let busy: Series;
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("BEGIN IMMEDIATE");
    db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('bench-held', 'yes')");
    busy = series(cli, warmEnv, line, 50);
  } finally {
    db.exec("ROLLBACK");
    db.close();
  }

  const after = loadavg()[0]!;
  return { load: { ...load, after }, line: line.trim(), trace, steps, runtime, bundle: { ...bundle, fresh: freshBefore && freshAfter }, sources, binary, ccusage: peer, empty, burst, busy };
}

/** "statusline (ms): start 0.2 · stdin 0.3 · … · since the process began 42.2" lines: each step's median. */
function traceSteps(traces: string[]): [string, number][] {
  const by = new Map<string, number[]>();
  for (const t of traces) {
    const parts = t.replace(/^statusline \(ms\): /, "").split(" · ");
    let sum = 0;
    let total = 0;
    for (const p of parts) {
      const m = /^(.*) ([\d.]+)$/.exec(p);
      if (!m) continue;
      const v = Number(m[2]);
      if (m[1] === "since the process began") total = v;
      else {
        sum += v;
        by.set(m[1]!, [...(by.get(m[1]!) ?? []), v]);
      }
    }
    by.set("before", [...(by.get("before") ?? []), total - sum]);
  }
  const order = ["before", ...[...by.keys()].filter((k) => k !== "before")];
  return order.map((k) => [k, median(by.get(k)!)]);
}

/** dist/statusline was built from the sources as they are now (src/cli.ts's own check): else the sources run. */
export function bundleFresh(repo: string): boolean {
  try {
    const built = JSON.parse(readFileSync(join(repo, "dist", "statusline", "inputs.json"), "utf8")) as { bun: string; inputs: { path: string; size: number; hash: string }[] };
    if (built.bun !== Bun.version || built.inputs.length === 0) return false;
    return built.inputs.every((i) => {
      const bytes = readFileSync(join(repo, i.path));
      return bytes.length === i.size && Bun.hash(bytes).toString(36) === i.hash;
    });
  } catch {
    return false;
  }
}

/** Transcripts written since an hour before the corpus's last day began (what a first call reads). */
function todaysFiles(dir: string, end: number): string[] {
  const since = end - (end % 86_400_000) - 3_600_000;
  const out: string[] = [];
  (function walk(d: string) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".jsonl") && statSync(p).mtimeMs >= since) out.push(p);
    }
  })(dir);
  return out;
}

/** Waits until the 1-minute load average is at most `max` (checked every 15 s, for `seconds` at most). */
export async function waitForQuiet(max: number, seconds: number, log: (line: string) => void): Promise<{ before: number; waitedSeconds: number }> {
  const t0 = performance.now();
  let said = false;
  for (;;) {
    const l = loadavg()[0]!;
    const waited = (performance.now() - t0) / 1000;
    if (l <= max || waited >= seconds) {
      if (l > max) log(`  (load average still ${l.toFixed(2)} after ${waited.toFixed(0)} s: measured anyway)`);
      return { before: l, waitedSeconds: waited };
    }
    if (!said) log(`  (load average ${l.toFixed(2)} > ${max}: waiting for a quieter machine, up to ${seconds} s)`);
    said = true;
    await Bun.sleep(15_000);
  }
}

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const rss = (x: number | null) => (x === null ? "? MB" : `${x.toFixed(0)} MB`);
const row = (s: Series) => `p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}   CPU ${ms(s.cpuMs)}   peak RSS ${rss(s.rssMb)}${s.differing ? `   (${s.differing} of ${s.n} lines differed)` : ""}`;

/** How many times faster ours is than ccusage's cached calls (p50 over p50; below 1: slower). */
export const ratio = (r: StatuslineBench) => (r.ccusage ? r.ccusage.cached.p50 / r.bundle.p50 : null);

export function formatStatuslineBench(r: StatuslineBench): string {
  const lines = [
    `  load average ${r.load.before.toFixed(2)} before (waited ${r.load.waitedSeconds.toFixed(0)} s), ${r.load.after.toFixed(2)} after`,
    `  the line: ${r.line.replace(/\x1b\[[0-9;]*m/g, "")}`,
    `  ${`bundle (dist/statusline${r.bundle.fresh ? "" : ": STALE, the sources ran"})`.padEnd(34)} ${row(r.bundle)}   (targets p50 ≤ 30 ms, p99 ≤ 60 ms)`,
    `  ${"sources (CLAUDE_DASH_NO_BUNDLE=1)".padEnd(34)} ${row(r.sources)}`,
  ];
  lines.splice(2, 0, `  ${"Bun alone (bun -e 0)".padEnd(34)} ${row(r.runtime)}`);
  if (r.binary) lines.push(`  ${`compiled binary (${r.binary.sizeMb.toFixed(1)} MB)`.padEnd(34)} ${row(r.binary)}`);
  if (r.ccusage) {
    const c = r.ccusage;
    lines.push(`  ${"ccusage 20, cached".padEnd(34)} ${row(c.cached)}   (${c.flags})`);
    lines.push(`  ${"ccusage 20, its first call".padEnd(34)} ${ms(c.uncached.ms)}, ${rss(c.uncached.rssMb)} (cache cleared); ${ms(c.expired.ms)} with its cache expired (defaults: a call 1 s after the last computed one)`);
    const x = ratio(r)!;
    lines.push(`  ours (bundle) against ccusage's cached calls, p50: ${x >= 1 ? `${x.toFixed(1)}× faster` : `${(1 / x).toFixed(1)}× slower`} (target ≥ 3× faster); against its first call ${(c.uncached.ms / r.bundle.p50).toFixed(0)}×`);
  }
  lines.push(`  ${"first call on an empty store".padEnd(34)} median ${ms(median(r.empty.ms))} (${r.empty.ms.map(ms).join(", ")}), peak RSS ${r.empty.rssMb.map(rss).join(", ")}   (target ≤ 1 s)`);
  lines.push(`  ${"ten at once (warm store)".padEnd(34)} median ${ms(median(r.burst.rounds))} from the first spawn to the last exit, slowest round ${ms(Math.max(...r.burst.rounds))} (10 rounds; target 150 ms)${r.burst.differing ? `; ${r.burst.differing} lines differed` : ""}`);
  lines.push(`  ${"store's write lock held elsewhere".padEnd(34)} ${row(r.busy)}`);
  lines.push(`  one call traced (CLAUDE_DASH_TRACE=1): ${r.trace}`);
  lines.push(`  its steps, median of 20 traced calls (ms): ${r.steps.map(([k, v]) => `${k === "before" ? "before the module ran" : k} ${v.toFixed(1)}`).join(" · ")}`);
  return lines.join("\n");
}

/** The README's row: one summary line. */
export function statuslineReadmeRow(r: StatuslineBench): string {
  const x = ratio(r);
  const binary = r.binary ? `; the compiled binary (${r.binary.sizeMb.toFixed(0)} MB) ${r.binary.p50.toFixed(0)} / ${r.binary.p99.toFixed(0)} ms` : "";
  const peer = r.ccusage ? ` | ccusage 20 cached ${r.ccusage.cached.p50.toFixed(1)} / ${r.ccusage.cached.p99.toFixed(1)} ms (ours ${x! >= 1 ? `${x!.toFixed(1)}× faster` : `${(1 / x!).toFixed(1)}× slower`}); its first call ${ms(r.ccusage.uncached.ms)}, ${rss(r.ccusage.uncached.rssMb)}` : "";
  return `| status line, p50 / p99 (bundle) | ${r.bundle.p50.toFixed(0)} / ${r.bundle.p99.toFixed(0)} ms, ${rss(r.bundle.rssMb)}; sources ${r.sources.p50.toFixed(0)} / ${r.sources.p99.toFixed(0)} ms${binary}${peer} | empty store ${ms(median(r.empty.ms))} | ten at once ${ms(median(r.burst.rounds))} (slowest ${ms(Math.max(...r.burst.rounds))}) | write lock held ${r.busy.p50.toFixed(0)} / ${r.busy.p99.toFixed(0)} ms |`;
}

/** Rows for a README table of its own (| what | figure |). */
export function statuslineReadmeTable(r: StatuslineBench): string[] {
  const s = (x: Series) => `p50 ${x.p50.toFixed(0)} ms, p90 ${x.p90.toFixed(0)} ms, p99 ${x.p99.toFixed(0)} ms (max ${x.max.toFixed(0)} ms), ${x.cpuMs.toFixed(0)} ms of CPU, peak RSS ${rss(x.rssMb)}`;
  const rows = [
    `| the status line (\`claude-dash statusline\`, the whole process, payload on stdin; the 1 GB corpus's warm store; ${r.bundle.n} calls after ${WARMUPS} warm-ups) | figure |`,
    "|---|---|",
    `| with the prebuilt bundle (dist/statusline) | ${s(r.bundle)} (targets: p50 ≤ 30 ms, p99 ≤ 60 ms) |`,
    `| from the sources (\`CLAUDE_DASH_NO_BUNDLE=1\`) | ${s(r.sources)} |`,
  ];
  if (r.binary) rows.push(`| the compiled binary (\`bun run build:bin\`, ${r.binary.sizeMb.toFixed(0)} MB) | ${s(r.binary)} |`);
  if (r.ccusage) {
    const x = ratio(r)!;
    rows.push(
      `| ccusage 20 \`statusline\`, the same payload: served from its cache / its first call (cache cleared) / a call after its 1 s cache expired | ${s(r.ccusage.cached)} / ${ms(r.ccusage.uncached.ms)}, ${rss(r.ccusage.uncached.rssMb)} / ${ms(r.ccusage.expired.ms)}; ours ${x >= 1 ? `${x.toFixed(1)}× faster` : `${(1 / x).toFixed(1)}× slower`} than its cached calls (target ≥ 3× faster), ${(r.ccusage.uncached.ms / r.bundle.p50).toFixed(0)}× faster than its computed ones |`,
    );
  }
  rows.push(`| the first call on an empty store (reads today's files and the session's) | median ${ms(median(r.empty.ms))} (${r.empty.ms.map(ms).join(", ")}), ${r.empty.rssMb.map(rss).join(", ")} (target ≤ 1 s) |`);
  rows.push(`| ten calls at once, from the first spawn to the last exit | median ${ms(median(r.burst.rounds))} of 10 rounds, slowest ${ms(Math.max(...r.burst.rounds))} (target 150 ms) |`);
  rows.push(`| with another process holding the store's write lock (${r.busy.n} calls) | p50 ${r.busy.p50.toFixed(0)} ms, p99 ${r.busy.p99.toFixed(0)} ms |`);
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      corpus: { type: "string", default: join(tmpdir(), "claude-dash-bench-small-1024mb") },
      runs: { type: "string", default: "200" },
      ccusage: { type: "string", default: "/tmp/ccusage/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage" },
      data: { type: "string" },
      "skip-binary": { type: "boolean", default: false },
      wait: { type: "string", default: "600" },
    },
  });
  const meta = join(values.corpus!, "corpus.json");
  if (!existsSync(meta)) {
    console.error(`no corpus in ${values.corpus} (run \`bun run bench\` once, or \`bun bench/generate.ts DIR BYTES small\`)`);
    process.exit(2);
  }
  const corpus = JSON.parse(readFileSync(meta, "utf8")) as CorpusInfo;
  const repo = join(import.meta.dir, "..");
  const bun = process.execPath;
  const scratch = mkdtempSync(join(tmpdir(), "claude-dash-bench-statusline-"));
  process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));
  let data = values.data;
  if (!data) {
    // The warm store `bun run bench`'s first run leaves: all time, the whole corpus.
    data = join(scratch, "warm");
    const p = Bun.spawnSync([bun, "src/cli.ts", "--root", corpus.root, "--now", new Date(corpus.end).toISOString(), "--no-allowance", "--json", "--since", "2000-01-01"], {
      cwd: repo,
      env: { ...process.env, XDG_DATA_HOME: data },
      stdout: "ignore",
      stderr: "inherit",
    });
    if (p.exitCode !== 0) throw new Error("the first run (the warm store) failed");
  }
  const ccusage = existsSync(values.ccusage!) ? values.ccusage! : null;
  console.log(`claude-dash statusline benchmark — ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}`);
  console.log(`corpus ${corpus.root} (${(corpus.bytes / 1e6).toFixed(0)} MB, ${corpus.files} files); ${ccusage ? `peer: ccusage 20 (${ccusage})` : "ccusage 20 not found (--ccusage PATH): no comparison"}`);
  console.log(`\nthe status line, whole processes, warm page cache:`);
  const r = await runStatuslineBench({ repo, bun, corpus, data, ccusage, scratch, runs: Number(values.runs), binary: !values["skip-binary"], waitSeconds: Number(values.wait) });
  console.log(formatStatuslineBench(r));
  console.log("\nREADME rows:");
  console.log(statuslineReadmeRow(r));
  console.log("");
  for (const l of statuslineReadmeTable(r)) console.log(l);
}
