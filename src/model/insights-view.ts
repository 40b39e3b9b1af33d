// INSIGHTS' facts: what each source (the store's transcripts, team telemetry, the in-memory model) gives for a
// window ending at `now`, and the view model's type. Each panel selects its part of the view from these facts in
// its own module (src/model/insights/); the registry there puts the view together.
import type { ModelState, ResponseRec } from "./state.ts";
import type { Usage } from "./events.ts";
import { zoneOf } from "./history-view.ts";
import type { DayCell, ToolResultFact, UsageQueries } from "./queries.ts";
import { priceCell } from "./pricing.ts";
import { effectiveTokens } from "./tokens.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

/** INSIGHTS keeps at least this much history in memory (its quota estimate compares with the busiest 5 h in it). */
export const INSIGHTS_MIN_HOURS = 168;

export interface InsightsOptions {
  now: number;
  hours: number;
  /** buckets of the token-usage-over-time panel. */
  buckets: number;
  timeZone?: string;
  /** the live 5-hour allowance when known (percent, resets at). */
  session?: { percent: number; resetsAt: number | null } | null;
  /** local transcripts, team telemetry, or both (default both). */
  source?: InsightSource;
  /** only this user's data (team telemetry knows users). */
  user?: string | null;
}

/** Where INSIGHTS' numbers come from: this machine's transcripts, team telemetry received here, both, or a team's
 *  Prometheus-compatible engine (--prometheus). */
type InsightSource = "local" | "team" | "both" | "prometheus";

export interface Stat {
  p50: number;
  p95: number;
  max: number;
  count: number;
}

export interface InsightsView {
  window: { from: number; to: number; hours: number };
  tokens: { uncached: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; input: number; output: number };
  sessions: { count: number; prompts: number; perDay: { label: string; sessions: number; prompts: number }[] };
  /** priced here (list prices); `reportedUSD`: what Claude Code itself reported for the team responses that carry a
   *  figure (`reportedResponses` of them), null when none did. */
  cost: {
    totalUSD: number;
    reportedUSD: number | null;
    reportedResponses: number;
    byModel: { model: string; costUSD: number; responses: number; reportedUSD: number | null }[];
  };
  durations: { tools: (Stat & { name: string })[]; all: Stat | null; turns: Stat | null; p95PerDay: { label: string; p95: number | null }[] };
  overTime: { start: number; input: number; output: number }[];
  success: { apiOk: number; apiFailed: number; apiRetries: number; toolsOk: number; toolsFailed: number };
  entrypoints: { name: string; sessions: number }[];
  projects: { project: string; sessions: number; prompts: number; responses: number; costUSD: number }[];
  /** per user (team telemetry): the same columns as projects; `others` marks the row of every user beyond the top. */
  users: { project: string; sessions: number; prompts: number; responses: number; costUSD: number; others?: boolean }[];
  /** terminal types of the sessions (team telemetry). */
  terminals: { name: string; sessions: number }[];
  /** the users seen in the window (for the filter). */
  knownUsers: string[];
  source: InsightSource;
  user: string | null;
  /** panels this source cannot fill, by id, each with why (a Prometheus engine has metrics, not events) */
  unavailable?: Partial<Record<string, string>>;
  /** what only an engine's metrics say (active time, lines of code, commits, pull requests), when the source has them */
  activity?: { activeTimeSeconds: number; linesAdded: number; linesRemoved: number; commits: number; pullRequests: number } | null;
  /** where the numbers came from and how fresh they are, for the page's header (an engine's URL, "stale: …") */
  origin?: { text: string; stale: boolean } | null;
  /** responses and cost by model id (the model distribution). */
  models: { model: string; responses: number; costUSD: number }[];
  toolTypes: { name: string; calls: number; errors: number; rejections: number }[];
  decisions: { accepted: number; rejected: number; byTool: { name: string; accepted: number; rejected: number }[] };
  quota: { kind: "live"; percent: number; resetsAt: number | null } | { kind: "estimate"; last5h: number; max5h: number; percent: number } | null;
}

/** The q-th quantile (0..1) of sorted numbers, by nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export function stat(values: number[]): Stat | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1]!, count: s.length };
}

/** `mcp__github__create_issue` → `mcp:github`; other names as they are. */
export function toolGroup(name: string): string {
  const m = /^mcp__([^_]+(?:_[^_]+)*?)__/.exec(name);
  return m ? `mcp:${m[1]}` : name;
}

/** Team telemetry as a source of INSIGHTS' parts, summed by its store (see net/telemetry-store.ts TeamQueries). */
export interface TeamSource {
  /** changes whenever its facts change (views cache on it) */
  version(): string;
  /** its facts in (from, to] (one user's when given), without the responses whose request id `skip` holds */
  parts(from: number, to: number, bucketMs: number, user: string | null, skip: (() => Set<string>) | null): InsightParts;
  /** effective tokens per slot, for the quota estimate */
  slots(from: number, to: number, slotMs: number): { start: number; effective: number }[];
}

export type InsightParts = Parts;

/** What a source of facts gives INSIGHTS for its window, summed where it can be (see insightsInput). */
interface Parts {
  responses: (DayCell & { user: string | null; reported?: number })[];
  prompts: { sessionId: string; day: number; prompts: number; user: string | null }[];
  calls: { name: string; calls: number }[];
  results: ToolResultFact[];
  turns: number[];
  apiFailed: number;
  apiRetries: number;
  /** where each session ran and how it was started. */
  sessions: Map<string, { cwd: string | null; entrypoint: string | null; terminal: string | null }>;
  /** input and output per bucket of the usage-over-time panel. */
  overTime: { start: number; usage: Usage }[];
  knownUsers: Set<string>;
}

/** A response of the window, priced here (by the model's rate class, or --price). */
type PricedCell = InsightParts["responses"][number] & { costUSD: number };

/**
 * The facts every INSIGHTS panel selects from, for the window ending at `now`: each source's part (the store's
 * transcripts summed over the window, team telemetry, the in-memory model), with the window's days and buckets.
 * Sums more than one panel needs (prices, tool tallies) are made once, when first asked for.
 */
export interface InsightsInput {
  state: ModelState;
  queries: UsageQueries | null;
  team: TeamSource | null;
  options: InsightsOptions;
  from: number;
  to: number;
  parts: readonly Parts[];
  /** days shown per day (at most 31); `dayIndex` maps a part's day (0: the last 24 h) to its place among them. */
  days: number;
  dayIndex(day: number): number;
  dayLabel(index: number): string;
  /** the usage-over-time buckets: size, and the start of the first. */
  bucketMs: number;
  firstBucket: number;
  /** where a session ran and how it was started (the first source that knows). */
  where(sessionId: string): { cwd: string | null; entrypoint: string | null; terminal: string | null } | null;
  /** every part's response cells (one list per part, in the parts' order), each with its cost. */
  priced(): readonly (readonly PricedCell[])[];
  /** calls, outcomes and durations per tool, over all parts. */
  tools(): ToolTally;
}

export function insightsInput(s: ModelState, q: UsageQueries | null, o: InsightsOptions, team: TeamSource | null = null): InsightsInput {
  const from = o.now - o.hours * HOUR;
  const to = o.now;
  const days = Math.max(1, Math.min(31, Math.ceil(o.hours / 24)));
  const bucketMs = Math.max(MIN, Math.ceil((o.hours * HOUR) / Math.max(1, o.buckets) / MIN) * MIN);
  const parts = gatherParts(s, q, team, { from, to, bucketMs, source: o.source ?? "both", user: o.user ?? null });
  const zone = zoneOf(o.timeZone);
  const dayIndex = (d: number) => days - 1 - d;
  let priced: PricedCell[][] | null = null;
  let tally: ToolTally | null = null;
  return {
    state: s,
    queries: q,
    team,
    options: o,
    from,
    to,
    parts,
    days,
    dayIndex,
    dayLabel: (i) => String(zone(to - (days - 1 - i) * DAY).day),
    bucketMs,
    firstBucket: Math.floor(from / bucketMs) * bucketMs,
    where(sessionId) {
      for (const p of parts) {
        const w = p.sessions.get(sessionId);
        if (w) return w;
      }
      return null;
    },
    priced: () => (priced ??= parts.map((p) => p.responses.map((c) => ({ ...c, costUSD: priceCell(c, s.priceOverride).usd })))),
    tools() {
      if (tally) return tally;
      tally = new ToolTally(days);
      for (const p of parts) {
        for (const c of p.calls) tally.calls(c.name, c.calls);
        for (const r of p.results) tally.result(r, dayIndex(Math.floor((to - r.time) / DAY)));
      }
      return tally;
    },
  };
}

const DAY = 24 * HOUR;

/** The window's facts from each source: the store's transcripts, team telemetry, and the in-memory model. */
function gatherParts(
  s: ModelState,
  q: UsageQueries | null,
  team: TeamSource | null,
  w: { from: number; to: number; bucketMs: number; source: InsightSource; user: string | null },
): Parts[] {
  const { from, to, bucketMs, source, user } = w;
  const parts: Parts[] = [];
  // Local transcripts (never with a user filter: transcripts do not say whose they are).
  const local = source !== "team" && !user;
  const skip = q && local ? () => q.requestIds(from, to) : null;
  if (q && local) parts.push(storeParts(q, from, to, bucketMs));
  // Team telemetry from its store when there is one (summed there), else from the in-memory model.
  if (team && source !== "local") parts.push(team.parts(from, to, bucketMs, user, skip));
  parts.push(memoryParts(s, from, to, bucketMs, { transcripts: !q && local, team: source !== "local" && !team, user, skip }));
  return parts;
}

/** Calls, outcomes and durations per tool (MCP tools by server), and over all tools and per day. */
export class ToolTally {
  readonly tools = new Map<string, { calls: number; errors: number; rejections: number; accepted: number; durations: number[] }>();
  ok = 0;
  failed = 0;
  readonly all: number[] = [];
  readonly perDay: number[][];

  constructor(days: number) {
    this.perDay = Array.from({ length: days }, () => [] as number[]);
  }

  private tool(name: string) {
    let t = this.tools.get(name);
    if (!t) this.tools.set(name, (t = { calls: 0, errors: 0, rejections: 0, accepted: 0, durations: [] }));
    return t;
  }

  calls(name: string, n: number): void {
    this.tool(toolGroup(name)).calls += n;
  }

  /** A result; `day` is its index among the window's days (negative: before them). */
  result(r: ToolResultFact, day: number): void {
    const t = this.tool(r.name === null ? "unknown" : toolGroup(r.name));
    if (r.outcome === "rejected") t.rejections++;
    else t.accepted++;
    if (r.outcome === "error") {
      t.errors++;
      this.failed++;
    } else if (r.outcome === "ok") this.ok++;
    if (r.ms !== null && r.outcome !== "rejected") {
      t.durations.push(r.ms);
      this.all.push(r.ms);
      if (day >= 0) this.perDay[day]!.push(r.ms);
    }
  }
}

/** Ties in a ranking go by name, so the order does not depend on which source gave a fact first. */
export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The store's transcripts, summed over the window. */
function storeParts(q: UsageQueries, from: number, to: number, bucketMs: number): Parts {
  const responses = q.dayCells(from, to, DAY).map((c) => ({ ...c, user: null }));
  const ids = [...new Set([...responses.map((c) => c.sessionId)])];
  const prompts = q.dayPrompts(from, to, DAY).map((c) => ({ ...c, user: null }));
  for (const p of prompts) if (!ids.includes(p.sessionId)) ids.push(p.sessionId);
  const sessions = new Map(q.labels(ids).map((l) => [l.sessionId, { cwd: l.cwd, entrypoint: l.entrypoint, terminal: null }]));
  const counts = q.counts(from, to);
  return {
    responses,
    prompts,
    calls: q.toolCalls(from, to),
    results: [...q.toolResults(from, to)],
    turns: q.turnDurations(from, to),
    apiFailed: counts.apiErrors,
    apiRetries: counts.apiRetries,
    sessions,
    overTime: q.cells(from, to, bucketMs).map((c) => ({ start: c.start, usage: c.usage })),
    knownUsers: new Set(),
  };
}

/**
 * The in-memory model's facts in the window: team telemetry (filtered by user), and transcripts when there is no
 * store; `skip` gives the request ids the store already counts.
 */
function memoryParts(
  s: ModelState,
  from: number,
  to: number,
  bucketMs: number,
  o: { transcripts: boolean; team: boolean; user: string | null; skip: (() => Set<string>) | null },
): Parts {
  const want = (r: { origin: "transcript" | "team"; user: string | null }) => (r.origin === "team" ? o.team : o.transcripts) && (!o.user || r.user === o.user);
  const parts: Parts = {
    responses: [],
    prompts: [],
    calls: [],
    results: [],
    turns: [],
    apiFailed: 0,
    apiRetries: 0,
    sessions: new Map(),
    overTime: [],
    knownUsers: new Set(),
  };
  let skip: Set<string> | null = null;
  const callNames = new Map<string, number>();
  const dayOf = (t: number) => Math.floor((to - t) / DAY);
  const note = (sessionId: string) => {
    if (parts.sessions.has(sessionId)) return;
    const agg = s.sessions.get(sessionId);
    parts.sessions.set(sessionId, { cwd: agg?.cwd ?? null, entrypoint: agg?.entrypoint ?? null, terminal: agg?.terminal ?? null });
  };
  s.responseIndex.each(from, to, (r: ResponseRec) => {
    if (r.user) parts.knownUsers.add(r.user);
    if (!want(r)) return;
    if (r.origin === "team" && r.requestId && o.skip) {
      skip ??= o.skip();
      if (skip.has(r.requestId)) return; // (the transcript has it)
    }
    note(r.sessionId);
    parts.responses.push({
      sessionId: r.sessionId,
      model: r.model,
      cls: r.cls,
      day: dayOf(r.time),
      responses: 1,
      usage: r.usage,
      user: r.user,
      ...(r.reportedCostUSD !== null ? { reported: r.reportedCostUSD } : {}),
    });
    parts.overTime.push({ start: Math.floor((r.time - 1) / bucketMs) * bucketMs, usage: r.usage });
  });
  s.promptIndex.each(from, to, (p) => {
    if (!want(p)) return;
    note(p.sessionId);
    parts.prompts.push({ sessionId: p.sessionId, day: dayOf(p.time), prompts: 1, user: p.user });
  });
  s.toolCallIndex.each(from, to, (c) => {
    if (want(c)) callNames.set(c.name, (callNames.get(c.name) ?? 0) + 1);
  });
  for (const [name, calls] of callNames) parts.calls.push({ name, calls });
  s.toolResultIndex.each(from, to, (r) => {
    if (!want(r)) return;
    const call = s.toolCalls.get(r.key);
    const ms = r.reportedMs ?? (call && r.time >= call.time ? r.time - call.time : null);
    parts.results.push({ name: call?.name ?? null, outcome: r.outcome, time: r.time, ms });
  });
  s.turnIndex.each(from, to, (t) => {
    if (o.transcripts) parts.turns.push(t.durationMs); // (turns come from transcripts only)
  });
  s.apiErrorIndex.each(from, to, (e) => {
    if (want(e)) e.retry ? parts.apiRetries++ : parts.apiFailed++;
  });
  return parts;
}

/**
 * The live 5-hour allowance, or effective tokens of the last 5 h against the largest 5 h in the last
 * max(window, 7 days) (an estimate, from quarter-hour sums: the busiest 5 h starting on a quarter hour).
 */
export function selectQuota(s: ModelState, q: UsageQueries | null, o: InsightsOptions, team: TeamSource | null): InsightsView["quota"] {
  if (o.session) return { kind: "live", percent: o.session.percent, resetsAt: o.session.resetsAt };
  const span = Math.max(o.hours, INSIGHTS_MIN_HOURS) * HOUR;
  const from = o.now - span;
  const slot = 15 * MIN;
  const slots = new Map<number, number>();
  const add = (start: number, effective: number) => slots.set(start, (slots.get(start) ?? 0) + effective);
  if (q) for (const c of q.cells(from, o.now, slot)) add(c.start, effectiveTokens(c.usage));
  if (team) for (const x of team.slots(from, o.now, slot)) add(x.start, x.effective);
  let any = slots.size > 0;
  s.responseIndex.each(from, o.now, (r) => {
    if (q && r.origin !== "team") return; // (the store has the transcripts)
    any = true;
    add(Math.floor((r.time - 1) / slot) * slot, r.effective);
  });
  if (!any) return null;
  let last5h = 0;
  if (q) for (const c of q.cells(o.now - 5 * HOUR, o.now, 5 * HOUR)) last5h += effectiveTokens(c.usage);
  s.responseIndex.each(o.now - 5 * HOUR, o.now, (r) => {
    if (!q || r.origin === "team") last5h += r.effective;
  });
  if (team) for (const x of team.slots(o.now - 5 * HOUR, o.now, 5 * HOUR)) last5h += x.effective;
  // the largest total of any 20 consecutive quarter hours
  const starts = [...slots.keys()].sort((a, b) => a - b);
  let max5h = 0;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < starts.length; hi++) {
    sum += slots.get(starts[hi]!)!;
    while (starts[hi]! - starts[lo]! >= 5 * HOUR) sum -= slots.get(starts[lo++]!)!;
    if (sum > max5h) max5h = sum;
  }
  max5h = Math.max(max5h, last5h);
  return { kind: "estimate", last5h, max5h, percent: max5h > 0 ? (100 * last5h) / max5h : 0 };
}
