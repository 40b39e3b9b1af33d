// Team telemetry: OTLP requests as otlp-decode.ts types them (logs and metrics from Claude Code's OpenTelemetry export)
// turned into model events and metric samples. Pure: no I/O, no clock.
//
// Tolerant by design (the sender is another program, of any version): unknown events, unknown metrics and
// unknown attributes are skipped without failing the batch; one malformed attribute is dropped on its own; a record
// missing what its event needs (a session id, a time, a model, a tool name, a sane token count) is counted as
// rejected and the rest of the batch maps. Keys are derived only from the record itself, so an OTLP retry that
// delivers the same record again yields the same keys and changes nothing downstream (reduce, the store).
//
// Decisions worth knowing:
// - `api_request` → ResponseObserved keyed `otel:<request_id>` (falling back to session + timestamp + model) and
//   carrying `requestId`, so the reducer counts a response seen in a transcript and over OTLP once. The model prices
//   usage itself, the same way for both sources; `cost_usd` is carried as the reported cost (shown beside it), and
//   `speed` "fast" marks fast mode.
// - `tool_result` → ToolCallObserved + ToolResultObserved sharing one key: the tool's `tool_use_id` when the record
//   has one (newer Claude Code versions; it is the transcript's tool_use id, so a call seen both ways counts once),
//   else `otel:tool:<session>:<time>[#seq]:<tool>`. The call is timed at the result's time minus `duration_ms`.
// - `tool_decision` with decision "reject" → ToolCallObserved + ToolResultObserved "rejected" (the call is needed for
//   the tool's name). Accepts map to nothing: an accepted call shows up as its own tool_result. A `tool_result`
//   carrying decision "reject" maps to "rejected" when it has a `tool_use_id` (same key as the decision's, so once);
//   without one it is skipped, the tool_decision being the record of the rejection.
// - `api_error` → ApiErrorObserved with `retry: false`. Claude Code logs `api_error` once, when a request has finally
//   failed (after its own retries), with `attempt` = the attempts made; the retries in between are not exported.
//   So every telemetry api_error is a failure the user saw; the attempt count goes into the message.
// - user = user.email ?? user.account_uuid ?? user.id; terminal = terminal.type. Record attributes override the
//   resource's.
// - Metrics: only sums (counters) of the known `claude_code.*` metrics. Cumulative points become deltas through
//   MetricState (per series: name + all attributes); delta points pass through; zero deltas produce no sample.
import type { ModelEvent, ResponseObserved, ToolOutcome } from "../model/events.ts";
import { cleanText, redact } from "../shared/sanitize.ts";
import { timeProblem } from "../ingest/time-bounds.ts";
import { MAX_TOKENS } from "../model/tokens.ts";
import type { AnyValue, KeyValue, OtlpLogsRequest, OtlpMetricsRequest } from "./otlp-decode.ts";

// The requests come typed from otlp-decode.ts, which checked every field's type at the boundary (and left out,
// counting them, records with a field of the wrong type). What is left to check here is meaning: a session id, a
// sane time, a model, a token count in range.

// ---------------------------------------------------------------------------------------------------------------
// Attributes and values

type Attrs = Map<string, AnyValue>;

/** A KeyValue list into `into` (later keys win). */
function readAttrs(list: readonly KeyValue[], into: Attrs): Attrs {
  for (const kv of list) into.set(kv.key, kv.value);
  return into;
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A number from intValue, doubleValue or stringValue; null when absent or not a finite number (arrays, kvlists and
 *  bytes are not numbers). */
function numberOf(v: AnyValue | undefined): number | null {
  if (!v) return null;
  let n: number;
  if (v.intValue !== undefined) n = Number(v.intValue);
  else if (v.doubleValue !== undefined) n = v.doubleValue;
  else if (v.stringValue !== undefined) n = NUMERIC.test(v.stringValue) ? Number(v.stringValue) : NaN;
  else return null;
  return Number.isFinite(n) ? n : null;
}

/** A non-empty string from any scalar form. */
export function stringOf(v: AnyValue | undefined): string | null {
  if (!v) return null;
  let s: string | null = null;
  if (v.stringValue !== undefined) s = v.stringValue;
  else if (v.intValue !== undefined) s = String(v.intValue);
  else if (v.doubleValue !== undefined) s = String(v.doubleValue);
  else if (v.boolValue !== undefined) s = String(v.boolValue);
  // (a sender's text is kept in the telemetry store and shown: no registered secret survives into either)
  return s !== null && s.length > 0 ? redact(s) : null;
}

/** A boolean from boolValue, "true"/"false" or 1/0; null otherwise. */
function boolOf(v: AnyValue | undefined): boolean | null {
  if (!v) return null;
  if (v.boolValue !== undefined) return v.boolValue;
  const s = stringOf(v)?.trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  return null;
}

/** Nanoseconds (the decoder's decimal string) without leading zeros, or null when unset ("0"). */
function nanosString(v: string): string | null {
  const s = v.replace(/^0+(?=\d)/, "");
  return s === "0" ? null : s;
}

function nanosToMs(ns: string): number {
  return ns.length <= 15 ? Math.floor(Number(ns) / 1e6) : Number(BigInt(ns) / 1_000_000n);
}

/** A plausible epoch-ms time: after 2000-01-01 and before 2200. */
function saneMs(ms: number): boolean {
  return timeProblem(ms) === null;
}

// ---------------------------------------------------------------------------------------------------------------
// Logs

interface LogsResult {
  events: ModelEvent[];
  /** records of a known event that lacked what the event needs (or were not records at all). */
  rejected: number;
}

/** The `claude_code.` events we map. */
const KNOWN_EVENTS = new Set(["user_prompt", "api_request", "api_error", "tool_result", "tool_decision"]);

const PREFIX = "claude_code.";

function eventNameOf(body: AnyValue | undefined, eventName: string | undefined, attrs: Attrs): string | null {
  const name = body?.stringValue?.startsWith(PREFIX) ? body.stringValue : (stringOf(attrs.get("event.name")) ?? (eventName || null));
  if (!name) return null;
  return name.startsWith(PREFIX) ? name.slice(PREFIX.length) : name;
}

/** Maps a decoded OTLP logs request (ExportLogsServiceRequest) to model events. */
export function logsToEvents(req: OtlpLogsRequest): LogsResult {
  const events: ModelEvent[] = [];
  let rejected = 0;
  for (const rl of req.resourceLogs) {
    const resource = readAttrs(rl.resource.attributes, new Map());
    for (const sl of rl.scopeLogs)
      for (const r of sl.logRecords) {
        const attrs = readAttrs(r.attributes, new Map(resource));
        const name = eventNameOf(r.body, r.eventName, attrs);
        if (!name || !KNOWN_EVENTS.has(name)) continue; // not ours, or an event we do not map: skipped, not rejected
        const before = events.length;
        if (!mapRecord(name, r.timeUnixNano, r.observedTimeUnixNano, attrs, events)) {
          events.length = before;
          rejected++;
        }
      }
  }
  return { events, rejected };
}

/** What every mapped event shares. */
interface Common {
  sessionId: string;
  time: number;
  /** the record's identity within its session: timestamp in ns, plus `#sequence` when the record has one. */
  stamp: string;
  user: string | null;
  terminal: string | null;
  agentId: string | null;
}

function common(timeNs: string, observedNs: string, a: Attrs): Common | null {
  const sessionId = stringOf(a.get("session.id"));
  if (!sessionId) return null;
  let ns = nanosString(timeNs);
  if (ns === null) {
    const iso = stringOf(a.get("event.timestamp"));
    const ms = iso ? Date.parse(iso) : NaN;
    if (Number.isFinite(ms)) ns = `${ms}000000`;
  }
  ns ??= nanosString(observedNs);
  if (ns === null) return null;
  const time = nanosToMs(ns);
  if (!saneMs(time)) return null;
  const seq = numberOf(a.get("event.sequence"));
  return {
    sessionId,
    time,
    stamp: seq !== null && Number.isInteger(seq) ? `${ns}#${seq}` : ns,
    user: stringOf(a.get("user.email")) ?? stringOf(a.get("user.account_uuid")) ?? stringOf(a.get("user.id")),
    terminal: stringOf(a.get("terminal.type")),
    agentId: stringOf(a.get("agent_id")),
  };
}

/** A token count: absent → 0; present but not a non-negative integer → null (the record is rejected). */
function tokens(a: Attrs, key: string): number | null {
  const v = a.get(key);
  if (!v) return 0;
  const n = numberOf(v);
  return n !== null && n >= 0 && n <= MAX_TOKENS && Number.isInteger(n) ? n : null;
}

function durationMs(a: Attrs): number | null {
  const n = numberOf(a.get("duration_ms"));
  return n !== null && n >= 0 && n < 1e10 ? n : null;
}

/** Pushes the events of one record; false when the record lacks what its event needs. */
function mapRecord(name: string, timeNs: string, observedNs: string, a: Attrs, out: ModelEvent[]): boolean {
  const c = common(timeNs, observedNs, a);
  if (!c) return false;
  const map = RECORD_MAPPERS.get(name);
  return map ? map(c, a, out) : true;
}

/** What every event of a record carries about where it came from. */
function metaOf(c: Common): { origin: "team"; user: string | null; terminal: string | null } {
  return { origin: "team", user: c.user, terminal: c.terminal };
}

/** One mapper per known event (KNOWN_EVENTS): pushes the record's events, false when it lacks what they need. */
type RecordMapper = (c: Common, a: Attrs, out: ModelEvent[]) => boolean;

const RECORD_MAPPERS = new Map<string, RecordMapper>([
  ["api_request", apiRequest],
  ["user_prompt", userPrompt],
  ["tool_result", toolResult],
  ["tool_decision", toolDecision],
  ["api_error", apiError],
]);

/** A prompt: its identity is the record's own stamp (a prompt has no id of its own). */
function userPrompt(c: Common, _a: Attrs, out: ModelEvent[]): boolean {
  out.push({ type: "PromptObserved", key: `otel:prompt:${c.sessionId}:${c.stamp}`, time: c.time, sessionId: c.sessionId, cwd: null, ...metaOf(c) });
  return true;
}

/** A response: keyed by its request id when it has one, so the same response seen in a transcript counts once. */
function apiRequest(c: Common, a: Attrs, out: ModelEvent[]): boolean {
  const model = stringOf(a.get("model"));
  if (!model) return false;
  const uncached = tokens(a, "input_tokens");
  const output = tokens(a, "output_tokens");
  const cacheRead = tokens(a, "cache_read_tokens");
  const cacheWrite = tokens(a, "cache_creation_tokens");
  if (uncached === null || output === null || cacheRead === null || cacheWrite === null) return false;
  const requestId = stringOf(a.get("request_id"));
  const e: ResponseObserved = {
    type: "ResponseObserved",
    key: requestId ? `otel:${requestId}` : `otel:resp:${c.sessionId}:${c.stamp}:${model}`,
    requestId,
    time: c.time,
    sessionId: c.sessionId,
    agentId: c.agentId,
    model,
    usage: { uncached, cacheWrite5m: cacheWrite, cacheWrite1h: 0, cacheRead, output },
    cwd: null,
    entrypoint: null,
    ...metaOf(c),
  };
  if (stringOf(a.get("speed")) === "fast") e.fast = true;
  const reported = numberOf(a.get("cost_usd"));
  if (reported !== null && Number.isFinite(reported) && reported >= 0 && reported < 1e6) e.reportedCostUSD = reported;
  out.push(e);
  return true;
}

/** A finished tool call: the call (timed back by its duration) and its result, under one key. */
function toolResult(c: Common, a: Attrs, out: ModelEvent[]): boolean {
  const tool = stringOf(a.get("tool_name"));
  if (!tool) return false;
  const toolUseId = stringOf(a.get("tool_use_id"));
  const decision = stringOf(a.get("decision"))?.toLowerCase();
  let outcome: ToolOutcome;
  if (decision === "reject") {
    if (!toolUseId) return true; // the tool_decision event records this rejection
    outcome = "rejected";
  } else {
    const success = boolOf(a.get("success"));
    outcome = success === false || (success === null && stringOf(a.get("error")) !== null) ? "error" : "ok";
  }
  const ms = durationMs(a);
  const key = toolUseId ?? `otel:tool:${c.sessionId}:${c.stamp}:${tool}`;
  const name = cleanText(tool, 80);
  const callTime = ms !== null && outcome !== "rejected" ? c.time - Math.round(ms) : c.time;
  const meta = metaOf(c);
  out.push({ type: "ToolCallObserved", key, time: callTime, sessionId: c.sessionId, agentId: c.agentId, name, ...meta });
  out.push({
    type: "ToolResultObserved",
    key,
    time: c.time,
    sessionId: c.sessionId,
    agentId: c.agentId,
    outcome,
    reportedMs: outcome === "rejected" ? null : ms,
    ...meta,
  });
  return true;
}

/** A rejection (the call is needed for the tool's name); an accept maps to nothing, its tool_result being the record. */
function toolDecision(c: Common, a: Attrs, out: ModelEvent[]): boolean {
  const tool = stringOf(a.get("tool_name"));
  const decision = stringOf(a.get("decision"))?.toLowerCase();
  if (!tool || !decision) return false;
  if (decision !== "reject") return true; // accepted: its tool_result is the record
  const key = stringOf(a.get("tool_use_id")) ?? `otel:tooldec:${c.sessionId}:${c.stamp}:${tool}`;
  const meta = metaOf(c);
  out.push({ type: "ToolCallObserved", key, time: c.time, sessionId: c.sessionId, agentId: c.agentId, name: cleanText(tool, 80), ...meta });
  out.push({ type: "ToolResultObserved", key, time: c.time, sessionId: c.sessionId, agentId: c.agentId, outcome: "rejected", reportedMs: null, ...meta });
  return true;
}

/** A request that finally failed (Claude Code logs it once, after its own retries): the attempts go into the message. */
function apiError(c: Common, a: Attrs, out: ModelEvent[]): boolean {
  const code = numberOf(a.get("status_code"));
  const status = code !== null && Number.isInteger(code) && code >= 100 && code <= 599 ? code : null;
  const attempt = numberOf(a.get("attempt"));
  const detail = stringOf(a.get("error")) ?? (status !== null ? `HTTP ${status}` : "API error");
  const after = attempt !== null && Number.isInteger(attempt) && attempt > 1 ? ` (after ${attempt} attempts)` : "";
  out.push({
    type: "ApiErrorObserved",
    key: `otel:err:${c.sessionId}:${c.stamp}`,
    time: c.time,
    sessionId: c.sessionId,
    agentId: c.agentId,
    status,
    message: cleanText(`${detail}${after}`),
    retry: false,
    ...metaOf(c),
  });
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

/** One metric observation, always a delta over its interval. */
export interface MetricSample {
  /** deterministic: series + start + time, so a re-delivered point is stored once. */
  key: string;
  /** the full metric name, e.g. "claude_code.token.usage". */
  name: string;
  /** end of the interval, epoch ms. */
  time: number;
  user: string | null;
  sessionId: string | null;
  model: string | null;
  /** the `type` attribute (token.usage: input / output / cacheRead / cacheCreation; lines_of_code: added / removed). */
  type: string | null;
  /** the delta: tokens, USD, sessions, … */
  value: number;
}

/** The metrics we keep (Claude Code's documented counters). */
const KNOWN_METRICS = new Set([
  "claude_code.token.usage",
  "claude_code.cost.usage",
  "claude_code.session.count",
  "claude_code.lines_of_code.count",
  "claude_code.pull_request.count",
  "claude_code.commit.count",
  "claude_code.code_edit_tool.decision",
  "claude_code.active_time.total",
]);

interface SeriesPoint {
  /** start time (ns string) of the cumulative series. */
  start: string;
  /** time (ns string) of the last point. */
  time: string;
  value: number;
  /** epoch ms of the last point, for pruning. */
  ms: number;
}

/**
 * The last cumulative value per series, to turn cumulative points into deltas. Lives as long as the receiver;
 * `toJSON`/`fromJSON` let the store keep it across restarts (see TelemetryStore.append's third argument).
 */
export class MetricState {
  readonly series = new Map<string, SeriesPoint>();

  get size(): number {
    return this.series.size;
  }

  /** Forgets series whose last point is older than `cutoffMs`; returns how many. */
  prune(cutoffMs: number): number {
    let n = 0;
    for (const [k, p] of this.series) if (p.ms < cutoffMs && this.series.delete(k)) n++;
    return n;
  }

  toJSON(): [string, SeriesPoint][] {
    return [...this.series];
  }

  static fromJSON(data: unknown): MetricState {
    const s = new MetricState();
    if (!Array.isArray(data)) return s;
    for (const item of data) {
      if (!Array.isArray(item) || typeof item[0] !== "string") continue;
      const p = item[1] as Partial<SeriesPoint> | null;
      if (p && typeof p.start === "string" && typeof p.time === "string" && typeof p.value === "number" && typeof p.ms === "number")
        s.series.set(item[0], { start: p.start, time: p.time, value: p.value, ms: p.ms });
    }
    return s;
  }
}

interface MetricsResult {
  /** metrics produce no model events today; kept for symmetry with logs (and future metric-derived events). */
  events: ModelEvent[];
  samples: MetricSample[];
  /** data points of a known metric without a usable value or time. */
  rejected: number;
}

/** 2 is cumulative; 1 (delta) or 0 (unspecified) count as delta, Claude Code's default. */
const CUMULATIVE = 2;

function pointValue(p: { asInt?: string; asDouble?: number }): number | null {
  return numberOf(p.asInt !== undefined ? { intValue: p.asInt } : p.asDouble !== undefined ? { doubleValue: p.asDouble } : undefined);
}

function seriesKey(name: string, attrs: Attrs): string {
  const parts = [...attrs.entries()].map(([k, v]) => [k, stringOf(v) ?? ""] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return JSON.stringify([name, parts]);
}

/** Maps a decoded OTLP metrics request (ExportMetricsServiceRequest) to metric samples. */
export function metricsToEvents(req: OtlpMetricsRequest, state: MetricState): MetricsResult {
  const samples: MetricSample[] = [];
  let rejected = 0;
  for (const rm of req.resourceMetrics) {
    const resource = readAttrs(rm.resource.attributes, new Map());
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) {
        if (!KNOWN_METRICS.has(m.name) || !m.sum) continue; // unknown metric, or not a counter
        const cumulative = m.sum.aggregationTemporality === CUMULATIVE;
        for (const p of m.sum.dataPoints) {
          const timeNs = nanosString(p.timeUnixNano);
          const value = pointValue(p);
          const time = timeNs !== null ? nanosToMs(timeNs) : NaN;
          if (timeNs === null || value === null || value < 0 || !saneMs(time)) {
            rejected++;
            continue;
          }
          const startNs = nanosString(p.startTimeUnixNano) ?? "0";
          const attrs = readAttrs(p.attributes, new Map(resource));
          const series = seriesKey(m.name, attrs);
          let delta = value;
          if (cumulative) {
            const prev = state.series.get(series);
            if (prev && prev.start === startNs) {
              if (BigInt(timeNs) <= BigInt(prev.time)) continue; // a re-delivered or late point: already counted
              delta = value >= prev.value ? value - prev.value : value; // a drop is a counter reset
            }
            state.series.set(series, { start: startNs, time: timeNs, value, ms: time });
          }
          if (delta === 0) continue;
          samples.push({
            key: `${series}|${startNs}|${timeNs}`,
            name: m.name,
            time,
            user: stringOf(attrs.get("user.email")) ?? stringOf(attrs.get("user.account_uuid")) ?? stringOf(attrs.get("user.id")),
            sessionId: stringOf(attrs.get("session.id")),
            model: stringOf(attrs.get("model")),
            type: stringOf(attrs.get("type")),
            value: delta,
          });
        }
      }
    }
  }
  return { events: [], samples, rejected };
}
