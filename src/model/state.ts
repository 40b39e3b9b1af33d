// The model's state and its reducer. `reduce` mutates the state in place for speed but is idempotent:
// an event seen again (same key) changes nothing, and a streaming snapshot of a response only replaces the
// stored usage when it is larger. The model never reads the clock and does no I/O.
import { type AllowanceLimit, type AllowanceProblem, type ModelEvent, type SessionMeta, type ToolOutcome, type Usage } from "./events.ts";
import { type RateClass, classOf } from "./pricing.ts";
import { contextTokens, effectiveTokens, totalTokens, CONTEXT_200K } from "./tokens.ts";
import { TimeIndex, type Timed } from "./time-index.ts";

export interface ResponseRec extends Timed {
  key: string;
  requestId: string | null;
  origin: "transcript" | "team";
  user: string | null;
  sessionId: string;
  agentId: string | null;
  model: string;
  usage: Usage;
  /** its rate class (input size, fast mode): which of the model's rates it is priced at. */
  cls: RateClass;
  /** known only from the parent's progress copy (see ResponseObserved.copy). */
  copy: boolean;
  /** Claude Code's own figure (team telemetry), or null. */
  reportedCostUSD: number | null;
  /** its effective tokens (INSIGHTS' usage over time and the allowance projection add these up). Its dollars are not
   *  kept: the views price cells (see priceCell), and the tests' oracle prices responses one by one (test/oracle.ts). */
  effective: number;
}

interface PromptRec extends Timed {
  key: string;
  sessionId: string;
  origin: "transcript" | "team";
  user: string | null;
}

interface ToolCallRec extends Timed {
  key: string;
  origin: "transcript" | "team";
  user: string | null;
  sessionId: string;
  agentId: string | null;
  name: string;
}

interface ToolResultRec extends Timed {
  key: string;
  origin: "transcript" | "team";
  user: string | null;
  sessionId: string;
  agentId: string | null;
  outcome: ToolOutcome;
  reportedMs: number | null;
}

interface TurnRec extends Timed {
  key: string;
  sessionId: string;
  durationMs: number;
}

interface ApiErrorRec extends Timed {
  key: string;
  origin: "transcript" | "team";
  user: string | null;
  sessionId: string;
  agentId: string | null;
  status: number | null;
  message: string;
  retry: boolean;
}

interface SessionAgg {
  sessionId: string;
  /** working directory of the newest event that carried one (and that event's time). */
  cwd: string | null;
  cwdTime: number;
  /** git branch of the newest event that carried one (and that event's time). */
  branch: string | null;
  branchTime: number;
  title: string | null;
  /** how Claude Code was launched (cli, claude-vscode, sdk-cli…), from 2.1.78 on; null before: the earliest seen. */
  entrypoint: string | null;
  entrypointTime: number;
  /** from team telemetry: the user and the terminal. */
  user: string | null;
  terminal: string | null;
  /** true once any main-thread response had more than 200k tokens of context. */
  window1M: boolean;
  responses: ResponseRec[];
  prompts: PromptRec[];
  apiErrors: ApiErrorRec[];
}

export interface Totals {
  responses: number;
  uncached: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
  effectiveTokens: number;
  costUSD: number;
}

interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ModelState {
  /** bumps on every change, so views can cache on it. */
  version: number;
  seq: number;
  responses: Map<string, ResponseRec>;
  /** responses by API request id: the same response seen in a transcript and over OTLP counts once. */
  byRequestId: Map<string, ResponseRec>;
  responseIndex: TimeIndex<ResponseRec>;
  prompts: Map<string, PromptRec>;
  promptIndex: TimeIndex<PromptRec>;
  toolCalls: Map<string, ToolCallRec>;
  toolCallIndex: TimeIndex<ToolCallRec>;
  toolResults: Map<string, ToolResultRec>;
  toolResultIndex: TimeIndex<ToolResultRec>;
  apiErrors: Map<string, ApiErrorRec>;
  apiErrorIndex: TimeIndex<ApiErrorRec>;
  turns: Map<string, TurnRec>;
  turnIndex: TimeIndex<TurnRec>;
  sessions: Map<string, SessionAgg>;
  rejected: { count: number; samples: RejectedLine[]; seen: Set<string> };
  /** the subscription allowance: last good numbers, last problem, account label. */
  allowance: AllowanceState;
  /** USD per Mtok replacing every model's base input price (the `--price-per-mtok` flag), or undefined. */
  priceOverride: number | undefined;
}

interface AllowanceState {
  /** the last good numbers and when they were fetched. */
  last: { time: number; limits: AllowanceLimit[] } | null;
  /** the last problem, cleared by the next success. */
  problem: { time: number; problem: AllowanceProblem; message: string; retryAt: number | null } | null;
  account: string | null;
}

export const MAX_REJECTED_SAMPLES = 50;

export function emptyTotals(): Totals {
  return { responses: 0, uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, effectiveTokens: 0, costUSD: 0 };
}

export function createState(opts: { priceOverride?: number } = {}): ModelState {
  return {
    version: 0,
    seq: 0,
    responses: new Map(),
    byRequestId: new Map(),
    responseIndex: new TimeIndex(),
    prompts: new Map(),
    promptIndex: new TimeIndex(),
    toolCalls: new Map(),
    toolCallIndex: new TimeIndex(),
    toolResults: new Map(),
    toolResultIndex: new TimeIndex(),
    apiErrors: new Map(),
    apiErrorIndex: new TimeIndex(),
    turns: new Map(),
    turnIndex: new TimeIndex(),
    sessions: new Map(),
    rejected: { count: 0, samples: [], seen: new Set() },
    allowance: { last: null, problem: null, account: null },
    priceOverride: opts.priceOverride,
  };
}

function sessionOf(s: ModelState, sessionId: string): SessionAgg {
  let agg = s.sessions.get(sessionId);
  if (!agg) {
    agg = {
      sessionId,
      cwd: null,
      cwdTime: -Infinity,
      branch: null,
      branchTime: -Infinity,
      title: null,
      entrypoint: null,
      entrypointTime: Infinity,
      user: null,
      terminal: null,
      window1M: false,
      responses: [],
      prompts: [],
      apiErrors: [],
    };
    s.sessions.set(sessionId, agg);
  }
  return agg;
}

function noteWho(sess: SessionAgg, user: string | null | undefined, terminal: string | null | undefined): void {
  if (user && !sess.user) sess.user = user;
  if (terminal && !sess.terminal) sess.terminal = terminal;
}

/** Where a session ran, as far as its lines say (see SessionMeta). */
type Whereabouts = Pick<SessionMeta, "cwd" | "cwdTime" | "branch" | "branchTime" | "entrypoint" | "entrypointTime">;

/** The newest working directory and branch win (a later line on a tie); the earliest entry point wins. */
export function noteWhere(sess: Whereabouts, time: number, cwd: string | null | undefined, branch?: string | null, entrypoint?: string | null): void {
  if (cwd && time >= sess.cwdTime) {
    sess.cwd = cwd;
    sess.cwdTime = time;
  }
  if (branch && time >= sess.branchTime) {
    sess.branch = branch;
    sess.branchTime = time;
  }
  if (entrypoint && time < sess.entrypointTime) {
    sess.entrypoint = entrypoint;
    sess.entrypointTime = time;
  }
}

/**
 * One observation of a response beats another when it carries more tokens; on a tie, the subagent's own line beats its
 * parent's progress copy, else the later line wins.
 */
export function beats(a: { usage: Usage; time: number; copy?: boolean }, b: { usage: Usage; time: number; copy?: boolean }): boolean {
  const ta = totalTokens(a.usage);
  const tb = totalTokens(b.usage);
  if (ta !== tb) return ta > tb;
  if ((a.copy === true) !== (b.copy === true)) return b.copy === true;
  return a.time > b.time;
}

/** Applies one event. Returns true when the state changed. */
export function reduce(s: ModelState, e: ModelEvent): boolean {
  const changed = apply(s, e);
  if (changed) s.version++;
  return changed;
}

/** Applies many events; returns how many changed the state. */
export function reduceAll(s: ModelState, events: readonly ModelEvent[]): number {
  let n = 0;
  for (const e of events) if (reduce(s, e)) n++;
  return n;
}

function apply(s: ModelState, e: ModelEvent): boolean {
  switch (e.type) {
    case "ResponseObserved":
      return applyResponse(s, e);
    case "PromptObserved":
      return applyPrompt(s, e);
    case "ToolCallObserved":
      return applyToolCall(s, e);
    case "ToolResultObserved":
      return applyToolResult(s, e);
    case "ApiErrorObserved":
      return applyApiError(s, e);
    case "TurnCompleted":
      return applyTurn(s, e);
    case "SessionMeta":
      return applySessionMeta(s, e);
    case "SessionTitled":
      return applyTitle(s, e);
    case "AllowanceFetched":
      return applyAllowance(s, e);
    case "AllowanceFailed":
      return applyAllowanceFailure(s, e);
    case "AccountIdentified":
      return applyAccount(s, e);
    case "LineRejected":
      return applyRejected(s, e);
  }
}

function applyResponse(s: ModelState, e: Extract<ModelEvent, { type: "ResponseObserved" }>): boolean {
  const old = s.responses.get(e.key) ?? (e.requestId ? s.byRequestId.get(e.requestId) : undefined);
  if (old) return replaceResponse(s, old, e);
  const cls = classOf(e.usage, e.fast === true, e.copy === true);
  const rec: ResponseRec = {
    key: e.key,
    requestId: e.requestId ?? null,
    origin: e.origin ?? "transcript",
    user: e.user ?? null,
    time: e.time,
    seq: s.seq++,
    sessionId: e.sessionId,
    agentId: e.agentId,
    model: e.model,
    usage: { ...e.usage },
    cls,
    copy: e.copy === true,
    reportedCostUSD: e.reportedCostUSD ?? null,
    effective: effectiveTokens(e.usage),
  };
  s.responses.set(e.key, rec);
  if (rec.requestId) s.byRequestId.set(rec.requestId, rec);
  s.responseIndex.add(rec);
  const sess = sessionOf(s, e.sessionId);
  sess.responses.push(rec);
  noteWho(sess, e.user, e.terminal);
  noteWhere(sess, e.time, e.cwd, e.branch, e.entrypoint);
  if (e.agentId === null && contextTokens(e.usage) > CONTEXT_200K) sess.window1M = true;
  return true;
}

/** Another observation of a stored response: the better one (see beats) stays, moved where it belongs. */
function replaceResponse(s: ModelState, old: ResponseRec, e: Extract<ModelEvent, { type: "ResponseObserved" }>): boolean {
  // The larger usage wins (the later streaming snapshot); on a tie the later line, which times the response
  // by its last line (versions that write the final usage on every block line). Either way the result does
  // not depend on the order lines are read in, and the winner's session, agent and model come with it.
  if (!beats(e, old)) return false;
  let sess = s.sessions.get(old.sessionId)!;
  if (e.sessionId !== old.sessionId) {
    const i = sess.responses.indexOf(old);
    if (i >= 0) sess.responses.splice(i, 1);
    sess = sessionOf(s, e.sessionId);
    sess.responses.push(old);
    old.sessionId = e.sessionId;
  }
  old.agentId = e.agentId;
  old.model = e.model;
  old.cls = classOf(e.usage, e.fast === true, e.copy === true);
  old.copy = e.copy === true;
  old.reportedCostUSD = e.reportedCostUSD ?? null;
  old.usage = { ...e.usage };
  old.effective = effectiveTokens(old.usage);
  if (old.time !== e.time) {
    old.time = e.time;
    s.responseIndex.touched();
  }
  noteWhere(sess, e.time, e.cwd, e.branch, e.entrypoint);
  if (old.agentId === null && contextTokens(old.usage) > CONTEXT_200K) sess.window1M = true;
  return true;
}

function applyPrompt(s: ModelState, e: Extract<ModelEvent, { type: "PromptObserved" }>): boolean {
  if (s.prompts.has(e.key)) return false;
  const rec: PromptRec = { key: e.key, time: e.time, seq: s.seq++, sessionId: e.sessionId, origin: e.origin ?? "transcript", user: e.user ?? null };
  s.prompts.set(e.key, rec);
  s.promptIndex.add(rec);
  const sess = sessionOf(s, e.sessionId);
  sess.prompts.push(rec);
  noteWho(sess, e.user, e.terminal);
  noteWhere(sess, e.time, e.cwd, e.branch);
  return true;
}

function applyToolCall(s: ModelState, e: Extract<ModelEvent, { type: "ToolCallObserved" }>): boolean {
  if (s.toolCalls.has(e.key)) return false;
  const rec: ToolCallRec = {
    key: e.key,
    time: e.time,
    seq: s.seq++,
    sessionId: e.sessionId,
    agentId: e.agentId,
    name: e.name,
    origin: e.origin ?? "transcript",
    user: e.user ?? null,
  };
  s.toolCalls.set(e.key, rec);
  s.toolCallIndex.add(rec);
  sessionOf(s, e.sessionId);
  return true;
}

function applyToolResult(s: ModelState, e: Extract<ModelEvent, { type: "ToolResultObserved" }>): boolean {
  if (s.toolResults.has(e.key)) return false;
  const rec: ToolResultRec = {
    key: e.key,
    time: e.time,
    seq: s.seq++,
    sessionId: e.sessionId,
    agentId: e.agentId,
    outcome: e.outcome,
    reportedMs: e.reportedMs ?? null,
    origin: e.origin ?? "transcript",
    user: e.user ?? null,
  };
  s.toolResults.set(e.key, rec);
  s.toolResultIndex.add(rec);
  sessionOf(s, e.sessionId);
  return true;
}

function applyApiError(s: ModelState, e: Extract<ModelEvent, { type: "ApiErrorObserved" }>): boolean {
  if (s.apiErrors.has(e.key)) return false;
  const rec: ApiErrorRec = {
    key: e.key,
    time: e.time,
    seq: s.seq++,
    sessionId: e.sessionId,
    agentId: e.agentId,
    status: e.status,
    message: e.message,
    retry: e.retry,
    origin: e.origin ?? "transcript",
    user: e.user ?? null,
  };
  s.apiErrors.set(e.key, rec);
  s.apiErrorIndex.add(rec);
  sessionOf(s, e.sessionId).apiErrors.push(rec);
  return true;
}

function applyTurn(s: ModelState, e: Extract<ModelEvent, { type: "TurnCompleted" }>): boolean {
  if (s.turns.has(e.key)) return false;
  const rec: TurnRec = { key: e.key, time: e.time, seq: s.seq++, sessionId: e.sessionId, durationMs: e.durationMs };
  s.turns.set(e.key, rec);
  s.turnIndex.add(rec);
  return true;
}

function applySessionMeta(s: ModelState, e: Extract<ModelEvent, { type: "SessionMeta" }>): boolean {
  const sess = sessionOf(s, e.sessionId);
  const before = `${sess.cwd}|${sess.branch}|${sess.entrypoint}|${sess.title}|${sess.window1M}`;
  noteWhere(sess, e.cwdTime, e.cwd, null, null);
  noteWhere(sess, e.branchTime, null, e.branch, null);
  noteWhere(sess, e.entrypointTime, null, null, e.entrypoint);
  if (e.title !== null) sess.title = e.title;
  if (e.window1M) sess.window1M = true;
  return before !== `${sess.cwd}|${sess.branch}|${sess.entrypoint}|${sess.title}|${sess.window1M}`;
}

function applyTitle(s: ModelState, e: Extract<ModelEvent, { type: "SessionTitled" }>): boolean {
  const sess = sessionOf(s, e.sessionId);
  if (sess.title === e.title || (e.weak && sess.title !== null)) return false; // (a summary's title never replaces another)
  sess.title = e.title;
  return true;
}

function applyAllowance(s: ModelState, e: Extract<ModelEvent, { type: "AllowanceFetched" }>): boolean {
  const a = s.allowance;
  if (a.last && a.last.time >= e.time) return false; // an older answer arriving late changes nothing
  a.last = { time: e.time, limits: e.limits.map((l) => ({ ...l })) };
  a.problem = null;
  return true;
}

function applyAllowanceFailure(s: ModelState, e: Extract<ModelEvent, { type: "AllowanceFailed" }>): boolean {
  const a = s.allowance;
  if (a.problem && a.problem.time >= e.time) return false;
  a.problem = { time: e.time, problem: e.problem, message: e.message, retryAt: e.retryAt };
  return true;
}

function applyAccount(s: ModelState, e: Extract<ModelEvent, { type: "AccountIdentified" }>): boolean {
  if (s.allowance.account === e.label) return false;
  s.allowance.account = e.label;
  return true;
}

function applyRejected(s: ModelState, e: Extract<ModelEvent, { type: "LineRejected" }>): boolean {
  const k = `${e.file}\u0000${e.line}`;
  if (s.rejected.seen.has(k)) return false;
  s.rejected.seen.add(k);
  s.rejected.count++;
  if (s.rejected.samples.length < MAX_REJECTED_SAMPLES) s.rejected.samples.push({ file: e.file, line: e.line, reason: e.reason });
  return true;
}
