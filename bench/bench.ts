// `bun run bench`: generates a realistic transcript corpus (default 1 GB, cached under $TMPDIR) and measures
// what a user feels: the cold `--json` start, a full scan of every file, and a refresh after Claude Code appends
// 10 KB to one session. Prints a table for the README. Options: --size-mb N, --runs N, --dir PATH.
import { appendFileSync, readFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { TranscriptSource } from "../src/ingest/source.ts";
import { responseLines, toolResultLine, idFrom, rng, uuidFrom } from "../src/ingest/synth.ts";
import { historyBucketMinutes, selectHistory } from "../src/model/history-view.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { createState, reduce } from "../src/model/state.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { generateCorpus } from "./generate.ts";
import { formatOtlpBench, runOtlpBench } from "./otlp-bench.ts";

const { values } = parseArgs({
  options: { "size-mb": { type: "string", default: "1024" }, runs: { type: "string", default: "3" }, dir: { type: "string" } },
});
const sizeMb = Number(values["size-mb"]);
const runs = Math.max(1, Number(values.runs));
const dir = values.dir ?? join(tmpdir(), `claude-dash-bench-${sizeMb}mb`);
const root = join(import.meta.dir, "..");
const bun = process.execPath;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (b: number) => b / 1e6;

console.log(`claude-dash benchmark — ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Bun ${Bun.version}`);
const g0 = performance.now();
// Generated in a child process: a parent grown by the generation would inflate the peak RSS of every run below.
const gen = Bun.spawnSync([bun, join(import.meta.dir, "generate.ts"), dir, String(sizeMb * 1024 * 1024)], { stdout: "inherit", stderr: "inherit" });
if (gen.exitCode !== 0) throw new Error("generating the corpus failed");
const corpus = generateCorpus(dir, sizeMb * 1024 * 1024); // now only reads the cached corpus.json
console.log(
  `corpus: ${mb(corpus.bytes).toFixed(0)} MB, ${corpus.files} files, ${corpus.sessions} sessions, ${corpus.lines} lines (${(corpus.bytes / corpus.lines).toFixed(0)} B/line), 30 days — ${((performance.now() - g0) / 1000).toFixed(1)} s to prepare\n`,
);
const now = new Date(corpus.end).toISOString();

interface Run {
  ms: number;
  rssMb: number;
  out: { diagnostics: { bytesRead: number; files: number; filesDeferred: number }; totals: { responses: number } };
}

function cli(args: string[]): Run {
  const t0 = performance.now();
  const p = Bun.spawnSync([bun, join(root, "src/cli.ts"), "--json", "--root", corpus.root, "--now", now, ...args], { stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t0;
  if (p.exitCode !== 0) throw new Error(`cli failed: ${p.stderr.toString()}`);
  // Bun reports the child's maxRSS in bytes.
  return { ms, rssMb: (p.resourceUsage?.maxRSS ?? 0) / 2 ** 20, out: JSON.parse(p.stdout.toString()) };
}

function measure(label: string, args: string[]) {
  const rs = Array.from({ length: runs }, () => cli(args));
  const ms = median(rs.map((r) => r.ms));
  const d = rs[0]!.out.diagnostics;
  const rss = Math.max(...rs.map((r) => r.rssMb));
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms   read ${mb(d.bytesRead).toFixed(0).padStart(5)} MB of ${mb(corpus.bytes).toFixed(0)} (${d.files} files, ${d.filesDeferred} left unread)   ${(mb(d.bytesRead) / (ms / 1000)).toFixed(0).padStart(5)} MB/s   peak RSS ${rss.toFixed(0)} MB   ${rs[0]!.out.totals.responses} responses`,
  );
  return { ms, rss, bytes: d.bytesRead };
}

console.log("cold start, whole process (median of " + runs + "):");
const live = measure("claude-dash --json (12 h window)", []);
const week = measure("claude-dash --json --window-hours 168", ["--window-hours", "168", "--bucket-minutes", "60"]);
const all = measure("claude-dash --json --window-hours 8760 (every file)", ["--window-hours", "8760", "--bucket-minutes", "1440", "--active-window-hours", "8760"]);

// Refresh: the state after a full read, then Claude Code appends ~10 KB (a streamed response and a tool result).
console.log("\nrefresh after appending 10 KB to one session (in process, median of 20):");
const state = createState();
const sink = { push: (e: Parameters<typeof reduce>[1]) => reduce(state, e) };
const memStore = memoryStore();
const q = new StoreQueries(memStore);
const source = new TranscriptSource([corpus.root], memStore);
const l0 = performance.now();
source.refresh(sink);
const loadMs = performance.now() - l0;
const r = rng(99);
const session = { sessionId: corpus.sampleSessionId, cwd: corpus.sampleCwd };
let t = corpus.end;
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
const viewOf = (at: number) =>
  dashboardJson(
    q,
    { now: at, windowHours: 12, bucketMinutes: 5, activeWindowHours: 1 },
    { roots: [], files: 0, filesDeferred: 0, bytesRead: 0, linesRead: 0, unreadable: [], linesRejected: 0, rejected: [], store: { state: "off", path: null, notice: null } },
    false,
  );
const firstView0 = performance.now();
viewOf(t);
const firstViewMs = performance.now() - firstView0;
// HISTORY from the same state (no second scan): the week's view models, as when the H key is pressed.
const hist = () => selectHistory(q, { now: t, hours: 168, bucketMinutes: historyBucketMinutes(168, 110) });
const h0 = performance.now();
hist();
const historyFirstMs = performance.now() - h0;
const historyRuns: number[] = [];
for (let i = 0; i < 10; i++) {
  const a = performance.now();
  hist();
  historyRuns.push(performance.now() - a);
}
const original = readFileSync(corpus.sampleFile);
const watched: number[] = [];
const views: number[] = [];
const polled: number[] = [];
let appended = 0;
for (let i = 0; i < 20; i++) {
  appended = append10k();
  const a = performance.now();
  source.refreshFiles([corpus.sampleFile], sink);
  watched.push(performance.now() - a);
  const v = performance.now();
  viewOf(t);
  views.push(performance.now() - v);
  append10k();
  const b = performance.now();
  source.poll(Date.now(), sink);
  polled.push(performance.now() - b);
}
Bun.write(corpus.sampleFile, original); // leave the corpus as generated (the tailer would restart on the shrink)
console.log(`in-process full read of all ${corpus.files} files before it: ${loadMs.toFixed(0)} ms`);
console.log(`${"file-watch refresh (the changed file)".padEnd(44)} ${median(watched).toFixed(2).padStart(6)} ms   (${appended} bytes appended)`);
console.log(`${"poll (active files every time, quiet ones 1 in 15)".padEnd(44)} ${median(polled).toFixed(2).padStart(6)} ms   (${corpus.files} files)`);
const f0 = performance.now();
source.refresh(sink);
console.log(`${"full refresh (stat every file and directory)".padEnd(44)} ${(performance.now() - f0).toFixed(2).padStart(6)} ms`);
console.log(`${"LIVE view models, first after the full read".padEnd(44)} ${firstViewMs.toFixed(2).padStart(6)} ms   (puts ${state.responses.size} responses and the tool events in time order)`);
console.log(`${"LIVE view models after each refresh".padEnd(44)} ${median(views).toFixed(2).padStart(6)} ms`);
console.log(`${"HISTORY view models (7 days), after the scan".padEnd(44)} ${historyFirstMs.toFixed(2).padStart(6)} ms   first; ${median(historyRuns).toFixed(2)} ms median of 10`);
console.log(`peak RSS of this process (corpus fully loaded): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

// Drawing: a full 160×50 frame of the LIVE dashboard into the pure cell grid, on the loaded corpus.
console.log("\ndrawing (in process):");
const app = new DashboardApp(q, { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: false });
const drawNow = t;
app.render(new CellGrid(160, 50), drawNow, 0); // view models computed once per second of data clock
const frames = 300;
const d0 = performance.now();
for (let i = 0; i < frames; i++) app.render(new CellGrid(160, 50), drawNow, i * 33);
const frameMs = (performance.now() - d0) / frames;
console.log(`${"one full 160×50 frame (draw only)".padEnd(44)} ${frameMs.toFixed(2).padStart(6)} ms   (mean of ${frames})`);
const cpu = await liveCpu();
if (cpu !== null) console.log(`${"live process CPU at 30 fps, steady corpus".padEnd(44)} ${cpu.toFixed(1).padStart(6)} %   of one core over 10 s`);
else console.log("live process CPU: skipped (needs tmux)");

/**
 * CPU use of the live dashboard over 10 s on a steady corpus, run in a tmux pane as a user would: measured after
 * 20 s, once the background read of the older history (the whole 1 GB here) is done.
 */
async function liveCpu(): Promise<number | null> {
  const has = Bun.spawnSync(["tmux", "-V"], { stdout: "pipe", stderr: "pipe" });
  if (has.exitCode !== 0) return null;
  const session = `claude-dash-bench-${process.pid}`;
  const cmd = `COLORTERM=truecolor ${bun} ${join(root, "src/cli.ts")} --root ${corpus.root}`;
  Bun.spawnSync(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "50", cmd]);
  try {
    await Bun.sleep(20_000);
    const pid = Bun.spawnSync(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], { stdout: "pipe" }).stdout.toString().trim();
    const ticks = () => {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
    };
    const a = ticks();
    await Bun.sleep(10_000);
    const b = ticks();
    return ((b - a) / 100 / 10) * 100; // 100 ticks per second
  } catch {
    return null;
  } finally {
    Bun.spawnSync(["tmux", "kill-session", "-t", session]);
  }
}

// Team telemetry: the OTLP receiver under 16 concurrent senders (decoded and mapped to model events).
console.log("\nOTLP receiver (16 senders, 50-event batches, 5 s):");
const otlp = await runOtlpBench({ senders: 16, batch: 50, seconds: 5, encoding: "json", map: true });
console.log(formatOtlpBench(otlp));

console.log("\nREADME row:");
console.log(
  `| ${mb(corpus.bytes).toFixed(0)} MB, ${corpus.files} files | ${live.ms.toFixed(0)} ms (${mb(live.bytes).toFixed(0)} MB read) | ${week.ms.toFixed(0)} ms | ${all.ms.toFixed(0)} ms (${(mb(all.bytes) / (all.ms / 1000)).toFixed(0)} MB/s) | ${Math.max(live.rss, all.rss).toFixed(0)} MB | ${median(watched).toFixed(1)} ms / ${median(polled).toFixed(1)} ms |`,
);
