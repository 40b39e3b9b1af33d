// Selectors: plain view models computed from the state for a given `now` (never read from the clock).
// A response belongs to a window when from < time <= to.
import { addTo, emptyTotals, type ApiErrorRec, type ModelState, type ResponseRec, type SessionAgg, type Totals } from "./state.ts";
import { addUsage } from "./events.ts";
import { contextTokens, freshTokens, CONTEXT_1M, CONTEXT_200K } from "./tokens.ts";

const MIN = 60_000;
const HOUR = 3_600_000;

export interface WindowOptions {
  now: number;
  windowHours: number;
  bucketMinutes: number;
  activeWindowHours: number;
}

export interface Window {
  from: number;
  to: number;
  bucketMinutes: number;
}

export interface Bucket {
  start: number;
  uncached: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** input of responses that did read from the cache: uncached + writes. */
  newInput: number;
  /** input of responses that read nothing from the cache (a cache miss): uncached + writes. */
  cacheMiss: number;
  output: number;
  responses: number;
}

export interface SubagentView {
  agentId: string;
  model: string;
  peakContext: number;
  effectiveTokens: number;
}

export interface SessionView {
  sessionId: string;
  project: string;
  title: string | null;
  lastActivity: number;
  model: string | null;
  contextTokens: number;
  contextWindow: number;
  mainFresh1h: number;
  subFresh1h: number;
  mainFreshWindow: number;
  subFreshWindow: number;
  effectiveTokens: number;
  apiErrorLast: boolean;
  lastApiError: { time: number; status: number | null; message: string } | null;
  subagents: SubagentView[];
}

export interface Counts {
  prompts: number;
  toolCalls: number;
  toolErrors: number;
  toolRejections: number;
  apiErrors: number;
  apiRetries: number;
}

export function windowOf(o: WindowOptions): Window {
  return { from: o.now - o.windowHours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
}

/** Sum of the responses in the window. */
export function selectTotals(s: ModelState, from: number, to: number): Totals {
  const t = emptyTotals();
  s.responseIndex.each(from, to, (r) => addTo(t, r));
  return t;
}

function emptyBucket(start: number): Bucket {
  return { start, uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, newInput: 0, cacheMiss: 0, output: 0, responses: 0 };
}

/**
 * Buckets aligned to multiples of the bucket size (UTC epoch), from the one holding `from` to the one holding `to`,
 * so the chart does not jitter as the clock moves; the first and last bucket may be partial.
 */
export function selectBuckets(s: ModelState, w: Window, only?: (r: ResponseRec) => boolean): Bucket[] {
  const size = w.bucketMinutes * MIN;
  const first = Math.floor(w.from / size) * size;
  const last = Math.floor(w.to / size) * size;
  const n = Math.round((last - first) / size) + 1;
  const out: Bucket[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = emptyBucket(first + i * size);
  s.responseIndex.each(w.from, w.to, (r) => {
    if (only && !only(r)) return;
    const i = Math.floor((r.time - first) / size);
    const b = out[i];
    if (!b) return;
    const u = r.usage;
    addUsage(b, u);
    b.responses++;
    if (u.cacheRead > 0) b.newInput += freshTokens(u);
    else b.cacheMiss += freshTokens(u);
  });
  return out;
}

export function selectCounts(s: ModelState, from: number, to: number): Counts {
  const c: Counts = { prompts: 0, toolCalls: 0, toolErrors: 0, toolRejections: 0, apiErrors: 0, apiRetries: 0 };
  s.promptIndex.each(from, to, () => c.prompts++);
  s.toolCallIndex.each(from, to, () => c.toolCalls++);
  s.toolResultIndex.each(from, to, (r) => {
    if (r.outcome === "error") c.toolErrors++;
    else if (r.outcome === "rejected") c.toolRejections++;
  });
  s.apiErrorIndex.each(from, to, (e) => {
    if (e.retry) c.apiRetries++;
    else c.apiErrors++;
  });
  return c;
}

/** The last path component of a working directory, the way a user names a project. */
export function projectName(cwd: string | null): string {
  if (!cwd) return "(unknown)";
  const parts = cwd.split(/[\\/]+/).filter((p) => p.length > 0);
  return parts.length > 0 ? parts[parts.length - 1]! : cwd;
}

/** Sessions with any activity (response, prompt, tool result, API error) in (now - active, now], newest first. */
export function selectActiveSessions(s: ModelState, o: WindowOptions): SessionView[] {
  const now = o.now;
  const activeFrom = now - o.activeWindowHours * HOUR;
  const last = new Map<string, number>();
  const seen = (sessionId: string, time: number) => {
    const t = last.get(sessionId);
    if (t === undefined || time > t) last.set(sessionId, time);
  };
  s.responseIndex.each(activeFrom, now, (r) => seen(r.sessionId, r.time));
  s.promptIndex.each(activeFrom, now, (r) => seen(r.sessionId, r.time));
  s.toolResultIndex.each(activeFrom, now, (r) => seen(r.sessionId, r.time));
  s.apiErrorIndex.each(activeFrom, now, (r) => seen(r.sessionId, r.time));
  const w = windowOf(o);
  const views: SessionView[] = [];
  for (const [id, lastActivity] of last) {
    const agg = s.sessions.get(id);
    if (agg) views.push(sessionView(agg, lastActivity, w, now));
  }
  views.sort((a, b) => b.lastActivity - a.lastActivity || (a.sessionId < b.sessionId ? -1 : 1));
  return views;
}

function inRange(t: number, from: number, to: number): boolean {
  return t > from && t <= to;
}

function later(a: { time: number; seq: number }, b: { time: number; seq: number } | null): boolean {
  return b === null || a.time > b.time || (a.time === b.time && a.seq > b.seq);
}

export function sessionView(agg: SessionAgg, lastActivity: number, w: Window, now: number): SessionView {
  const hourFrom = now - HOUR;
  let mainFresh1h = 0;
  let subFresh1h = 0;
  let mainFreshWindow = 0;
  let subFreshWindow = 0;
  let effective = 0;
  let latestMain: ResponseRec | null = null;
  let latestAny: ResponseRec | null = null;
  const agents = new Map<string, { model: string; peak: number; effective: number; last: ResponseRec }>();
  for (const r of agg.responses) {
    if (r.time > now) continue;
    if (later(r, latestAny)) latestAny = r;
    if (r.agentId === null && later(r, latestMain)) latestMain = r;
    if (!inRange(r.time, w.from, w.to)) continue;
    const fresh = freshTokens(r.usage);
    effective += r.effective;
    if (r.agentId === null) {
      mainFreshWindow += fresh;
      if (r.time > hourFrom) mainFresh1h += fresh;
    } else {
      subFreshWindow += fresh;
      if (r.time > hourFrom) subFresh1h += fresh;
      const a = agents.get(r.agentId);
      const ctx = contextTokens(r.usage);
      if (!a) agents.set(r.agentId, { model: r.model, peak: ctx, effective: r.effective, last: r });
      else {
        a.peak = Math.max(a.peak, ctx);
        a.effective += r.effective;
        if (later(r, a.last)) {
          a.last = r;
          a.model = r.model;
        }
      }
    }
  }
  let lastError: ApiErrorRec | null = null;
  for (const e of agg.apiErrors) if (e.time <= now && later(e, lastError)) lastError = e;
  // The session's last action was an API error when nothing came after it: no response, no new prompt.
  let latestPrompt: { time: number; seq: number } | null = null;
  for (const p of agg.prompts) if (p.time <= now && later(p, latestPrompt)) latestPrompt = p;
  const apiErrorLast = lastError !== null && (latestAny === null || later(lastError, latestAny)) && (latestPrompt === null || later(lastError, latestPrompt));
  const subagents: SubagentView[] = [...agents.entries()]
    .sort((a, b) => b[1].last.time - a[1].last.time || (a[0] < b[0] ? -1 : 1))
    .map(([agentId, a]) => ({ agentId, model: a.model, peakContext: a.peak, effectiveTokens: Math.round(a.effective) }));
  const ctx = latestMain ? contextTokens(latestMain.usage) : 0;
  return {
    sessionId: agg.sessionId,
    project: projectName(agg.cwd),
    title: agg.title,
    lastActivity,
    model: latestMain?.model ?? latestAny?.model ?? null,
    contextTokens: ctx,
    contextWindow: agg.window1M || ctx > CONTEXT_200K ? CONTEXT_1M : CONTEXT_200K,
    mainFresh1h,
    subFresh1h,
    mainFreshWindow,
    subFreshWindow,
    effectiveTokens: Math.round(effective),
    apiErrorLast,
    lastApiError: lastError ? { time: lastError.time, status: lastError.status, message: lastError.message } : null,
    subagents,
  };
}
