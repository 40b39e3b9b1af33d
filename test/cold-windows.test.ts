// A store filled a window at a time answers as one filled at once. A one-shot run on an empty store reads only the
// transcripts whose mtime can hold its window and leaves the older ones unread ("deferred"); a later run with a wider
// window reads the rest into the same store. Run through the real CLI, as a user would:
//   A: cold `--json` (12 h) → `--json --window-hours 48` → `--report daily` (all history)
//   C: cold `--json` (12 h) → `--json --since 2020-01-01`
//   B: cold `--json --since 2020-01-01` alone
// then every store is asked the same questions, and every answer but its diagnostics (what this run read) must be the
// same bytes; the all-time totals must be those of the corpus counted here, each response once.
// The corpus (seeded, ten days before --now): three projects, nine sessions, subagents in their own files, one session
// across the 12-hour window's edge, one resumed in a new file (its last turn repeated there), and one running for two
// days whose early subagent's file is deferred while the parent's `agent_progress` copies of it are read at once.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Usage } from "../src/model/events.ts";
import { responseCost } from "../src/model/pricing.ts";
import { generateSession, type GeneratedSession, type SessionPlan } from "../src/synth/corpus.ts";
import { agentProgressLines, rng, uuidFrom } from "../src/synth/lines.ts";
import { HAIKU, HOUR, OPUS, SONNET, tempDirs } from "./builders.ts";

// Every test runs the CLI several times (bun test reads no timeout from bunfig.toml).
setDefaultTimeout(60_000);

const REPO = resolve(import.meta.dir, "..");
const NOW_ISO = "2026-11-26T18:00:00Z";
const NOW = Date.parse(NOW_ISO);
/** Where the default 12-hour window starts. */
const EDGE = NOW - 12 * HOUR;
const ALL_TIME = ["--since", "2020-01-01"];
const temp = tempDirs();

// ---------------------------------------------------------------------------------------------------------------
// The corpus

const CWD = { alpha: "/home/dev/src/alpha", beta: "/home/dev/src/beta", gamma: "/home/dev/src/gamma" };
type Project = keyof typeof CWD;

interface Placed {
  seed: number;
  project: Project;
  model: string;
  /** hours before --now that the session's last line is written (or see `across`). */
  endsHoursAgo?: number;
  /** placed so that its middle is at this time (its lines on both sides of it). */
  across?: number;
  turns?: number;
  subagents?: number;
  apiError?: boolean;
  title?: string;
}

/** A session generated from its seed, moved in time to end (or straddle) where the plan says. */
function placed(p: Placed): GeneratedSession {
  const r = rng(p.seed);
  const plan: SessionPlan = {
    sessionId: uuidFrom(r),
    cwd: CWD[p.project],
    model: p.model,
    start: 0,
    turns: p.turns ?? 3,
    turnGapMinutes: 20,
    subagents: p.subagents ?? 0,
    subagentModel: HAIKU,
    endsWithApiError: p.apiError ?? false,
    outputScale: 0.2,
    ...(p.title ? { title: p.title } : {}),
  };
  const length = generateSession(rng(p.seed + 1000), plan).end; // (start 0: the end is the length)
  const start = p.across !== undefined ? p.across - Math.round(length / 2) : NOW - (p.endsHoursAgo ?? 0) * HOUR - length;
  return generateSession(rng(p.seed + 1000), { ...plan, start });
}

/** The time of a line (its `timestamp`; lines without one, such as titles, have none). */
function lineTime(line: string): number | null {
  const t = (JSON.parse(line) as { timestamp?: string }).timestamp;
  return t === undefined ? null : Date.parse(t);
}

const lastTime = (lines: readonly string[]): number => Math.max(...lines.map(lineTime).filter((t): t is number => t !== null));
const firstTime = (lines: readonly string[]): number => Math.min(...lines.map(lineTime).filter((t): t is number => t !== null));

interface Corpus {
  /** the Claude config dir (--root). */
  root: string;
  /** every file written: its path and lines. */
  files: Map<string, string[]>;
  /** the main file of the session across the window's edge. */
  edgeFile: string;
  /** the subagent file of the two-day session (last written before the default run's cut). */
  lateAgentFile: string;
}

/** Writes a file as Claude Code leaves it: the lines, and its mtime at its last line's time. */
function put(c: Corpus, path: string, lines: string[]): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `${lines.join("\n")}\n`);
  const t = new Date(lastTime(lines));
  utimesSync(path, t, t);
  c.files.set(path, lines);
}

const projectDir = (c: Corpus, p: Project) => join(c.root, "projects", CWD[p].replace(/\//g, "-"));
const mainPath = (c: Corpus, p: Project, sessionId: string) => join(projectDir(c, p), `${sessionId}.jsonl`);
const agentPath = (c: Corpus, p: Project, sessionId: string, agentId: string) => join(projectDir(c, p), sessionId, "subagents", `agent-${agentId}.jsonl`);

/** A generated session's main file and its subagents' files. */
function putSession(c: Corpus, p: Project, g: GeneratedSession, main = g.main): string {
  const path = mainPath(c, p, g.sessionId);
  put(c, path, main);
  for (const a of g.agents) put(c, agentPath(c, p, g.sessionId, a.agentId), a.lines);
  return path;
}

/**
 * A session resumed in a new file (`claude --resume`): the new file starts with the earlier session's last turn
 * (from its last prompt on, the same responses under the new session id), then goes on with turns of its own.
 */
function putResumed(c: Corpus, earlier: GeneratedSession, later: GeneratedSession): void {
  const lastPrompt = earlier.main.findLastIndex((l) => {
    const o = JSON.parse(l) as { type?: string; message?: { content?: unknown } };
    return o.type === "user" && typeof o.message?.content === "string";
  });
  const replayed = earlier.main.slice(lastPrompt).map((l) => l.split(earlier.sessionId).join(later.sessionId));
  expect(replayed.some((l) => l.includes('"type":"assistant"'))).toBe(true);
  putSession(c, "gamma", later, [...replayed, ...later.main]);
}

/**
 * A session that runs for two days: a first part with a subagent (its own file, last written then), a second part
 * two days later in the same file. The parent mirrors the subagent's lines as `agent_progress` copies (placeholder
 * output) just before the Task's result, as Claude Code 2.1.x does.
 */
function putTwoDays(c: Corpus): void {
  const first = placed({ seed: 17, project: "beta", model: OPUS, endsHoursAgo: 48, subagents: 1, turns: 2 });
  const second = placed({ seed: 18, project: "beta", model: OPUS, endsHoursAgo: 2, turns: 2 });
  const moved = second.main.map((l) => l.split(second.sessionId).join(first.sessionId));
  const main = [...first.main];
  const info = { sessionId: first.sessionId, cwd: CWD.beta, version: "2.1.81", entrypoint: "cli", gitBranch: "main" };
  for (const a of first.agents) {
    const at = main.findIndex((l) => l.includes(`"agentId":"${a.agentId}"`));
    const responses = a.lines.filter((l) => l.includes('"type":"assistant"'));
    main.splice(at, 0, ...agentProgressLines(info, a.agentId, `toolu_task_${a.agentId}`, responses));
  }
  putSession(c, "beta", { ...first, main: [...main, ...moved] });
  c.lateAgentFile = agentPath(c, "beta", first.sessionId, first.agents[0]!.agentId);
}

function writeCorpus(root: string): Corpus {
  const c: Corpus = { root, files: new Map(), edgeFile: "", lateAgentFile: "" };
  putSession(c, "alpha", placed({ seed: 11, project: "alpha", model: OPUS, endsHoursAgo: 230, subagents: 1, title: "old refactor" }));
  putSession(c, "beta", placed({ seed: 12, project: "beta", model: SONNET, endsHoursAgo: 170, apiError: true }));
  putSession(c, "alpha", placed({ seed: 13, project: "alpha", model: OPUS, endsHoursAgo: 100, subagents: 2, turns: 4 }));
  const earlier = placed({ seed: 14, project: "gamma", model: SONNET, endsHoursAgo: 60 });
  putSession(c, "gamma", earlier);
  putResumed(c, earlier, placed({ seed: 15, project: "gamma", model: SONNET, endsHoursAgo: 1 }));
  c.edgeFile = putSession(c, "beta", placed({ seed: 16, project: "beta", model: OPUS, across: EDGE, subagents: 1, turns: 4, title: "edge case" }));
  putTwoDays(c);
  putSession(c, "alpha", placed({ seed: 19, project: "alpha", model: HAIKU, endsHoursAgo: 20 }));
  putSession(c, "gamma", placed({ seed: 20, project: "gamma", model: OPUS, endsHoursAgo: 0.5, subagents: 1, apiError: true }));
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle: the corpus's responses counted here, each once (the one with the most tokens of its sightings)

interface Seen {
  model: string;
  usage: Usage;
  total: number;
}

type WireUsage = {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
};
type WireMessage = { id?: string; model?: string; usage?: WireUsage };

function usageOfWire(u: WireUsage): Usage {
  const w5 = u.cache_creation?.ephemeral_5m_input_tokens ?? u.cache_creation_input_tokens;
  const w1 = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return { uncached: u.input_tokens, cacheWrite5m: w5, cacheWrite1h: w1, cacheRead: u.cache_read_input_tokens, output: u.output_tokens };
}

/** The API response a line shows (an assistant line, or a subagent's line copied into an `agent_progress` line). */
function messageOf(line: string): WireMessage | null {
  const o = JSON.parse(line) as {
    type?: string;
    isApiErrorMessage?: boolean;
    message?: WireMessage;
    data?: { type?: string; message?: { type?: string; message?: WireMessage } };
  };
  if (o.type === "assistant" && !o.isApiErrorMessage) return o.message ?? null;
  if (o.type === "progress" && o.data?.type === "agent_progress" && o.data.message?.type === "assistant") return o.data.message.message ?? null;
  return null;
}

function corpusResponses(c: Corpus): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const lines of c.files.values()) {
    for (const line of lines) {
      const m = messageOf(line);
      if (!m?.id || !m.usage || !m.model || m.model === "<synthetic>") continue;
      const usage = usageOfWire(m.usage);
      const total = usage.uncached + usage.cacheWrite5m + usage.cacheWrite1h + usage.cacheRead + usage.output;
      const had = out.get(m.id);
      if (!had || total > had.total) out.set(m.id, { model: m.model, usage, total });
    }
  }
  return out;
}

/** How many distinct responses appear in more than one file (the resumed turn, the progress copies). */
function sharedResponses(c: Corpus): number {
  const filesOf = new Map<string, Set<string>>();
  for (const [path, lines] of c.files) {
    for (const line of lines) {
      const id = messageOf(line)?.id;
      if (id) filesOf.set(id, (filesOf.get(id) ?? new Set()).add(path));
    }
  }
  return [...filesOf.values()].filter((s) => s.size > 1).length;
}

function expectedTotals(c: Corpus) {
  const seen = [...corpusResponses(c).values()];
  const sum = (k: keyof Usage) => seen.reduce((n, s) => n + s.usage[k], 0);
  return {
    responses: seen.length,
    uncached: sum("uncached"),
    cacheWrite5m: sum("cacheWrite5m"),
    cacheWrite1h: sum("cacheWrite1h"),
    cacheRead: sum("cacheRead"),
    output: sum("output"),
    costUSD: seen.reduce((n, s) => n + responseCost(s.model, s.usage), 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running the CLI

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(root: string, data: string, args: string[]): Run {
  const p = Bun.spawnSync([process.execPath, "src/cli.ts", "--root", root, "--now", NOW_ISO, "--no-allowance", ...args], {
    cwd: REPO,
    env: { ...process.env, XDG_DATA_HOME: data, HOME: join(data, "home"), CLAUDE_CONFIG_DIR: "", CLAUDE_DASH_NO_SERVER: "1", NO_COLOR: "1", TZ: "UTC" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** One run's JSON; the exit code must be 0 (the message names the command and its stderr when it is not). */
function json(root: string, data: string, args: string[]): any {
  const r = runCli(root, data, args);
  expect({ args: args.join(" "), code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ args: args.join(" "), code: 0, stderr: "" });
  return JSON.parse(r.stdout);
}

/** An answer without its diagnostics (which files this run read, how many bytes, what it left for later). */
function answer(j: Record<string, unknown>): string {
  const { diagnostics: _, ...rest } = j;
  return JSON.stringify(rest, null, 1);
}

/** A named data dir (XDG_DATA_HOME): the usage store of one sequence of runs. */
interface Store {
  name: string;
  dir: string;
  /** the diagnostics of each run that filled it, in order. */
  fills: any[];
}

function fill(root: string, name: string, runs: string[][]): Store {
  const s: Store = { name, dir: temp(`cold-${name}`), fills: [] };
  for (const args of runs) s.fills.push(json(root, s.dir, args).diagnostics);
  return s;
}

/** Every store's answer to one question, by store name. */
function ask(c: Corpus, stores: Store[], args: string[]): Record<string, any> {
  return Object.fromEntries(stores.map((s) => [s.name, json(c.root, s.dir, args)]));
}

/** The answers of every store, with diagnostics stripped, must be those of B (the one all-time cold run). */
function expectSameAnswers(answers: Record<string, any>): void {
  const want = answer(answers.B);
  for (const [name, j] of Object.entries(answers)) expect({ store: name, answer: answer(j) }).toEqual({ store: name, answer: want });
  // (what the store says about itself, rather than about this run's reading, is the same too)
  for (const [name, j] of Object.entries(answers)) {
    const d = j.diagnostics ?? {};
    expect({ store: name, linesRejected: d.linesRejected, copies: d.responsesFromProgressCopies }).toEqual({
      store: name,
      linesRejected: answers.B.diagnostics?.linesRejected,
      copies: answers.B.diagnostics?.responsesFromProgressCopies,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The tests

let corpus: Corpus;
let stores: Store[];

beforeAll(() => {
  corpus = writeCorpus(join(temp("cold-root"), "claude"));
  stores = [
    fill(corpus.root, "A", [["--json"], ["--json", "--window-hours", "48"], ["--report", "daily", "--json"]]),
    fill(corpus.root, "C", [["--json"], ["--json", ...ALL_TIME]]),
    fill(corpus.root, "B", [["--json", ...ALL_TIME]]),
  ];
});

const storeNamed = (name: string) => stores.find((s) => s.name === name)!;

describe("the corpus", () => {
  test("is what the test needs: sessions over ten days, one across the window's edge, responses in two files, subagents", () => {
    const paths = [...corpus.files.keys()];
    expect(paths.filter((p) => p.includes("/subagents/agent-")).length).toBeGreaterThanOrEqual(5);
    const times = [...corpus.files.values()].map(lastTime);
    expect(Math.min(...times)).toBeLessThan(NOW - 9 * 24 * HOUR);
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    const edge = corpus.files.get(corpus.edgeFile)!;
    expect(firstTime(edge)).toBeLessThan(EDGE);
    expect(lastTime(edge)).toBeGreaterThan(EDGE);
    // the resumed turn (at least one response) and the subagent's progress copies
    expect(sharedResponses(corpus)).toBeGreaterThanOrEqual(4);
    // the files on disk are the ones written, with the mtimes written
    const onDisk = readdirSync(join(corpus.root, "projects"), { recursive: true }).filter((p) => String(p).endsWith(".jsonl"));
    expect(onDisk.length).toBe(paths.length);
  });
});

describe("the runs that fill the stores", () => {
  test("the first windowed runs leave older files unread, and the later ones read them all", () => {
    const [a1, a2, a3] = storeNamed("A").fills;
    const [c1, c2] = storeNamed("C").fills;
    const [b1] = storeNamed("B").fills;
    const total = corpus.files.size;
    expect(a1.filesDeferred).toBeGreaterThan(0);
    expect(a1.files + a1.filesDeferred).toBe(total);
    expect(a2.filesDeferred).toBeGreaterThan(0);
    expect(a2.filesDeferred).toBeLessThan(a1.filesDeferred);
    expect(a3.filesDeferred).toBe(0);
    expect(c1.filesDeferred).toBe(a1.filesDeferred);
    expect(c2.filesDeferred).toBe(0);
    expect(b1).toMatchObject({ files: total, filesDeferred: 0 });
    // a run on a filled store reads nothing again
    expect(json(corpus.root, storeNamed("B").dir, ["--json"]).diagnostics.bytesRead).toBe(0);
  });

  test("what each run leaves unread is every file last written before its window (and a day's margin)", () => {
    const olderThan = (hours: number) => [...corpus.files.values()].filter((l) => lastTime(l) < NOW - hours * HOUR).length;
    const [a1, a2] = storeNamed("A").fills;
    expect(a1.filesDeferred).toBe(olderThan(12 + 24));
    expect(a2.filesDeferred).toBe(olderThan(48 + 24));
    // among them the two-day session's subagent file, whose parent (written since) holds progress copies of it
    expect(lastTime(corpus.files.get(corpus.lateAgentFile)!)).toBeLessThan(NOW - 36 * HOUR);
  });
});

describe("every store answers as the one filled by a single all-time run", () => {
  const questions: [string, string[]][] = [
    ["--json (the default 12-hour window)", ["--json"]],
    ["--json --window-hours 48", ["--json", "--window-hours", "48"]],
    ["--json --window-hours 240", ["--json", "--window-hours", "240"]],
    ["--json --since 2020-01-01", ["--json", ...ALL_TIME]],
    ["--json --since 2026-11-17", ["--json", "--since", "2026-11-17"]],
    ["--json --since 2026-11-23T12:00:00Z", ["--json", "--since", "2026-11-23T12:00:00Z"]],
    ["--json --since the default run's cut", ["--json", "--since", new Date(NOW - 36 * HOUR).toISOString()]],
    ["--json --since the window's edge", ["--json", "--since", new Date(EDGE).toISOString()]],
    ["--json --view history", ["--json", "--view", "history"]],
    ["--json --view insights", ["--json", "--view", "insights"]],
    ["--report daily --json", ["--report", "daily", "--json"]],
    ["--report session --json", ["--report", "session", "--json"]],
    ["--report weekly --json --since 2026-11-20", ["--report", "weekly", "--json", "--since", "2026-11-20"]],
  ];
  for (const [name, args] of questions) {
    test(name, () => expectSameAnswers(ask(corpus, stores, args)));
  }
});

describe("all-time totals are the corpus's, each response counted once", () => {
  test("--json --since 2020-01-01", () => {
    const want = expectedTotals(corpus);
    expect(want.responses).toBeGreaterThan(100);
    for (const [name, j] of Object.entries(ask(corpus, stores, ["--json", ...ALL_TIME]))) {
      const { costUSD, effectiveTokens: _, ...tokens } = j.totals;
      const { costUSD: wantCost, ...wantTokens } = want;
      expect({ store: name, ...tokens }).toEqual({ store: name, ...wantTokens });
      expect(Math.abs(costUSD - wantCost)).toBeLessThan(0.00011);
      expect(j.diagnostics.responsesFromProgressCopies).toBe(0);
    }
  });

  test("--report session --json: the sessions' responses add up to the corpus's", () => {
    const want = expectedTotals(corpus);
    for (const [name, j] of Object.entries(ask(corpus, stores, ["--report", "session", "--json"]))) {
      const rows = j.rows as { responses: number; output: number }[];
      const got = { responses: rows.reduce((n, r) => n + r.responses, 0), output: rows.reduce((n, r) => n + r.output, 0) };
      expect({ store: name, ...got }).toEqual({ store: name, responses: want.responses, output: want.output });
      expect({ store: name, responses: j.totals.responses, output: j.totals.output }).toEqual({ store: name, responses: want.responses, output: want.output });
    }
  });
});
