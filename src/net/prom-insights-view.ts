// INSIGHTS from a team's Prometheus-compatible engine: its answer (prometheus.ts PromInsights, summed there) as the
// view model the panels draw — an adapter from the engine's shapes to the model's, so it lives beside them in net.
// What metrics cannot tell (durations, tool success, prompts, responses) is marked unavailable with why, so those
// panels say so instead of showing zeros.
import type { InsightsView } from "../model/insights-view.ts";
import type { PromState } from "./prom-poller.ts";

const NEEDS_EVENTS = "needs per-request events: receive them with --otlp (metrics carry sums only)";

const hhmmss = (t: number) => new Date(t).toTimeString().slice(0, 8);

/** Why values were rejected: "negative", or "negative 3, too large 1" when there is more than one reason. */
function rejectedWhy(reasons: Record<string, number | undefined>): string {
  const all = Object.entries(reasons).filter(([, n]) => (n ?? 0) > 0);
  return all.length === 1 ? all[0]![0] : all.map(([why, n]) => `${why} ${(n ?? 0).toLocaleString("en-US")}`).join(", ");
}

/** The engine's last answer (or the wait for its first) as INSIGHTS' view model. */
export function insightsFromPrometheus(p: PromState, o: { now: number; hours: number; url: string }): InsightsView {
  const d = p.data;
  const t = d?.tokens ?? { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
  const decisions = d?.decisions ?? [];
  return {
    window: { from: o.now - o.hours * 3_600_000, to: o.now, hours: o.hours },
    tokens: {
      uncached: t.input,
      cacheWrite5m: t.cacheCreation,
      cacheWrite1h: 0,
      cacheRead: t.cacheRead,
      input: t.input + t.cacheCreation + t.cacheRead,
      output: t.output,
    },
    sessions: { count: d?.sessions ?? 0, prompts: 0, perDay: [] },
    cost: {
      totalUSD: d?.costUSD ?? 0,
      reportedUSD: null,
      reportedResponses: 0,
      byModel: (d?.models ?? []).map((m) => ({ model: m.model, costUSD: m.costUSD, responses: 0, reportedUSD: null })),
    },
    durations: { tools: [], all: null, turns: null, p95PerDay: [] },
    overTime: d?.overTime ?? [],
    success: { apiOk: 0, apiFailed: 0, apiRetries: 0, toolsOk: 0, toolsFailed: 0 },
    entrypoints: [],
    projects: [],
    users: usersOf(d),
    terminals: d?.terminals ?? [],
    knownUsers: [],
    source: "prometheus",
    user: null,
    models: [],
    toolTypes: [],
    decisions: {
      accepted: decisions.reduce((a, x) => a + x.accept, 0),
      rejected: decisions.reduce((a, x) => a + x.reject, 0),
      byTool: decisions.map((x) => ({ name: x.tool, accepted: x.accept, rejected: x.reject })),
    },
    quota: null,
    unavailable: unavailableOf(p),
    origin: originOf(p, o.url),
    activity: d
      ? {
          activeTimeSeconds: d.activeTimeSeconds,
          linesAdded: d.linesOfCode.added,
          linesRemoved: d.linesOfCode.removed,
          commits: d.commits,
          pullRequests: d.pullRequests,
        }
      : null,
  };
}

/** The header line naming the engine: a fault, or the series looking like deltas, or when it last answered. */
function originOf(p: PromState, url: string): InsightsView["origin"] {
  const d = p.data;
  // values the engine sent that were not used (negative, not finite, …): counted where the source is named
  const r = d?.rejected;
  const rejected =
    r && r.samples > 0 ? ` · ${r.samples.toLocaleString("en-US")} engine value${r.samples === 1 ? "" : "s"} rejected (${rejectedWhy(r.reasons)})` : "";
  // (the header names the engine first: its faults, which begin with its URL, are said without it again)
  const fault = p.error?.startsWith(`${url} `) ? p.error.slice(url.length + 1) : p.error;
  if (p.error) return { text: `${url} · ${d ? `stale since ${p.fetchedAt ? hhmmss(p.fetchedAt) : "?"}` : "no answer yet"}: ${fault}`, stale: true };
  if (d?.deltas)
    return {
      text: `${url}${rejected} · the series look like deltas: set OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative (README: Team set-up)`,
      stale: true,
    };
  return { text: `${url}${rejected} · ${p.fetchedAt ? `updated ${hhmmss(p.fetchedAt)}` : "asking…"}`, stale: rejected !== "" };
}

/** The top users and the rest as one row. Per user the engine knows cost and tokens, not sessions, prompts or
 * responses: NaN draws as "–". */
function usersOf(d: PromState["data"]): InsightsView["users"] {
  const users: InsightsView["users"] = (d?.users ?? []).map((u) => ({ project: u.user, sessions: NaN, prompts: NaN, responses: NaN, costUSD: u.costUSD }));
  if (d?.others)
    users.push({ project: `others (${d.others.users} users)`, sessions: NaN, prompts: NaN, responses: NaN, costUSD: d.others.costUSD, others: true });
  return users;
}

/** Why each panel metrics cannot fill is empty: what needs events, what the engine lacks, or that it has not answered. */
function unavailableOf(p: PromState): Record<string, string> {
  const d = p.data;
  const unavailable: Record<string, string> = {
    durations: NEEDS_EVENTS,
    success: NEEDS_EVENTS,
    toolTypes: NEEDS_EVENTS,
    quota: "the 5-hour estimate needs this machine's transcripts or events",
    models: "responses by model need events; cost by model is in TOTAL COST",
  };
  if (d) {
    const missing = (metric: string) => `the engine has no ${metric} metric (Claude Code sends it with OTEL_METRICS_EXPORTER set)`;
    if (!d.metrics.sessions && !d.metrics.activeTime && !d.metrics.linesOfCode) unavailable.sessions = missing("claude_code.session.count");
    if (d.terminals.length === 0)
      unavailable.entrypoints = d.metrics.sessions ? "no session.count with a terminal.type in this window" : missing("claude_code.session.count");
    if (d.decisions.length === 0)
      unavailable.decisions = d.metrics.decisions ? "no edit-tool decisions in this window" : missing("claude_code.code_edit_tool.decision");
  } else {
    const waitingNote = p.error ? `no answer from the engine: ${p.error}` : "asking the engine…";
    for (const id of ["tokens", "sessions", "cost", "entrypoints", "projects", "decisions"]) unavailable[id] = waitingNote;
  }
  return unavailable;
}
