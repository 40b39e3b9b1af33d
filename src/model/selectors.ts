// Selectors: LIVE's view model (selectLive) and the session views, plain data for a given `now` (never read from the
// clock). A response belongs to a window when from < time <= to.
import { isCopy, priceCell } from "./pricing.ts";
import { bucketsOf, totalsOf, type Bucket, type Counts, type LiveSums, type SessionGroup, type SessionSums, type UsageQueries } from "./queries.ts";
import type { Totals } from "./state.ts";
import { claudeCodeChecks, type ClaudeCodeCheck } from "./reconcile.ts";
import { effectiveTokens, freshTokens, CONTEXT_1M, CONTEXT_200K } from "./tokens.ts";

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

interface SubagentView {
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
  /** Claude Code's own figure for the session set beside ours (see reconcile.ts); null when it reported none, or when
   *  the view was made without asking (sessionView: see withClaudeCode). */
  claudeCode: ClaudeCodeCheck | null;
}

interface LiveOptions {
  now: number;
  windowHours: number;
  bucketMinutes: number;
  activeWindowHours: number;
  /** USD per Mtok replacing every model's base input price. */
  priceOverride?: number;
}

export interface LiveView {
  now: number;
  window: Window;
  buckets: Bucket[];
  totals: Totals;
  /** totals of the last hour. */
  totals1h: Totals;
  counts: Counts;
  sessions: SessionView[];
}

/**
 * The LIVE view for `now`. Its sums come from the store, which keeps them between calls and folds in only what
 * changed (an append, the window moving on): the cost of a frame grows with the change, not with the window.
 */
export function selectLive(q: UsageQueries, o: LiveOptions): LiveView {
  const window: Window = { from: o.now - o.windowHours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
  const sums = q.liveSums({ from: window.from, to: window.to, slotMs: o.bucketMinutes * MIN, activeMs: o.activeWindowHours * HOUR });
  return liveViewOf(sums, window, o.now, o.priceOverride);
}

/** The LIVE view of its sums (pure). */
export function liveViewOf(s: LiveSums, window: Window, now: number, priceOverride?: number): LiveView {
  return {
    now,
    window,
    buckets: bucketsOf(s.cells, window.from, window.to, window.bucketMinutes),
    totals: totalsOf(s.cells, priceOverride),
    totals1h: totalsOf(s.hourCells, priceOverride),
    counts: s.counts,
    sessions: sessionViews(s.sessions, window, now, priceOverride),
  };
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
 * with its figures over the window (summed by the store: a long session costs what its sums hold, not its length).
 */
export function selectActiveSessions(q: UsageQueries, o: WindowOptions & { priceOverride?: number }): SessionView[] {
  const now = o.now;
  const active = q.activeSessions(now - o.activeWindowHours * HOUR, now);
  if (active.length === 0) return [];
  const w = windowOf(o);
  return withClaudeCode(q, sessionViews(q.sessionSums(active, w.from, w.to), w, now, o.priceOverride), now, o.priceOverride);
}

/** The views with Claude Code's figures (those it reported) set beside ours. */
export function withClaudeCode(q: UsageQueries, views: readonly SessionView[], now: number, priceOverride?: number): SessionView[] {
  const checks = claudeCodeChecks(
    q,
    views.map((v) => v.sessionId),
    now,
    priceOverride,
  );
  return views.map((v) => ({ ...v, claudeCode: checks.get(v.sessionId) ?? null }));
}

/** Session views of their sums, newest first (then by id). */
function sessionViews(sums: readonly SessionSums[], w: Window, now: number, priceOverride?: number): SessionView[] {
  const views = sums.map((s) => sessionView(s, w, now, priceOverride));
  views.sort((a, b) => b.lastActivity - a.lastActivity || (a.sessionId < b.sessionId ? -1 : 1));
  return views;
}

/**
 * One session's view, whether or not it is active (a row of a slice popup opens any session): its figures over the
 * window, its last activity the newest of its responses, prompts and API errors up to `now`; null when the store has
 * no such session.
 */
export function selectSession(q: UsageQueries, o: WindowOptions & { priceOverride?: number }, sessionId: string): SessionView | null {
  const w = windowOf(o);
  const [s] = q.sessionSums([{ sessionId }], w.from, w.to);
  return s ? withClaudeCode(q, [sessionView(s, w, o.now, o.priceOverride)], o.now, o.priceOverride)[0]! : null;
}

/** (groups in one order, so that sums of costs agree to the last bit however the store found them) */
function byGroup(a: SessionGroup, b: SessionGroup): number {
  const x = a.agentId ?? "";
  const y = b.agentId ?? "";
  if ((a.agentId === null) !== (b.agentId === null)) return a.agentId === null ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : a.cls - b.cls;
}

/** The groups of a session's responses in their one order (see SessionSums.groups). */
export function sortGroups<T extends SessionGroup>(groups: T[]): T[] {
  return groups.sort(byGroup);
}

/**
 * A session's view of its sums: its figures over the window (each group of responses priced at its model's rates for
 * its class), its context from its newest main-thread response, and whether its last action was an API error (nothing
 * after it: no response, no prompt; at the same millisecond the error is the later).
 */
function sessionView(s: SessionSums, w: Window, now: number, priceOverride?: number): SessionView {
  let mainFreshWindow = 0;
  let subFreshWindow = 0;
  let effective = 0;
  let cost = 0;
  const agents = new Map<string, { effective: number; cost: number; copies: number; n: number }>();
  for (const g of s.groups) {
    const e = effectiveTokens(g.usage);
    const c = priceCell(g, priceOverride).usd;
    effective += e;
    cost += c;
    const fresh = freshTokens(g.usage);
    if (g.agentId === null) {
      mainFreshWindow += fresh;
      continue;
    }
    subFreshWindow += fresh;
    let a = agents.get(g.agentId);
    if (!a) agents.set(g.agentId, (a = { effective: 0, cost: 0, copies: 0, n: 0 }));
    a.effective += e;
    a.cost += c;
    a.n += g.responses;
    if (isCopy(g.cls)) a.copies += g.responses;
  }
  const subagents: SubagentView[] = [...s.agents]
    .sort((a, b) => b.time - a.time || (a.agentId < b.agentId ? -1 : 1))
    .map((m) => {
      const a = agents.get(m.agentId) ?? { effective: 0, cost: 0, copies: 0, n: 0 };
      return { agentId: m.agentId, model: m.model, peakContext: m.peak, effectiveTokens: Math.round(a.effective), costUSD: a.cost, fromCopy: a.copies === a.n };
    });
  const err = s.lastError;
  const apiErrorLast = err !== null && (s.latestAny === null || err.time >= s.latestAny.time) && (s.lastPrompt === null || err.time >= s.lastPrompt.time);
  const ctx = s.latestMain?.context ?? 0;
  return {
    sessionId: s.sessionId,
    project: projectName(s.cwd),
    title: s.title,
    cwd: s.cwd,
    branch: s.branch,
    lastActivity: s.lastActivity,
    model: s.latestMain?.model ?? s.latestAny?.model ?? null,
    contextTokens: ctx,
    contextWindow: s.window1M || ctx > CONTEXT_200K ? CONTEXT_1M : CONTEXT_200K,
    mainFresh1h: s.mainFresh1h,
    subFresh1h: s.subFresh1h,
    mainFreshWindow,
    subFreshWindow,
    effectiveTokens: Math.round(effective),
    costUSD: cost,
    apiErrorLast,
    lastApiError: err ? { time: err.time, status: err.status, message: err.message } : null,
    subagents,
    claudeCode: null,
  };
}
