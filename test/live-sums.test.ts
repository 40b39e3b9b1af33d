// LIVE's sums are kept from one frame to the next and fold in only what changed (src/ingest/live-sums.ts). Here a
// seeded stream of everything a transcript folder goes through — responses whose usage grows under one key, new
// sessions and subagents, progress copies, a session resumed in another file, prompts, tool results of every outcome,
// API errors and retries, titles, files rewritten, truncated and deleted, facts in the past and the future, the clock
// moving on seconds to hours — is read into a store, and after every step the kept sums (and the LIVE view made of
// them) must equal a fresh sum of the same store, to the last bit. And what bounds their cost: the store queries an
// answer needs do not grow with the facts in the window, and what the tracker holds is the window's cells and the
// active sessions, not the facts.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOG_CAP } from "../src/ingest/live-sums.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import {
  agentProgressLines,
  apiErrorLine,
  customTitleLine,
  idFrom,
  promptLine,
  responseLines,
  retryLine,
  rng,
  toolResultLine,
  uuidFrom,
  type Block,
  type Rand,
  type SessionInfo,
} from "../src/synth/lines.ts";
import { liveViewOf, selectLive } from "../src/model/selectors.ts";
import type { LiveQuery, LiveSums } from "../src/model/queries.ts";
import { tempDirs } from "./builders.ts";

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const START = Date.parse("2026-11-26T09:00:00Z");
const temp = tempDirs();

/** A folder of transcripts that changes the way Claude Code (and a user) changes it, step by step. */
class Folder {
  readonly dir: string;
  now = START;
  private readonly files = new Map<string, string[]>();
  private readonly sessions: { info: SessionInfo; file: string }[] = [];
  /** responses whose later block lines (with the final output) are still to come */
  private readonly open: { file: string; lines: string[] }[] = [];
  /** tool calls waiting for their result */
  private readonly calls: { s: SessionInfo; file: string; id: string }[] = [];
  /** subagents that may answer again */
  private readonly agents: { s: { info: SessionInfo; file: string }; agentId: string }[] = [];

  constructor(
    root: string,
    private readonly r: Rand,
  ) {
    this.dir = join(root, "projects", "-home-dev-app");
    mkdirSync(this.dir, { recursive: true });
  }

  private write(file: string, lines: string[]): void {
    this.files.set(file, lines);
    writeFileSync(file, lines.length > 0 ? `${lines.join("\n")}\n` : "");
  }

  private append(file: string, lines: string[]): void {
    const have = this.files.get(file) ?? [];
    have.push(...lines);
    this.files.set(file, have);
    appendFileSync(file, `${lines.join("\n")}\n`);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  private session(): { info: SessionInfo; file: string } {
    if (this.sessions.length === 0 || this.r() < 0.06) {
      const info = { sessionId: uuidFrom(this.r), cwd: `/home/dev/app-${this.sessions.length % 3}`, gitBranch: this.pick(["main", "fix"]) };
      const s = { info, file: join(this.dir, `${info.sessionId}.jsonl`) };
      this.sessions.push(s);
      this.write(s.file, [promptLine(info, this.now - 2 * SEC, "start", uuidFrom(this.r), null)]);
      return s;
    }
    return this.pick(this.sessions.slice(-5));
  }

  private agentFile(s: { info: SessionInfo }, agentId: string): string {
    const dir = join(this.dir, s.info.sessionId, "subagents");
    mkdirSync(dir, { recursive: true });
    return join(dir, `agent-${agentId}.jsonl`);
  }

  /** A time for a new fact: now, or now and then minutes to hours in the past, or a little in the future. */
  private when(): number {
    const x = this.r();
    if (x < 0.08) return this.now - Math.floor(this.r() * 3 * HOUR);
    if (x < 0.12) return this.now + Math.floor(this.r() * 20 * MIN);
    return this.now - Math.floor(this.r() * 5 * SEC);
  }

  private responseOf(info: SessionInfo, time: number): { lines: string[]; tool: string | null } {
    const tool = this.r() < 0.5 ? idFrom(this.r, "toolu_01") : null;
    const blocks: Block[] = [{ type: "text", text: "Looking." }];
    if (this.r() < 0.4) blocks.unshift({ type: "thinking", thinking: "hmm" });
    if (tool) blocks.push({ type: "tool_use", id: tool, name: this.pick(["Read", "Edit", "Bash"]), input: {} });
    const big = this.r() < 0.05;
    const lines = responseLines({
      session: info,
      time,
      model: this.pick(["claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]),
      messageId: idFrom(this.r, "msg_01"),
      requestId: this.r() < 0.9 ? idFrom(this.r, "req_011C") : undefined,
      usage: {
        uncached: Math.floor(this.r() * 50),
        cacheWrite5m: this.r() < 0.3 ? Math.floor(this.r() * 4000) : 0,
        cacheWrite1h: this.r() < 0.5 ? Math.floor(this.r() * 3000) : 0,
        cacheRead: this.r() < 0.8 ? Math.floor(this.r() * (big ? 300_000 : 90_000)) : 0,
        output: 20 + Math.floor(this.r() * 900),
      },
      blocks,
      uuids: blocks.map(() => uuidFrom(this.r)),
      parentUuid: null,
      speed: this.r() < 0.05 ? "fast" : undefined,
    });
    return { lines, tool };
  }

  /** One change, chosen at random; returns what it was (for a failing step's message). */
  step(): string {
    const x = this.r();
    const s = this.session();
    if (x < 0.3) {
      // a response, its block lines now, or its first now and the rest (the final usage) at a later step
      const { lines, tool } = this.responseOf(s.info, this.when());
      if (lines.length > 1 && this.r() < 0.5) {
        this.append(s.file, lines.slice(0, 1));
        this.open.push({ file: s.file, lines: lines.slice(1) });
      } else this.append(s.file, lines);
      if (tool) this.calls.push({ s: s.info, file: s.file, id: tool });
      return "response";
    }
    if (x < 0.4 && this.open.length > 0) {
      const o = this.open.splice(Math.floor(this.r() * this.open.length), 1)[0]!;
      if (this.files.has(o.file) || o.file.includes("/subagents/")) this.append(o.file, o.lines);
      return "response grows";
    }
    if (x < 0.47 && this.calls.length > 0) {
      const c = this.calls.splice(0, 1)[0]!;
      if (this.files.has(c.file))
        this.append(c.file, [
          toolResultLine(c.s, this.when(), c.id, { uuid: uuidFrom(this.r), parentUuid: null, outcome: this.pick(["ok", "ok", "error", "rejected"] as const) }),
        ]);
      return "tool result";
    }
    if (x < 0.53) {
      this.append(s.file, [promptLine(s.info, this.when(), "go on", uuidFrom(this.r), null)]);
      return "prompt";
    }
    if (x < 0.57) {
      this.append(s.file, [
        this.r() < 0.5 ? apiErrorLine(s.info, this.when(), uuidFrom(this.r), null) : retryLine(s.info, this.when(), uuidFrom(this.r), null, 1),
      ]);
      return "API error";
    }
    if (x < 0.59) {
      this.append(s.file, [customTitleLine(s.info.sessionId, `task ${Math.floor(this.r() * 100)}`)]);
      return "title";
    }
    if (x < 0.66) {
      // a subagent (new, or one that answers again): its own file, or only the parent's progress copies of it, or
      // both (the own file later)
      const again = this.agents.length > 0 && this.r() < 0.6 ? this.pick(this.agents.slice(-6)) : null;
      const agentId = again?.agentId ?? idFrom(this.r, "a", 16).toLowerCase();
      const parent = again?.s ?? s;
      if (!again) this.agents.push({ s: parent, agentId });
      const info = { ...parent.info, agentId };
      const lines = this.responseOf(info, this.when()).lines;
      const copies = this.r() < 0.4;
      const own = this.agentFile(parent, agentId);
      if (copies) this.append(parent.file, agentProgressLines(parent.info, agentId, idFrom(this.r, "toolu_01"), lines));
      if (!copies) this.append(own, lines);
      else if (this.r() < 0.5) this.open.push({ file: own, lines }); // (its own file at a later step)
      return copies ? "subagent with copies" : again ? "subagent again" : "subagent";
    }
    if (x < 0.69) {
      // a session resumed in a new file repeats earlier responses (the same keys; now and then a larger usage)
      const from = this.pick(this.sessions);
      const lines = (this.files.get(from.file) ?? []).filter((l) => l.includes('"type":"assistant"')).slice(-4);
      if (lines.length === 0) return "nothing to resume";
      const info = { sessionId: uuidFrom(this.r), cwd: from.info.cwd };
      const file = join(this.dir, `${info.sessionId}.jsonl`);
      this.sessions.push({ info, file });
      const moved = lines.map((l) =>
        l
          .split(from.info.sessionId)
          .join(info.sessionId)
          .replace(/"output_tokens":(\d+)/, (_, n) => `"output_tokens":${Number(n) + (this.r() < 0.3 ? 50 : 0)}`),
      );
      this.write(file, moved);
      return "resumed";
    }
    const paths = [...this.files.keys()];
    const agentFiles = paths.filter((p) => p.includes("/subagents/"));
    const f = agentFiles.length > 0 && this.r() < 0.4 ? this.pick(agentFiles) : this.pick(paths);
    const lines = this.files.get(f)!;
    if (x < 0.73) {
      // rewritten: some lines dropped, a usage changed
      const kept = lines
        .filter(() => this.r() < 0.8)
        .map((l) => l.replace(/"cache_read_input_tokens":(\d+)/, (_, n) => `"cache_read_input_tokens":${Math.floor(Number(n) / 2)}`));
      this.write(f, kept);
      return "rewritten";
    }
    if (x < 0.76) {
      this.write(f, lines.slice(0, Math.floor(lines.length * this.r())));
      return "truncated";
    }
    if (x < 0.78) {
      rmSync(f);
      this.files.delete(f);
      return "deleted";
    }
    // the clock moves on: mostly seconds, now and then minutes, rarely more than an hour
    const y = this.r();
    this.now += y < 0.7 ? Math.floor(this.r() * 20 * SEC) : y < 0.97 ? Math.floor(this.r() * 20 * MIN) : Math.floor(this.r() * 2 * HOUR);
    return "time";
  }
}

/** Sums in one order (sessions by id, subagents by id) for comparing. */
function normal(s: LiveSums): LiveSums {
  return {
    ...s,
    sessions: [...s.sessions]
      .map((x) => ({ ...x, agents: [...x.agents].sort((a, b) => (a.agentId < b.agentId ? -1 : 1)) }))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1)),
  };
}

const CONFIGS: { name: string; query: (now: number) => LiveQuery; bucketMinutes: number }[] = [
  { name: "a 2-hour window in 5-minute buckets", query: (now) => ({ from: now - 2 * HOUR, to: now, slotMs: 5 * MIN, activeMs: HOUR }), bucketMinutes: 5 },
  {
    name: "all time since 2020 in weekly buckets",
    query: (now) => ({ from: Date.parse("2020-01-01T00:00:00Z"), to: now, slotMs: 7 * 24 * 60 * MIN, activeMs: HOUR }),
    bucketMinutes: 7 * 24 * 60,
  },
  {
    name: "a 40-minute window in 7-minute buckets, a 30-minute active window",
    query: (now) => ({ from: now - 40 * MIN, to: now, slotMs: 7 * MIN, activeMs: 30 * MIN }),
    bucketMinutes: 7,
  },
];

// Seeded streams of hundreds of steps, each checked against a fresh sum: seconds each, several times that on a busy
// machine. (bun test does not read a timeout from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);

describe("LIVE's sums, kept between frames", () => {
  for (const [i, c] of CONFIGS.entries())
    test(`equal a fresh sum after every change of a folder (${c.name})`, () => {
      const root = temp("live-sums");
      const folder = new Folder(root, rng(1000 + i));
      const store = memoryStore();
      const source = new TranscriptSource([root], store);
      const q = new StoreQueries(store);
      let steps = 0;
      for (let n = 0; n < 700; n++) {
        const what = folder.step();
        source.refresh();
        const o = c.query(folder.now);
        const kept = q.liveSums(o);
        const fresh = new StoreQueries(store).freshLiveSums(o);
        const at = `step ${n} (${what})`;
        expect({ at, sums: normal(kept) }).toEqual({ at, sums: normal(fresh) });
        // and the view made of them, to the last bit
        const window = { from: o.from, to: o.to, bucketMinutes: c.bucketMinutes };
        expect({ at, view: liveViewOf(kept, window, o.to, 4.5) }).toEqual({ at, view: liveViewOf(fresh, window, o.to, 4.5) });
        steps++;
      }
      const stats = q.live!.stats;
      expect(stats.fresh + stats.folded).toBe(steps);
      // folded nearly always: afresh only at the start and when the clock jumped more than an hour
      expect(stats.folded).toBeGreaterThan(steps * 0.9);
      // and the folder did go through everything
      expect(q.live!.size().sessions).toBeGreaterThan(0);
    }, 120_000); // (700 steps, each checked against a fresh sum: up to 6 s seen on a busy machine)

  test("a subagent's newest response and its largest context, taken away by a truncation or a rewrite, are found again", () => {
    const root = temp("live-sums-agent");
    const dir = join(root, "projects", "-home-dev-app");
    const info = { sessionId: uuidFrom(rng(4)), cwd: "/home/dev/app" };
    const agent = { ...info, agentId: "a0123456789abcdef" };
    mkdirSync(join(dir, info.sessionId, "subagents"), { recursive: true });
    const main = join(dir, `${info.sessionId}.jsonl`);
    const file = join(dir, info.sessionId, "subagents", `agent-${agent.agentId}.jsonl`);
    writeFileSync(main, `${promptLine(info, START - MIN, "go", "p1", null)}\n`);
    const response = (k: number, model: string, cacheRead: number) =>
      responseLines({
        session: agent,
        time: START - (10 - k) * SEC,
        model,
        messageId: `msg_${k}`,
        requestId: `req_${k}`,
        usage: { uncached: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead, output: 9 },
        blocks: [{ type: "text", text: "x" }],
        uuids: [`u${k}`],
        parentUuid: null,
      })[0]!;
    const lines = [response(1, "claude-haiku-4-5-20251001", 5000), response(2, "claude-sonnet-4-5-20250929", 90_000), response(3, "claude-opus-4-6", 1000)];
    writeFileSync(file, `${lines.join("\n")}\n`);
    const store = memoryStore();
    const source = new TranscriptSource([root], store);
    source.refresh();
    const q = new StoreQueries(store);
    const o = { from: START - 12 * HOUR, to: START, slotMs: 5 * MIN, activeMs: HOUR };
    const mark = () => q.liveSums(o).sessions[0]!.agents[0]!;
    expect(mark()).toMatchObject({ model: "claude-opus-4-6", key: "msg_3|req_3", peak: 90_001 });
    writeFileSync(file, `${lines.slice(0, 2).join("\n")}\n`); // truncated: the newest goes
    source.refresh();
    expect(mark()).toMatchObject({ model: "claude-sonnet-4-5-20250929", key: "msg_2|req_2", peak: 90_001 });
    writeFileSync(file, `${[lines[0], lines[2]].join("\n")}\n`); // rewritten: the largest goes
    source.refresh();
    expect(mark()).toMatchObject({ model: "claude-opus-4-6", key: "msg_3|req_3", peak: 5001 });
    // the newest known only from the parent's progress copy, which a rewrite of the parent takes away
    const copy = agentProgressLines(info, agent.agentId, "toolu_01x", [response(4, "claude-haiku-4-5-20251001", 2000)]);
    appendFileSync(main, `${copy.join("\n")}\n`);
    source.refresh();
    expect(mark()).toMatchObject({ model: "claude-haiku-4-5-20251001", key: "msg_4|req_4", peak: 5001 });
    const mainLine = responseLines({
      session: info,
      time: START - SEC,
      model: "claude-opus-4-6",
      messageId: "msg_m",
      requestId: "req_m",
      usage: { uncached: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 7, output: 9 },
      blocks: [{ type: "text", text: "x" }],
      uuids: ["um"],
      parentUuid: null,
    });
    appendFileSync(main, `${mainLine.join("\n")}\n`);
    source.refresh();
    writeFileSync(main, `${[promptLine(info, START - MIN, "go", "p1", null), ...mainLine].join("\n")}\n`);
    source.refresh();
    expect(mark()).toMatchObject({ model: "claude-opus-4-6", key: "msg_3|req_3", peak: 5001 });
    expect(normal(q.liveSums(o))).toEqual(normal(new StoreQueries(store).freshLiveSums(o)));
    expect(q.live!.stats.folded).toBe(5);
    expect(q.live!.stats.reloads).toBe(0);
  });

  test("a backlog written at once overflows the log: the next answer is summed afresh, and right", () => {
    const root = temp("live-sums-overflow");
    const folder = new Folder(root, rng(7));
    const store = memoryStore();
    const source = new TranscriptSource([root], store);
    const q = new StoreQueries(store);
    const o = () => ({ from: folder.now - 12 * HOUR, to: folder.now, slotMs: 5 * MIN, activeMs: HOUR });
    folder.step();
    source.refresh();
    q.liveSums(o());
    // more facts than the log holds, in one read
    const info = { sessionId: uuidFrom(rng(8)), cwd: "/home/dev/big" };
    const lines: string[] = [];
    for (let k = 0; lines.length < LOG_CAP + 500; k++)
      lines.push(
        ...responseLines({
          session: info,
          time: folder.now - 6 * HOUR + k * SEC,
          model: "claude-opus-4-6",
          messageId: `msg_${k}`,
          requestId: `req_${k}`,
          usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 3, cacheRead: 4, output: 5 },
          blocks: [{ type: "text", text: "x" }],
          uuids: [`u${k}`],
          parentUuid: null,
        }),
      );
    writeFileSync(join(folder.dir, `${info.sessionId}.jsonl`), `${lines.join("\n")}\n`);
    source.refresh();
    const fresh0 = q.live!.stats.fresh;
    expect(normal(q.liveSums(o()))).toEqual(normal(new StoreQueries(store).freshLiveSums(o())));
    expect(q.live!.stats.fresh).toBe(fresh0 + 1);
    // and then it folds again
    folder.step();
    source.refresh();
    expect(normal(q.liveSums(o()))).toEqual(normal(new StoreQueries(store).freshLiveSums(o())));
    expect(q.live!.stats.fresh).toBe(fresh0 + 1);
  });
});

describe("what bounds an answer's cost", () => {
  /** A store of `sessions` sessions of 60 responses spread over 30 days, one of them active now. */
  function history(sessions: number): {
    root: string;
    store: ReturnType<typeof memoryStore>;
    source: TranscriptSource;
    now: number;
    live: SessionInfo;
    file: string;
  } {
    const root = temp("live-sums-history");
    const dir = join(root, "projects", "-home-dev-app");
    mkdirSync(dir, { recursive: true });
    const r = rng(sessions);
    const now = START;
    for (let k = 0; k < sessions; k++) {
      const info = { sessionId: uuidFrom(r), cwd: "/home/dev/app" };
      const start = now - 2 * HOUR - Math.floor(r() * 30 * 24 * HOUR);
      const lines: string[] = [];
      for (let j = 0; j < 60; j++)
        lines.push(
          ...responseLines({
            session: info,
            time: start + j * MIN,
            model: "claude-opus-4-6",
            messageId: idFrom(r, "msg_"),
            requestId: idFrom(r, "req_"),
            usage: { uncached: 3, cacheWrite5m: 0, cacheWrite1h: 900, cacheRead: 40_000, output: 300 },
            blocks: [{ type: "text", text: "ok" }],
            uuids: [uuidFrom(r)],
            parentUuid: null,
          }),
        );
      writeFileSync(join(dir, `${info.sessionId}.jsonl`), `${lines.join("\n")}\n`);
    }
    const live = { sessionId: uuidFrom(r), cwd: "/home/dev/live" };
    const file = join(dir, `${live.sessionId}.jsonl`);
    writeFileSync(file, `${promptLine(live, now - MIN, "hi", uuidFrom(r), null)}\n`);
    const store = memoryStore();
    const source = new TranscriptSource([root], store);
    source.refresh();
    return { root, store, source, now, live, file };
  }

  /** Appends to the live session, second by second, with an all-time window: the store queries of each answer. */
  function appends(h: ReturnType<typeof history>, seconds: number): { queries: number[]; size: ReturnType<NonNullable<StoreQueries["live"]>["size"]> } {
    const q = new StoreQueries(h.store);
    const r = rng(3);
    const queries: number[] = [];
    let now = h.now;
    const o = () => ({ from: Date.parse("2020-01-01T00:00:00Z"), to: now, slotMs: 7 * 24 * HOUR, activeMs: HOUR });
    q.liveSums(o());
    for (let k = 0; k < seconds; k++) {
      now += SEC;
      appendFileSync(
        h.file,
        `${responseLines({
          session: h.live,
          time: now,
          model: "claude-opus-4-6",
          messageId: idFrom(r, "msg_"),
          requestId: idFrom(r, "req_"),
          usage: { uncached: 3, cacheWrite5m: 0, cacheWrite1h: 900, cacheRead: 40_000 + k, output: 300 },
          blocks: [
            { type: "text", text: "ok" },
            { type: "text", text: "done" },
          ],
          uuids: [uuidFrom(r), uuidFrom(r)],
          parentUuid: null,
        }).join("\n")}\n`,
      );
      h.source.refreshFiles([h.file]);
      q.liveSums(o());
      queries.push(q.live!.stats.queries);
    }
    expect(normal(q.liveSums(o()))).toEqual(normal(new StoreQueries(h.store).freshLiveSums(o())));
    return { queries, size: q.live!.size() };
  }

  test("the store queries of an answer after an append do not grow with the window's facts, nor with the session's length", () => {
    const small = appends(history(4), 300);
    const large = appends(history(200), 300);
    // the same few queries per answer, whether the window holds 240 responses or 12,000, at the first second or the 300th
    expect(Math.max(...large.queries)).toBe(Math.max(...small.queries));
    expect(Math.max(...large.queries)).toBeLessThanOrEqual(16);
    expect(large.queries.at(-1)).toBe(large.queries[0]);
  });

  test("what the tracker holds is the window's cells and the active sessions' groups, not their facts", () => {
    const a = appends(history(200), 600);
    // weekly buckets over 30 days × one model × its rate classes; one active session, one thread and model
    expect(a.size.cells).toBeLessThanOrEqual(6 * 2);
    expect(a.size.sessions).toBe(1);
    expect(a.size.groups).toBeLessThanOrEqual(2);
    expect(a.size.hourCells).toBeLessThanOrEqual(2 * 2);
    // and the log of changes is empty once they are folded in
    expect(a.size.logged).toBe(0);
  });

  test("the live dashboard's view equals the fresh view at every step, through the app's own cache", () => {
    const h = history(20);
    const q = new StoreQueries(h.store);
    const r = rng(5);
    let now = h.now;
    for (let k = 0; k < 120; k++) {
      now += Math.floor(r() * 30 * SEC);
      appendFileSync(h.file, `${promptLine(h.live, now, "more", uuidFrom(r), null)}\n`);
      h.source.refreshFiles([h.file]);
      const o = { now, windowHours: 24, bucketMinutes: 15, activeWindowHours: 1, priceOverride: k % 2 === 0 ? undefined : 4 };
      const fresh = new StoreQueries(h.store).freshLiveSums({ from: now - 24 * HOUR, to: now, slotMs: 15 * MIN, activeMs: HOUR });
      expect(selectLive(q, o)).toEqual(liveViewOf(fresh, { from: now - 24 * HOUR, to: now, bucketMinutes: 15 }, now, o.priceOverride));
    }
    expect(q.live!.stats.folded).toBe(119);
  });
});
