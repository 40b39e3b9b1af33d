// The INSIGHTS view model: the observability panels (adoption, cost, tools, decisions, reliability) computed from
// the same state as LIVE for a window ending at `now`. Each panel's data is plain; `INSIGHT_NOTES` says how
// each is computed (the help overlay shows it).
import { projectName } from "./selectors.ts";
import type { ModelState, ResponseRec } from "./state.ts";
import { addUsage } from "./events.ts";
import { zoneOf } from "./history-view.ts";

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

export type InsightSource = "local" | "team" | "both";

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
  cost: { totalUSD: number; byModel: { model: string; costUSD: number; responses: number }[] };
  durations: { tools: (Stat & { name: string })[]; all: Stat | null; turns: Stat | null; p95PerDay: { label: string; p95: number | null }[] };
  overTime: { start: number; input: number; output: number }[];
  success: { apiOk: number; apiFailed: number; apiRetries: number; toolsOk: number; toolsFailed: number };
  entrypoints: { name: string; sessions: number }[];
  projects: { project: string; sessions: number; prompts: number; responses: number; costUSD: number }[];
  /** per user (team telemetry): the same columns as projects. */
  users: { project: string; sessions: number; prompts: number; responses: number; costUSD: number }[];
  /** terminal types of the sessions (team telemetry). */
  terminals: { name: string; sessions: number }[];
  /** the users seen in the window (for the filter). */
  knownUsers: string[];
  source: InsightSource;
  user: string | null;
  toolTypes: { name: string; calls: number; errors: number; rejections: number }[];
  decisions: { accepted: number; rejected: number; byTool: { name: string; accepted: number; rejected: number }[] };
  quota:
    | { kind: "live"; percent: number; resetsAt: number | null }
    | { kind: "estimate"; last5h: number; max5h: number; percent: number }
    | null;
}

export const INSIGHT_NOTES: Record<string, string> = {
  tokens: "All responses in the window, each counted once: input = uncached + cache writes (5 m, 1 h) + cache reads.",
  sessions: "Sessions with a response in the window; prompts = what the user typed in the main thread (not tool results or meta lines).",
  cost: "Each response priced at its model's list price per token class; unknown models by family (an estimate).",
  durations: "tool_use → tool_result time per call (a tool's own reported duration when it gives one); turns from turn_duration lines.",
  overTime: "Input (all four classes) and output per bucket.",
  success: "API: responses vs final API errors (retries shown apart). Tools: results without vs with is_error (rejections apart).",
  entrypoints: "Sessions by how Claude Code was started (transcripts record it from 2.1.78; older ones are 'unknown'); by terminal.type where team telemetry gives it.",
  projects: "Per user where team telemetry gives users; otherwise per project (last part of the working directory): sessions, prompts, responses and cost.",
  models: "Responses and cost by model id.",
  toolTypes: "Calls per tool name (MCP tools grouped by server), with errors and rejections.",
  decisions: "A rejection is a tool result saying the user did not want to proceed; every other completed call counts as accepted.",
  quota: "The live 5-hour allowance when known; otherwise effective tokens of the last 5 h against the largest 5 h total in the data (an estimate).",
};

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

export function selectInsights(s: ModelState, o: InsightsOptions): InsightsView {
  const from = o.now - o.hours * HOUR;
  const to = o.now;
  const source = o.source ?? "both";
  const want = (r: { origin: "transcript" | "team"; user: string | null }) =>
    (source === "both" || (source === "local" ? r.origin === "transcript" : r.origin === "team")) && (!o.user || r.user === o.user);
  const knownUsers = new Set<string>();
  const users = new Map<string, { sessions: Set<string>; prompts: number; responses: number; costUSD: number }>();
  const userRow = (u: string) => {
    let e = users.get(u);
    if (!e) users.set(u, (e = { sessions: new Set(), prompts: 0, responses: 0, costUSD: 0 }));
    return e;
  };
  const zone = zoneOf(o.timeZone);
  const days = Math.max(1, Math.min(31, Math.ceil(o.hours / 24)));
  const dayIndex = (t: number) => days - 1 - Math.floor((to - t) / (24 * HOUR));
  const dayLabel = (i: number) => {
    const lt = zone(to - (days - 1 - i) * 24 * HOUR);
    return String(lt.day);
  };
  const tokens = { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, input: 0, output: 0 };
  const sessionsSeen = new Set<string>();
  const perDaySessions = Array.from({ length: days }, () => new Set<string>());
  const perDayPrompts = new Array<number>(days).fill(0);
  const byModel = new Map<string, { costUSD: number; responses: number }>();
  const projects = new Map<string, { sessions: Set<string>; prompts: number; responses: number; costUSD: number }>();
  const project = (sessionId: string) => {
    const p = projectName(s.sessions.get(sessionId)?.cwd ?? null);
    let e = projects.get(p);
    if (!e) projects.set(p, (e = { sessions: new Set(), prompts: 0, responses: 0, costUSD: 0 }));
    return e;
  };
  const bucketMs = Math.max(MIN, Math.ceil((o.hours * HOUR) / Math.max(1, o.buckets) / MIN) * MIN);
  const first = Math.floor(from / bucketMs) * bucketMs;
  const nb = Math.floor((to - first) / bucketMs) + 1;
  const overTime = Array.from({ length: nb }, (_, i) => ({ start: first + i * bucketMs, input: 0, output: 0 }));
  let totalCost = 0;
  s.responseIndex.each(from, to, (r: ResponseRec) => {
    if (r.user) knownUsers.add(r.user);
    if (!want(r)) return;
    if (r.user) {
      const ur = userRow(r.user);
      ur.sessions.add(r.sessionId);
      ur.responses++;
      ur.costUSD += r.costUSD;
    }
    const u = r.usage;
    addUsage(tokens, u);
    totalCost += r.costUSD;
    sessionsSeen.add(r.sessionId);
    const d = dayIndex(r.time);
    if (d >= 0) perDaySessions[d]!.add(r.sessionId);
    const m = byModel.get(r.model) ?? { costUSD: 0, responses: 0 };
    m.costUSD += r.costUSD;
    m.responses++;
    byModel.set(r.model, m);
    const p = project(r.sessionId);
    p.sessions.add(r.sessionId);
    p.responses++;
    p.costUSD += r.costUSD;
    const b = overTime[Math.floor((r.time - 1 - first) / bucketMs)]; // (a bucket holds its end, as a window does)
    if (b) {
      b.input += u.uncached + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;
      b.output += u.output;
    }
  });
  tokens.input = tokens.uncached + tokens.cacheWrite5m + tokens.cacheWrite1h + tokens.cacheRead;
  let prompts = 0;
  s.promptIndex.each(from, to, (p) => {
    if (!want(p)) return;
    if (p.user) userRow(p.user).prompts++;
    prompts++;
    const d = dayIndex(p.time);
    if (d >= 0) perDayPrompts[d]!++;
    project(p.sessionId).prompts++;
  });
  // Tools: calls, outcomes, durations.
  const tools = new Map<string, { calls: number; errors: number; rejections: number; accepted: number; durations: number[] }>();
  const tool = (name: string) => {
    let t = tools.get(name);
    if (!t) tools.set(name, (t = { calls: 0, errors: 0, rejections: 0, accepted: 0, durations: [] }));
    return t;
  };
  s.toolCallIndex.each(from, to, (c) => {
    if (want(c)) tool(toolGroup(c.name)).calls++;
  });
  let toolsOk = 0;
  let toolsFailed = 0;
  const allDurations: number[] = [];
  const dayDurations = Array.from({ length: days }, () => [] as number[]);
  s.toolResultIndex.each(from, to, (r) => {
    if (!want(r)) return;
    const call = s.toolCalls.get(r.key);
    const t = tool(call ? toolGroup(call.name) : "unknown");
    if (r.outcome === "rejected") t.rejections++;
    else t.accepted++;
    if (r.outcome === "error") {
      t.errors++;
      toolsFailed++;
    } else if (r.outcome === "ok") toolsOk++;
    const ms = r.reportedMs ?? (call && r.time >= call.time ? r.time - call.time : null);
    if (ms !== null && r.outcome !== "rejected") {
      t.durations.push(ms);
      allDurations.push(ms);
      const d = dayIndex(r.time);
      if (d >= 0) dayDurations[d]!.push(ms);
    }
  });
  const turns: number[] = [];
  s.turnIndex.each(from, to, (t) => turns.push(t.durationMs));
  let apiFailed = 0;
  let apiRetries = 0;
  s.apiErrorIndex.each(from, to, (e) => {
    if (want(e)) e.retry ? apiRetries++ : apiFailed++;
  });
  const entry = new Map<string, number>();
  const terminals = new Map<string, number>();
  for (const id of sessionsSeen) {
    const agg = s.sessions.get(id);
    const e = agg?.entrypoint ?? "unknown";
    entry.set(e, (entry.get(e) ?? 0) + 1);
    if (agg?.terminal) terminals.set(agg.terminal, (terminals.get(agg.terminal) ?? 0) + 1);
  }
  const toolList = [...tools.entries()].filter(([, t]) => t.calls > 0 || t.accepted + t.rejections > 0);
  return {
    window: { from, to, hours: o.hours },
    tokens,
    sessions: {
      count: sessionsSeen.size,
      prompts,
      perDay: perDaySessions.map((set, i) => ({ label: dayLabel(i), sessions: set.size, prompts: perDayPrompts[i]! })),
    },
    cost: {
      totalUSD: totalCost,
      byModel: [...byModel.entries()].map(([model, v]) => ({ model, ...v })).sort((a, b) => b.costUSD - a.costUSD),
    },
    durations: {
      tools: toolList
        .map(([name, t]) => ({ name, ...stat(t.durations) }))
        .filter((t): t is Stat & { name: string } => t.count !== undefined)
        .sort((a, b) => b.p95 - a.p95),
      all: stat(allDurations),
      turns: stat(turns),
      p95PerDay: dayDurations.map((ds, i) => ({ label: dayLabel(i), p95: ds.length > 0 ? stat(ds)!.p95 : null })),
    },
    overTime,
    success: { apiOk: [...byModel.values()].reduce((a, m) => a + m.responses, 0), apiFailed, apiRetries, toolsOk, toolsFailed },
    entrypoints: [...entry.entries()].map(([name, sessions]) => ({ name, sessions })).sort((a, b) => b.sessions - a.sessions),
    projects: [...projects.entries()]
      .map(([p, v]) => ({ project: p, sessions: v.sessions.size, prompts: v.prompts, responses: v.responses, costUSD: v.costUSD }))
      .sort((a, b) => b.costUSD - a.costUSD),
    users: [...users.entries()]
      .map(([u, v]) => ({ project: u, sessions: v.sessions.size, prompts: v.prompts, responses: v.responses, costUSD: v.costUSD }))
      .sort((a, b) => b.costUSD - a.costUSD),
    terminals: [...terminals.entries()].map(([name, sessions]) => ({ name, sessions })).sort((a, b) => b.sessions - a.sessions),
    knownUsers: [...knownUsers].sort(),
    source,
    user: o.user ?? null,
    toolTypes: toolList.map(([name, t]) => ({ name, calls: t.calls, errors: t.errors, rejections: t.rejections })).sort((a, b) => b.calls - a.calls),
    decisions: {
      accepted: toolList.reduce((a, [, t]) => a + t.accepted, 0),
      rejected: toolList.reduce((a, [, t]) => a + t.rejections, 0),
      byTool: toolList
        .map(([name, t]) => ({ name, accepted: t.accepted, rejected: t.rejections }))
        .filter((t) => t.accepted + t.rejected > 0)
        .sort((a, b) => b.rejected - a.rejected || b.accepted - a.accepted),
    },
    quota: quota(s, o),
  };
}

/** The live 5-hour allowance, or effective tokens of the last 5 h against the largest 5 h seen (an estimate). */
function quota(s: ModelState, o: InsightsOptions): InsightsView["quota"] {
  if (o.session) return { kind: "live", percent: o.session.percent, resetsAt: o.session.resetsAt };
  const all = s.responseIndex.all();
  if (all.length === 0) return null;
  let last5h = 0;
  s.responseIndex.each(o.now - 5 * HOUR, o.now, (r) => (last5h += r.effective));
  // the largest total of any 5-hour span, by two pointers over the time-ordered responses
  let max5h = 0;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < all.length; hi++) {
    sum += all[hi]!.effective;
    while (all[hi]!.time - all[lo]!.time >= 5 * HOUR) sum -= all[lo++]!.effective;
    if (sum > max5h) max5h = sum;
  }
  return { kind: "estimate", last5h, max5h, percent: max5h > 0 ? (100 * last5h) / max5h : 0 };
}
