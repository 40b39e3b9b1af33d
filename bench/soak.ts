// The live dashboard under a steady stream of appends, as a user runs it for half an hour: the whole process in a tmux
// pane (the OpenTUI backend at 30 fps), an all-time window (--since 2020-01-01) over the benchmark's corpus, and a
// writer appending 16 lines a second into 6 transcripts the way Claude Code does (each response as its block lines
// with the output growing on the last, tool results, now and then a prompt). Its CPU and RSS are sampled every 10 s;
// the start (after a minute) and the end are compared. At the end the numbers on screen are checked against a fresh
// `--json` over the same store.
//
// `bun bench/soak.ts [--minutes 30] [--dir DIR] [--lines-per-second 16] [--files 6]` runs it alone on a corpus
// `bun run bench` generated (DIR, default the 1 GB one in $TMPDIR); `bun run bench` runs it with --soak-minutes.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { idFrom, promptLine, responseLines, rng, toolResultLine, uuidFrom, type SessionInfo } from "../src/synth/lines.ts";
import { hasTmux, startPane, tmux as runTmux } from "./tmux.ts";

export interface SoakSample {
  /** seconds since the writer started */
  t: number;
  /** % of one core over the last interval */
  cpu: number;
  rssMb: number;
}

export interface SoakResult {
  minutes: number;
  linesPerSecond: number;
  lines: number;
  responses: number;
  /** responses in the window when the soak began (the corpus) */
  windowResponses: number;
  start: { cpu: number; rssMb: number };
  end: { cpu: number; rssMb: number };
  samples: SoakSample[];
  /** the SUMMARY's responses and cost at the end, and a fresh --json's over the same store */
  screen: { responses: number | null; cost: string | null };
  json: { responses: number; cost: string };
}

export interface SoakOptions {
  repo: string;
  bun: string;
  /** the corpus root (its `projects` gets a folder of its own for the soak, removed after) */
  root: string;
  minutes: number;
  linesPerSecond?: number;
  files?: number;
  log?: (line: string) => void;
}

const SAMPLE_MS = 10_000;
const MODELS = ["claude-opus-4-6", "claude-opus-4-6", "claude-sonnet-4-5-20250929"];

/** Lines as Claude Code appends them to a session: a prompt, then responses (block lines) and their tool results. */
function* sessionLines(s: SessionInfo, seed: number): Generator<(time: number) => string> {
  const r = rng(seed);
  let context = 20_000;
  for (;;) {
    yield (time) => promptLine(s, time, "Carry on with the next step, please.", uuidFrom(r), null);
    const turns = 3 + Math.floor(r() * 6);
    for (let k = 0; k < turns; k++) {
      const tool = idFrom(r, "toolu_01");
      const messageId = idFrom(r, "msg_01");
      const requestId = idFrom(r, "req_011C");
      const model = MODELS[Math.floor(r() * MODELS.length)]!;
      context = context > 180_000 ? 20_000 : context + Math.floor(r() * 4000);
      const usage = { uncached: 3, cacheWrite5m: 0, cacheWrite1h: Math.floor(r() * 2000), cacheRead: context, output: 200 + Math.floor(r() * 800) };
      const blocks = [
        { type: "thinking" as const, thinking: "Let me think about the failing case. ".repeat(6) },
        { type: "text" as const, text: "I will read the file and fix the check. ".repeat(4) },
        { type: "tool_use" as const, id: tool, name: "Read", input: { file_path: "/home/dev/src/soak/app.ts" } },
      ];
      // one line at a time, each written when its turn comes (so the usage of one key grows over the lines)
      for (let b = 0; b < blocks.length; b++)
        yield (time) =>
          responseLines({
            session: s,
            time,
            model,
            messageId,
            requestId,
            usage,
            blocks: blocks.slice(0, b + 1),
            uuids: blocks.map(() => uuidFrom(r)),
            parentUuid: null,
          })[b]!;
      yield (time) =>
        toolResultLine(s, time, tool, { uuid: uuidFrom(r), parentUuid: null, content: "export function check(x: number) {\n  return x > 0;\n}\n".repeat(8) });
    }
  }
}

/** Runs the soak; null when tmux is missing. */
export async function runSoak(o: SoakOptions): Promise<SoakResult | null> {
  if (!hasTmux()) return null;
  const log = o.log ?? (() => {});
  const lps = o.linesPerSecond ?? 16;
  const nFiles = o.files ?? 6;
  const soakMs = o.minutes * 60_000;
  const data = mkdtempSync(join(tmpdir(), "claude-dash-soak-data-"));
  const dir = join(o.root, "projects", "-home-dev-src-soak");
  rmSync(dir, { recursive: true, force: true });
  const args = ["--root", o.root, "--no-allowance", "--since", "2020-01-01"];
  const env = { ...process.env, XDG_DATA_HOME: data };
  const session = `claude-dash-soak-${process.pid}`;
  // (a tmux server of its own: half an hour is long enough for someone to restart the default one)
  const tmux = (...a: string[]) => runTmux(a, session);
  try {
    // The store, filled once (as a user's is by the time they watch the dashboard).
    const first = Bun.spawnSync([o.bun, "src/cli.ts", ...args, "--json"], { cwd: o.repo, env, stdout: "pipe", stderr: "pipe" });
    if (first.exitCode !== 0) throw new Error(`filling the soak's store failed: ${first.stderr.toString().slice(0, 400)}`);
    const windowResponses = (JSON.parse(first.stdout.toString()) as { totals: { responses: number } }).totals.responses;
    mkdirSync(dir, { recursive: true });
    const sessions = Array.from({ length: nFiles }, (_, i) => {
      const info: SessionInfo = { sessionId: uuidFrom(rng(500 + i)), cwd: `/home/dev/src/soak-${i}`, gitBranch: "main" };
      return { file: join(dir, `${info.sessionId}.jsonl`), lines: sessionLines(info, 900 + i) };
    });
    startPane(session, `cd ${o.repo} && COLORTERM=truecolor XDG_DATA_HOME=${data} exec ${o.bun} src/cli.ts ${args.join(" ")}`, session);
    await Bun.sleep(8000);
    const pid = tmux("list-panes", "-t", session, "-F", "#{pane_pid}").stdout.toString().trim();
    const ticks = () => {
      if (!existsSync(`/proc/${pid}/stat`))
        throw new Error(`the dashboard (pid ${pid}) ended during the soak: ${tmux("capture-pane", "-p", "-t", session).stdout.toString().trim().slice(-400)}`);
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
    };
    const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
    // The writer: `lps` lines a second, round robin over the files, each stamped with the moment it is written.
    const t0 = performance.now();
    let lines = 0;
    let responses = 0;
    const samples: SoakSample[] = [];
    let lastTicks = ticks();
    let lastSample = t0;
    while (performance.now() - t0 < soakMs) {
      const due = Math.floor(((performance.now() - t0) / 1000) * lps);
      for (; lines < due; lines++) {
        const s = sessions[lines % sessions.length]!;
        const line = s.lines.next().value!(Date.now());
        if (line.includes('"type":"thinking"')) responses++; // (a response's first line)
        appendFileSync(s.file, `${line}\n`);
      }
      const now = performance.now();
      if (now - lastSample >= SAMPLE_MS) {
        const t = ticks();
        samples.push({ t: (now - t0) / 1000, cpu: ((t - lastTicks) / 100 / ((now - lastSample) / 1000)) * 100, rssMb: rss() });
        lastTicks = t;
        lastSample = now;
        const s = samples.at(-1)!;
        if (samples.length % 6 === 0)
          log(`  ${(s.t / 60).toFixed(1).padStart(5)} min: CPU ${s.cpu.toFixed(1).padStart(5)} %  RSS ${s.rssMb.toFixed(0)} MB  (${lines} lines)`);
      }
      await Bun.sleep(1000 / lps / 2);
    }
    // The start: the first stretch after a minute of warming up; the end: the last stretch of the same length.
    const span = Math.max(20, Math.min(120, soakMs / 1000 / 10));
    const warm = Math.min(60, soakMs / 1000 / 10);
    const mean = (xs: SoakSample[]) => ({
      cpu: xs.reduce((n, x) => n + x.cpu, 0) / Math.max(1, xs.length),
      rssMb: xs.reduce((n, x) => n + x.rssMb, 0) / Math.max(1, xs.length),
    });
    const total = samples.at(-1)?.t ?? 0;
    const start = mean(samples.filter((x) => x.t > warm && x.t <= warm + span));
    const end = mean(samples.filter((x) => x.t > total - span));
    // What the screen says against a fresh --json over the same store (the writer stopped; a moment to catch up).
    await Bun.sleep(4000);
    const pane = tmux("capture-pane", "-p", "-t", session).stdout.toString();
    const fresh = Bun.spawnSync([o.bun, "src/cli.ts", ...args, "--json"], { cwd: o.repo, env, stdout: "pipe", stderr: "pipe" });
    const j = JSON.parse(fresh.stdout.toString()) as { totals: { responses: number; costUSD: number } };
    return {
      minutes: o.minutes,
      linesPerSecond: lps,
      lines,
      responses,
      windowResponses,
      start,
      end,
      samples,
      screen: { responses: Number(/responses\s+(\d+)/.exec(pane)?.[1] ?? NaN) || null, cost: /cost\s+\$([\d.]+)/.exec(pane)?.[1] ?? null },
      json: { responses: j.totals.responses, cost: j.totals.costUSD.toFixed(2) },
    };
  } finally {
    tmux("kill-server");
    rmSync(dir, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
}

export function formatSoak(s: SoakResult): string {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
  return [
    `  ${`${s.minutes} min at ${s.linesPerSecond} lines/s, all-time window: ${s.lines} lines, ${s.responses} responses (the corpus: ${s.windowResponses})`.padEnd(46)}`,
    `    CPU  start ${s.start.cpu.toFixed(1)} %, end ${s.end.cpu.toFixed(1)} % of one core (${ratio(s.end.cpu, s.start.cpu).toFixed(2)}×; target ≤ 1.2×)`,
    `    RSS  start ${s.start.rssMb.toFixed(0)} MB, end ${s.end.rssMb.toFixed(0)} MB (${ratio(s.end.rssMb, s.start.rssMb).toFixed(2)}×)`,
    `    on screen at the end: ${s.screen.responses ?? "?"} responses, $${s.screen.cost ?? "?"}; a fresh --json: ${s.json.responses}, $${s.json.cost}${s.screen.responses === s.json.responses && s.screen.cost === s.json.cost ? " (the same)" : " (DIFFERENT)"}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "30" },
      dir: { type: "string", default: join(tmpdir(), "claude-dash-bench-small-1024mb") },
      "lines-per-second": { type: "string", default: "16" },
      files: { type: "string", default: "6" },
    },
  });
  const meta = join(values.dir!, "corpus.json");
  if (!existsSync(meta)) throw new Error(`no corpus in ${values.dir} (bun run bench makes one)`);
  const root = (JSON.parse(readFileSync(meta, "utf8")) as { root: string }).root;
  const repo = join(import.meta.dir, "..");
  console.log(`soak: ${values.minutes} min at ${values["lines-per-second"]} lines/s into ${values.files} transcripts, all-time window over ${root}`);
  const r = await runSoak({
    repo,
    bun: process.execPath,
    root,
    minutes: Number(values.minutes),
    linesPerSecond: Number(values["lines-per-second"]),
    files: Number(values.files),
    log: console.log,
  });
  console.log(r ? formatSoak(r) : "soak: skipped (needs tmux)");
}
