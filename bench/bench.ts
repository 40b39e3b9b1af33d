// `bun run bench`: what a user feels, on a generated corpus shaped like a heavy user's disk (default 1 GB of many
// small session and subagent files; `--shape big` for fewer, longer sessions), cached under $TMPDIR:
// - the first run (empty usage store) over all of it, against ccusage 20 in the same run when it is installed, and
//   every cold entrance (--json at its default window, --once, all time, --report daily) paired with ccusage 20
//   (`--ccusage PATH`, default: the native binary of `npm install ccusage@20.0.24 @ccusage/ccusage-linux-x64@20.0.24`
//   in /tmp/ccusage), with the page cache warm for both;
// - a warm start (after that run) at any window, all-time included, and the first frame of the dashboard;
// - the status line (`claude-dash statusline`) on that warm store: with its resident helper (the default), in process
//   (bundle, sources) and the binary, against ccusage 20's (npm's `ccusage` command and its native binary)
//   (bench/statusline.ts; `bun bench/statusline.ts` runs it alone);
// - the store's size, and a 10 KB append into the store and the model;
// - a year of heavy use (a store of 1.5 M responses): a warm start and the live dashboard's memory;
// - drawing, the live dashboard's CPU, and the OTLP receiver.
// - a soak: the live dashboard for half an hour (--soak-minutes) at 16 appended lines a second with an all-time window,
//   its CPU and RSS at the start and at the end (bench/soak.ts; `bun bench/soak.ts` runs it alone).
// Prints a table for the README. Options: --size-mb N, --runs N, --shape small|big, --dir PATH, --ccusage PATH,
// --skip-year, --skip-team, --skip-prometheus, --soak-minutes N (30), --skip-soak, --skip-statusline.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openUsageStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { idFrom, responseLines, rng, toolResultLine, uuidFrom } from "../src/synth/lines.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { layout } from "../src/ui/layout.ts";
import { AnsiScreen } from "../src/ui/ansi-live.ts";
import { generateCorpus } from "./generate.ts";
import { formatOtlpBench, runOtlpBench } from "./otlp-bench.ts";
import { formatPrometheusBench, runPrometheusBench, type PrometheusBench } from "./prometheus-bench.ts";
import { formatSoak, runSoak, type SoakResult } from "./soak.ts";
import { formatStatuslineBench, runStatuslineBench, statuslineReadmeRow, statuslineReadmeTable, type StatuslineBench } from "./statusline.ts";
import { storePathFor, yearStore } from "./year.ts";
import { hasTmux, startPane } from "./tmux.ts";

const { values } = parseArgs({
  options: {
    "size-mb": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
    shape: { type: "string", default: "small" },
    dir: { type: "string" },
    ccusage: { type: "string", default: "/tmp/ccusage/node_modules/@ccusage/ccusage-linux-x64/bin/ccusage" },
    "skip-year": { type: "boolean", default: false },
    "skip-team": { type: "boolean", default: false },
    "skip-prometheus": { type: "boolean", default: false },
    "soak-minutes": { type: "string", default: "30" },
    "skip-soak": { type: "boolean", default: false },
    "skip-statusline": { type: "boolean", default: false },
  },
});
const sizeMb = Number(values["size-mb"]);
const runs = Math.max(1, Number(values.runs));
const shape = values.shape === "big" ? "big" : "small";
const dir = values.dir ?? join(tmpdir(), shape === "big" ? `claude-dash-bench-${sizeMb}mb` : `claude-dash-bench-${shape}-${sizeMb}mb`);
const repo = join(import.meta.dir, "..");
const bun = process.execPath;
const ccusage = existsSync(values.ccusage!) ? values.ccusage! : null;
const home = process.env.HOME ?? "/";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], digits = 2) => `${(Math.min(...xs) / 1000).toFixed(digits)}–${(Math.max(...xs) / 1000).toFixed(digits)} s`;
const mb = (b: number) => b / 1e6;

const machine = `${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}`;
console.log(`claude-dash benchmark — ${machine}`);
const g0 = performance.now();
// Generated in a child process: a parent grown by the generation would inflate the peak RSS of every run below.
const gen = Bun.spawnSync([bun, join(import.meta.dir, "generate.ts"), dir, String(sizeMb * 1024 * 1024), shape], { stdout: "inherit", stderr: "inherit" });
if (gen.exitCode !== 0) throw new Error("generating the corpus failed");
const corpus = generateCorpus(dir, sizeMb * 1024 * 1024, 1, shape);
console.log(
  `corpus (${shape}): ${mb(corpus.bytes).toFixed(0)} MB, ${corpus.files} files, ${corpus.sessions} sessions, ${corpus.lines} lines, 30 days — ${((performance.now() - g0) / 1000).toFixed(1)} s to prepare`,
);
console.log(ccusage ? `peer: ccusage 20 (${ccusage})\n` : "peer: ccusage 20 not found (--ccusage PATH): no comparison\n");
const now = new Date(corpus.end).toISOString();
const files = (function walk(d: string, out: string[] = []): string[] {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith(".jsonl")) out.push(p);
  }
  return out;
})(join(corpus.root, "projects"));

/** Reads every transcript once, so that each measured run starts with them in the page cache (as on a used disk). */
function warmCache(): void {
  for (const f of files) readFileSync(f);
}

interface Timed {
  ms: number;
  rssMb: number;
  out: string;
}

function timed(cmd: string[], env: Record<string, string>): Timed {
  const t0 = performance.now();
  const p = Bun.spawnSync(cmd, { cwd: repo, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t0;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${p.stderr.toString().slice(0, 500)}`);
  return { ms, rssMb: (p.resourceUsage?.maxRSS ?? 0) / 2 ** 20, out: p.stdout.toString() };
}

const dash = (args: string[], data: string) =>
  timed([bun, "src/cli.ts", "--root", corpus.root, "--now", now, "--no-allowance", ...args], { XDG_DATA_HOME: data });
const peer = () => timed([ccusage!, "claude", "daily", "--json", "--offline"], { CLAUDE_CONFIG_DIR: corpus.root });
const ALL_TIME = ["--json", "--since", "2000-01-01"];
const scratch = mkdtempSync(join(tmpdir(), "claude-dash-bench-data-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

// 1. The first run: an empty store, every file read (all time), and ccusage on the same files in the same run.
console.log(`first run, empty store, all-time --json over all ${mb(corpus.bytes).toFixed(0)} MB (${runs} runs, page cache warm):`);
const first: Timed[] = [];
const peers: Timed[] = [];
let warmData = "";
for (let i = 0; i < runs; i++) {
  warmData = join(scratch, `first-${i}`);
  warmCache();
  first.push(dash(ALL_TIME, warmData));
  if (ccusage) {
    warmCache();
    peers.push(peer());
  }
}
const responses = JSON.parse(first[0]!.out).totals.responses as number;
console.log(
  `  claude-dash   median ${(median(first.map((r) => r.ms)) / 1000).toFixed(2)} s (${range(first.map((r) => r.ms))})   peak RSS ${Math.max(...first.map((r) => r.rssMb)).toFixed(0)} MB   ${responses} responses`,
);
if (ccusage)
  console.log(
    `  ccusage 20    median ${(median(peers.map((r) => r.ms)) / 1000).toFixed(2)} s (${range(peers.map((r) => r.ms))})   peak RSS ${Math.max(...peers.map((r) => r.rssMb)).toFixed(0)} MB`,
  );

// 1b. Every cold entrance (an empty store each time), each paired with ccusage 20 in turn: the default window (which
// reads only the files that can hold it, the rest left for later), the first frame, all time and the daily report.
interface Entrance {
  label: string;
  args: string[];
  ms: number;
  rssMb: number;
  peerMs: number | null;
}
const entrances: Entrance[] = [];
console.log(`\nevery cold entrance, an empty store each run (${runs} runs, each followed by ccusage 20's, page cache warm):`);
for (const [label, args] of [
  ["--json (12 h window)", ["--json"]],
  ["--once (160×50)", ["--once", "--plain", "--width", "160", "--height", "50"]],
  ["--json --since 2020-01-01", ["--json", "--since", "2020-01-01"]],
  ["--report daily", ["--report", "daily"]],
] as [string, string[]][]) {
  const ours: Timed[] = [];
  const theirs: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    warmCache();
    ours.push(dash(args, join(scratch, `cold-${entrances.length}-${i}`)));
    if (ccusage) {
      warmCache();
      theirs.push(peer());
    }
  }
  const e: Entrance = {
    label,
    args,
    ms: median(ours.map((r) => r.ms)),
    rssMb: Math.max(...ours.map((r) => r.rssMb)),
    peerMs: ccusage ? median(theirs.map((r) => r.ms)) : null,
  };
  entrances.push(e);
  console.log(
    `  ${label.padEnd(28)} ${(e.ms / 1000).toFixed(2)} s (${range(ours.map((r) => r.ms))}), ${e.rssMb.toFixed(0)} MB${e.peerMs ? `   ccusage 20 ${(e.peerMs / 1000).toFixed(2)} s (${range(theirs.map((r) => r.ms))}): ${(e.peerMs / e.ms).toFixed(2)}×` : ""}`,
  );
}

// 2. Warm starts on the store that run left.
console.log(`\nwarm start, after that run (median of ${Math.max(5, runs)}):`);
const warm = (label: string, args: string[]) => {
  const rs = Array.from({ length: Math.max(5, runs) }, () => dash(args, warmData));
  const ms = median(rs.map((r) => r.ms));
  console.log(
    `  ${label.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms (${range(rs.map((r) => r.ms))})   peak RSS ${Math.max(...rs.map((r) => r.rssMb)).toFixed(0)} MB`,
  );
  return ms;
};
const allTimeMs = warm("--json, all time (--since 2000-01-01)", ALL_TIME);
const defaultMs = warm("--json (12 h window)", ["--json"]);
warm("--json --view history (7 days)", ["--json", "--view", "history"]);
warm("--report daily", ["--report", "daily"]);
const frameMs = warm("first frame of the dashboard (--once, 160×50)", ["--once", "--plain", "--width", "160", "--height", "50"]);
if (ccusage) console.log(`  all-time --json is ${(median(peers.map((r) => r.ms)) / allTimeMs).toFixed(1)}× faster than ccusage 20 in this run`);

// 2b. The status line, as Claude Code runs it after every response, on that warm store (and ccusage 20's).
let statusline: StatuslineBench | null = null;
if (!values["skip-statusline"]) {
  console.log("\nthe status line (claude-dash statusline), whole processes, on that warm store:");
  statusline = await runStatuslineBench({ repo, bun, corpus, data: warmData, ccusage, scratch });
  console.log(formatStatuslineBench(statusline));
}

// 3. The store's size.
const storePath = storePathFor(join(warmData), [corpus.root], home);
const storeBytes = statSync(storePath).size;
console.log(
  `\nstore: ${mb(storeBytes).toFixed(1)} MB for ${mb(corpus.bytes).toFixed(0)} MB of transcripts (${((100 * storeBytes) / corpus.bytes).toFixed(1)} %)`,
);

// 4. Claude Code appends 10 KB to a session: stored and in the model, in process, on a copy of the warm store; with
// LIVE's default 12-hour window, and with an all-time one (--since 2020-01-01: every response of the corpus in it).
const HOUR = 3_600_000;
const session = { sessionId: corpus.sampleSessionId, cwd: corpus.sampleCwd };
const original = readFileSync(corpus.sampleFile);
function appendRun(
  label: string,
  windowHours: (t: number) => number,
): { ingest: number[]; views: number[]; polls: number[]; appended: number; windowResponses: number; folded: number } {
  const copyPath = join(scratch, `append-${label}.sqlite`);
  copyFileSync(storePath, copyPath);
  const { store } = openUsageStore({ path: copyPath, roots: [corpus.root], now: Date.now() });
  const source = new TranscriptSource([corpus.root], store, { shared: true });
  source.refresh();
  const q = new StoreQueries(store);
  let t = corpus.end;
  const app = new DashboardApp(q, { windowHours: windowHours(t), bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true });
  const r = rng(99);
  function append10k(): number {
    let bytes = 0;
    const parts: string[] = [];
    while (bytes < 9_000) {
      t += 5000;
      const tool = idFrom(r, "toolu_01");
      const lines = [
        ...responseLines({
          session,
          time: t,
          model: "claude-opus-4-6",
          messageId: idFrom(r, "msg_01"),
          requestId: idFrom(r, "req_011C"),
          usage: { uncached: 3, cacheWrite5m: 0, cacheWrite1h: 1200, cacheRead: 60_000, output: 400 },
          blocks: [
            { type: "text", text: "Let me look at the failing test. ".repeat(12) },
            { type: "tool_use", id: tool, name: "Read", input: { file_path: "/home/dev/src/x.ts" } },
          ],
          uuids: [uuidFrom(r), uuidFrom(r)],
          parentUuid: null,
        }),
        toolResultLine(session, t + 800, tool, { uuid: uuidFrom(r), parentUuid: null, content: "export const x = 1;\n".repeat(60) }),
      ];
      for (const l of lines) bytes += Buffer.byteLength(l) + 1;
      parts.push(...lines);
    }
    appendFileSync(corpus.sampleFile, `${parts.join("\n")}\n`);
    return bytes;
  }
  const ingest: number[] = [];
  const views: number[] = [];
  const polls: number[] = [];
  let appended = 0;
  const lay = layout(160, 50);
  const windowResponses = app.view(t, lay).totals.responses;
  for (let i = 0; i < 20; i++) {
    appended = append10k();
    const a = performance.now();
    const events: ModelEvent[] = [];
    source.refreshFiles([corpus.sampleFile], events); // read, stored
    app.apply(events); // and in the model
    ingest.push(performance.now() - a);
    const v = performance.now();
    app.view(t, lay);
    views.push(performance.now() - v);
    append10k();
    const b = performance.now();
    source.poll(Date.now(), { push: () => {} });
    polls.push(performance.now() - b);
  }
  const folded = q.live?.stats.folded ?? 0;
  store.close();
  writeFileSync(corpus.sampleFile, original); // leave the corpus as generated
  return { ingest, views, polls, appended, windowResponses, folded };
}
console.log("\nClaude Code appends 10 KB to a session (in process, median of 20):");
const day = appendRun("12h", () => 12);
console.log(`  ${"read, stored and in the model (file watch)".padEnd(46)} ${median(day.ingest).toFixed(2).padStart(6)} ms   (${day.appended} bytes)`);
console.log(`  ${"LIVE view models after it (12 h window)".padEnd(46)} ${median(day.views).toFixed(2).padStart(6)} ms`);
console.log(`  ${"poll (active files every time, quiet ones 1 in 15)".padEnd(46)} ${median(day.polls).toFixed(2).padStart(6)} ms   (${corpus.files} files)`);
const allTime = appendRun("all", (t) => (t - Date.parse("2020-01-01T00:00:00Z")) / HOUR);
const allTimeAppend = allTime.ingest.map((x, i) => x + allTime.views[i]!);
console.log(
  `  ${`the same with all ${allTime.windowResponses} responses in the window`.padEnd(46)} ${median(allTimeAppend).toFixed(2).padStart(6)} ms   (target ≤ 5 ms: read and stored ${median(allTime.ingest).toFixed(2)} ms, LIVE view models ${median(allTime.views).toFixed(2)} ms; ${allTime.folded} of ${allTime.views.length + 1} answers folded)`,
);

// 5. A year of heavy use.
let year: { responses: number; mb: number; json: number; all: number; report: number; insights: number; liveRss: number | null } | null = null;
if (!values["skip-year"]) {
  const y0 = performance.now();
  const gy = Bun.spawnSync([bun, join(import.meta.dir, "year.ts"), join(tmpdir(), "claude-dash-bench-year")], { stdout: "pipe", stderr: "inherit" });
  if (gy.exitCode !== 0) throw new Error("making the year store failed");
  const y = JSON.parse(gy.stdout.toString()) as ReturnType<typeof yearStore>;
  console.log(
    `\na year of heavy use: a store of ${y.responses} responses from ${y.files} transcripts (${mb(y.bytes).toFixed(0)} MB; ${((performance.now() - y0) / 1000).toFixed(1)} s to prepare), warm start (median of 5):`,
  );
  const yearRun = (label: string, args: string[]) => {
    const rs = Array.from({ length: 5 }, () =>
      timed([bun, "src/cli.ts", "--root", y.root, "--now", new Date(y.end).toISOString(), "--no-allowance", ...args], { XDG_DATA_HOME: y.data }),
    );
    const ms = median(rs.map((x) => x.ms));
    console.log(`  ${label.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms   peak RSS ${Math.max(...rs.map((x) => x.rssMb)).toFixed(0)} MB`);
    return ms;
  };
  const json = yearRun("--json (12 h window)", ["--json"]);
  const all = yearRun("--json, the whole year", ["--json", "--since", "2025-11-26"]);
  const report = yearRun("--report daily", ["--report", "daily"]);
  const insights = yearRun("--json --view insights (30 days)", ["--json", "--view", "insights", "--insights-hours", "720"]);
  const liveRss = await liveMemory(y.root, y.data, new Date(y.end).toISOString());
  console.log(
    liveRss === null
      ? "  live dashboard memory: skipped (needs tmux)"
      : `  ${"live dashboard, peak RSS (LIVE, HISTORY, INSIGHTS 30 d)".padEnd(46)} ${liveRss.toFixed(0).padStart(5)} MB`,
  );
  year = { responses: y.responses, mb: mb(y.bytes), json, all, report, insights, liveRss };
}

// 6. A team's month of telemetry in the telemetry store (2.5 M events): INSIGHTS from it, summed in SQL.
let teamFigures: { events: number; week: { ms: number; rss: number }; month: { ms: number; rss: number } } | null = null;
if (!values["skip-team"]) {
  const t0 = performance.now();
  const gt = Bun.spawnSync([bun, join(import.meta.dir, "team.ts"), join(tmpdir(), "claude-dash-bench-team")], { stdout: "pipe", stderr: "inherit" });
  if (gt.exitCode !== 0) throw new Error("making the team store failed");
  const t = JSON.parse(gt.stdout.toString()) as { data: string; events: number; end: number };
  const empty = join(tmpdir(), "claude-dash-bench-team-root");
  mkdirSync(join(empty, "projects"), { recursive: true });
  console.log(
    `\na team's month of telemetry: ${t.events} events in the telemetry store (${((performance.now() - t0) / 1000).toFixed(1)} s to prepare), median of 3:`,
  );
  const teamRun = (label: string, hours: number) => {
    const rs = Array.from({ length: 3 }, () =>
      timed(
        [
          bun,
          "src/cli.ts",
          "--root",
          empty,
          "--no-store",
          "--now",
          new Date(t.end).toISOString(),
          "--no-allowance",
          "--json",
          "--view",
          "insights",
          "--source",
          "team",
          "--insights-hours",
          String(hours),
        ],
        { XDG_DATA_HOME: t.data },
      ),
    );
    const ms = median(rs.map((x) => x.ms));
    const rss = Math.max(...rs.map((x) => x.rssMb));
    console.log(`  ${label.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms   peak RSS ${rss.toFixed(0)} MB`);
    return { ms, rss };
  };
  teamFigures = { events: t.events, week: teamRun("--json --view insights --source team (7 days)", 168), month: teamRun("the same over 30 days", 720) };
}

/** The live dashboard in a tmux pane as a user runs it, through its three views (INSIGHTS at 30 days): peak RSS. */
async function liveMemory(root: string, data: string, at: string): Promise<number | null> {
  if (!hasTmux()) return null;
  const session = `claude-dash-bench-mem-${process.pid}`;
  startPane(session, `cd ${repo} && XDG_DATA_HOME=${data} ${bun} src/cli.ts --root ${root} --no-allowance --now ${at}`);
  try {
    await Bun.sleep(3000);
    for (const k of ["h", "i", "5"]) {
      Bun.spawnSync(["tmux", "send-keys", "-t", session, k]);
      await Bun.sleep(2500);
    }
    const pid = Bun.spawnSync(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], { stdout: "pipe" }).stdout.toString().trim();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return hwm ? Number(hwm[1]) / 1024 : null;
  } catch {
    return null;
  } finally {
    Bun.spawnSync(["tmux", "kill-session", "-t", session]);
  }
}

// 6. Drawing, the live dashboard's CPU, team telemetry.
console.log("\ndrawing (in process, on the warm store):");
const { store: drawStore } = openUsageStore({ path: storePath, roots: [corpus.root], now: Date.now() });
const drawApp = new DashboardApp(new StoreQueries(drawStore), {
  windowHours: 12,
  bucketMinutes: null,
  activeWindowHours: 1,
  banner: null,
  account: null,
  still: false,
});
drawApp.render(new CellGrid(160, 50), corpus.end, 0); // view models computed once per second of data clock
const frames = 300;
const d0 = performance.now();
for (let i = 0; i < frames; i++) drawApp.render(new CellGrid(160, 50), corpus.end, i * 33);
console.log(`  ${"one full 160×50 frame (draw only)".padEnd(46)} ${((performance.now() - d0) / frames).toFixed(2).padStart(6)} ms   (mean of ${frames})`);
// The ANSI backend writes only what changed: bytes a second at 30 fps with the shimmer on (in process).
let ansiBytes = 0;
const ansiScreen = new AnsiScreen(
  { columns: () => 160, rows: () => 50, write: (s) => void (ansiBytes += Buffer.byteLength(s)), raw: () => {}, onData: () => () => {} },
  true,
);
ansiScreen.frame(drawApp, corpus.end, 0);
const firstFrameBytes = ansiBytes;
for (let i = 1; i <= 300; i++) ansiScreen.frame(drawApp, corpus.end, i * 33);
const ansiPerSecond = ((ansiBytes - firstFrameBytes) / 300) * 30;
console.log(
  `  ${"ANSI backend, bytes written at 30 fps".padEnd(46)} ${(ansiPerSecond / 1024).toFixed(0).padStart(6)} KiB/s (shimmer on; a first frame ${(firstFrameBytes / 1024).toFixed(0)} KiB)`,
);
drawStore.close();
const cpu = await liveCpu();
console.log(
  cpu === null
    ? "  live process CPU: skipped (needs tmux)"
    : `  ${"live dashboard at 30 fps, steady corpus".padEnd(46)} ${cpu.toFixed(1).padStart(6)} %   of one core over 10 s`,
);
const cpuAnsi = await liveCpu(`${bun} src/cli.ts`, "--backend ansi");
if (cpuAnsi !== null) console.log(`  ${"the same, Bun with --backend ansi".padEnd(46)} ${cpuAnsi.toFixed(1).padStart(6)} %`);
const deno = join(repo, "node_modules/.bin/deno");
const cpuDeno = existsSync(deno) ? await liveCpu(`${deno} run -A src/cli.ts`) : null;
if (cpuDeno !== null) console.log(`  ${"the same on Deno (the ANSI backend)".padEnd(46)} ${cpuDeno.toFixed(1).padStart(6)} %`);

/** CPU use of the live dashboard over 10 s on a steady corpus, in a tmux pane, after 10 s (its store is warm). */
async function liveCpu(runtime = `${bun} src/cli.ts`, extra = ""): Promise<number | null> {
  if (!hasTmux()) return null;
  const session = `claude-dash-bench-${process.pid}`;
  startPane(session, `cd ${repo} && COLORTERM=truecolor XDG_DATA_HOME=${warmData} exec ${runtime} --root ${corpus.root} --no-allowance ${extra}`);
  try {
    await Bun.sleep(10_000);
    const pid = Bun.spawnSync(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], { stdout: "pipe" }).stdout.toString().trim();
    const ticks = () => {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
    };
    const a = ticks();
    await Bun.sleep(10_000);
    return ((ticks() - a) / 100 / 10) * 100; // 100 ticks per second
  } catch {
    return null;
  } finally {
    Bun.spawnSync(["tmux", "kill-session", "-t", session]);
  }
}

// The soak: the live dashboard under a steady stream of appends for half an hour, with an all-time window.
let soak: SoakResult | null = null;
if (!values["skip-soak"]) {
  const minutes = Math.max(1, Number(values["soak-minutes"]));
  console.log(`\nthe live dashboard for ${minutes} min at 16 appended lines/s into 6 transcripts, all-time window (--since 2020-01-01), in a tmux pane:`);
  soak = await runSoak({ repo, bun, root: corpus.root, minutes, log: console.log });
  console.log(soak ? formatSoak(soak) : "  skipped (needs tmux)");
}

console.log("\nOTLP receiver (16 senders, 50-event batches, 5 s):");
const otlp = await runOtlpBench({ senders: 16, batch: 50, seconds: 5, encoding: "json", map: true });
console.log(formatOtlpBench(otlp));

// 7. A team's month in a Prometheus-compatible engine, and the receiver's /metrics.
let prom: PrometheusBench | null = null;
if (!values["skip-prometheus"]) {
  console.log("\na team's month in a Prometheus-compatible engine (VictoriaMetrics):");
  prom = await runPrometheusBench(repo);
  console.log(prom ? formatPrometheusBench(prom) : "  skipped: victoria-metrics is not installed (apt-get install victoria-metrics)");
}

console.log("\nREADME rows:");
const f = median(first.map((x) => x.ms)) / 1000;
const p = ccusage ? median(peers.map((x) => x.ms)) / 1000 : null;
console.log(
  `| ${machine} | ${mb(corpus.bytes).toFixed(0)} MB, ${corpus.files} files (${shape}) | ${f.toFixed(2)} s, ${Math.max(...first.map((x) => x.rssMb)).toFixed(0)} MB${p ? ` (ccusage 20: ${p.toFixed(2)} s)` : ""} | ${allTimeMs.toFixed(0)} ms${p ? ` (${((p * 1000) / allTimeMs).toFixed(0)}×)` : ""} | ${defaultMs.toFixed(0)} ms / ${frameMs.toFixed(0)} ms | ${((100 * storeBytes) / corpus.bytes).toFixed(1)} % | ${median(day.ingest).toFixed(1)} ms |`,
);
if (year)
  console.log(
    `| a year: ${year.responses} responses, ${year.mb.toFixed(0)} MB store | ${year.json.toFixed(0)} ms | ${year.all.toFixed(0)} ms | ${year.report.toFixed(0)} ms | ${year.liveRss?.toFixed(0) ?? "?"} MB |`,
  );
if (prom)
  console.log(
    `| a team in VictoriaMetrics: ${prom.series} series, ${prom.samples} samples | 24 h ${prom.day.ms.toFixed(0)} ms, ${prom.day.rss.toFixed(0)} MB | 30 days ${prom.month.ms.toFixed(0)} ms, ${prom.month.rss.toFixed(0)} MB | /metrics 10k series ${prom.scrapeMs.toFixed(1)} ms |`,
  );
for (const e of entrances)
  console.log(
    `| cold \`${e.args.join(" ")}\` | ${(e.ms / 1000).toFixed(2)} s, ${e.rssMb.toFixed(0)} MB | ${e.peerMs ? `${(e.peerMs / 1000).toFixed(2)} s | ${(e.peerMs / e.ms).toFixed(2)}×` : "– | –"} |`,
  );
console.log(
  `| a 10 KB append with ${allTime.windowResponses} responses in an all-time window (read, stored, LIVE view models) | ${median(allTimeAppend).toFixed(2)} ms (${Math.min(...allTimeAppend).toFixed(2)}–${Math.max(...allTimeAppend).toFixed(2)} ms) |`,
);
if (soak)
  console.log(
    `| ${soak.minutes} min at ${soak.linesPerSecond} lines/s, all-time window: CPU / RSS at the start and the end | ${soak.start.cpu.toFixed(1)} % → ${soak.end.cpu.toFixed(1)} % (${(soak.end.cpu / soak.start.cpu).toFixed(2)}×), ${soak.start.rssMb.toFixed(0)} → ${soak.end.rssMb.toFixed(0)} MB (${(soak.end.rssMb / soak.start.rssMb).toFixed(2)}×) |`,
  );
if (statusline) for (const l of [statuslineReadmeRow(statusline), "", ...statuslineReadmeTable(statusline)]) console.log(l);
if (teamFigures)
  console.log(
    `| a team: ${teamFigures.events} telemetry events | 7 days ${teamFigures.week.ms.toFixed(0)} ms, ${teamFigures.week.rss.toFixed(0)} MB | 30 days ${teamFigures.month.ms.toFixed(0)} ms, ${teamFigures.month.rss.toFixed(0)} MB |`,
  );
