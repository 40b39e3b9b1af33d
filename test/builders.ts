// Small typed builders for model events, with sensible defaults, so each test states only what it is about.
// Times are epoch milliseconds (UTC).
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { demoAllowance, demoFiles } from "../src/ingest/demo.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { DashboardApp, type AppOptions } from "../src/ui/app.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type {
  ApiErrorObserved,
  LineRejected,
  ModelEvent,
  PromptObserved,
  ResponseObserved,
  SessionTitled,
  ToolCallObserved,
  ToolOutcome,
  ToolResultObserved,
  Usage,
} from "../src/model/events.ts";
import type { WindowOptions } from "../src/model/selectors.ts";
import type { Diagnostics } from "../src/model/json-view.ts";

export const SEC = 1_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;

/** The pinned clock most tests use: 2026-11-26T18:00:00Z (a multiple of every bucket size up to an hour). */
export const NOW = Date.parse("2026-11-26T18:00:00Z");

/** An ISO-8601 UTC time as epoch ms. */
export const at = (iso: string): number => Date.parse(iso);

export const SESSION = "11111111-1111-4111-8111-111111111111";
export const CWD = "/home/dev/src/alpha";
export const OPUS = "claude-opus-4-6";
export const SONNET = "claude-sonnet-4-5-20250929";
export const HAIKU = "claude-haiku-4-5-20251001";

let counter = 0;
/** A fresh unique key with a readable prefix. */
export function nextKey(prefix = "k"): string {
  counter++;
  return `${prefix}_${counter}`;
}

export function usage(u: Partial<Usage> = {}): Usage {
  return { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, ...u };
}

export interface ResponseInit {
  key?: string;
  time?: number;
  sessionId?: string;
  agentId?: string | null;
  model?: string;
  usage?: Partial<Usage>;
  cwd?: string | null;
  entrypoint?: string | null;
}

/** A ResponseObserved: main thread of SESSION, Opus 4.6, at NOW - 10 min, zero usage unless given. */
export function response(o: ResponseInit = {}): ResponseObserved {
  return {
    type: "ResponseObserved",
    key: o.key ?? nextKey("msg"),
    time: o.time ?? NOW - 10 * MIN,
    sessionId: o.sessionId ?? SESSION,
    agentId: o.agentId ?? null,
    model: o.model ?? OPUS,
    usage: usage(o.usage),
    cwd: o.cwd === undefined ? CWD : o.cwd,
    entrypoint: o.entrypoint ?? null,
  };
}

export function prompt(o: { key?: string; time?: number; sessionId?: string; cwd?: string | null } = {}): PromptObserved {
  return {
    type: "PromptObserved",
    key: o.key ?? nextKey("prompt"),
    time: o.time ?? NOW - 10 * MIN,
    sessionId: o.sessionId ?? SESSION,
    cwd: o.cwd === undefined ? CWD : o.cwd,
  };
}

export function toolCall(o: { key?: string; time?: number; sessionId?: string; agentId?: string | null; name?: string } = {}): ToolCallObserved {
  return {
    type: "ToolCallObserved",
    key: o.key ?? nextKey("toolu"),
    time: o.time ?? NOW - 10 * MIN,
    sessionId: o.sessionId ?? SESSION,
    agentId: o.agentId ?? null,
    name: o.name ?? "Bash",
  };
}

export function toolResult(o: { key?: string; time?: number; sessionId?: string; agentId?: string | null; outcome?: ToolOutcome } = {}): ToolResultObserved {
  return {
    type: "ToolResultObserved",
    key: o.key ?? nextKey("toolu"),
    time: o.time ?? NOW - 10 * MIN,
    sessionId: o.sessionId ?? SESSION,
    agentId: o.agentId ?? null,
    outcome: o.outcome ?? "ok",
  };
}

export function apiError(
  o: { key?: string; time?: number; sessionId?: string; agentId?: string | null; status?: number | null; message?: string; retry?: boolean } = {},
): ApiErrorObserved {
  return {
    type: "ApiErrorObserved",
    key: o.key ?? nextKey("err"),
    time: o.time ?? NOW - 10 * MIN,
    sessionId: o.sessionId ?? SESSION,
    agentId: o.agentId ?? null,
    status: o.status === undefined ? 529 : o.status,
    message: o.message ?? "API Error: 529 overloaded",
    retry: o.retry ?? false,
  };
}

export function titled(title: string, sessionId = SESSION): SessionTitled {
  return { type: "SessionTitled", sessionId, title };
}

export function rejected(file: string, line: number, reason = "not JSON"): LineRejected {
  return { type: "LineRejected", file, line, reason };
}

/** Window options around NOW: 12 h window, 5-minute buckets, 1 h active window unless given. */
export function windowOpts(o: Partial<WindowOptions> = {}): WindowOptions {
  return { now: NOW, windowHours: 12, bucketMinutes: 5, activeWindowHours: 1, ...o };
}

/** A deterministic shuffle (mulberry32), so a failing interleaving can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A usage store in memory holding these events as the facts of one transcript file (or, with `perEvent`, each event
 * as its own file, which exercises how a fact seen in several files counts once), and the queries the views ask it.
 */
export function queriesOf(events: readonly ModelEvent[], opts: { perEvent?: boolean } = {}): StoreQueries {
  const store = memoryStore();
  if (opts.perEvent) events.forEach((e, i) => store.putEvents(`/t/file-${i}.jsonl`, [e]));
  else store.putEvents("/t/session.jsonl", events);
  return new StoreQueries(store);
}

const FACT_TYPES = new Set([
  "ResponseObserved",
  "PromptObserved",
  "ToolCallObserved",
  "ToolResultObserved",
  "TurnCompleted",
  "ApiErrorObserved",
  "SessionTitled",
  "LineRejected",
]);

/** The dashboard over these events: transcript facts in a store, the rest (allowance, team telemetry) applied to it. */
export function appOf(events: readonly ModelEvent[], opts: AppOptions): DashboardApp {
  const local = events.filter((e) => FACT_TYPES.has(e.type) && !("origin" in e && e.origin === "team"));
  const app = new DashboardApp(queriesOf(local), opts);
  app.apply(events.filter((e) => !local.includes(e)));
  return app;
}

/** The dashboard over the built-in demo data (each demo transcript a file of its own, as the CLI loads it). */
export function demoApp(now: number, opts: AppOptions): DashboardApp {
  const store = memoryStore();
  for (const f of demoFiles(now)) store.putEvents(f.path, f.events);
  const app = new DashboardApp(new StoreQueries(store), opts);
  app.apply(demoAllowance(now, [] as ModelEvent[]));
  return app;
}

/** Temporary directories for one test file, removed after its tests: `temp("name")` makes one. */
export function tempDirs(): (prefix: string) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return (prefix) => {
    const d = mkdtempSync(join(tmpdir(), `claude-dash-${prefix}-`));
    dirs.push(d);
    return d;
  };
}

/** --json's diagnostics of a run that read nothing itself (the facts were put in the store by the test). */
export function noDiagnostics(storeState = "off"): Diagnostics {
  return {
    roots: [],
    files: 0,
    filesDeferred: 0,
    bytesRead: 0,
    linesRead: 0,
    unreadable: [],
    linesRejected: 0,
    rejected: [],
    store: { state: storeState, path: null, notice: null },
  };
}
