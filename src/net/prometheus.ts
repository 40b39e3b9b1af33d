// A Prometheus-compatible engine (Prometheus, Mimir, Thanos, VictoriaMetrics, Grafana Cloud) as a team source:
// the engine does the sums (PromQL `increase` over the window, `topk` for large teams); we ask, and show. The metric
// names are discovered (`/api/v1/label/__name__/values`), since set-ups spell them differently (with or without
// the unit suffix, a doubled `claude_code_` prefix). Credentials never appear in what this returns or throws.

/** Claude Code's metrics, by the part of the name every spelling shares. */
const PROM_METRICS = {
  tokens: "token_usage",
  cost: "cost_usage",
  sessions: "session_count",
  activeTime: "active_time(?:_total)?",
  linesOfCode: "lines_of_code_count",
  commits: "commit_count",
  pullRequests: "pull_request_count",
  decisions: "code_edit_tool_decision",
} as const;

type PromMetric = keyof typeof PROM_METRICS;
type PromNames = Partial<Record<PromMetric, string>>;

export class PromError extends Error {
  override name = "PromError";
}

interface PromConnection {
  /** the engine's base URL, without credentials (see promConnection) */
  url: string;
  /** the URL as it may be shown: any password masked */
  shown: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/**
 * The connection for a URL: basic auth in it becomes a header (and leaves the URL), a bearer token
 * (CLAUDE_DASH_PROMETHEUS_TOKEN) and "Name: value" headers are added.
 */
export function promConnection(raw: string, o: { headers?: readonly string[]; token?: string | null; timeoutMs?: number } = {}): PromConnection {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new PromError("--prometheus must be an http(s) URL such as http://localhost:9090");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new PromError("--prometheus must be an http(s) URL such as http://localhost:9090");
  const headers: Record<string, string> = {};
  if (u.username || u.password) {
    headers.Authorization = `Basic ${btoa(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`)}`;
  }
  const shownUrl = new URL(u.href);
  if (shownUrl.password) shownUrl.password = "****";
  u.username = "";
  u.password = "";
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  for (const h of o.headers ?? []) {
    const i = h.indexOf(":");
    if (i <= 0) throw new PromError(`--prometheus-header must be "Name: value"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return { url: u.href.replace(/\/+$/, ""), shown: shownUrl.href.replace(/\/+$/, ""), headers, timeoutMs: o.timeoutMs ?? 10_000 };
}

/** A PromQL instant vector: each series' labels and value. */
type Vector = { labels: Record<string, string>; value: number }[];

/**
 * The most one refresh's answers may hold together (the metric names and every query's answer): each is read as it
 * comes, and all are given up (not buffered) beyond this. An engine's usual answers take a few kB.
 */
const MAX_ANSWER_BYTES = 32 * 2 ** 20;
/** The most series one query's answer may hold (no query of ours grows with the number of users). */
const MAX_SERIES = 10_000;
/**
 * The largest sample value used: 2^53 − 1, past which a float no longer counts by ones. No counter of tokens,
 * dollars or seconds comes near it, and at MAX_SERIES series per query no sum of such values can overflow.
 */
const MAX_SAMPLE = Number.MAX_SAFE_INTEGER;

type RejectReason = "not a decimal number" | "not finite" | "negative" | "too large" | "time outside the window";

/** The sample values an engine sent that were not used, by why. */
class Rejections {
  samples = 0;
  reasons: Partial<Record<RejectReason, number>> = {};
  add(reason: RejectReason): void {
    this.samples++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
  }
}

/** Queries asked together (one refresh): their answers share one cap in bytes, and their rejected values one count. */
class PromBatch {
  /** bytes of answers read so far */
  bytes = 0;
  readonly rejected = new Rejections();
  constructor(readonly maxBytes = MAX_ANSWER_BYTES) {}
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A sample value as the engine wrote it (the Prometheus API sends them as strings), when it is a plain decimal
 * number (an exponent allowed), finite, >= 0 and at most MAX_SAMPLE; else why not. "0x10", "", "NaN", "+Inf" and
 * numbers that are not strings are not decimal numbers.
 */
function sampleValue(raw: unknown): number | RejectReason {
  if (typeof raw !== "string" || !DECIMAL.test(raw)) return "not a decimal number";
  const v = Number(raw);
  if (!Number.isFinite(v)) return "not finite";
  if (v < 0) return "negative";
  if (v > MAX_SAMPLE) return "too large";
  return v + 0; // (−0 as 0)
}

export class PrometheusClient {
  constructor(
    readonly conn: PromConnection,
    private readonly fetchFn: typeof fetch = globalThis.fetch,
  ) {}

  private async get(path: string, params: Record<string, string>, batch: PromBatch): Promise<unknown> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.conn.timeoutMs);
    const slow = () => new PromError(`${this.conn.shown} did not answer within ${Math.round(this.conn.timeoutMs / 1000)} s`);
    let res: Response;
    try {
      res = await this.fetchFn(`${this.conn.url}${path}?${new URLSearchParams(params)}`, {
        headers: this.conn.headers,
        signal: ctl.signal,
        redirect: "manual",
      });
    } catch (e) {
      clearTimeout(timer);
      throw ctl.signal.aborted ? slow() : new PromError(`${this.conn.shown} cannot be reached: ${(e as Error)?.message ?? e}`);
    }
    let text: string | null;
    try {
      text = await readCapped(res, batch);
    } catch (e) {
      throw ctl.signal.aborted ? slow() : new PromError(`${this.conn.shown} broke off its answer: ${(e as Error)?.message ?? e}`);
    } finally {
      clearTimeout(timer);
    }
    if (text === null && res.ok) throw new PromError(`${this.conn.shown} sent over ${batch.maxBytes / 2 ** 20} MiB of answers in one refresh (the cap)`);
    let body: unknown = null;
    try {
      body = JSON.parse(text ?? "");
    } catch {
      // (said below)
    }
    const error = (body as { error?: unknown } | null)?.error;
    if (!res.ok)
      throw new PromError(
        `${this.conn.shown} answered HTTP ${res.status}${typeof error === "string" ? `: ${error.slice(0, 200)}` : res.status === 401 || res.status === 403 ? " (check --prometheus-header or CLAUDE_DASH_PROMETHEUS_TOKEN)" : ""}`,
      );
    if (body === null || typeof body !== "object" || (body as { status?: unknown }).status !== "success")
      throw new PromError(`${this.conn.shown} sent an answer that is not the Prometheus API's JSON`);
    return (body as { data: unknown }).data;
  }

  /** A query's series, when there are not more than the cap. */
  private series(result: unknown[]): unknown[] {
    if (result.length > MAX_SERIES) throw new PromError(`${this.conn.shown} sent over ${MAX_SERIES.toLocaleString("en-US")} series in one answer (the cap)`);
    return result;
  }

  /** INSIGHTS from the engine for the window ending at `now` (see promInsights). */
  insightsFor(now: number, hours: number, top = 20): Promise<PromInsights> {
    return promInsights(this, now, hours, top);
  }

  /** Every metric name the engine has. */
  async names(batch = new PromBatch()): Promise<string[]> {
    const data = await this.get("/api/v1/label/__name__/values", {}, batch);
    if (!Array.isArray(data) || !data.every((d) => typeof d === "string")) throw new PromError(`${this.conn.shown} sent a malformed list of metric names`);
    return data as string[];
  }

  /**
   * A range query: each series' values at `start`, `start + step`, … `end` (epoch ms), as [time, value] pairs;
   * values that are not usable (see sampleValue), and points more than `slackMs` outside the range, are left out
   * and counted.
   */
  async queryRange(
    q: string,
    start: number,
    end: number,
    stepMs: number,
    batch = new PromBatch(),
    slackMs = 0,
  ): Promise<{ labels: Record<string, string>; points: [number, number][] }[]> {
    const data = (await this.get(
      "/api/v1/query_range",
      { query: q, start: String(start / 1000), end: String(end / 1000), step: `${Math.max(1, Math.round(stepMs / 1000))}s` },
      batch,
    )) as { resultType?: unknown; result?: unknown };
    const rejected = batch.rejected;
    if (data?.resultType !== "matrix" || !Array.isArray(data.result)) throw new PromError(`${this.conn.shown} sent a malformed range answer`);
    return this.series(data.result).map((r) => {
      const { metric, values } = (r ?? {}) as { metric?: unknown; values?: unknown };
      if (!isLabels(metric) || !Array.isArray(values)) throw new PromError(`${this.conn.shown} sent a malformed series`);
      const points: [number, number][] = [];
      for (const p of values as unknown[]) {
        const [t, raw] = Array.isArray(p) ? (p as unknown[]) : [];
        const at = typeof t === "number" ? t * 1000 : NaN;
        const v = sampleValue(raw);
        if (typeof v !== "number") rejected.add(v);
        else if (!(at >= start - slackMs && at <= end + slackMs)) rejected.add("time outside the window");
        else points.push([at, v]);
      }
      return { labels: metric, points };
    });
  }

  /** An instant query at `time` (epoch ms); series whose value is not usable (see sampleValue) are left out and counted. */
  async query(q: string, time: number, batch = new PromBatch()): Promise<Vector> {
    const data = (await this.get("/api/v1/query", { query: q, time: String(time / 1000) }, batch)) as { resultType?: unknown; result?: unknown };
    const rejected = batch.rejected;
    const out: Vector = [];
    if (data?.resultType === "scalar" && Array.isArray(data.result)) {
      const v = sampleValue(data.result[1]);
      if (typeof v === "number") out.push({ labels: {}, value: v });
      else rejected.add(v);
      return out;
    }
    if (data?.resultType !== "vector" || !Array.isArray(data.result)) throw new PromError(`${this.conn.shown} sent a malformed query answer`);
    for (const r of this.series(data.result)) {
      const { metric, value } = (r ?? {}) as { metric?: unknown; value?: unknown };
      if (!isLabels(metric) || !Array.isArray(value)) throw new PromError(`${this.conn.shown} sent a malformed series`);
      const v = sampleValue(value[1]);
      if (typeof v === "number") out.push({ labels: metric, value: v });
      else rejected.add(v);
    }
    return out;
  }
}

/** Labels as the API sends them: an object of strings (others are not used). */
function isLabels(x: unknown): x is Record<string, string> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  for (const v of Object.values(x)) if (typeof v !== "string") return false;
  return true;
}

/**
 * A response's body as text, read as it comes and given up once the batch's answers pass its cap in bytes (or this
 * one says in advance that it will): null then. The connection is closed rather than drained.
 */
async function readCapped(res: Response, batch: PromBatch): Promise<string | null> {
  const declared = Number(res.headers.get("content-length") ?? "");
  if (!res.body) return "";
  if (batch.bytes + declared > batch.maxBytes) {
    await res.body.cancel().catch(() => undefined);
    return null;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    batch.bytes += value.byteLength;
    if (batch.bytes > batch.maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** The engine's spelling of each of Claude Code's metrics (counters, _total preferred), from its list of names. */
export function discoverNames(all: readonly string[]): PromNames {
  const out: PromNames = {};
  for (const [key, base] of Object.entries(PROM_METRICS) as [PromMetric, string][]) {
    const re = new RegExp(`^(?:claude_code_)+${base}(?:_[A-Za-z]+)??(?:_total)?$`);
    const found = all.filter((n) => re.test(n)).sort((a, b) => Number(b.endsWith("_total")) - Number(a.endsWith("_total")) || a.length - b.length);
    if (found[0]) out[key] = found[0];
  }
  return out;
}

/** Token types as Claude Code labels them. */
const TOKEN_TYPES = ["input", "output", "cacheRead", "cacheCreation"] as const;
type Tokens = Record<(typeof TOKEN_TYPES)[number], number>;
const noTokens = (): Tokens => ({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });

/** What INSIGHTS shows from an engine over a window: summed there, per user, model and more. */
export interface PromInsights {
  source: "prometheus";
  url: string;
  window: { from: string; to: string; hours: number };
  /** the engine's name for each metric that it has (null: not found) */
  metrics: Record<PromMetric, string | null>;
  /** the series look like deltas (Claude Code's default temporality), which Prometheus cannot sum: see README */
  deltas: boolean;
  /** sample values the engine sent that were not used (not a plain decimal number, not finite, negative, too large), by why */
  rejected: { samples: number; reasons: Partial<Record<RejectReason, number>> };
  tokens: Tokens;
  costUSD: number;
  /** the top users by cost, and the rest as one row */
  users: { user: string; costUSD: number; tokens: Tokens }[];
  others: { users: number; costUSD: number } | null;
  models: { model: string; costUSD: number; tokens: Tokens }[];
  sessions: number;
  activeTimeSeconds: number;
  linesOfCode: { added: number; removed: number };
  commits: number;
  pullRequests: number;
  decisions: { tool: string; accept: number; reject: number }[];
  terminals: { name: string; sessions: number }[];
  /** input (all four token types but output) and output per step of the window, from query_range */
  overTime: { start: number; input: number; output: number }[];
  /** what needs per-request events (not metrics), and how to get them */
  needsEvents: string[];
}

const labelOf = (v: Vector[number], name: string) => v.labels[name] ?? "";
const sumOf = (v: Vector) => v.reduce((a, x) => a + x.value, 0);

/**
 * INSIGHTS from the engine for the window ending at `now`: each figure is `sum by (…) (increase(NAME[window]))`
 * on the engine; users beyond `top` are one "others" row (topk on the engine).
 */
export async function promInsights(client: PrometheusClient, now: number, hours: number, top = 20, steps = 48): Promise<PromInsights> {
  const batch = new PromBatch();
  const names = discoverNames(await client.names(batch));
  const answers = await askAll(client, instantQueries(names, hours, top), now, batch);
  // (asked after the instant queries, as one more answer of the same refresh: it shares their cap in bytes)
  const overTime = names.tokens ? await tokensOverTime(client, names.tokens, now, hours, steps, batch) : [];
  return insightsOf(client.conn.shown, names, answers, overTime, batch.rejected, now, hours, top);
}

/** The instant queries of one refresh, by what each answers (asked in this order, all at once). */
interface Answers {
  tokensOfTop: Vector;
  tokensByType: Vector;
  totalCost: Vector;
  tokensByModel: Vector;
  costByModel: Vector;
  topUsers: Vector;
  sessions: Vector;
  active: Vector;
  loc: Vector;
  commits: Vector;
  prs: Vector;
  decisions: Vector;
  terminals: Vector;
  userCount: Vector;
  resets: Vector;
  points: Vector;
}

/** Each answer's PromQL; null where the engine lacks the metric (the answer is then empty, nothing is asked). */
function instantQueries(names: PromNames, hours: number, top: number): Record<keyof Answers, string | null> {
  const range = `${Math.max(1, Math.round(hours * 3600))}s`;
  const inc = (m: PromMetric, by: string[]) => (names[m] ? `sum by (${by.join(", ")}) (increase(${names[m]}[${range}]))` : null);
  // No query grows with the number of users: the top users come from topk, their tokens from the same topk
  // (`and on`), the totals from sums over everyone.
  const byUser = names.cost ? inc("cost", ["user_email"]) : inc("tokens", ["user_email"]);
  const topUsers = byUser ? `topk(${top}, ${byUser})` : null;
  return {
    tokensOfTop: names.tokens && topUsers ? `(${inc("tokens", ["user_email", "type"])}) and on (user_email) (${topUsers})` : null,
    tokensByType: inc("tokens", ["type"]),
    totalCost: inc("cost", []),
    tokensByModel: inc("tokens", ["model", "type"]),
    costByModel: inc("cost", ["model"]),
    topUsers,
    sessions: inc("sessions", []),
    active: inc("activeTime", []),
    loc: inc("linesOfCode", ["type"]),
    commits: inc("commits", []),
    prs: inc("pullRequests", []),
    decisions: inc("decisions", ["tool_name", "decision"]),
    terminals: inc("sessions", ["terminal_type"]),
    userCount: names.tokens ? `count(count by (user_email) (increase(${names.tokens}[${range}])))` : null,
    // delta temporality stored as if cumulative: nearly every point is a "reset"
    resets: names.tokens ? `sum(resets(${names.tokens}[${range}]))` : null,
    points: names.tokens ? `sum(count_over_time(${names.tokens}[${range}]))` : null,
  };
}

/** Every instant query at `now`, at once (one batch: one cap in bytes, one count of rejected values). */
async function askAll(client: PrometheusClient, queries: Record<keyof Answers, string | null>, now: number, batch: PromBatch): Promise<Answers> {
  const keys = Object.keys(queries) as (keyof Answers)[];
  const vectors = await Promise.all(keys.map(async (k): Promise<Vector> => (queries[k] === null ? [] : client.query(queries[k], now, batch))));
  return Object.fromEntries(keys.map((k, i) => [k, vectors[i]!])) as unknown as Answers;
}

/** Input and output tokens per step (increase per step, by type): a step that fits the chart, the window over `steps`. */
async function tokensOverTime(
  client: PrometheusClient,
  metric: string,
  now: number,
  hours: number,
  steps: number,
  batch: PromBatch,
): Promise<PromInsights["overTime"]> {
  const stepMs = Math.max(60_000, Math.ceil((hours * 3_600_000) / Math.max(1, steps) / 60_000) * 60_000);
  // (engines may align the steps to multiples of the step: a point a step either side of the window is in it)
  const start = now - hours * 3_600_000 + stepMs;
  const series = await client.queryRange(`sum by (type) (increase(${metric}[${Math.round(stepMs / 1000)}s]))`, start, now, stepMs, batch, stepMs);
  const at = new Map<number, { start: number; input: number; output: number }>();
  for (const s of series)
    for (const [t, v] of s.points) {
      let b = at.get(t);
      if (!b) at.set(t, (b = { start: t - stepMs, input: 0, output: 0 }));
      if (s.labels.type === "output") b.output += v;
      else b.input += v;
    }
  return [...at.values()].sort((a, b) => a.start - b.start);
}

/** Tokens by type, per value of `label` ("" for all when label is null); series of other types are left out. */
function tokensBy(vec: Vector, label: string | null): Map<string, Tokens> {
  const m = new Map<string, Tokens>();
  for (const v of vec) {
    const type = labelOf(v, "type") as keyof Tokens;
    if (!TOKEN_TYPES.includes(type)) continue;
    const k = label === null ? "" : labelOf(v, label);
    let t = m.get(k);
    if (!t) m.set(k, (t = noTokens()));
    t[type] += v.value;
  }
  return m;
}

/** The top users, by cost (by tokens when the engine has no cost metric); at most `top`, whatever the engine sent. */
function topUsersOf(a: Answers, hasCost: boolean, top: number): PromInsights["users"] {
  const userTokens = tokensBy(a.tokensOfTop, "user_email");
  const topValue = new Map<string, number>();
  for (const v of a.topUsers) if (!topValue.has(labelOf(v, "user_email"))) topValue.set(labelOf(v, "user_email"), v.value);
  return [...topValue]
    .map(([user, value]) => ({ user, costUSD: hasCost ? value : 0, tokens: userTokens.get(user) ?? noTokens(), value }))
    .sort((a, b) => b.value - a.value || (a.user < b.user ? -1 : 1))
    .slice(0, top)
    .map(({ user, costUSD, tokens }) => ({ user, costUSD, tokens }));
}

/** Accepts and rejects per tool (a series without a tool is "unknown"), the most rejected first. */
function decisionRowsOf(decisions: Vector): PromInsights["decisions"] {
  const rows = new Map<string, { tool: string; accept: number; reject: number }>();
  for (const v of decisions) {
    const tool = labelOf(v, "tool_name") || "unknown";
    const row = rows.get(tool) ?? { tool, accept: 0, reject: 0 };
    if (labelOf(v, "decision") === "reject") row.reject += v.value;
    else row.accept += v.value;
    rows.set(tool, row);
  }
  return [...rows.values()].sort((a, b) => b.reject - a.reject || b.accept - a.accept || (a.tool < b.tool ? -1 : 1));
}

/** The answers as INSIGHTS shows them. */
function insightsOf(
  url: string,
  names: PromNames,
  a: Answers,
  overTime: PromInsights["overTime"],
  rejected: Rejections,
  now: number,
  hours: number,
  top: number,
): PromInsights {
  const modelTokens = tokensBy(a.tokensByModel, "model");
  const users = topUsersOf(a, Boolean(names.cost), top);
  const totalCost = sumOf(a.totalCost);
  const allUsers = a.userCount[0]?.value ?? users.length;
  const pointCount = a.points[0]?.value ?? 0;
  return {
    source: "prometheus",
    url,
    window: { from: new Date(now - hours * 3_600_000).toISOString(), to: new Date(now).toISOString(), hours },
    metrics: Object.fromEntries((Object.keys(PROM_METRICS) as PromMetric[]).map((k) => [k, names[k] ?? null])) as Record<PromMetric, string | null>,
    deltas: pointCount >= 4 && (a.resets[0]?.value ?? 0) / pointCount > 0.3,
    rejected: { samples: rejected.samples, reasons: rejected.reasons },
    tokens: tokensBy(a.tokensByType, null).get("") ?? noTokens(),
    costUSD: totalCost,
    users,
    others: allUsers > users.length ? { users: allUsers - users.length, costUSD: Math.max(0, totalCost - users.reduce((x, u) => x + u.costUSD, 0)) } : null,
    models: a.costByModel
      .map((v) => ({ model: labelOf(v, "model"), costUSD: v.value, tokens: modelTokens.get(labelOf(v, "model")) ?? noTokens() }))
      .sort((x, y) => y.costUSD - x.costUSD || (x.model < y.model ? -1 : 1)),
    sessions: sumOf(a.sessions),
    activeTimeSeconds: sumOf(a.active),
    linesOfCode: { added: sumOf(a.loc.filter((v) => labelOf(v, "type") === "added")), removed: sumOf(a.loc.filter((v) => labelOf(v, "type") === "removed")) },
    commits: sumOf(a.commits),
    pullRequests: sumOf(a.prs),
    decisions: decisionRowsOf(a.decisions),
    terminals: a.terminals.map((v) => ({ name: labelOf(v, "terminal_type") || "unknown", sessions: v.value })).sort((x, y) => y.sessions - x.sessions),
    overTime,
    needsEvents: [
      "command durations (p50/p95)",
      "tool success rate",
      "decisions for every tool (metrics carry the edit tools only)",
      "prompts per session",
    ].map((p) => `${p}: needs events (--otlp, or a Loki/ClickHouse source later)`),
  };
}
