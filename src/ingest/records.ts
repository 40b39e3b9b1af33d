// The boundary between transcript lines and model events. Each line is classified cheaply, parsed with
// JSON.parse only when it can matter, validated with zod (only the fields we use; unknown fields and line
// types pass through silently) and turned into events. Nothing here throws: a line we cannot use becomes
// a LineRejected event carrying its file and line number.
import { z } from "zod";
import type { ModelEvent, ToolOutcome, Usage } from "../model/events.ts";
import { cleanText } from "../shared/sanitize.ts";
import { timeProblem } from "./time-bounds.ts";
import { MAX_TOKENS } from "../model/tokens.ts";

/** Reports line `lineNo` of the context's file as rejected, with its reason. */
export function rejecter(out: EventSink, ctx: LineContext, lineNo: number): (reason: string) => void {
  return (reason) => {
    out.push({ type: "LineRejected", file: ctx.file, line: lineNo, reason });
  };
}

/** Where events go: an array, or anything with a push (for example one that reduces straight into the model). */
export interface EventSink {
  push(e: ModelEvent): unknown;
}

/** What the parser knows about the file a line came from. */
export interface LineContext {
  file: string;
  /** session id implied by the file name (`<uuid>.jsonl`, or `<uuid>/subagents/…`), used when a line has none. */
  fileSessionId: string | null;
  /** agent id implied by an `agent-<id>.jsonl` file name. */
  fileAgentId: string | null;
}

const num = z.number().int("a token count must be a whole number").nonnegative().max(MAX_TOKENS, `a token count must be at most ${MAX_TOKENS}`);
const optNum = num.nullish();

// Assistant and user records are validated in a flat form: the fields we use, with nested ones named by their
// path ("message.usage.input_tokens"). Both the full JSON.parse path (flatten) and the byte scanner
// (fastpath.ts) produce this form, so one zod schema per record type checks every line, and flat schemas are
// the cheapest for zod to check. A nested object present in the record is marked `true` under its own path.
export type FlatRecord = Record<string, unknown>;

const Envelope = {
  type: z.string(),
  sessionId: z.string().min(1).nullish(),
  timestamp: z.string(),
  uuid: z.string().nullish(),
  isSidechain: z.boolean().nullish(),
  agentId: z.string().min(1).nullish(),
  cwd: z.string().nullish(),
  gitBranch: z.string().nullish(),
  entrypoint: z.string().nullish(),
};

const Content = z.union([z.array(z.unknown()), z.string()]).nullish();

export const AssistantSchema = z.object({
  ...Envelope,
  requestId: z.string().nullish(),
  isApiErrorMessage: z.boolean().nullish(),
  apiErrorStatus: z.number().nullish(),
  "message.id": z.string().min(1),
  "message.model": z.string().nullish(),
  "message.content": Content,
  "message.usage": z.literal(true).nullish(),
  "message.usage.input_tokens": optNum,
  "message.usage.cache_creation_input_tokens": optNum,
  "message.usage.cache_read_input_tokens": optNum,
  "message.usage.output_tokens": optNum,
  // "fast" in fast mode (priced at its own rates); any other value is a normal response.
  "message.usage.speed": z.string().nullish().catch(null),
  "message.usage.cache_creation": z.literal(true).nullish(),
  "message.usage.cache_creation.ephemeral_5m_input_tokens": optNum,
  "message.usage.cache_creation.ephemeral_1h_input_tokens": optNum,
});

/** A duration a tool reports about itself: used when it is a sane number, ignored (never fatal) otherwise. */
const Duration = z.number().finite().nonnegative().nullish().catch(null);

export const UserSchema = z.object({
  ...Envelope,
  isMeta: z.boolean().nullish(),
  isCompactSummary: z.boolean().nullish(),
  toolUseResult: z.unknown().optional(),
  "toolUseResult.durationMs": Duration,
  "toolUseResult.totalDurationMs": Duration,
  "toolUseResult.durationSeconds": Duration,
  "message.content": Content,
});

/** The duration a tool reported for itself, in ms, or null (also given unvalidated rows: anything but a sane number is ignored). */
export function reportedMs(d: UserRecord): number | null {
  const ok = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null);
  const ms = ok(d["toolUseResult.durationMs"]) ?? ok(d["toolUseResult.totalDurationMs"]);
  if (ms !== null) return ms;
  const sec = ok(d["toolUseResult.durationSeconds"]);
  return sec !== null ? sec * 1000 : null;
}

const TurnSchema = z.object({
  sessionId: z.string().min(1).nullish(),
  timestamp: z.string(),
  uuid: z.string().nullish(),
  durationMs: z.number().finite().nonnegative(),
});

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const ENVELOPE_KEYS = ["type", "sessionId", "timestamp", "uuid", "isSidechain", "agentId", "cwd", "gitBranch", "entrypoint"] as const;
const ASSISTANT_KEYS = ["requestId", "isApiErrorMessage", "apiErrorStatus"] as const;
const USER_KEYS = ["isMeta", "isCompactSummary", "toolUseResult"] as const;
const USAGE_KEYS = ["input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens", "speed"] as const;

/** The flat form of a parsed assistant or user record (see FlatRecord), or a reason it has none. */
function flatten(obj: Record<string, unknown>): FlatRecord | string {
  const f: FlatRecord = {};
  for (const k of ENVELOPE_KEYS) if (k in obj) f[k] = obj[k];
  for (const k of obj.type === "assistant" ? ASSISTANT_KEYS : USER_KEYS) if (k in obj) f[k] = obj[k];
  const tur = obj.toolUseResult;
  if (obj.type === "user" && isObject(tur)) {
    for (const k of ["durationMs", "totalDurationMs", "durationSeconds"]) if (k in tur) f[`toolUseResult.${k}`] = tur[k];
  }
  const m = obj.message;
  if (!isObject(m)) return "message: expected an object";
  if ("id" in m) f["message.id"] = m.id;
  if ("model" in m) f["message.model"] = m.model;
  if ("content" in m) f["message.content"] = m.content;
  if (obj.type !== "assistant" || !("usage" in m)) return f;
  const u = m.usage;
  if (!isObject(u)) {
    f["message.usage"] = u;
    return f;
  }
  f["message.usage"] = true;
  for (const k of USAGE_KEYS) if (k in u) f[`message.usage.${k}`] = u[k];
  if ("cache_creation" in u) {
    const cc = u.cache_creation;
    if (!isObject(cc)) f["message.usage.cache_creation"] = cc;
    else {
      f["message.usage.cache_creation"] = true;
      f["message.usage.cache_creation.ephemeral_5m_input_tokens"] = cc.ephemeral_5m_input_tokens;
      f["message.usage.cache_creation.ephemeral_1h_input_tokens"] = cc.ephemeral_1h_input_tokens;
    }
  }
  return f;
}

const SystemErrorSchema = z.object({
  ...Envelope,
  error: z.unknown().optional(),
  cause: z.unknown().optional(),
  retryAttempt: z.number().nullish(),
  maxRetries: z.number().nullish(),
});

const CustomTitleSchema = z.object({ sessionId: z.string().min(1).nullish(), customTitle: z.string() });
const SummarySchema = z.object({ summary: z.string() });

const ToolUseBlock = z.object({ type: z.literal("tool_use"), id: z.string().min(1), name: z.string() });
const ToolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  is_error: z.boolean().nullish(),
  content: z.unknown().optional(),
});
const TextBlock = z.object({ type: z.literal("text"), text: z.string() });

/** Lines longer than this are rejected without being kept in memory. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Top-level `type` values that never produce an event: skipped without parsing. */
export const IGNORED_TYPES: ReadonlySet<string> = new Set([
  "progress",
  "file-history-snapshot",
  "queue-operation",
  "attachment",
  "last-prompt",
  "permission-mode",
  "agent-name",
  "pr-link",
  "mode",
  "ai-title",
  "bridge-session",
  "cost-state",
  "file-history-delta",
  "worktree-state",
]);

/**
 * The top-level `type` of a JSON line without parsing it, or null when it cannot be told cheaply.
 * `"type":"` can only occur as real JSON structure (quotes inside strings are escaped), so when no `{` or `[`
 * precedes it except the opening brace, it is the top-level key.
 */
export function quickType(line: string): string | null {
  if (line.charCodeAt(0) !== 123) return null; // not an object (or torn at the front): parse, and reject it
  const i = line.indexOf('"type":"');
  if (i < 0) return null;
  const brace = line.indexOf("{", 1);
  if (brace !== -1 && brace < i) return null;
  const bracket = line.indexOf("[");
  if (bracket !== -1 && bracket < i) return null;
  const end = line.indexOf('"', i + 8);
  return end < 0 ? null : line.slice(i + 8, end);
}

function endsWithBrace(line: string): boolean {
  let i = line.length - 1;
  while (i >= 0 && line.charCodeAt(i) <= 32) i--;
  return i >= 0 && line.charCodeAt(i) === 125;
}

export type AssistantRecord = z.infer<typeof AssistantSchema>;
export type UserRecord = z.infer<typeof UserSchema>;

function usageOf(d: AssistantRecord): Usage {
  const write = d["message.usage.cache_creation_input_tokens"] ?? 0;
  const w5m = d["message.usage.cache_creation.ephemeral_5m_input_tokens"];
  const w1h = d["message.usage.cache_creation.ephemeral_1h_input_tokens"];
  // Older versions have no 5m/1h split: the whole write is a 5-minute write.
  const split = d["message.usage.cache_creation"] === true && (w5m != null || w1h != null);
  return {
    uncached: d["message.usage.input_tokens"] ?? 0,
    cacheWrite5m: split ? (w5m ?? 0) : write,
    cacheWrite1h: split ? (w1h ?? 0) : 0,
    cacheRead: d["message.usage.cache_read_input_tokens"] ?? 0,
    output: d["message.usage.output_tokens"] ?? 0,
  };
}

const REJECTION = /doesn't want to (?:proceed|take this action)|User rejected tool use/;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let s = "";
  for (const b of content) {
    const t = TextBlock.safeParse(b);
    if (t.success) s += t.data.text;
  }
  return s;
}

/** User text that Claude Code wrote itself, not something the user typed. */
const NOT_A_PROMPT =
  /^\s*(?:<local-command-stdout>|<local-command-stderr>|<local-command-caveat>|<bash-stdout>|<bash-stderr>|<task-notification>|\[Request interrupted by user)/;

function zodReason(err: z.ZodError): string {
  const first = err.issues[0];
  if (!first) return "invalid record";
  const path = first.path.join(".");
  return cleanText(`${path ? `${path}: ` : ""}${first.message}`, 120);
}

/** Turns one line into events, appending them to `out`. */
export function lineToEvents(line: string, lineNo: number, ctx: LineContext, out: EventSink): void {
  const reject = rejecter(out, ctx, lineNo);
  if (line.charCodeAt(0) === 0) line = line.replace(/^\u0000+/, ""); // NUL padding a crash left before the line
  if (line.length === 0) return;
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1); // a byte-order mark (as TextDecoder drops it)
  const qt = quickType(line);
  if (qt !== null) {
    // Lines that cannot produce an event are skipped unparsed, for speed; a torn or corrupt one is still
    // caught by its missing closing brace.
    if (
      (IGNORED_TYPES.has(qt) && !(qt === "progress" && mayCopyResponse(line))) ||
      (qt === "system" && !line.includes('"api_error"') && !line.includes('"turn_duration"'))
    ) {
      if (!endsWithBrace(line)) reject("not JSON (truncated or corrupt line)");
      return;
    }
  }
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    if (line.trim().length === 0) return;
    reject(line.charCodeAt(0) === 123 ? "not JSON (truncated or corrupt line)" : "not JSON");
    return;
  }
  recordToEvents(obj, lineNo, ctx, out);
}

/** Turns one parsed line into events (validating it), appending them to `out`. */
function recordToEvents(obj: unknown, lineNo: number, ctx: LineContext, out: EventSink): void {
  const reject = rejecter(out, ctx, lineNo);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    reject("not a JSON object");
    return;
  }
  const type = (obj as { type?: unknown }).type;
  if (typeof type !== "string") {
    reject("no record type");
    return;
  }
  switch (type) {
    case "assistant":
    case "user": {
      const flat = flatten(obj as Record<string, unknown>);
      if (typeof flat === "string") return reject(flat);
      return flatToEvents(flat, lineNo, ctx, out);
    }
    case "system": {
      const subtype = (obj as { subtype?: unknown }).subtype;
      if (subtype === "api_error") return systemError(obj, lineNo, ctx, out, reject);
      if (subtype === "turn_duration") return turnDuration(obj, lineNo, ctx, out, reject);
      return;
    }
    case "progress":
      return progressCopy(obj as Record<string, unknown>, lineNo, ctx, out, reject);
    case "summary": {
      // The title Claude Code's /resume picker shows, usually the first line of a file: it names the conversation
      // this file continues (its leafUuid points into that one, often another file), so it titles this file's session
      // until a /rename does.
      const r = SummarySchema.safeParse(obj);
      if (!r.success) return reject(zodReason(r.error));
      const title = cleanText(r.data.summary, 120);
      if (title && ctx.fileSessionId && ctx.fileAgentId === null) out.push({ type: "SessionTitled", sessionId: ctx.fileSessionId, title, weak: true });
      return;
    }
    case "custom-title": {
      const r = CustomTitleSchema.safeParse(obj);
      if (!r.success) return reject(zodReason(r.error));
      const sessionId = r.data.sessionId ?? ctx.fileSessionId;
      if (!sessionId) return reject("custom-title without a session id");
      const title = cleanText(r.data.customTitle, 120);
      if (title) out.push({ type: "SessionTitled", sessionId, title });
      return;
    }
    default:
      return;
  }
}

/** A progress line that may hold a copy of a subagent's response (the rest are skipped unparsed). */
function mayCopyResponse(line: string): boolean {
  return line.includes('"agent_progress"') && line.includes('"usage"');
}

/**
 * A subagent's response as its parent's transcript mirrors it (`progress` with data.type "agent_progress", the
 * assistant line under data.message): read like the subagent's own line, under the same key, and marked a copy. Some
 * transcripts have only these (the subagent's own file is missing); where the own file is there, its line wins (its
 * output is the real count; the copy's is a placeholder) and the response counts once.
 */
function progressCopy(obj: Record<string, unknown>, lineNo: number, ctx: LineContext, out: EventSink, reject: (r: string) => void): void {
  const data = obj.data;
  if (!isObject(data) || data.type !== "agent_progress") return;
  const m = data.message;
  if (!isObject(m) || m.type !== "assistant" || !isObject(m.message) || !("usage" in m.message)) return;
  const line: Record<string, unknown> = {
    type: "assistant",
    sessionId: obj.sessionId,
    timestamp: m.timestamp ?? obj.timestamp,
    agentId: typeof data.agentId === "string" && data.agentId ? data.agentId : undefined,
    isSidechain: true,
    cwd: obj.cwd,
    gitBranch: obj.gitBranch,
    entrypoint: obj.entrypoint,
    requestId: m.requestId,
    message: m.message,
  };
  const flat = flatten(line);
  if (typeof flat === "string") return reject(`progress copy: ${flat}`);
  const r = AssistantSchema.safeParse(flat);
  if (!r.success) return reject(`progress copy: ${zodReason(r.error)}`);
  const d = r.data;
  // (an API error or a synthetic message is the subagent's own business: only responses are copied)
  if (d.isApiErrorMessage || d["message.model"] === "<synthetic>" || d["message.usage"] !== true) return;
  const c = common(d, ctx);
  if (typeof c === "string") return reject(`progress copy: ${c}`);
  out.push({ ...responseEvent(d, c), copy: true } as ModelEvent);
}

/** Turns the flat form of an assistant or user record into events (validating it). */
function flatToEvents(flat: FlatRecord, lineNo: number, ctx: LineContext, out: EventSink): void {
  const reject = rejecter(out, ctx, lineNo);
  if (flat.type === "assistant") assistant(flat, lineNo, ctx, out, reject);
  else user(flat, lineNo, ctx, out, reject);
}

const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Days before each month in a year that is not a leap year. */
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/** Days from 1970-01-01 to 1 January of year y (proleptic Gregorian, as Date.UTC counts them). */
function daysToYear(y: number): number {
  const p = y - 1;
  return 365 * (y - 1970) + (Math.floor(p / 4) - Math.floor(p / 100) + Math.floor(p / 400)) - 477;
}

/** Epoch ms of an ISO-8601 time. The form Claude Code writes (2026-02-12T14:12:35.291Z) is read directly;
 * anything else goes through Date.parse. NaN when it is not a time. */
export function parseTime(s: string): number {
  if (s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(19) === 46 /* . */) {
    for (let k = 0; k < DIGIT_AT.length; k++) {
      const c = s.charCodeAt(DIGIT_AT[k]!);
      if (c < 48 || c > 57) return Date.parse(s);
    }
    const d = (i: number) => s.charCodeAt(i) - 48;
    const mo = d(5) * 10 + d(6);
    const da = d(8) * 10 + d(9);
    const h = d(11) * 10 + d(12);
    const mi = d(14) * 10 + d(15);
    const se = d(17) * 10 + d(18);
    if (mo >= 1 && mo <= 12 && da >= 1 && da <= DAYS_IN_MONTH[mo - 1]! && h < 24 && mi < 60 && se < 60) {
      const y = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
      const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
      if (mo === 2 && da === 29 && !leap) return Date.parse(s);
      const days = daysToYear(y) + DAYS_BEFORE[mo - 1]! + (leap && mo > 2 ? 1 : 0) + da - 1;
      return ((days * 24 + h) * 60 + mi) * 60_000 + se * 1000 + d(20) * 100 + d(21) * 10 + d(22);
    }
  }
  return Date.parse(s);
}

interface EnvelopeData {
  sessionId?: string | null;
  timestamp: string;
  isSidechain?: boolean | null;
  agentId?: string | null;
}

export function common(d: EnvelopeData, ctx: LineContext): Envelope | string {
  const sessionId = d.sessionId ?? ctx.fileSessionId;
  if (!sessionId) return "no session id";
  const time = parseTime(d.timestamp);
  const problem = timeProblem(time);
  if (problem) return problem;
  const agentId = d.agentId ?? ctx.fileAgentId ?? (d.isSidechain ? "sidechain" : null);
  return { sessionId, time, agentId };
}

function assistant(obj: FlatRecord, lineNo: number, ctx: LineContext, out: EventSink, reject: (r: string) => void): void {
  const r = AssistantSchema.safeParse(obj);
  if (!r.success) return reject(zodReason(r.error));
  const d = r.data;
  const c = common(d, ctx);
  if (typeof c === "string") return reject(c);
  const model = d["message.model"] ?? "";
  if (d.isApiErrorMessage) {
    const text = textOf(d["message.content"]);
    const m = /API Error:\s*(\d{3})/.exec(text);
    out.push({
      type: "ApiErrorObserved",
      key: d.uuid ?? `${ctx.file}:${lineNo}`,
      time: c.time,
      sessionId: c.sessionId,
      agentId: c.agentId,
      status: d.apiErrorStatus ?? (m ? Number(m[1]) : null),
      message: cleanText(text || "API error"),
      retry: false,
    });
    return;
  }
  if (model === "<synthetic>") return; // "No response requested." and similar: not an API call.
  const content = d["message.content"];
  if (Array.isArray(content)) {
    for (const b of content) {
      if (b === null || typeof b !== "object" || (b as { type?: unknown }).type !== "tool_use") continue;
      const t = ToolUseBlock.safeParse(b);
      if (!t.success) {
        reject(`tool_use: ${zodReason(t.error)}`);
        continue;
      }
      out.push(toolCallEvent(t.data.id, t.data.name, c));
    }
  }
  if (d["message.usage"] === true) out.push(responseEvent(d, c));
}

type Envelope = { sessionId: string; time: number; agentId: string | null };

export function toolCallEvent(id: string, name: string, c: Envelope): ModelEvent {
  return { type: "ToolCallObserved", key: id, time: c.time, sessionId: c.sessionId, agentId: c.agentId, name: cleanText(name, 80) };
}

/** The response of a validated assistant record (one with usage). */
export function responseEvent(d: AssistantRecord, c: Envelope): ModelEvent {
  const id = d["message.id"];
  return {
    type: "ResponseObserved",
    key: d.requestId ? `${id}|${d.requestId}` : id,
    requestId: d.requestId ?? null,
    time: c.time,
    sessionId: c.sessionId,
    agentId: c.agentId,
    model: d["message.model"] || "unknown",
    usage: usageOf(d),
    ...(d["message.usage.speed"] === "fast" ? { fast: true } : {}),
    cwd: d.cwd ?? null,
    branch: d.gitBranch ?? null,
    entrypoint: d.entrypoint ?? null,
  };
}

function user(obj: FlatRecord, lineNo: number, ctx: LineContext, out: EventSink, reject: (r: string) => void): void {
  const r = UserSchema.safeParse(obj);
  if (!r.success) return reject(zodReason(r.error));
  const d = r.data;
  const c = common(d, ctx);
  if (typeof c === "string") return reject(c);
  const content = d["message.content"];
  let sawToolResult = false;
  if (Array.isArray(content)) {
    for (const b of content) {
      if (b === null || typeof b !== "object" || (b as { type?: unknown }).type !== "tool_result") continue;
      sawToolResult = true;
      const t = ToolResultBlock.safeParse(b);
      if (!t.success) {
        reject(`tool_result: ${zodReason(t.error)}`);
        continue;
      }
      let outcome: ToolOutcome = "ok";
      if (t.data.is_error) {
        const text = textOf(t.data.content);
        const tur = typeof d.toolUseResult === "string" ? d.toolUseResult : "";
        outcome = REJECTION.test(text) || REJECTION.test(tur) ? "rejected" : "error";
      }
      out.push({
        type: "ToolResultObserved",
        key: t.data.tool_use_id,
        time: c.time,
        sessionId: c.sessionId,
        agentId: c.agentId,
        outcome,
        reportedMs: reportedMs(d),
      });
    }
  }
  if (sawToolResult || d.isMeta || d.isCompactSummary || c.agentId !== null) return;
  const text = textOf(content);
  if (text.trim().length === 0 || NOT_A_PROMPT.test(text)) return;
  out.push({
    type: "PromptObserved",
    key: d.uuid ?? `${ctx.file}:${lineNo}`,
    time: c.time,
    sessionId: c.sessionId,
    cwd: d.cwd ?? null,
    branch: d.gitBranch ?? null,
  });
}

function turnDuration(obj: object, lineNo: number, ctx: LineContext, out: EventSink, reject: (r: string) => void): void {
  const r = TurnSchema.safeParse(obj);
  if (!r.success) return reject(zodReason(r.error));
  const sessionId = r.data.sessionId ?? ctx.fileSessionId;
  if (!sessionId) return reject("no session id");
  const time = parseTime(r.data.timestamp);
  const problem = timeProblem(time);
  if (problem) return reject(problem);
  out.push({ type: "TurnCompleted", key: r.data.uuid ?? `${ctx.file}:${lineNo}`, time, sessionId, durationMs: r.data.durationMs });
}

function systemError(obj: object, lineNo: number, ctx: LineContext, out: EventSink, reject: (r: string) => void): void {
  const r = SystemErrorSchema.safeParse(obj);
  if (!r.success) return reject(zodReason(r.error));
  const d = r.data;
  const c = common(d, ctx);
  if (typeof c === "string") return reject(c);
  const err = (d.error ?? {}) as { status?: unknown; error?: { error?: { message?: unknown; type?: unknown } } };
  const cause = (d.cause ?? {}) as { code?: unknown };
  const status = typeof err.status === "number" ? err.status : null;
  const inner = err.error?.error;
  const detail =
    typeof inner?.message === "string" ? inner.message : typeof cause.code === "string" ? cause.code : status !== null ? `HTTP ${status}` : "request failed";
  const attempt = d.retryAttempt != null ? ` (retry ${d.retryAttempt}${d.maxRetries != null ? `/${d.maxRetries}` : ""})` : "";
  out.push({
    type: "ApiErrorObserved",
    key: d.uuid ?? `${ctx.file}:${lineNo}`,
    time: c.time,
    sessionId: c.sessionId,
    agentId: c.agentId,
    status,
    message: cleanText(`${detail}${attempt}`),
    retry: true,
  });
}
