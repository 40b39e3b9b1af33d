// The status line as Claude Code runs it: `claude-dash statusline` after every assistant message, a payload on stdin,
// one line out, the whole process timed (start-up included, page cache warm) on the benchmark's corpus and the warm
// store its first run left:
// - as users run it (the default): the first call answers in its own process and starts the resident helper
//   (`claude-dash statusline --serve`, src/statusline-server.ts); once its socket answers, 200 sequential calls
//   (after 5 warm-ups), each a small client that hands its stdin to the helper: p50, p90, p99, max, the client's CPU
//   and the helper's (its CPU over those calls, per call), the client's peak RSS and the helper's RSS;
// - the same through npm's `claude-dash` command (bin/claude-dash.js: Node, which runs Bun);
// - in its own process (CLAUDE_DASH_NO_SERVER=1): with the prebuilt bundle (dist/statusline, built first), and from
//   the sources (also CLAUDE_DASH_NO_BUNDLE=1);
// - the compiled binary (built; its size), with its helper and without;
// - ccusage 20's `statusline` on the same payload in the same run: the `ccusage` command npm installs (a Node launcher
//   that runs the native binary: what users register) and the bare native binary, both served from its cache (its
//   output cache is kept for --refresh-interval seconds, 1 by default: the series pass a long one so that every call is
//   a cached one), and their first call with the cache cleared, and one with the cache expired (as with its defaults a
//   call more than a second after the last computed one is);
// - the first call on an empty store (a fresh XDG_DATA_HOME and XDG_RUNTIME_DIR: no helper; median of 3);
// - ten calls started at once (median wall time of 10 rounds, from the first spawn to the last exit, and the slowest),
//   with the helper up and without it;
// - a store busy with another process's fill (this process holds its write lock: BEGIN IMMEDIATE and a write), through
//   the helper and in process, every line checked against the reference line.
// Each series has an XDG_RUNTIME_DIR of its own under the scratch dir (a helper of its own); the helpers this started
// are stopped at the end (by pid: only processes of `statusline --serve` whose XDG_RUNTIME_DIR is under the scratch
// dir). Peak RSS comes from GNU time (/usr/bin/time) on extra calls: the rusage Bun reports for a child it spawned also
// counts this process's own peak (the child shares its memory until exec). Waits (up to 10 min) for the machine's load
// average to be at most 1.5 before measuring, and says what it was.
//
// `bun bench/statusline.ts [--corpus DIR] [--runs N] [--ccusage PATH] [--ccusage-launcher PATH] [--data DIR] [--wait S]
// [--skip-binary]` runs it alone on a corpus that `bun run bench` generated (DIR, default the 1 GB one in $TMPDIR; a
// warm store is made first unless --data names one); `bun run bench` runs it after its warm starts
// (`--skip-statusline` leaves it out).
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { askLocalServer } from "../src/platform.ts";
import type { CorpusInfo } from "./generate.ts";
import { storePathFor } from "./year.ts";

export interface StatuslineBenchOptions {
  repo: string;
  bun: string;
  corpus: Pick<CorpusInfo, "root" | "sampleFile" | "sampleSessionId" | "sampleCwd" | "end">;
  /** XDG_DATA_HOME of the warm store (left by a first run over the corpus). */
  data: string;
  /** the ccusage 20 native binary, or null: no comparison */
  ccusage: string | null;
  /** the `ccusage` command npm installs (node_modules/.bin/ccusage, a Node launcher); by default found beside the
   *  native binary's node_modules; null: not measured */
  ccusageLauncher?: string | null;
  /** a directory for fresh stores, runtime dirs and ccusage's cache (kept by the caller, removed by it) */
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
  /** the first line that differed, if any */
  differed?: string;
}

/** The resident helper behind a series. */
export interface Helper {
  pid: number;
  /** the call that found none (answered in its own process, and started the helper), ms */
  firstMs: number;
  /** from that call's start until the helper's socket answered, ms */
  upMs: number;
  /** its resident memory after the series (VmRSS) and its peak (VmHWM), MB */
  rssMb: number;
  hwmMb: number;
  /** its CPU over the timed calls, per call (ms; the kernel counts in ticks of 10 ms) */
  cpuMs: number;
  /** another helper answered by the end (the code changed on disk, or this one went away) */
  restarted: boolean;
}

export type HelperSeries = Series & { helper: Helper };

export interface CcusageRun {
  path: string;
  cached: Series;
  first: { ms: number; rssMb: number | null };
  expired: { ms: number };
}

export interface StatuslineBench {
  load: { before: number; waitedSeconds: number; after: number };
  line: string;
  /** one in-process call traced (CLAUDE_DASH_TRACE=1) */
  trace: string;
  /** each traced step's median over 20 traced in-process calls (ms), "before" the module ran (the process's start,
   *  cli.ts, the bundle's load) */
  steps: [string, number][];
  /** one call served by the helper, traced: the helper's steps (its "since the process began" is the helper's age) */
  helperTrace: string;
  /** the helper's steps, median of 20 traced calls (ms), and those calls' whole time (the client's process) */
  helperSteps: [string, number][];
  helperTracedMs: number;
  /** Bun itself: `bun -e 0` */
  runtime: Series;
  /** the default: the resident helper answers */
  served: HelperSeries;
  /** npm's `claude-dash` command (node bin/claude-dash.js, which runs Bun), with its helper; null without Node */
  npm: HelperSeries | null;
  bundle: Series & { fresh: boolean };
  sources: Series;
  binary: { sizeMb: number; buildSeconds: number; served: HelperSeries; inProcess: Series } | null;
  ccusage: { launcher: CcusageRun | null; native: CcusageRun; line: string; flags: string } | null;
  empty: { ms: number[]; rssMb: (number | null)[] };
  burst: { served: Burst; inProcess: Burst };
  busy: { served: HelperSeries; inProcess: Series };
}

export interface Burst {
  rounds: number[];
  differing: number;
}

const WARMUPS = 5;
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const NODE = Bun.which("node");

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

/** npm's `ccusage` command beside a native binary installed as node_modules/@ccusage/ccusage-<platform>/bin/ccusage. */
export function ccusageLauncherFor(native: string | null): string | null {
  if (!native) return null;
  const m = /^(.*\/node_modules)\/@ccusage\/[^/]+\/bin\/ccusage$/.exec(native);
  const launcher = m ? join(m[1]!, ".bin", "ccusage") : null;
  return launcher && existsSync(launcher) ? launcher : null;
}

interface Call {
  ms: number;
  cpuMs: number;
  out: string;
  err: string;
}

// ---- the helpers this benchmark starts: found by their command line and their XDG_RUNTIME_DIR -------------------

/** Pids of `… statusline --serve …` processes whose XDG_RUNTIME_DIR is `runtime` (or, with prefix, under it). */
export function helperPids(runtime: string, prefix = false): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const i = argv.indexOf("statusline");
      if (i < 0 || argv[i + 1] !== "--serve") continue;
      const env = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      const dir = env.find((e) => e.startsWith("XDG_RUNTIME_DIR="))?.slice("XDG_RUNTIME_DIR=".length);
      if (dir !== undefined && (dir === runtime || (prefix && dir.startsWith(`${runtime}/`)))) out.push(Number(name));
    } catch {
      /* (gone, or not ours) */
    }
  }
  return out;
}

/** Stops the helpers of `runtime` (or under it, with prefix): SIGTERM, then waits (2 s at most) for them to go. */
export function stopHelpers(runtime: string, prefix = false): number {
  const pids = helperPids(runtime, prefix);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* (gone) */
    }
  }
  const until = performance.now() + 2_000;
  while (pids.some((p) => existsSync(`/proc/${p}`) && !zombie(p)) && performance.now() < until) Bun.sleepSync(10);
  return pids.length;
}

function zombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\)/, ""));
  } catch {
    return true;
  }
}

const CLK_TCK = (() => {
  const p = Bun.spawnSync(["getconf", "CLK_TCK"], { stdout: "pipe", stderr: "ignore" });
  return Number(p.stdout.toString().trim()) || 100;
})();

/** A process's CPU time so far (user + system), ms. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** VmRSS and VmHWM (MB) of a process. */
function memOf(pid: number): { rssMb: number; hwmMb: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

/** Waits until a helper's socket in `runtime`/claude-dash answers a ping; its pid. */
async function helperUp(runtime: string, timeoutMs = 10_000): Promise<number> {
  const dir = join(runtime, "claude-dash");
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const socks = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sock")) : [];
    for (const s of socks) {
      if ((await askLocalServer(join(dir, s), `${JSON.stringify({ ping: true })}\n`, 500)) === "pong") {
        const pids = helperPids(runtime);
        if (pids.length === 1) return pids[0]!;
        throw new Error(`${pids.length} helpers answer in ${runtime}`);
      }
    }
    await Bun.sleep(5);
  }
  throw new Error(`no helper answered in ${dir} within ${timeoutMs} ms (its socket path too long? it then goes in the data dir)`);
}

export async function runStatuslineBench(o: StatuslineBenchOptions): Promise<StatuslineBench> {
  try {
    return await measure(o);
  } finally {
    stopHelpers(o.scratch, true);
  }
}

async function measure(o: StatuslineBenchOptions): Promise<StatuslineBench> {
  const log = o.log ?? console.log;
  const runs = Math.max(1, o.runs ?? 200);
  const payload = Buffer.from(payloadFor(o.corpus));
  const now = new Date(o.corpus.end).toISOString();
  const noConfig = join(o.scratch, "statusline-config"); // (no config file: the default format)
  mkdirSync(noConfig, { recursive: true });
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      v === undefined ||
      k.startsWith("CLAUDE_DASH_") ||
      ["CLAUDE_CONFIG_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR", "NO_COLOR", "COLUMNS"].includes(k)
    )
      continue;
    base[k] = v;
  }
  /** A runtime dir of its own for a series (its own helper); short, as a socket path has at most ~100 bytes. */
  const runtimeFor = (name: string) => {
    const dir = join(o.scratch, `rt-${name}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };
  const envFor = (data: string, runtime: string, extra: Record<string, string> = {}) => ({
    ...base,
    CLAUDE_CONFIG_DIR: o.corpus.root,
    XDG_DATA_HOME: data,
    XDG_CONFIG_HOME: noConfig,
    XDG_RUNTIME_DIR: runtime,
    ...extra,
  });
  const NO_SERVER = { CLAUDE_DASH_NO_SERVER: "1" };

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
  function series(
    cmd: string[],
    env: Record<string, string>,
    reference: string | null,
    n = runs,
    helper?: number,
  ): Series & { first: string; helperCpuMs: number } {
    const first = call(cmd, env).out;
    for (let i = 1; i < WARMUPS; i++) call(cmd, env);
    const ms: number[] = [];
    const cpu: number[] = [];
    let differing = 0;
    let differed: string | undefined;
    const ref = reference ?? first;
    const helperCpu0 = helper ? cpuOf(helper) : 0;
    for (let i = 0; i < n; i++) {
      const c = call(cmd, env);
      ms.push(c.ms);
      cpu.push(c.cpuMs);
      if (c.out !== ref) {
        differing++;
        differed ??= c.out.trim();
      }
    }
    const helperCpuMs = helper ? (cpuOf(helper) - helperCpu0) / n : 0;
    const rss = Array.from({ length: GNU_TIME ? 5 : 0 }, () => measured(cmd, env).rssMb ?? 0);
    const s = [...ms].sort((a, b) => a - b);
    return {
      n,
      p50: pct(s, 0.5),
      p90: pct(s, 0.9),
      p99: pct(s, 0.99),
      max: s.at(-1)!,
      min: s[0]!,
      cpuMs: median(cpu),
      rssMb: rss.length ? Math.max(...rss) : null,
      differing,
      ...(differed === undefined ? {} : { differed }),
      first,
      helperCpuMs,
    };
  }
  /** Starts the helper of `runtime` as a user's first call does (answered in process, the helper started in the
   *  background) and waits for its socket to answer. */
  async function startHelper(
    cmd: string[],
    env: Record<string, string>,
    runtime: string,
  ): Promise<{ pid: number; firstMs: number; upMs: number; first: Call }> {
    if (helperPids(runtime).length) throw new Error(`a helper already runs in ${runtime}`);
    const t0 = performance.now();
    const first = call(cmd, env);
    const pid = await helperUp(runtime);
    return { pid, firstMs: first.ms, upMs: performance.now() - t0, first };
  }
  /** A series through the resident helper, as users run it: the helper started and answering before any timing. */
  async function served(
    cmd: string[],
    env: Record<string, string>,
    reference: string | null,
    n = runs,
    between?: () => void,
  ): Promise<HelperSeries & { first: string }> {
    const runtime = env.XDG_RUNTIME_DIR!;
    const h = await startHelper(cmd, env, runtime);
    between?.();
    const s = series(cmd, env, reference, n, h.pid);
    const pids = helperPids(runtime);
    const mem = existsSync(`/proc/${h.pid}`) ? memOf(h.pid) : { rssMb: NaN, hwmMb: NaN };
    const { helperCpuMs, ...rest } = s;
    return { ...rest, helper: { pid: h.pid, firstMs: h.firstMs, upMs: h.upMs, ...mem, cpuMs: helperCpuMs, restarted: pids.length !== 1 || pids[0] !== h.pid } };
  }
  /** Ten calls started at once, 10 rounds after a warm-up round: from the first spawn until the last exits. */
  async function burst(cmd: string[], env: Record<string, string>, reference: string): Promise<Burst> {
    const b: Burst = { rounds: [], differing: 0 };
    for (let round = -1; round < 10; round++) {
      const t0 = performance.now();
      const procs = Array.from({ length: 10 }, () => Bun.spawn(cmd, { cwd: o.repo, env, stdin: payload, stdout: "pipe", stderr: "pipe" }));
      const ends = await Promise.all(procs.map((p) => p.exited.then((code) => ({ code, t: performance.now() }))));
      const wall = Math.max(...ends.map((e) => e.t)) - t0;
      const outs = await Promise.all(procs.map((p) => new Response(p.stdout).text()));
      if (ends.some((e) => e.code !== 0)) throw new Error("a status line started with nine others failed");
      if (round < 0) continue; // (a warm-up round)
      b.rounds.push(wall);
      b.differing += outs.filter((x) => x !== reference).length;
    }
    return b;
  }

  // Builds first (CPU-heavy: before the machine is let settle).
  log("  building the status line bundle and the compiled binary…");
  const b = Bun.spawnSync([o.bun, join(o.repo, "scripts", "build-bundles.ts")], { cwd: o.repo, stdout: "pipe", stderr: "pipe" });
  if (b.exitCode !== 0 || !bundleFresh(o.repo))
    log(`  (the bundle was not built: ${b.stderr.toString().trim().slice(0, 200)}; "bundle" below runs the sources)`);
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
  const runtime = series([o.bun, "-e", "0"], envFor(o.data, runtimeFor("bun")), "", 50);

  // In its own process (no helper), with the bundle: the reference line.
  const inProcessEnv = envFor(o.data, runtimeFor("inproc"), NO_SERVER);
  const freshBefore = bundleFresh(o.repo);
  const bundle = series(cli, inProcessEnv, null);
  const freshAfter = bundleFresh(o.repo);
  const line = bundle.first;

  // As users run it: the resident helper answers.
  const servedSeries = await served(cli, envFor(o.data, runtimeFor("served")), line);

  // npm's `claude-dash` command: Node runs bin/claude-dash.js, which runs Bun on src/cli.ts.
  const npm = NODE ? await served([NODE, "bin/claude-dash.js", "statusline", "--now", now], envFor(o.data, runtimeFor("npm")), line) : null;

  // Traced: in process (the steps before the module ran included), and served by a helper (its own: the key has TRACE).
  const traced = Array.from({ length: 20 }, () => call(cli, { ...inProcessEnv, CLAUDE_DASH_TRACE: "1" }).err.trim());
  const traceEnv = envFor(o.data, runtimeFor("trace"), { CLAUDE_DASH_TRACE: "1" });
  await startHelper(cli, traceEnv, traceEnv.XDG_RUNTIME_DIR!);
  for (let i = 0; i < WARMUPS; i++) call(cli, traceEnv);
  const helperCalls = Array.from({ length: 20 }, () => call(cli, traceEnv));
  stopHelpers(traceEnv.XDG_RUNTIME_DIR!);

  const sources = series(cli, envFor(o.data, runtimeFor("sources"), { ...NO_SERVER, CLAUDE_DASH_NO_BUNDLE: "1" }), line);
  let binary: StatuslineBench["binary"] = null;
  if (binaryBuild) {
    const bin = [exe, "statusline", "--now", now];
    const binServed = await served(bin, envFor(o.data, runtimeFor("bin")), line);
    const binInProcess = series(bin, envFor(o.data, runtimeFor("bin-inproc"), NO_SERVER), line);
    binary = { ...binaryBuild, served: binServed, inProcess: binInProcess };
  }

  // ccusage 20: its cache is <tmpdir>/ccusage-semaphore/<session>.lock (it honours TMPDIR: one of its own here).
  let peer: StatuslineBench["ccusage"] = null;
  if (o.ccusage) {
    const launcher = o.ccusageLauncher === undefined ? ccusageLauncherFor(o.ccusage) : o.ccusageLauncher;
    const ccTmp = join(o.scratch, "ccusage-tmp");
    const clear = () => {
      rmSync(ccTmp, { recursive: true, force: true });
      mkdirSync(ccTmp, { recursive: true });
    };
    const ccEnv = { ...base, CLAUDE_CONFIG_DIR: o.corpus.root, TMPDIR: ccTmp };
    const flags = "--refresh-interval 86400";
    clear();
    const nativeFirst = measured([o.ccusage, "statusline"], ccEnv);
    let launcherFirst: (Call & { rssMb: number | null }) | null = null;
    if (launcher) {
      clear();
      launcherFirst = measured([launcher, "statusline"], ccEnv);
    }
    await Bun.sleep(1_100); // (past its default --refresh-interval of 1 s: computed again)
    const nativeExpired = call([o.ccusage, "statusline"], ccEnv);
    let launcherExpired: Call | null = null;
    if (launcher) {
      await Bun.sleep(1_100);
      launcherExpired = call([launcher, "statusline"], ccEnv);
    }
    const reference = nativeFirst.out;
    const nativeCached = series([o.ccusage, "statusline", ...flags.split(" ")], ccEnv, reference);
    const launcherCached = launcher ? series([launcher, "statusline", ...flags.split(" ")], ccEnv, reference) : null;
    peer = {
      native: { path: o.ccusage, cached: nativeCached, first: { ms: nativeFirst.ms, rssMb: nativeFirst.rssMb }, expired: { ms: nativeExpired.ms } },
      launcher:
        launcher && launcherCached && launcherFirst && launcherExpired
          ? { path: launcher, cached: launcherCached, first: { ms: launcherFirst.ms, rssMb: launcherFirst.rssMb }, expired: { ms: launcherExpired.ms } }
          : null,
      line: reference.trim(),
      flags,
    };
  }

  // The first call on an empty store (a fresh XDG_DATA_HOME and XDG_RUNTIME_DIR each time: no helper; the one it
  // starts is stopped before the next).
  const empty = { ms: [] as number[], rssMb: [] as (number | null)[] };
  for (let i = 0; i < 3; i++) {
    const data = join(o.scratch, `statusline-empty-${i}`);
    rmSync(data, { recursive: true, force: true });
    const rt = runtimeFor(`empty-${i}`);
    const c = measured(cli, envFor(data, rt));
    empty.ms.push(c.ms);
    empty.rssMb.push(c.rssMb);
    await helperUp(rt).catch(() => 0);
    stopHelpers(rt);
    rmSync(data, { recursive: true, force: true });
  }

  // Ten at once, on the warm store: with the helper up (the default), and each in its own process.
  const burstEnv = envFor(o.data, runtimeFor("burst"));
  await startHelper(cli, burstEnv, burstEnv.XDG_RUNTIME_DIR!);
  const burstServed = await burst(cli, burstEnv, line);
  stopHelpers(burstEnv.XDG_RUNTIME_DIR!);
  const burstInProcess = await burst(cli, envFor(o.data, runtimeFor("burst-inproc"), NO_SERVER), line);

  // A store busy with another process's fill: its write lock held here while the calls run (the helper started, as a
  // user's would be, before the lock is taken).
  const db = new Database(storePathFor(o.data, [o.corpus.root], process.env.HOME ?? "/"));
  let busy: StatuslineBench["busy"];
  let locked = false;
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const busyServed = await served(cli, envFor(o.data, runtimeFor("busy")), line, 50, () => {
      db.exec("BEGIN IMMEDIATE");
      locked = true;
      db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('bench-held', 'yes')");
    });
    const busyInProcess = series(cli, envFor(o.data, runtimeFor("busy-inproc"), NO_SERVER), line, 50);
    busy = { served: busyServed, inProcess: busyInProcess };
  } finally {
    if (locked) db.exec("ROLLBACK");
    db.close();
  }

  const after = loadavg()[0]!;
  const strip = <T extends { first?: string }>(s: T): Omit<T, "first"> => {
    const { first: _, ...rest } = s;
    return rest;
  };
  return {
    load: { ...load, after },
    line: line.trim(),
    trace: traced[0]!,
    steps: traceSteps(traced, true),
    helperTrace: helperCalls[0]!.err.trim(),
    helperSteps: traceSteps(
      helperCalls.map((c) => c.err.trim()),
      false,
    ),
    helperTracedMs: median(helperCalls.map((c) => c.ms)),
    runtime: strip(runtime),
    served: strip(servedSeries),
    npm: npm ? strip(npm) : null,
    bundle: { ...strip(bundle), fresh: freshBefore && freshAfter },
    sources: strip(sources),
    binary,
    ccusage: peer,
    empty,
    burst: { served: burstServed, inProcess: burstInProcess },
    busy,
  };
}

/** "statusline (ms): start 0.2 · stdin 0.3 · … · since the process began 42.2" lines: each step's median; with
 *  `before`, the time before the module ran (the process's age less the steps: not for a helper, which is older). */
function traceSteps(traces: string[], before: boolean): [string, number][] {
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
    if (before) by.set("before", [...(by.get("before") ?? []), total - sum]);
  }
  const order = [...(before ? ["before"] : []), ...[...by.keys()].filter((k) => k !== "before")];
  return order.map((k) => [k, median(by.get(k)!)]);
}

/** dist/statusline was built from the sources as they are now (src/cli.ts's own check): else the sources run. */
export function bundleFresh(repo: string): boolean {
  try {
    const built = JSON.parse(readFileSync(join(repo, "dist", "statusline", "inputs.json"), "utf8")) as {
      bun: string;
      inputs: { path: string; size: number; hash: string }[];
    };
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
const rss = (x: number | null) => (x === null || Number.isNaN(x) ? "? MB" : `${x.toFixed(0)} MB`);
const differed = (s: Series) =>
  s.differing ? `   (${s.differing} of ${s.n} lines differed, e.g. ${JSON.stringify(s.differed?.replace(/\x1b\[[0-9;]*m/g, ""))})` : "";
const row = (s: Series) =>
  `p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}   CPU ${ms(s.cpuMs)}   peak RSS ${rss(s.rssMb)}${differed(s)}`;
const servedRow = (s: HelperSeries) =>
  `p50 ${ms(s.p50)}  p90 ${ms(s.p90)}  p99 ${ms(s.p99)}  max ${ms(s.max)}   CPU ${ms(s.cpuMs)} + the helper's ${ms(s.helper.cpuMs)}   peak RSS ${rss(s.rssMb)} + the helper's ${rss(s.helper.rssMb)}${differed(s)}${s.helper.restarted ? "   (THE HELPER WAS REPLACED during the series: the code changed on disk?)" : ""}`;
const times = (x: number) => (x >= 1 ? `${x.toFixed(1)}× faster` : `${(1 / x).toFixed(1)}× slower`);

/** How many times faster ours (the default: the helper answers) is than the `ccusage` command npm installs, served
 *  from its cache (p50 over p50; below 1: slower); the bare native binary when the launcher was not measured. */
export const ratio = (r: StatuslineBench) => (r.ccusage ? (r.ccusage.launcher ?? r.ccusage.native).cached.p50 / r.served.p50 : null);
/** The same against the bare native binary. */
export const ratioNative = (r: StatuslineBench) => (r.ccusage ? r.ccusage.native.cached.p50 / r.served.p50 : null);

export function formatStatuslineBench(r: StatuslineBench): string {
  const w = 44;
  const h = r.served.helper;
  const lines = [
    `  load average ${r.load.before.toFixed(2)} before (waited ${r.load.waitedSeconds.toFixed(0)} s), ${r.load.after.toFixed(2)} after`,
    `  the line: ${r.line.replace(/\x1b\[[0-9;]*m/g, "")}`,
    `  ${"Bun alone (bun -e 0)".padEnd(w)} ${row(r.runtime)}`,
    `  ${"the default: the resident helper answers".padEnd(w)} ${servedRow(r.served)}   (targets p50 ≤ 30 ms, p99 ≤ 60 ms)`,
    `  ${"".padEnd(w)} (the call that started it: ${ms(h.firstMs)}; its socket answered ${ms(h.upMs)} after that call began; the helper's RSS ${rss(h.rssMb)}, peak ${rss(h.hwmMb)})`,
  ];
  if (r.npm) lines.push(`  ${"npm's claude-dash (node → bun), helper".padEnd(w)} ${servedRow(r.npm)}`);
  lines.push(`  ${`in process, bundle (dist/statusline${r.bundle.fresh ? "" : ": STALE, the sources ran"})`.padEnd(w)} ${row(r.bundle)}`);
  lines.push(`  ${"in process, sources (…NO_BUNDLE=1)".padEnd(w)} ${row(r.sources)}`);
  if (r.binary) {
    lines.push(`  ${`compiled binary (${r.binary.sizeMb.toFixed(1)} MB), helper`.padEnd(w)} ${servedRow(r.binary.served)}`);
    lines.push(`  ${"compiled binary, in process".padEnd(w)} ${row(r.binary.inProcess)}`);
  }
  if (r.ccusage) {
    const c = r.ccusage;
    if (c.launcher)
      lines.push(
        `  ${"ccusage 20 as npm installs it, cached".padEnd(w)} ${row(c.launcher.cached)}   (${c.flags}; ${c.launcher.path}: Node, which runs the native binary)`,
      );
    lines.push(`  ${"ccusage 20's native binary, cached".padEnd(w)} ${row(c.native.cached)}   (${c.flags})`);
    for (const [label, x] of [
      ["npm's command", c.launcher],
      ["native binary", c.native],
    ] as const)
      if (x)
        lines.push(
          `  ${`ccusage 20 (${label}), computed`.padEnd(w)} its first call ${ms(x.first.ms)}, ${rss(x.first.rssMb)} (cache cleared); ${ms(x.expired.ms)} with its cache expired (defaults: a call 1 s after the last computed one)`,
        );
    lines.push(`  ccusage's line: ${c.line}`);
    const x = ratio(r)!;
    const xn = ratioNative(r)!;
    lines.push(
      `  ours (the default, with the helper) against ccusage's cached calls, p50: ${times(x)} than ${c.launcher ? "the `ccusage` command (npm)" : "its native binary"} (target ≥ 3× faster)${c.launcher ? `; ${times(xn)} than its bare native binary` : ""}; against its first call ${((c.launcher ?? c.native).first.ms / r.served.p50).toFixed(0)}×`,
    );
  }
  lines.push(
    `  ${"first call on an empty store".padEnd(w)} median ${ms(median(r.empty.ms))} (${r.empty.ms.map(ms).join(", ")}), peak RSS ${r.empty.rssMb.map(rss).join(", ")}   (target ≤ 1 s)`,
  );
  for (const [label, b] of [
    ["ten at once, helper up", r.burst.served],
    ["ten at once, in process", r.burst.inProcess],
  ] as const)
    lines.push(
      `  ${label.padEnd(w)} median ${ms(median(b.rounds))} from the first spawn to the last exit, slowest round ${ms(Math.max(...b.rounds))} (10 rounds; target 150 ms)${b.differing ? `; ${b.differing} lines differed` : ""}`,
    );
  lines.push(
    `  ${"write lock held elsewhere, helper".padEnd(w)} ${servedRow(r.busy.served)}${r.busy.served.differing ? "" : `   (all ${r.busy.served.n} lines the reference line)`}`,
  );
  lines.push(
    `  ${"write lock held elsewhere, in process".padEnd(w)} ${row(r.busy.inProcess)}${r.busy.inProcess.differing ? "" : `   (all ${r.busy.inProcess.n} lines the reference line)`}`,
  );
  lines.push(`  one in-process call traced (CLAUDE_DASH_TRACE=1): ${r.trace}`);
  lines.push(
    `  its steps, median of 20 traced calls (ms): ${r.steps.map(([k, v]) => `${k === "before" ? "before the module ran" : k} ${v.toFixed(1)}`).join(" · ")}`,
  );
  lines.push(`  one helper-served call traced (the helper's steps; "since the process began" is the helper's age): ${r.helperTrace}`);
  lines.push(
    `  the helper's steps, median of 20 traced calls (ms): ${r.helperSteps.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(" · ")}; those calls took ${ms(r.helperTracedMs)} (median, the client's whole process)`,
  );
  return lines.join("\n");
}

/** The README's row: one summary line. */
export function statuslineReadmeRow(r: StatuslineBench): string {
  const x = ratio(r);
  const binary = r.binary
    ? `; the compiled binary (${r.binary.sizeMb.toFixed(0)} MB) ${r.binary.served.p50.toFixed(0)} / ${r.binary.served.p99.toFixed(0)} ms with its helper, ${r.binary.inProcess.p50.toFixed(0)} / ${r.binary.inProcess.p99.toFixed(0)} ms without`
    : "";
  const c = r.ccusage;
  const peer = c
    ? ` | ccusage 20 cached: ${c.launcher ? `\`ccusage\` (npm) ${c.launcher.cached.p50.toFixed(0)} / ${c.launcher.cached.p99.toFixed(0)} ms (ours ${times(x!)}), ` : ""}native binary ${c.native.cached.p50.toFixed(1)} / ${c.native.cached.p99.toFixed(1)} ms (ours ${times(ratioNative(r)!)}); its first call ${ms((c.launcher ?? c.native).first.ms)}, ${rss((c.launcher ?? c.native).first.rssMb)}`
    : "";
  return `| status line, p50 / p99 (with its helper) | ${r.served.p50.toFixed(0)} / ${r.served.p99.toFixed(0)} ms, ${rss(r.served.rssMb)} + helper ${rss(r.served.helper.rssMb)}; in process ${r.bundle.p50.toFixed(0)} / ${r.bundle.p99.toFixed(0)} ms (bundle), ${r.sources.p50.toFixed(0)} / ${r.sources.p99.toFixed(0)} ms (sources)${binary}${peer} | empty store ${ms(median(r.empty.ms))} | ten at once ${ms(median(r.burst.served.rounds))} (slowest ${ms(Math.max(...r.burst.served.rounds))}; in process ${ms(median(r.burst.inProcess.rounds))}) | write lock held ${r.busy.served.p50.toFixed(0)} / ${r.busy.served.p99.toFixed(0)} ms |`;
}

/** Rows for a README table of its own (| what | figure |). */
export function statuslineReadmeTable(r: StatuslineBench): string[] {
  const s = (x: Series) =>
    `p50 ${x.p50.toFixed(1)} ms, p90 ${x.p90.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms (max ${x.max.toFixed(0)} ms), ${x.cpuMs.toFixed(1)} ms of CPU, peak RSS ${rss(x.rssMb)}`;
  const sh = (x: HelperSeries) =>
    `p50 ${x.p50.toFixed(1)} ms, p90 ${x.p90.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms (max ${x.max.toFixed(0)} ms), ${x.cpuMs.toFixed(1)} ms of CPU + ${x.helper.cpuMs.toFixed(1)} ms in the helper, peak RSS ${rss(x.rssMb)} (the helper ${rss(x.helper.rssMb)})`;
  const rows = [
    `| the status line (\`claude-dash statusline\`, the whole process, payload on stdin; the 1 GB corpus's warm store; ${r.served.n} calls after ${WARMUPS} warm-ups) | figure |`,
    "|---|---|",
    `| as users run it: the resident helper answers (its first call ${ms(r.served.helper.firstMs)}, in its own process) | ${sh(r.served)} (targets: p50 ≤ 30 ms, p99 ≤ 60 ms) |`,
  ];
  if (r.npm) rows.push(`| … through npm's \`claude-dash\` command (Node runs bin/claude-dash.js, which runs Bun) | ${sh(r.npm)} |`);
  rows.push(`| in its own process (\`CLAUDE_DASH_NO_SERVER=1\`), the prebuilt bundle (dist/statusline) | ${s(r.bundle)} |`);
  rows.push(`| in its own process, from the sources (also \`CLAUDE_DASH_NO_BUNDLE=1\`) | ${s(r.sources)} |`);
  if (r.binary) {
    rows.push(`| the compiled binary (\`bun run build:bin\`, ${r.binary.sizeMb.toFixed(0)} MB), its helper answering | ${sh(r.binary.served)} |`);
    rows.push(`| the compiled binary, in its own process | ${s(r.binary.inProcess)} |`);
  }
  if (r.ccusage) {
    const c = r.ccusage;
    if (c.launcher)
      rows.push(
        `| ccusage 20 \`statusline\` as npm installs it (\`ccusage\`: Node, which runs its native binary), served from its cache (\`${c.flags}\`) | ${s(c.launcher.cached)}; ours ${times(ratio(r)!)} (target ≥ 3× faster) |`,
      );
    rows.push(`| ccusage 20's bare native binary, served from its cache | ${s(c.native.cached)}; ours ${times(ratioNative(r)!)} |`);
    const f = (x: CcusageRun) => `${ms(x.first.ms)}, ${rss(x.first.rssMb)} / ${ms(x.expired.ms)}`;
    rows.push(
      `| ccusage 20: its first call (cache cleared) / a call after its 1 s cache expired | ${c.launcher ? `\`ccusage\` ${f(c.launcher)}; ` : ""}native binary ${f(c.native)}; ours ${((c.launcher ?? c.native).first.ms / r.served.p50).toFixed(0)}× faster than its computed calls |`,
    );
  }
  rows.push(
    `| the first call on an empty store (no helper yet; reads today's files and the session's) | median ${ms(median(r.empty.ms))} (${r.empty.ms.map(ms).join(", ")}), ${r.empty.rssMb.map(rss).join(", ")} (target ≤ 1 s) |`,
  );
  rows.push(
    `| ten calls at once, from the first spawn to the last exit (10 rounds) | the helper up: median ${ms(median(r.burst.served.rounds))}, slowest ${ms(Math.max(...r.burst.served.rounds))}; in their own processes: median ${ms(median(r.burst.inProcess.rounds))}, slowest ${ms(Math.max(...r.burst.inProcess.rounds))} (target 150 ms) |`,
  );
  const ok = (x: Series) => (x.differing ? `${x.differing} lines differed` : "every line the reference line");
  rows.push(
    `| with another process holding the store's write lock (${r.busy.served.n} calls) | through the helper p50 ${r.busy.served.p50.toFixed(1)} ms, p99 ${r.busy.served.p99.toFixed(1)} ms (${ok(r.busy.served)}); in process p50 ${r.busy.inProcess.p50.toFixed(1)} ms, p99 ${r.busy.inProcess.p99.toFixed(1)} ms (${ok(r.busy.inProcess)}) |`,
  );
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      corpus: { type: "string", default: join(tmpdir(), "claude-dash-bench-small-1024mb") },
      runs: { type: "string", default: "200" },
      ccusage: { type: "string", default: "/tmp/ccusage/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage" },
      "ccusage-launcher": { type: "string" },
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
  process.on("exit", () => {
    stopHelpers(scratch, true);
    rmSync(scratch, { recursive: true, force: true });
  });
  for (const s of ["SIGINT", "SIGTERM"] as const) process.on(s, () => process.exit(130));
  let data = values.data;
  if (!data) {
    // The warm store `bun run bench`'s first run leaves: all time, the whole corpus.
    data = join(scratch, "warm");
    const p = Bun.spawnSync(
      [bun, "src/cli.ts", "--root", corpus.root, "--now", new Date(corpus.end).toISOString(), "--no-allowance", "--json", "--since", "2000-01-01"],
      {
        cwd: repo,
        env: { ...process.env, XDG_DATA_HOME: data },
        stdout: "ignore",
        stderr: "inherit",
      },
    );
    if (p.exitCode !== 0) throw new Error("the first run (the warm store) failed");
  }
  const ccusage = existsSync(values.ccusage!) ? values.ccusage! : null;
  const launcher = values["ccusage-launcher"] ? (existsSync(values["ccusage-launcher"]) ? values["ccusage-launcher"] : null) : ccusageLauncherFor(ccusage);
  console.log(
    `claude-dash statusline benchmark — ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}${NODE ? `, Node ${Bun.spawnSync([NODE, "--version"]).stdout.toString().trim()}` : ""}`,
  );
  console.log(
    `corpus ${corpus.root} (${(corpus.bytes / 1e6).toFixed(0)} MB, ${corpus.files} files); ${ccusage ? `peer: ccusage 20 (${ccusage}${launcher ? `; npm's command ${launcher}` : ""})` : "ccusage 20 not found (--ccusage PATH): no comparison"}`,
  );
  console.log(`\nthe status line, whole processes, warm page cache:`);
  const r = await runStatuslineBench({
    repo,
    bun,
    corpus,
    data,
    ccusage,
    ccusageLauncher: launcher,
    scratch,
    runs: Number(values.runs),
    binary: !values["skip-binary"],
    waitSeconds: Number(values.wait),
  });
  console.log(formatStatuslineBench(r));
  console.log("\nREADME rows:");
  console.log(statuslineReadmeRow(r));
  console.log("");
  for (const l of statuslineReadmeTable(r)) console.log(l);
}
