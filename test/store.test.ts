// The usage store's truth rules, on real files and a real store file: a start reads only bytes never seen; a rewritten,
// truncated or replaced transcript has its facts replaced and is never counted twice (the long-running reader equals a
// fresh run at every step); a deleted transcript keeps its facts; the same response in several files counts once,
// across stored files and files on disk; a new parser reads again what is on disk and keeps the facts of deleted
// transcripts; a damaged store is moved aside and a full disk costs no number.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileInfo } from "../src/ingest/discover.ts";
import { FactCollector } from "../src/ingest/facts.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { memoryStore, openUsageStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { PARSER_VERSION, type UsageStore } from "../src/ingest/store.ts";
import { promptLine, responseLines, toolResultLine, type SessionInfo } from "../src/synth/lines.ts";
import { catchUp, withUsage } from "../src/ingest/usage-data.ts";
import { cleanupHint } from "../src/ingest/store-info.ts";
import type { ModelEvent, Usage } from "../src/model/events.ts";
import { historyBucketMinutes, selectHistory } from "../src/model/history-view.ts";
import { selectInsights } from "../src/model/insights/registry.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import type { UsageQueries } from "../src/model/queries.ts";
import { priceFor, costUSD, responseCost } from "../src/model/pricing.ts";
import { createState, reduce } from "../src/model/state.ts";
import { DatabaseSync } from "node:sqlite";
import { stateTotals } from "./oracle.ts";
import { noDiagnostics } from "./builders.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2026-11-26T18:00:00Z");

let root: string;
let projects: string;
let data: string;
let storePath: string;
const open: UsageStore[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "claude-dash-store-root-"));
  projects = join(root, "projects", "-home-dev-src-app");
  mkdirSync(projects, { recursive: true });
  data = mkdtempSync(join(tmpdir(), "claude-dash-store-data-"));
  storePath = join(data, "usage.sqlite");
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

function fileStore(parserVersion = PARSER_VERSION): UsageStore {
  const { store } = openUsageStore({ path: storePath, roots: [root], now: NOW, parserVersion });
  open.push(store);
  return store;
}

const session = (id: string): SessionInfo => ({ sessionId: id, cwd: "/home/dev/src/app" });
const S1 = "11111111-1111-4111-8111-111111111111";
const S2 = "22222222-2222-4222-8222-222222222222";

function resp(s: SessionInfo, id: string, minutesAgo: number, output: number, u: Partial<Usage> = {}): string[] {
  return responseLines({
    session: s,
    time: NOW - minutesAgo * MIN,
    model: "claude-opus-4-6",
    messageId: `msg_${id}`,
    requestId: `req_${id}`,
    usage: { uncached: 3, cacheWrite5m: 1000, cacheWrite1h: 0, cacheRead: 20_000, output, ...u },
    blocks: [
      { type: "text", text: "ok" },
      { type: "tool_use", id: `toolu_${id}`, name: "Read", input: { file_path: "/x" } },
    ],
    uuids: [`u1-${id}`, `u2-${id}`],
    parentUuid: null,
  });
}

function lines(s: SessionInfo, ids: string[], base = 100): string[] {
  const out = [promptLine(s, NOW - (base + 1) * MIN, "do it", `p-${s.sessionId}-${ids[0]}`, null)];
  ids.forEach((id, i) => {
    out.push(...resp(s, id, base - i, 100 + i));
    out.push(toolResultLine(s, NOW - (base - i) * MIN + 500, `toolu_${id}`, { uuid: `r-${id}`, parentUuid: null }));
  });
  return out;
}

const write = (path: string, ls: string[]) => writeFileSync(path, `${ls.join("\n")}\n`);

/** What a user sees of the facts: the --json numbers over all time, HISTORY's week and INSIGHTS' totals. */
function seen(q: UsageQueries) {
  const diag = noDiagnostics("");
  const json = dashboardJson(q, { now: NOW, windowHours: 24 * 365, bucketMinutes: 60, activeWindowHours: 24 * 365 }, diag, false);
  const history = selectHistory(q, { now: NOW, hours: 168, bucketMinutes: historyBucketMinutes(168, 168) });
  const insights = selectInsights(createState(), q, { now: NOW, hours: 24 * 30, buckets: 10 });
  return {
    totals: json.totals,
    counts: json.counts,
    sessions: json.sessions,
    buckets: json.buckets,
    history: history.totals,
    insights: { tokens: insights.tokens, prompts: insights.sessions.prompts, tools: insights.toolTypes },
  };
}

/** The events of the files now on disk (each its own file), plus those of files that were deleted. */
function expected(deleted: ModelEvent[][] = []) {
  const store = memoryStore();
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".jsonl") ? [join(d, e.name)] : []));
  for (const f of walk(join(root, "projects"))) store.putEvents(f, eventsOf(f));
  deleted.forEach((events, i) => store.putEvents(`/deleted/${i}.jsonl`, events));
  return seen(new StoreQueries(store));
}

function eventsOf(f: string): ModelEvent[] {
  const info = fileInfo(f);
  const out: ModelEvent[] = [];
  readFileSync(f, "utf8")
    .split("\n")
    .forEach((l, i) => lineToEvents(l, i + 1, { file: f, fileSessionId: info.sessionId, fileAgentId: info.agentId }, out));
  return out;
}

/** A new process: its own connection to the store file, reading what it has not seen. */
function freshRun() {
  const store = fileStore();
  const source = new TranscriptSource([root], store);
  source.refresh();
  return { view: seen(new StoreQueries(store)), bytes: source.stats.bytesRead };
}

describe("a start reads only bytes never seen", () => {
  test("a second run reads nothing, an append is read alone, and the numbers equal a full read", () => {
    const f = join(projects, `${S1}.jsonl`);
    write(f, lines(session(S1), ["a", "b", "c"]));
    const first = freshRun();
    expect(first.bytes).toBe(statSync(f).size);
    const second = freshRun();
    expect(second.bytes).toBe(0);
    expect(second.view).toEqual(first.view);
    const more = resp(session(S1), "d", 10, 500);
    appendFileSync(f, `${more.join("\n")}\n`);
    const third = freshRun();
    expect(third.bytes).toBe(Buffer.byteLength(`${more.join("\n")}\n`));
    expect(third.view).toEqual(expected());
    expect(third.view.totals.responses).toBe(4);
  });

  test("a response whose lines straddle two runs counts once, with its final usage", () => {
    const f = join(projects, `${S1}.jsonl`);
    const r = resp(session(S1), "x", 10, 777); // two lines: output 1 (placeholder), then 777
    write(f, [r[0]!]);
    expect(freshRun().view.totals.output).toBe(1);
    appendFileSync(f, `${r[1]}\n`);
    const v = freshRun().view;
    expect(v.totals.responses).toBe(1);
    expect(v.totals.output).toBe(777);
  });
});

describe("the long-running reader equals a fresh run at every step", () => {
  test("append, truncate, rewrite in place at the same size, rotate, delete", () => {
    const a = join(projects, `${S1}.jsonl`);
    const b = join(projects, `${S2}.jsonl`);
    write(a, lines(session(S1), ["a1", "a2"], 300));
    write(b, lines(session(S2), ["b1", "b2", "b3"]));
    const live = fileStore();
    const source = new TranscriptSource([root], live);
    const step = (deleted: ModelEvent[][] = []) => {
      source.poll(Date.now());
      source.refresh();
      const v = seen(new StoreQueries(live));
      expect(v).toEqual(freshRun().view);
      expect(v).toEqual(expected(deleted));
      return v;
    };
    const start = step();
    expect(start.totals.responses).toBe(5);

    appendFileSync(b, `${resp(session(S2), "b4", 20, 400).join("\n")}\n`); // append
    expect(step().totals.responses).toBe(6);

    const text = readFileSync(b, "utf8");
    truncateSync(b, Buffer.byteLength(text.split("\n").slice(0, 3).join("\n")) + 1); // truncate: prompt + b1
    expect(step().totals.responses).toBe(3);

    write(b, lines(session(S2), ["b1", "b2"]));
    const before = step();
    const same = readFileSync(b, "utf8").replace('"output_tokens":101', '"output_tokens":909'); // same size, same head
    expect(Buffer.byteLength(same)).toBe(statSync(b).size);
    writeFileSync(b, same);
    const rewritten = step();
    expect(rewritten.totals.output).toBe(before.totals.output - 101 + 909);

    renameSync(b, `${b}.1`); // rotate: the old content leaves the transcripts, a new file takes the path
    write(b, lines(session(S2), ["c1"]));
    expect(step().totals.responses).toBe(3); // a1, a2 and c1

    const aEvents = eventsOf(a);
    rmSync(a); // delete: its usage stays
    const after = step([aEvents]);
    expect(after.totals.responses).toBe(3);
    expect(after.history.responses).toBe(3);
    expect(after.insights.prompts).toBe(2);
  });
});

describe("a deleted transcript keeps its facts", () => {
  test("in --json, HISTORY and INSIGHTS, in this run and the next, and --store-info counts it", () => {
    const a = join(projects, `${S1}.jsonl`);
    const sub = join(projects, S1, "subagents");
    mkdirSync(sub, { recursive: true });
    write(a, lines(session(S1), ["a1", "a2"]));
    write(join(sub, "agent-x1.jsonl"), resp({ ...session(S1), agentId: "x1" }, "s1", 50, 60));
    write(join(projects, `${S2}.jsonl`), lines(session(S2), ["b1"]));
    const before = freshRun().view;
    rmSync(join(projects, S1), { recursive: true });
    rmSync(a);
    const after = freshRun().view;
    expect(after).toEqual(before);
    expect(after.totals.responses).toBe(4);
    const store = fileStore();
    expect(store.files().filter((f) => !existsSync(f.path)).length).toBe(2);
  });
});

describe("the same response in several files counts once", () => {
  test("a copy in a later file (a resumed session) counts once; the larger usage wins; either file may go", () => {
    const a = join(projects, `${S1}.jsonl`);
    const b = join(projects, `${S2}.jsonl`);
    write(a, lines(session(S1), ["r1", "r2"]));
    const first = freshRun().view;
    expect(first.totals.responses).toBe(2);
    // a new file repeats r1 (smaller output: an earlier snapshot) and r2 with a larger one, then goes on
    write(b, [...resp(session(S2), "r1", 100, 5), ...resp(session(S2), "r2", 99, 9999), ...resp(session(S2), "r3", 5, 50)]);
    const both = freshRun().view;
    expect(both.totals.responses).toBe(3);
    expect(both.totals.output).toBe(100 + 9999 + 50);
    expect(both).toEqual(expected());
    // the file that holds the winner of r2 is rewritten without it: the other file's copy takes over
    write(b, resp(session(S2), "r3", 5, 50));
    const rewritten = freshRun().view;
    expect(rewritten.totals.responses).toBe(3);
    expect(rewritten.totals.output).toBe(100 + 101 + 50);
    // and the first file deleted: its facts stay, still once
    const aEvents = eventsOf(a);
    rmSync(a);
    expect(freshRun().view).toEqual(expected([aEvents]));
  });
});

describe("a new parser version", () => {
  test("reads again the transcripts on disk, keeps the facts of deleted ones, and says so", () => {
    const a = join(projects, `${S1}.jsonl`);
    const b = join(projects, `${S2}.jsonl`);
    write(a, lines(session(S1), ["a1", "a2"]));
    write(b, lines(session(S2), ["b1"]));
    const before = freshRun().view;
    const aEvents = eventsOf(a);
    rmSync(a);
    for (const s of open.splice(0)) s.close();
    const opened = openUsageStore({ path: storePath, roots: [root], now: NOW, parserVersion: PARSER_VERSION + 1 });
    open.push(opened.store);
    expect(opened.status.state).toBe("upgraded");
    expect(opened.status.notice).toContain("read again");
    const source = new TranscriptSource([root], opened.store);
    source.refresh();
    expect(source.stats.bytesRead).toBe(statSync(b).size); // b read again; a is gone and keeps its facts
    const after = seen(new StoreQueries(opened.store));
    expect(after).toEqual(before);
    expect(after).toEqual(expected([aEvents]));
  });
});

describe("rate classes: long context and fast mode priced per response, in the store as in memory", () => {
  const SONNET45 = "claude-sonnet-4-5-20250929";
  /** Sonnet 4.5 at 150k and 250k of input (the second over the long-context line), a fast Opus 4.6 one and a normal
   *  one, days apart (so all-time sums come from the rollup). */
  function priced(s: SessionInfo, tag: string, daysAgo: number): { lines: string[]; cost: number } {
    const specs = [
      { model: SONNET45, usage: { uncached: 10, cacheWrite5m: 5000, cacheWrite1h: 0, cacheRead: 145_000, output: 900 } },
      { model: SONNET45, usage: { uncached: 10, cacheWrite5m: 5000, cacheWrite1h: 1000, cacheRead: 244_000, output: 700 } },
      { model: "claude-opus-4-6", usage: { uncached: 20, cacheWrite5m: 3000, cacheWrite1h: 0, cacheRead: 60_000, output: 2000 }, speed: "fast" as const },
      { model: "claude-opus-4-6", usage: { uncached: 20, cacheWrite5m: 3000, cacheWrite1h: 0, cacheRead: 60_000, output: 2000 }, speed: "standard" as const },
    ];
    const out: string[] = [];
    let cost = 0;
    specs.forEach((x, i) => {
      const id = `${tag}${i}`;
      out.push(
        ...responseLines({
          session: s,
          time: NOW - daysAgo * 24 * HOUR - i * MIN,
          messageId: `msg_${id}`,
          requestId: `req_${id}`,
          blocks: [{ type: "text", text: "ok" }],
          uuids: [`u-${id}`],
          parentUuid: null,
          ...x,
        }),
      );
      cost += responseCost(x.model, x.usage, x.speed === "fast");
    });
    return { lines: out, cost };
  }

  test("all-time --json, HISTORY, INSIGHTS and --report price each response at its own rates", () => {
    const a = priced(session(S1), "a", 5);
    const b = priced(session(S2), "b", 1);
    write(join(projects, `${S1}.jsonl`), a.lines);
    write(join(projects, `${S2}.jsonl`), b.lines);
    const { view } = freshRun();
    expect(view.totals.costUSD).toBeCloseTo(a.cost + b.cost, 3); // (--json gives 1/100 of a cent)
    // the per-response model agrees
    const s = createState();
    for (const f of [join(projects, `${S1}.jsonl`), join(projects, `${S2}.jsonl`)]) for (const e of eventsOf(f)) reduce(s, e);
    expect(stateTotals(s).costUSD).toBeCloseTo(a.cost + b.cost, 9);
    // (the long and the fast response cost more than at base rates: the rule is in use, not only agreed on)
    const atBase = a.lines.length && [...s.responses.values()].reduce((n, r) => n + costUSD(r.usage, priceFor(r.model)), 0);
    expect(a.cost + b.cost).toBeGreaterThan(atBase + 0.01);
  });

  test("a store of schema 1 (no rate class) is upgraded: stored responses get their input's class, a deleted transcript keeps its facts, files on disk are read again (their fast mode too)", () => {
    const a = priced(session(S1), "a", 5);
    const b = priced(session(S2), "b", 1);
    const fa = join(projects, `${S1}.jsonl`);
    write(fa, a.lines);
    write(join(projects, `${S2}.jsonl`), b.lines);
    freshRun();
    for (const st of open.splice(0)) st.close();
    // what version 1 wrote: no cls column, cells by slot and model, parser 1
    const db = new DatabaseSync(storePath);
    db.exec(`ALTER TABLE responses DROP COLUMN cls; DROP TABLE cells;
      CREATE TABLE cells (slot INTEGER NOT NULL, model INTEGER NOT NULL, n INTEGER NOT NULL, u INTEGER NOT NULL, a INTEGER NOT NULL, b INTEGER NOT NULL, r INTEGER NOT NULL, o INTEGER NOT NULL, hit INTEGER NOT NULL, miss INTEGER NOT NULL, PRIMARY KEY (slot, model)) WITHOUT ROWID;
      INSERT INTO cells SELECT (time - 1) / 900000, model, count(*), sum(uncached), sum(w5), sum(w1), sum(rd), sum(out), 0, 0 FROM responses GROUP BY 1, 2;
      UPDATE meta SET v = '1' WHERE k = 'parser'; PRAGMA user_version = 1;`);
    db.close();
    rmSync(fa); // its fast response cannot be read again: it counts at normal speed
    const opened = openUsageStore({ path: storePath, roots: [root], now: NOW });
    open.push(opened.store);
    expect(opened.status.state).toBe("upgraded");
    new TranscriptSource([root], opened.store).refresh();
    const after = seen(new StoreQueries(opened.store));
    const fastOfA = responseCost("claude-opus-4-6", { uncached: 20, cacheWrite5m: 3000, cacheWrite1h: 0, cacheRead: 60_000, output: 2000 }, true);
    const normalOfA = responseCost("claude-opus-4-6", { uncached: 20, cacheWrite5m: 3000, cacheWrite1h: 0, cacheRead: 60_000, output: 2000 });
    expect(after.totals.responses).toBe(8);
    expect(after.totals.costUSD).toBeCloseTo(a.cost - fastOfA + normalOfA + b.cost, 3);
  });
});

describe("a store that fails never costs a number", () => {
  test("a damaged file is moved aside (never deleted), a new store starts, and the numbers are the transcripts'", async () => {
    write(join(projects, `${S1}.jsonl`), lines(session(S1), ["a1", "a2"]));
    freshRun();
    for (const s of open.splice(0)) s.close();
    writeFileSync(storePath, "this is not a database ".repeat(500));
    const { status, view } = await withUsage({ roots: [root], storeAt: storePath }, (d) => {
      open.push(d.store);
      return { status: d.status, view: seen(new StoreQueries(d.store)) };
    });
    expect(status.state).toBe("recovered");
    expect(status.notice).toContain("moved to");
    expect(view).toEqual(expected());
    const aside = readdirSync(data).filter((n) => n.includes(".damaged-"));
    expect(aside.length).toBeGreaterThan(0);
    expect(readFileSync(join(data, aside.find((n) => !n.endsWith("-wal") && !n.endsWith("-shm"))!), "utf8")).toContain("not a database");
  });

  test("a disk that fills up while reading: every fact read so far stays, the rest in memory, and it says so", async () => {
    write(join(projects, `${S1}.jsonl`), lines(session(S1), ["a1", "a2"]));
    freshRun(); // the store holds this session
    for (const s of open.splice(0)) s.close();
    for (let i = 0; i < 30; i++)
      write(join(projects, `f${i}-0000-4000-8000-000000000000.jsonl`), lines(session(`f${i}-0000-4000-8000-000000000000`), [`x${i}a`, `x${i}b`, `x${i}c`]));
    const store = fileStore();
    const pages = store.db.get<{ page_count: number }>("PRAGMA page_count")!.page_count;
    store.db.exec(`PRAGMA max_page_count = ${pages + 2}`); // the "disk" holds two more pages
    const { status, view } = await withUsage(
      { roots: [root], storeAt: storePath, opened: { store, status: { state: "ok", path: storePath, notice: null } } },
      (d) => ({
        status: d.status,
        view: seen(new StoreQueries(d.store)),
      }),
    );
    expect(status.state).toBe("full");
    expect(status.notice).toContain("disk is full");
    expect(view).toEqual(expected());
    expect(view.totals.responses).toBe(2 + 30 * 3);
  });

  test("a read-only data directory, or --no-store, writes nothing and gives the transcripts' numbers", async () => {
    write(join(projects, `${S1}.jsonl`), lines(session(S1), ["a1"]));
    const blocker = join(data, "not-a-dir");
    writeFileSync(blocker, "");
    for (const at of [join(blocker, "claude-dash", "usage.sqlite"), null]) {
      const r = await withUsage({ roots: [root], storeAt: at }, (d) => ({ status: d.status, kind: d.store.kind, view: seen(new StoreQueries(d.store)) }));
      expect(r.kind).toBe("memory");
      expect(r.status.state).toBe(at === null ? "off" : "read-only");
      expect(r.view).toEqual(expected());
    }
    expect(readdirSync(data)).toEqual(["not-a-dir"]);
  });
});

describe("two processes at once", () => {
  test("two readers of one store, each appending and reading, are both right with no lock error", () => {
    const f = join(projects, `${S1}.jsonl`);
    write(f, lines(session(S1), ["a1"]));
    const one = new TranscriptSource([root], fileStore());
    const two = new TranscriptSource([root], fileStore());
    one.refresh();
    two.refresh();
    for (let i = 0; i < 5; i++) {
      appendFileSync(f, `${resp(session(S1), `n${i}`, 50 - i, 10 + i).join("\n")}\n`);
      (i % 2 ? one : two).refresh();
      (i % 2 ? two : one).refresh();
    }
    writeFileSync(f, `${lines(session(S1), ["z1"]).join("\n")}\n`); // rewritten: both notice, in either order
    two.refresh();
    one.refresh();
    expect(seen(new StoreQueries(one.store))).toEqual(expected());
    expect(seen(new StoreQueries(two.store))).toEqual(expected());
  });

  test("a run that starts while another fills the store opens it without waiting, and is exact when it cannot write", async () => {
    for (const [i, sid] of [S1, S2].entries()) write(join(projects, `${sid}.jsonl`), lines(session(sid), [`f${i}a`, `f${i}b`], 300 - 20 * i));
    // The first process is in the middle of its first fill: the write lock is held, nothing committed.
    const filler = fileStore();
    expect(filler.beginBulk()).toBe(true);
    const early = new FactCollector();
    for (const e of eventsOf(join(projects, `${S1}.jsonl`))) early.push(e);
    filler.write([
      early.facts(join(projects, `${S1}.jsonl`), { dev: 0, ino: 0, size: 0, mtimeMs: 0, offset: 0, lines: 0, headLen: 0, headHash: 0, tailHash: 0 }, false, -1),
    ]);
    // The second opens the store at once (no lock needed to open a current store) … Shown without a clock: it opens
    // with no busy wait at all (busyMs 0), so had opening needed the lock the filler holds, it would be "busy".
    const opened = openUsageStore({ path: storePath, roots: [root], now: NOW, busyMs: 0 });
    expect(opened.status.state).toBe("ok");
    opened.store.db.exec("PRAGMA busy_timeout = 50"); // (writing, 10 s in use; the test need not wait that long)
    // … and, unable to write, reads the transcripts itself: the same numbers, and it says why.
    const got = await withUsage({ roots: [root], storeAt: storePath, opened, threads: 1 }, (d) => {
      open.push(d.store);
      return { view: seen(new StoreQueries(d.store)), status: d.status };
    });
    expect(got.status.state).toBe("busy");
    expect(got.status.notice).toContain("another claude-dash");
    expect(got.view).toEqual(expected());
    filler.endBulk();
    expect(freshRun().view).toEqual(expected());
  });
});

describe("the rollups (per quarter hour) behind long spans", () => {
  test("give the same sums and counts as the facts, after bulk writes, single writes and a replaced file", () => {
    const store = memoryStore();
    const q = new StoreQueries(store);
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const events = (file: number, n: number): ModelEvent[] => {
      const out: ModelEvent[] = [];
      for (let i = 0; i < n; i++) {
        const time = Math.floor(NOW - rand() * 30 * 24 * HOUR);
        const key = `f${file}-${i}`;
        const model = ["claude-opus-4-6", "claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"][i % 3]!;
        const u = {
          uncached: Math.floor(rand() * 50),
          cacheWrite5m: Math.floor(rand() * 5000),
          cacheWrite1h: 0,
          cacheRead: rand() < 0.2 ? 0 : Math.floor(rand() * 90_000),
          output: Math.floor(rand() * 900),
        };
        out.push({ type: "ResponseObserved", key, time, sessionId: `s${file}`, agentId: null, model, usage: u, cwd: null, entrypoint: null });
        out.push({ type: "ToolCallObserved", key: `t-${key}`, time, sessionId: `s${file}`, agentId: null, name: "Bash" });
        out.push({
          type: "ToolResultObserved",
          key: `t-${key}`,
          time: time + 700,
          sessionId: `s${file}`,
          agentId: null,
          outcome: i % 7 === 0 ? "error" : i % 11 === 0 ? "rejected" : "ok",
        });
        if (i % 5 === 0) out.push({ type: "PromptObserved", key: `p-${key}`, time: time - 1000, sessionId: `s${file}`, cwd: null });
        if (i % 13 === 0)
          out.push({
            type: "ApiErrorObserved",
            key: `e-${key}`,
            time: time + 3,
            sessionId: `s${file}`,
            agentId: null,
            status: 529,
            message: "x",
            retry: i % 2 === 0,
          });
      }
      return out;
    };
    store.putEvents("/t/bulk.jsonl", events(0, 3000)); // a bulk write: the rollups are rebuilt when next asked
    const check = () => {
      const from = NOW - 40 * 24 * HOUR + 123_457; // not on a quarter hour
      const to = NOW - 17_000;
      const day = 24 * HOUR;
      const long = q.cells(from, to, day);
      const short = [] as typeof long;
      for (let a = from; a < to; a += day) short.push(...q.cells(a, Math.min(to, a + day), day)); // a day each: from the facts
      const sum = (cs: typeof long) => cs.reduce((n, c) => n + c.responses + c.usage.output + c.usage.cacheRead + c.freshHit + c.freshMiss, 0);
      expect(sum(long)).toBe(sum(short));
      expect(long.reduce((n, c) => n + c.responses, 0)).toBe(
        store.db.get<{ n: number }>("SELECT count(*) AS n FROM responses WHERE time > ? AND time <= ?", from, to)!.n,
      );
      const counts = q.counts(from, to);
      const parts = Array.from({ length: 40 }, (_, i) => q.counts(from + i * day, Math.min(to, from + (i + 1) * day)));
      for (const k of Object.keys(counts) as (keyof typeof counts)[]) expect(counts[k]).toBe(parts.reduce((n, c) => n + c[k], 0));
      return counts;
    };
    const first = check();
    expect(first.toolErrors).toBeGreaterThan(0);
    store.putEvents("/t/small.jsonl", events(1, 40)); // a single write: the rollups follow it
    check();
    // a file read again from its start with fewer facts: what it no longer holds leaves the rollups
    const bulk = store.file("/t/bulk.jsonl")!;
    const c = new FactCollector();
    for (const e of events(0, 3000).slice(0, 500)) c.push(e);
    store.write([c.facts("/t/bulk.jsonl", { ...bulk, offset: 0 }, true, bulk.gen)]);
    const after = check();
    expect(after.toolCalls).toBeLessThan(first.toolCalls);
  });

  test("a first fill (one transaction, summing its rollup changes to the end and to each commit) gives the facts and rollups of plain writes", () => {
    const store = fileStore();
    const q = new StoreQueries(store);
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const facts = (file: number, n: number) => {
      const c = new FactCollector();
      for (let i = 0; i < n; i++) {
        const time = Math.floor(NOW - rand() * 60 * 24 * HOUR);
        const key = i % 50 === 0 ? `g-${i}` : `g${file}-${i}`; // some facts in several files
        c.push({
          type: "ResponseObserved",
          key,
          time,
          sessionId: `s${file}`,
          agentId: null,
          model: i % 2 ? "claude-opus-4-6" : "claude-haiku-4-5-20251001",
          usage: { uncached: 5, cacheWrite5m: Math.floor(rand() * 900), cacheWrite1h: 0, cacheRead: i % 4 ? 700 : 0, output: 40 + file },
          cwd: null,
          entrypoint: null,
        });
        c.push({ type: "ToolResultObserved", key: `t-${key}`, time: time + 9, sessionId: `s${file}`, agentId: null, outcome: i % 3 ? "ok" : "error" });
        if (i % 4 === 0) c.push({ type: "PromptObserved", key: `p-${key}`, time: time - 9, sessionId: `s${file}`, cwd: null });
      }
      return c.facts(`/t/${file}.jsonl`, { dev: 0, ino: file, size: 1, mtimeMs: 1, offset: 1, lines: 1, headLen: 0, headHash: 0, tailHash: 0 }, false, -1);
    };
    expect(store.beginBulk({ holdRollup: true })).toBe(true);
    store.write([facts(0, 3000), facts(1, 800)]);
    store.bulkCommit(); // (another process now sees facts and rollups that agree)
    store.write([facts(2, 2500)]);
    store.endBulk();
    // the same written plainly, one write at a time
    const plain = memoryStore();
    seed = 11;
    plain.write([facts(0, 3000)]);
    plain.write([facts(1, 800)]);
    plain.write([facts(2, 2500)]);
    if (!plain.rollupReady()) plain.rebuildRollup(); // (large writes leave it to be rebuilt when next asked)
    for (const sql of [
      "SELECT key, file, time, uncached, w5, out FROM responses ORDER BY key",
      "SELECT key, result_file, result_time, outcome FROM tools ORDER BY key",
      "SELECT key, file, time FROM prompts ORDER BY key",
      "SELECT kind, key, file FROM copies ORDER BY 1, 2, 3",
      "SELECT * FROM cells ORDER BY slot, model",
      "SELECT * FROM tallies ORDER BY slot",
    ]) {
      expect(store.db.query(sql)).toEqual(plain.db.query(sql));
    }
    expect(plain.db.get<{ n: number }>("SELECT count(*) AS n FROM responses")!.n).toBe(2940 + 784 + 2450 + 60); // a key in several files counts once
    expect(plain.db.get<{ n: number }>("SELECT count(*) AS n FROM copies")!.n).toBeGreaterThan(0);
    const cells = store.db.query("SELECT * FROM cells ORDER BY slot, model");
    const tallies = store.db.query("SELECT * FROM tallies ORDER BY slot");
    store.rebuildRollup(); // from the facts alone
    expect(store.db.query("SELECT * FROM cells ORDER BY slot, model")).toEqual(cells);
    expect(store.db.query("SELECT * FROM tallies ORDER BY slot")).toEqual(tallies);
    expect(q.counts(NOW - 61 * 24 * HOUR, NOW).prompts).toBeGreaterThan(0);
  });
});

describe("the order files are read in does not matter", () => {
  test("facts seen in several files, even differing, are held by the same sighting whichever file comes first", () => {
    const u = (output: number): Usage => ({ uncached: 1, cacheWrite5m: 10, cacheWrite1h: 0, cacheRead: 100, output });
    const r = (file: string, output: number, minutesAgo: number): ModelEvent => ({
      type: "ResponseObserved",
      key: "m|r",
      time: NOW - minutesAgo * MIN,
      sessionId: file,
      agentId: null,
      model: "claude-opus-4-6",
      usage: u(output),
      cwd: null,
      entrypoint: null,
    });
    const files: Record<string, ModelEvent[]> = {
      "/t/a.jsonl": [
        r("a", 50, 10),
        { type: "ToolResultObserved", key: "toolu_x", time: NOW - 5 * MIN, sessionId: "a", agentId: null, outcome: "error" },
        { type: "PromptObserved", key: "p1", time: NOW - 9 * MIN, sessionId: "a", cwd: null },
      ],
      "/t/b.jsonl": [
        r("b", 50, 10), // the same usage at the same time: a tie, held by the path that sorts first (a)
        { type: "ToolResultObserved", key: "toolu_x", time: NOW - 6 * MIN, sessionId: "b", agentId: null, outcome: "rejected" }, // earlier: wins
        { type: "ToolCallObserved", key: "toolu_x", time: NOW - 7 * MIN, sessionId: "b", agentId: null, name: "Bash" },
      ],
      "/t/c.jsonl": [
        { type: "PromptObserved", key: "p1", time: NOW - 11 * MIN, sessionId: "c", cwd: null }, // earlier: wins
        { type: "ToolCallObserved", key: "toolu_x", time: NOW - 7 * MIN, sessionId: "c", agentId: null, name: "Read" }, // a tie with b: b holds it
      ],
    };
    const held = (order: string[]) => {
      const store = memoryStore();
      for (const f of order) store.putEvents(f, files[f]!);
      const q = new StoreQueries(store);
      const rows = store.db.query<{ t: string; k: string; f: number; time: number }>(
        "SELECT 'r' AS t, key AS k, file AS f, time FROM responses UNION ALL SELECT 'p', key, file, time FROM prompts UNION ALL SELECT 'c', key, call_file, call_time FROM tools UNION ALL SELECT 'o', key, result_file, result_time FROM tools",
      );
      const path = (id: number) => store.files().find((x) => x.id === id)!.path;
      return { rows: rows.map((x) => `${x.t} ${x.k} ${path(x.f)} ${x.time}`).sort(), seen: seen(q), counts: q.counts(NOW - HOUR, NOW) };
    };
    const first = held(["/t/a.jsonl", "/t/b.jsonl", "/t/c.jsonl"]);
    expect(first.rows).toEqual([
      `c toolu_x /t/b.jsonl ${NOW - 7 * MIN}`,
      `o toolu_x /t/b.jsonl ${NOW - 6 * MIN}`,
      `p p1 /t/c.jsonl ${NOW - 11 * MIN}`,
      `r m|r /t/a.jsonl ${NOW - 10 * MIN}`,
    ]);
    expect(first.counts).toMatchObject({ toolRejections: 1, toolErrors: 0, prompts: 1, toolCalls: 1 });
    for (const order of [
      ["/t/a.jsonl", "/t/c.jsonl", "/t/b.jsonl"],
      ["/t/b.jsonl", "/t/a.jsonl", "/t/c.jsonl"],
      ["/t/b.jsonl", "/t/c.jsonl", "/t/a.jsonl"],
      ["/t/c.jsonl", "/t/a.jsonl", "/t/b.jsonl"],
      ["/t/c.jsonl", "/t/b.jsonl", "/t/a.jsonl"],
    ])
      expect(held(order)).toEqual(first);
  });
});

describe("reading on reader threads", () => {
  test("a backlog read by threads stores exactly what one thread stores (copies of facts in several files included), and a later run reads nothing again", async () => {
    const sub = join(projects, S1, "subagents");
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < 12; i++) {
      const sid = `${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`;
      write(join(projects, `${sid}.jsonl`), lines(session(sid), [`t${i}a`, `t${i}b`, `t${i}c`], 200 + i));
    }
    write(join(sub, "agent-x1.jsonl"), resp({ ...session(S1), agentId: "x1" }, "s1", 50, 60));
    // a resumed session: a copy of session 0's lines (one response with a larger usage) in a file of its own
    const s0 = `${String(0).padStart(8, "0")}-0000-4000-8000-000000000000`;
    write(join(projects, `${S1}.jsonl`), [...lines(session(s0), ["t0a", "t0b"], 200), ...resp(session(s0), "t0c", 198, 999)]);
    writeFileSync(join(projects, `${S2}.jsonl`), resp(session(S2), "tail", 30, 7)[1]!); // ends without a newline
    const threaded = fileStore();
    const source = new TranscriptSource([root], threaded);
    await catchUp(source, threaded, 2, { minBytes: 0 });
    expect(source.stats.bytesRead).toBe(
      readdirSync(projects, { recursive: true })
        .filter((n) => String(n).endsWith(".jsonl"))
        .reduce((a, n) => a + statSync(join(projects, String(n))).size, 0),
    );
    const single = memoryStore();
    new TranscriptSource([root], single).refresh();
    expect(seen(new StoreQueries(threaded))).toEqual(seen(new StoreQueries(single)));
    expect(seen(new StoreQueries(threaded))).toEqual(expected());
    expect(freshRun().bytes).toBe(0);
  });
});

describe("Claude Code's cleanup", () => {
  test("the dashboard's hint comes once per store, and never when cleanupPeriodDays is set or there is no store file", () => {
    const store = fileStore();
    const first = cleanupHint(store, [root], NOW);
    expect(first).toContain("cleanupPeriodDays");
    expect(cleanupHint(store, [root], NOW + 1)).toBeNull(); // shown once
    expect(cleanupHint(fileStore(), [root], NOW + 2)).toBeNull(); // also for the next process
    expect(cleanupHint(memoryStore(), [root], NOW)).toBeNull();
    rmSync(storePath);
    const other = mkdtempSync(join(tmpdir(), "claude-dash-settings-"));
    writeFileSync(join(other, "settings.json"), JSON.stringify({ cleanupPeriodDays: 365 }));
    const fresh = openUsageStore({ path: join(data, "other.sqlite"), roots: [other], now: NOW }).store;
    open.push(fresh);
    expect(cleanupHint(fresh, [other], NOW)).toBeNull();
    rmSync(other, { recursive: true, force: true });
  });
});

describe("stored rows read back", () => {
  test("a damaged copy of a fact is passed over (no crash), and the rest stays exact", () => {
    const store = memoryStore();
    open.push(store);
    const s = session(S1);
    const a = eventsOf2(resp(s, "x", 10, 100));
    store.putEvents("/a.jsonl", a);
    store.putEvents("/b.jsonl", a); // the same response in a second file: a copy is kept
    store.db.run("UPDATE copies SET fact = '{broken'");
    const other = eventsOf2(resp(s, "y", 5, 50));
    store.putEvents("/c.jsonl", other);
    // the file holding the stored row goes: its copy cannot be promoted, and nothing throws
    const ids = store.db.query<{ id: number }>("SELECT id FROM files").map((r) => r.id);
    expect(() => store.removeFiles(ids.slice(0, 1))).not.toThrow();
    // what is left is exactly y: x's stored row went with /a.jsonl, and its only copy was the damaged one
    const q = new StoreQueries(store);
    const cells = q.sessionCells(0, NOW + 1);
    expect(cells.reduce((n, c) => n + c.responses, 0)).toBe(1);
    expect(cells.reduce((n, c) => n + c.usage.output, 0)).toBe(50);
  });
});

function eventsOf2(lines: string[]): ModelEvent[] {
  const out: ModelEvent[] = [];
  lines.forEach((l, i) => lineToEvents(l, i + 1, { file: "/x.jsonl", fileSessionId: S1, fileAgentId: null }, out));
  return out;
}

describe("what Claude Code tells us, kept", () => {
  test("limits: changes kept, repeats only move the time; figures out of all reason are not kept, a reset that is no reset is dropped", () => {
    const s = memoryStore();
    const T0 = Date.parse("2026-11-26T12:00:00Z");
    const l = (time: number, percent: number, resetsAt: number | null, origin: "statusline" | "endpoint" = "statusline") => ({
      kind: "session",
      time,
      percent,
      resetsAt,
      origin,
      sessionId: "s1",
    });
    s.recordLimits([l(T0, 40, T0 + 3_600_000)]);
    s.recordLimits([l(T0 + 60_000, 40, T0 + 3_600_000)]);
    s.recordLimits([l(T0 + 120_000, 42, T0 + 3_600_000, "endpoint")]);
    s.recordLimits([l(T0 + 30_000, 99, T0 + 3_600_000)]); // (older than the newest: says nothing new)
    s.recordLimits([l(T0 + 180_000, 1e308, T0 + 3_600_000), l(T0 + 180_000, Number.NaN, null), l(T0 + 180_000, -5, null)]);
    expect(s.limitsSeen("session", 0, T0 + 1e9).map((x) => [x.time - T0, x.percent, x.origin])).toEqual([
      [60_000, 40, "statusline"],
      [120_000, 42, "endpoint"],
    ]);
    s.recordLimits([{ ...l(T0 + 240_000, 43, 1e308), kind: "weekly" }]);
    expect(s.latestLimits().find((x) => x.kind === "weekly")).toMatchObject({ percent: 43, resetsAt: null });
    // (a payload whose window had already reset when it came says nothing of the window then current)
    s.recordLimits([{ ...l(T0 + 300_000, 77, T0 + 200_000), kind: "weekly" }]);
    expect(s.latestLimits().find((x) => x.kind === "weekly")).toMatchObject({ percent: 43 });
  });
});
