// The fact tables' rows (store-facts.ts writes them): what a row of `responses` or `tools` holds, what a stored copy
// of a fact reads back as, a fact's key hash and a response's rate class as they are stored, and how two reads'
// metadata of one session combine. Pure: nothing here reads or writes the store.
import { type ModelEvent, type ResponseObserved, type SessionMeta, type Usage } from "../model/events.ts";
import { noteWhere } from "../model/state.ts";
import { type RateClass, classOf } from "../model/pricing.ts";
import { keyId } from "./key-id.ts";
import type { Hashed } from "./wire.ts";

/** The kinds of fact a copy holds. */
const COPIED = new Set(["ResponseObserved", "ToolCallObserved", "ToolResultObserved", "PromptObserved", "ApiErrorObserved", "TurnCompleted"]);

/** A stored copy of a fact, read back: its JSON must be an event of a kind a copy holds, with a key and a time. */
export function readFact(json: string): (ModelEvent & { time: number }) | null {
  try {
    const f = JSON.parse(json) as { type?: unknown; key?: unknown; time?: unknown };
    if (f === null || typeof f !== "object" || !COPIED.has(f.type as string) || typeof f.key !== "string" || typeof f.time !== "number") return null;
    if (f.type === "ResponseObserved" && (typeof (f as { usage?: unknown }).usage !== "object" || (f as { usage?: unknown }).usage === null)) return null;
    return f as ModelEvent & { time: number };
  } catch {
    return null;
  }
}

/** A fact's key hash: computed by the reader thread that decoded it, or here. */
export const hashOf = (e: { key: string } & Hashed): number => e.h ?? keyId(e.key);

/** The tables of facts kept one row each (by key). */
export type Tables = "responses" | "tools" | "prompts" | "errors" | "turns";

/** A response's rate class (see model/pricing.ts), kept with it so that the rollup prices each class apart. */
export const clsOf = (e: ResponseObserved): RateClass => classOf(e.usage, e.fast === true, e.copy === true);

/**
 * Two reads' metadata of one session as one, as storing the first and then the second would leave it: the newest
 * working directory and branch (a tie goes to the second), the earliest entry point (a tie to the first), the last
 * title, 1M context once seen.
 */
export function laterMeta(a: SessionMeta, b: SessionMeta): SessionMeta {
  // (a summary's title, weak, fills in only where there is none, and gives way to any other)
  const bWins = b.title !== null && (!b.titleWeak || a.title === null || a.titleWeak === true);
  const m: SessionMeta = { ...a, title: bWins ? b.title : a.title, window1M: a.window1M || b.window1M };
  if (bWins && b.titleWeak) m.titleWeak = true;
  else if (bWins) delete m.titleWeak;
  noteWhere(m, b.cwdTime, b.cwd, null, null);
  noteWhere(m, b.branchTime, null, b.branch, null);
  noteWhere(m, b.entrypointTime, null, null, b.entrypoint);
  return m;
}

/** A row of `tools` as read. */
export interface ToolRow {
  id: number;
  key: string;
  session: number;
  agent: number | null;
  call_file: number | null;
  call_time: number | null;
  name: number | null;
  result_file: number | null;
  result_time: number | null;
  outcome: number | null;
  ms: number | null;
}

/** A row of `responses` as read (the column names of the table). */
export interface ResponseRow {
  id: number;
  h: number;
  key: string;
  file: number;
  time: number;
  session: number;
  agent: number | null;
  model: number;
  uncached: number;
  w5: number;
  w1: number;
  rd: number;
  out: number;
  cls: RateClass;
}

/** Plain usage sums, for tests and checks. */
export const usageOf = (r: { uncached: number; w5: number; w1: number; rd: number; out: number }): Usage => ({
  uncached: r.uncached,
  cacheWrite5m: r.w5,
  cacheWrite1h: r.w1,
  cacheRead: r.rd,
  output: r.out,
});
