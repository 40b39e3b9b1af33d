// TranscriptSource end to end on files written by the typed builders: the byte fast path agrees with the full
// parse over whole generated sessions, files last written before the window are left unread without changing
// the numbers, and a last line without its newline is handled without loss or double counting.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSession } from "../src/synth/corpus.ts";
import { fileInfo } from "../src/ingest/discover.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { promptLine, responseLines, rng, uuidFrom } from "../src/synth/lines.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import type { UsageQueries } from "../src/model/queries.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { createState, reduce, reduceAll, type ModelState, type Totals } from "../src/model/state.ts";
import { queriesOf, noDiagnostics } from "./builders.ts";
import { stateTotals } from "./oracle.ts";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-11-26T18:00:00Z");
const DIAG = noDiagnostics();
const view = (q: UsageQueries, windowHours = 12) => {
  const j = dashboardJson(q, { now: NOW, windowHours, bucketMinutes: 60, activeWindowHours: windowHours }, DIAG, false);
  return { ...j, diagnostics: null };
};

let root: string;
let projects: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "claude-dash-source-"));
  projects = join(root, "projects", "-home-dev-src-app");
  mkdirSync(projects, { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes a generated session (and its subagents) like Claude Code would, with the file's mtime at its last line. */
function writeSession(seed: number, endsHoursAgo: number, subagents = 1): string {
  const r = rng(seed);
  const sessionId = uuidFrom(r);
  const plan = { sessionId, cwd: "/home/dev/src/app", model: "claude-opus-4-6", turns: 6, subagents, endsWithApiError: seed % 2 === 0, start: 0 };
  const dry = generateSession(rng(seed), plan);
  const g = generateSession(rng(seed), { ...plan, start: NOW - endsHoursAgo * HOUR - dry.end });
  const write = (path: string, lines: string[]) => {
    writeFileSync(path, `${lines.join("\n")}\n`);
    utimesSync(path, g.end / 1000, g.end / 1000);
  };
  const main = join(projects, `${sessionId}.jsonl`);
  write(main, g.main);
  for (const a of g.agents) {
    mkdirSync(join(projects, sessionId, "subagents"), { recursive: true });
    write(join(projects, sessionId, "subagents", `agent-${a.agentId}.jsonl`), a.lines);
  }
  return main;
}

/** Reads the root into a store in memory; the stored facts also go to an in-memory model. */
function load(opts: { since?: number } = {}): { state: ModelState; source: TranscriptSource; q: StoreQueries } {
  const state = createState();
  const store = memoryStore();
  const source = new TranscriptSource([root], store, opts);
  source.refresh({ push: (e: ModelEvent) => reduce(state, e) });
  return { state, source, q: new StoreQueries(store) };
}

describe("the byte fast path", () => {
  test("gives the same numbers as parsing every line with JSON.parse, over whole generated sessions", () => {
    for (let i = 0; i < 6; i++) writeSession(100 + i, i * 3);
    const { state, source, q } = load();
    const slow = createState();
    const all: ModelEvent[] = [];
    expect(source.stats.files).toBe(listFiles().length);
    for (const f of listFiles()) {
      const info = fileInfo(f);
      const events: ModelEvent[] = [];
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((l, i) => lineToEvents(l, i + 1, { file: f, fileSessionId: info.sessionId, fileAgentId: info.agentId }, events));
      reduceAll(slow, events);
      all.push(...events);
    }
    expect(stateTotals(state).responses).toBeGreaterThan(50);
    // (dollars and weighted tokens are sums of fractions: the order of adding may move the last bits)
    const rounded = (t: Totals) => ({ ...t, costUSD: t.costUSD.toFixed(9), effectiveTokens: t.effectiveTokens.toFixed(3) });
    expect(rounded(stateTotals(state))).toEqual(rounded(stateTotals(slow)));
    expect(view(q, 48)).toEqual(view(queriesOf(all), 48));
  });
});

function listFiles(): string[] {
  const out: string[] = [];
  // (in the order the source reads them, so that sums of dollars round the same way: a directory's files in name
  // order, then its subdirectories)
  const walk = (d: string) => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) if (!e.isDirectory() && e.name.endsWith(".jsonl")) out.push(join(d, e.name));
    for (const e of entries) if (e.isDirectory()) walk(join(d, e.name));
  };
  walk(join(root, "projects"));
  return out;
}

describe("files last written before the window", () => {
  test("are left unread, and the window's numbers are exactly those of a full read", () => {
    writeSession(1, 0.5);
    writeSession(2, 5);
    writeSession(3, 72);
    writeSession(4, 200);
    const full = load();
    const lazy = load({ since: NOW - 12 * HOUR - 24 * HOUR });
    expect(lazy.source.stats.deferred).toBeGreaterThanOrEqual(2);
    expect(lazy.source.stats.bytesRead).toBeLessThan(full.source.stats.bytesRead);
    expect(view(lazy.q)).toEqual(view(full.q));
  });

  test("are read by readDeferred, after which the state equals a full read", () => {
    writeSession(5, 1);
    writeSession(6, 100);
    const full = load();
    const lazy = load({ since: NOW - 36 * HOUR });
    expect(view(lazy.q, 24 * 30)).not.toEqual(view(full.q, 24 * 30));
    lazy.source.readDeferred({ push: (e: ModelEvent) => reduce(lazy.state, e) });
    expect(lazy.source.stats.deferred).toBe(0);
    expect(view(lazy.q, 24 * 30)).toEqual(view(full.q, 24 * 30));
  });

  test("a deferred file that is written again is read (whole) on the next refresh", () => {
    const old = writeSession(7, 100, 0);
    const lazy = load({ since: NOW - 36 * HOUR });
    const before = stateTotals(lazy.state).responses;
    expect(lazy.source.stats.deferred).toBeGreaterThan(0);
    const sessionId = old.split("/").pop()!.replace(".jsonl", "");
    appendFileSync(old, `${promptLine({ sessionId, cwd: "/home/dev/src/app" }, NOW - 60_000, "one more thing", "p-late", null)}\n`);
    lazy.source.refresh({ push: (e: ModelEvent) => reduce(lazy.state, e) });
    const full = load();
    expect(stateTotals(lazy.state).responses).toBeGreaterThan(before);
    expect(view(lazy.q, 24 * 30)).toEqual(view(full.q, 24 * 30));
  });
});

describe("a last line without its newline", () => {
  const session = { sessionId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", cwd: "/home/dev/src/app" };
  const usage = { uncached: 5, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 1000, output: 50 };
  const line = (id: string, t: number) =>
    responseLines({
      session,
      time: t,
      model: "claude-opus-4-6",
      messageId: id,
      requestId: `req_${id}`,
      usage,
      blocks: [{ type: "text", text: "ok" }],
      uuids: [`u-${id}`],
      parentUuid: null,
    })[0]!;

  test("is counted when it is a whole record (a file that simply ends that way)", () => {
    const f = join(projects, `${session.sessionId}.jsonl`);
    writeFileSync(f, `${line("m1", NOW - HOUR)}\n${line("m2", NOW - HOUR + 1000)}`);
    const { state } = load();
    expect(stateTotals(state).responses).toBe(2);
  });

  test("is neither counted nor rejected while half-written, and counted once when finished", () => {
    const f = join(projects, `${session.sessionId}.jsonl`);
    const whole = line("m3", NOW - HOUR);
    writeFileSync(f, whole.slice(0, 120));
    const state = createState();
    const store = memoryStore();
    const source = new TranscriptSource([root], store);
    const sink = { push: (e: ModelEvent) => reduce(state, e) };
    source.refresh(sink);
    expect(stateTotals(state).responses).toBe(0);
    expect(store.rejectedLines(10).count).toBe(0);
    appendFileSync(f, whole.slice(120)); // whole record, still no newline
    source.refresh(sink);
    expect(stateTotals(state).responses).toBe(1);
    appendFileSync(f, "\n");
    source.refresh(sink);
    expect(stateTotals(state).responses).toBe(1);
    expect(stateTotals(state).output).toBe(50);
    expect(store.rejectedLines(10).count).toBe(0);
    expect(new StoreQueries(store).cells(0, NOW, HOUR).reduce((n, c) => n + c.responses, 0)).toBe(1);
  });
});

describe("the live poll", () => {
  test("reads an active file on every poll, and a quiet one within QUIET_EVERY polls", () => {
    const quietFile = writeSession(11, 48, 0); // mtime two days ago: quiet
    const activeFile = writeSession(12, 0, 0);
    utimesSync(activeFile, new Date(), new Date()); // written just now
    const state = createState();
    const source = new TranscriptSource([root], memoryStore());
    const sink = { push: (e: ModelEvent) => reduce(state, e) };
    source.refresh(sink);
    const sid = (f: string) => f.split("/").pop()!.replace(".jsonl", "");
    const add = (f: string, key: string) => {
      appendFileSync(f, `${promptLine({ sessionId: sid(f), cwd: "/home/dev/src/app" }, NOW - 1000, "more", key, null)}\n`);
      utimesSync(f, new Date(Date.now() - 48 * HOUR), new Date(Date.now() - 48 * HOUR)); // keep it quiet
    };
    appendFileSync(activeFile, `${promptLine({ sessionId: sid(activeFile), cwd: "/home/dev/src/app" }, NOW - 1000, "more", "p-active", null)}\n`);
    source.poll(Date.now(), sink);
    expect(state.prompts.has("p-active")).toBe(true);
    add(quietFile, "p-quiet");
    let polls = 0;
    while (!state.prompts.has("p-quiet") && polls < 20) {
      source.poll(Date.now(), sink);
      polls++;
    }
    expect(state.prompts.has("p-quiet")).toBe(true);
    expect(polls).toBeLessThanOrEqual(15);
  });

  test("finds a new session file at once, even in a quiet project", () => {
    writeSession(13, 48, 0);
    const state = createState();
    const source = new TranscriptSource([root], memoryStore());
    const sink = { push: (e: ModelEvent) => reduce(state, e) };
    source.refresh(sink);
    const before = stateTotals(state).responses;
    writeSession(14, 0, 0);
    source.poll(Date.now(), sink);
    expect(stateTotals(state).responses).toBeGreaterThan(before);
  });
});
