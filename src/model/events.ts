// Model events: facts observed in transcripts (or, later, the network), named in the past tense.
// Times are epoch milliseconds (UTC). Every event that can be seen twice carries a `key`, so applying
// it again changes nothing (see `reduce` in state.ts, and the usage store's keys).

/** Token counts of one API response, split by how the input was served. */
export interface Usage {
  /** input_tokens: input neither read from nor written to the cache. */
  uncached: number;
  /** cache writes with the 5-minute TTL (or the whole write when the split is absent). */
  cacheWrite5m: number;
  /** cache writes with the 1-hour TTL. */
  cacheWrite1h: number;
  /** cache_read_input_tokens. */
  cacheRead: number;
  output: number;
}

/** Adds (sign 1) or removes (sign -1) one response's token counts to a running sum of the same five fields. */
export function addUsage(into: Usage, u: Usage, sign: 1 | -1 = 1): void {
  into.uncached += sign * u.uncached;
  into.cacheWrite5m += sign * u.cacheWrite5m;
  into.cacheWrite1h += sign * u.cacheWrite1h;
  into.cacheRead += sign * u.cacheRead;
  into.output += sign * u.output;
}

/** Where an event came from: the local transcripts, or Claude Code's OpenTelemetry export (team telemetry). */
type Origin = "transcript" | "team";

/** Who and where, known only from team telemetry (user.email / user.account_uuid, terminal.type). */
interface TelemetryMeta {
  origin?: Origin;
  user?: string | null;
  terminal?: string | null;
}

export interface ResponseObserved extends TelemetryMeta {
  type: "ResponseObserved";
  /** the API request id (transcripts' requestId, telemetry's request_id): one response seen both ways counts once. */
  requestId?: string | null;
  /** message.id + "|" + requestId, or message.id alone. */
  key: string;
  time: number;
  sessionId: string;
  /** null for the main thread; the subagent id for sidechain work. */
  agentId: string | null;
  model: string;
  usage: Usage;
  /** true for a response in fast mode (usage.speed "fast"), priced at the model's fast rates. */
  fast?: boolean;
  /** Claude Code's own figure for this response (team telemetry's `cost_usd`), when it sent one: shown beside the
   *  cost priced here, never instead of it. */
  reportedCostUSD?: number;
  /** true when read from a progress copy in the parent's transcript (agent_progress), not the subagent's own file:
   *  its output count is a placeholder, and the subagent's own line wins over it. */
  copy?: boolean;
  cwd: string | null;
  /** the git branch the session was on (gitBranch), when the line says. */
  branch?: string | null;
  entrypoint: string | null;
}

export interface PromptObserved extends TelemetryMeta {
  type: "PromptObserved";
  key: string;
  time: number;
  sessionId: string;
  cwd: string | null;
  branch?: string | null;
}

export interface ToolCallObserved extends TelemetryMeta {
  type: "ToolCallObserved";
  /** tool_use id (toolu_…). */
  key: string;
  time: number;
  sessionId: string;
  agentId: string | null;
  name: string;
}

export type ToolOutcome = "ok" | "error" | "rejected";
/** The outcomes in the order the stores and the readers' wire keep them as numbers (a stored 1 is "error"). */
export const TOOL_OUTCOMES: readonly ToolOutcome[] = ["ok", "error", "rejected"];

export interface ToolResultObserved extends TelemetryMeta {
  type: "ToolResultObserved";
  /** the tool_use_id it answers. */
  key: string;
  time: number;
  sessionId: string;
  agentId: string | null;
  outcome: ToolOutcome;
  /** the duration the tool reported itself (toolUseResult durationMs / totalDurationMs / durationSeconds), if any. */
  reportedMs?: number | null;
}

/** A turn ended: `system/turn_duration` (the wall time of one user turn). */
export interface TurnCompleted {
  type: "TurnCompleted";
  key: string;
  time: number;
  sessionId: string;
  durationMs: number;
}

export interface ApiErrorObserved extends TelemetryMeta {
  type: "ApiErrorObserved";
  /** the line's uuid (or file:line when it has none). */
  key: string;
  time: number;
  sessionId: string;
  agentId: string | null;
  /** HTTP status when known. */
  status: number | null;
  /** Short human text; already stripped of control characters. */
  message: string;
  /** true for a `system/api_error` retry line; false for the final error shown to the user. */
  retry: boolean;
}

export interface SessionTitled {
  type: "SessionTitled";
  sessionId: string;
  title: string;
  /** a `summary` line's title: the session keeps it only while it has no other (a /rename title wins) */
  weak?: boolean;
}

/**
 * What the usage store knows about a session, sent with its stored facts: merged the way the lines that carried
 * it are (the newest working directory and branch, the earliest entry point, the last title, 1M once seen).
 */
export interface SessionMeta {
  type: "SessionMeta";
  sessionId: string;
  /** where it ran, and when each was last (the entry point: first) said. */
  cwd: string | null;
  cwdTime: number;
  branch: string | null;
  branchTime: number;
  entrypoint: string | null;
  entrypointTime: number;
  title: string | null;
  /** the title is a summary line's: a later /rename replaces it, and it never replaces one */
  titleWeak?: boolean;
  window1M: boolean;
}

export interface LineRejected {
  type: "LineRejected";
  file: string;
  line: number;
  reason: string;
}

/** One limit of the subscription allowance, as the usage endpoint reports it. */
export interface AllowanceLimit {
  /** "session" (the 5-hour window), "weekly", "weekly_opus", "weekly_sonnet", or another kind the endpoint names. */
  kind: string;
  /** 0–100 (may exceed 100). */
  percent: number;
  /** epoch ms, or null when unknown. */
  resetsAt: number | null;
}

export interface AllowanceFetched {
  type: "AllowanceFetched";
  time: number;
  limits: AllowanceLimit[];
}

export type AllowanceProblem = "no-credentials" | "unauthorized" | "rate-limited" | "server" | "network" | "timeout" | "malformed";

export interface AllowanceFailed {
  type: "AllowanceFailed";
  time: number;
  problem: AllowanceProblem;
  /** the full text for the user (never contains the token). */
  message: string;
  /** when the client will try again (epoch ms), or null. */
  retryAt: number | null;
}

interface AccountIdentified {
  type: "AccountIdentified";
  label: string;
}

export type ModelEvent =
  | ResponseObserved
  | PromptObserved
  | ToolCallObserved
  | ToolResultObserved
  | TurnCompleted
  | ApiErrorObserved
  | SessionTitled
  | SessionMeta
  | LineRejected
  | AllowanceFetched
  | AllowanceFailed
  | AccountIdentified;
