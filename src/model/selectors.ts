// Selectors: plain view models for a given `now` (never read from the clock). A response belongs to a window when
// from < time <= to.
import type { UsageQueries } from "./queries.ts";
import { createState, reduce, type ApiErrorRec, type ResponseRec, type SessionAgg } from "./state.ts";
import { contextTokens, freshTokens, CONTEXT_1M, CONTEXT_200K } from "./tokens.ts";

export type { Bucket, Counts } from "./queries.ts";

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

export interface SubagentView {
  agentId: string;
  model: string;
  peakContext: number;
  effectiveTokens: number;
  /** what its responses in the window cost (each at its own rates). */
  costUSD: number;
  /** every one of its responses is known only from the parent's progress copies (its own file is missing): their
   *  output counts are placeholders, so its output and cost are under-counted. */
  fromCopy: boolean;
}

export interface SessionView {
  sessionId: string;
  project: string;
  title: string | null;
  /** the working directory and git branch of its newest line that named them */
  cwd: string | null;
  branch: string | null;
  lastActivity: number;
  model: string | null;
  contextTokens: number;
  contextWindow: number;
  mainFresh1h: number;
  subFresh1h: number;
  mainFreshWindow: number;
  subFreshWindow: number;
  effectiveTokens: number;
  /** what the session's responses in the window cost, subagents included. */
  costUSD: number;
  apiErrorLast: boolean;
  lastApiError: { time: number; status: number | null; message: string } | null;
  subagents: SubagentView[];
}

export function windowOf(o: WindowOptions): Window {
  return { from: o.now - o.windowHours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
}

/** The last path component of a working directory, the way a user names a project. */
export function projectName(cwd: string | null): string {
  if (!cwd) return "(unknown)";
  const parts = cwd.split(/[\\/]+/).filter((p) => p.length > 0);
  return parts.length > 0 ? parts[parts.length - 1]! : cwd;
}

/**
 * Sessions with any activity (response, prompt, tool result, API error) in (now - active, now], newest first, each
 * with its figures over the window (its facts are loaded for this: a session's history is bounded).
 */
export function selectActiveSessions(q: UsageQueries, o: WindowOptions & { priceOverride?: number }): SessionView[] {
  const now = o.now;
  const active = q.activeSessions(now - o.activeWindowHours * HOUR, now);
  if (active.length === 0) return [];
  const s = createState({ priceOverride: o.priceOverride });
  for (const e of q.sessionEvents(active.map((a) => a.sessionId))) reduce(s, e);
  const w = windowOf(o);
  const views: SessionView[] = [];
  for (const { sessionId, lastActivity } of active) {
    const agg = s.sessions.get(sessionId);
    if (agg) views.push(sessionView(agg, lastActivity, w, now));
  }
  views.sort((a, b) => b.lastActivity - a.lastActivity || (a.sessionId < b.sessionId ? -1 : 1));
  return views;
}

/**
 * One session's view, whether or not it is active (a row of a slice popup opens any session): its figures over the
 * window, its last activity the newest of its facts up to `now`; null when the store has no such session.
 */
export function selectSession(q: UsageQueries, o: WindowOptions & { priceOverride?: number }, sessionId: string): SessionView | null {
  const s = createState({ priceOverride: o.priceOverride });
  for (const e of q.sessionEvents([sessionId])) reduce(s, e);
  const agg = s.sessions.get(sessionId);
  if (!agg) return null;
  let last = -Infinity;
  for (const r of [...agg.responses, ...agg.prompts, ...agg.apiErrors]) if (r.time <= o.now && r.time > last) last = r.time;
  return sessionView(agg, Number.isFinite(last) ? last : o.now, windowOf(o), o.now);
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
  let cost = 0;
  let latestMain: ResponseRec | null = null;
  let latestAny: ResponseRec | null = null;
  const agents = new Map<string, { model: string; peak: number; effective: number; cost: number; copies: number; n: number; last: ResponseRec }>();
  for (const r of agg.responses) {
    if (r.time > now) continue;
    if (later(r, latestAny)) latestAny = r;
    if (r.agentId === null && later(r, latestMain)) latestMain = r;
    if (!inRange(r.time, w.from, w.to)) continue;
    const fresh = freshTokens(r.usage);
    effective += r.effective;
    cost += r.costUSD;
    if (r.agentId === null) {
      mainFreshWindow += fresh;
      if (r.time > hourFrom) mainFresh1h += fresh;
    } else {
      subFreshWindow += fresh;
      if (r.time > hourFrom) subFresh1h += fresh;
      const a = agents.get(r.agentId);
      const ctx = contextTokens(r.usage);
      if (!a) agents.set(r.agentId, { model: r.model, peak: ctx, effective: r.effective, cost: r.costUSD, copies: r.copy ? 1 : 0, n: 1, last: r });
      else {
        a.peak = Math.max(a.peak, ctx);
        a.effective += r.effective;
        a.cost += r.costUSD;
        a.n++;
        if (r.copy) a.copies++;
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
    .map(([agentId, a]) => ({ agentId, model: a.model, peakContext: a.peak, effectiveTokens: Math.round(a.effective), costUSD: a.cost, fromCopy: a.copies === a.n }));
  const ctx = latestMain ? contextTokens(latestMain.usage) : 0;
  return {
    sessionId: agg.sessionId,
    project: projectName(agg.cwd),
    title: agg.title,
    cwd: agg.cwd,
    branch: agg.branch,
    lastActivity,
    model: latestMain?.model ?? latestAny?.model ?? null,
    contextTokens: ctx,
    contextWindow: agg.window1M || ctx > CONTEXT_200K ? CONTEXT_1M : CONTEXT_200K,
    mainFresh1h,
    subFresh1h,
    mainFreshWindow,
    subFreshWindow,
    effectiveTokens: Math.round(effective),
    costUSD: cost,
    apiErrorLast,
    lastApiError: lastError ? { time: lastError.time, status: lastError.status, message: lastError.message } : null,
    subagents,
  };
}
