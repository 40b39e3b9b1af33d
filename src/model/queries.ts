// What the views ask of the stored facts (the usage store answers with aggregate queries, so a long span costs what
// it returns, not what it covers), and the pure folds that turn the answers into the numbers on screen.
// A response belongs to a window when from < time <= to.
import { addUsage, type ToolOutcome, type Usage } from "./events.ts";
import { type Family, type Price, priceFor, type RateClass, priceCell } from "./pricing.ts";
import { emptyTotals, type Totals } from "./state.ts";
import { effectiveTokens } from "./tokens.ts";

const MIN = 60_000;

/** The responses of one model in one time slot, summed. */
export interface UsageCell {
  /** start of the slot (epoch ms, a multiple of the slot size). */
  start: number;
  model: string;
  /** the rate class of these responses (see pricing.ts): a model's responses of another class are another cell. */
  cls: RateClass;
  responses: number;
  usage: Usage;
  /** fresh input (uncached + cache writes) of the responses that read from the cache, and of those that read nothing
   *  from it (a cache miss). */
  freshHit: number;
  freshMiss: number;
}

/** The responses of one session and one model in a span, summed. */
export interface SessionCell extends Omit<UsageCell, "start"> {
  sessionId: string;
  /** the first and last of these responses (epoch ms). */
  first: number;
  last: number;
}

export interface Counts {
  prompts: number;
  toolCalls: number;
  toolErrors: number;
  toolRejections: number;
  apiErrors: number;
  apiRetries: number;
}

/** What a session is called and where it ran. */
export interface SessionLabel {
  sessionId: string;
  cwd: string | null;
  title: string | null;
  /** how Claude Code was started (cli, vscode…), when the transcript says. */
  entrypoint: string | null;
}

/** Responses of one session and one model in one day of a window (day 0 ends at the window's end), summed. */
export interface DayCell {
  sessionId: string;
  model: string;
  cls: RateClass;
  day: number;
  responses: number;
  usage: Usage;
}

/** A tool result in a window: its tool (null when its call is not known), outcome and duration when one is known. */
export interface ToolResultFact {
  name: string | null;
  outcome: ToolOutcome;
  time: number;
  /** the tool's own figure, else the time from the call to the result. */
  ms: number | null;
}

/** The window's responses of one session from one thread (null: the main thread; else a subagent), model and rate
 *  class, summed. */
export interface SessionGroup {
  agentId: string | null;
  model: string;
  cls: RateClass;
  responses: number;
  usage: Usage;
}

/** A subagent's newest response in the window (newest by time, then by key) and the largest context there. */
export interface AgentMark {
  agentId: string;
  time: number;
  key: string;
  model: string;
  peak: number;
}

/**
 * What one session's row and detail show, as the store's sums (see selectors.ts for the view made of them). The
 * "newest" facts are the newest up to `now` whatever the window (a context size does not age out of a window).
 */
export interface SessionSums {
  sessionId: string;
  /** its newest fact in the active window (response, prompt, tool result, API error). */
  lastActivity: number;
  cwd: string | null;
  title: string | null;
  branch: string | null;
  /** seen above 200k tokens of context, so its window is 1M. */
  window1M: boolean;
  latestMain: { time: number; key: string; model: string; context: number } | null;
  latestAny: { time: number; key: string; model: string } | null;
  lastError: { time: number; key: string; status: number | null; message: string } | null;
  lastPrompt: { time: number; key: string } | null;
  /** its responses in the window, in one order (main thread first, then by agent, model and class). */
  groups: SessionGroup[];
  /** its subagents with responses in the window. */
  agents: AgentMark[];
  /** fresh tokens (uncached + cache writes) of the main thread and of subagents in the window's last hour. */
  mainFresh1h: number;
  subFresh1h: number;
}

/** What LIVE asks for: its window (from < time <= to, `to` being now) in slots of `slotMs`, and the active window. */
export interface LiveQuery {
  from: number;
  to: number;
  slotMs: number;
  activeMs: number;
}

/** LIVE's facts as sums: the window's cells, the last hour's (per aligned hour), counts and the active sessions. */
export interface LiveSums {
  cells: UsageCell[];
  hourCells: UsageCell[];
  counts: Counts;
  sessions: SessionSums[];
}

/** One official figure of a limit, as Claude Code's status line or the usage endpoint gave it. */
export interface LimitSeen {
  /** "session" (5-hour), "weekly", "weekly_opus", … (the usage endpoint's kinds). */
  kind: string;
  time: number;
  percent: number;
  resetsAt: number | null;
  origin: "statusline" | "endpoint";
  sessionId: string | null;
}

export interface UsageQueries {
  /** Changes whenever the facts change: views cache on it. */
  version(): string;
  /** Responses with from < time <= to, summed per slot of `slotMs` (aligned to multiples of it) and model; one session's only when given. */
  cells(from: number, to: number, slotMs: number, sessionId?: string): UsageCell[];
  /** Responses with from < time <= to, summed per session and model. */
  sessionCells(from: number, to: number): SessionCell[];
  counts(from: number, to: number): Counts;
  /** Sessions with any activity (response, prompt, tool result, API error) in the span, with the time of the last. */
  activeSessions(from: number, to: number): { sessionId: string; lastActivity: number }[];
  /**
   * LIVE's sums for a window. A store may keep them from one call to the next and fold in only what changed since
   * (the live dashboard asks every second and after every append); every answer equals a fresh one.
   */
  liveSums(q: LiveQuery): LiveSums;
  /** These sessions' sums over (from, to], their newest facts up to `to`; `lastActivity` as given (or their newest
   *  response, prompt or API error up to `to`). Sessions the store does not have are left out. */
  sessionSums(sessions: readonly { sessionId: string; lastActivity?: number }[], from: number, to: number): SessionSums[];
  labels(sessionIds: readonly string[]): SessionLabel[];
  /** INSIGHTS: responses summed per session, model and day of `dayMs` counted back from `to`. */
  dayCells(from: number, to: number, dayMs: number): DayCell[];
  /** INSIGHTS: prompts per session and day (as dayCells). */
  dayPrompts(from: number, to: number, dayMs: number): { sessionId: string; day: number; prompts: number }[];
  /** INSIGHTS: tool calls per tool name. */
  toolCalls(from: number, to: number): { name: string; calls: number }[];
  /** INSIGHTS: each tool result (streamed). */
  toolResults(from: number, to: number): Iterable<ToolResultFact>;
  /** INSIGHTS: the duration of each turn. */
  turnDurations(from: number, to: number): number[];
  /** The API request ids of the responses in a span (a response also received over OTLP counts once). */
  requestIds(from: number, to: number): Set<string>;
  /** The times of the first and last response, or null when there is none. */
  span(): { first: number; last: number } | null;
  /** The newest official figure of each limit recorded (Claude Code's status line, the usage endpoint). */
  latestLimits(): LimitSeen[];
  /** Figures of one limit recorded from `from` to `to`, oldest first. */
  limitsSeen(kind: string, from: number, to: number): LimitSeen[];
  /** Claude Code's own dollar figure for these sessions, where it reported one (the newest seen). */
  claudeCodeCosts(sessionIds: readonly string[]): Map<string, { usd: number; time: number; started: number | null }>;
}

/** Adds a cell's responses into running totals, priced per model (`priceOverride`: USD per Mtok of input); returns
 *  the rates it was priced at. */
export function addCell(t: Totals, c: Omit<UsageCell, "start">, priceOverride?: number): Price {
  const { usd, price } = priceCell(c, priceOverride);
  t.responses += c.responses;
  addUsage(t, c.usage);
  t.effectiveTokens += effectiveTokens(c.usage);
  t.costUSD += usd;
  return price;
}

export function totalsOf(cells: readonly Omit<UsageCell, "start">[], priceOverride?: number): Totals {
  const t = emptyTotals();
  for (const c of cells) addCell(t, c, priceOverride);
  return t;
}

export interface Bucket {
  start: number;
  uncached: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** input of responses that did read from the cache: uncached + writes. */
  newInput: number;
  /** input of responses that read nothing from the cache (a cache miss): uncached + writes. */
  cacheMiss: number;
  output: number;
  responses: number;
}

function emptyBucket(start: number): Bucket {
  return { start, uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, newInput: 0, cacheMiss: 0, output: 0, responses: 0 };
}

/** The bucket starts of a window: multiples of the size, from the one holding `from` to the one holding `to`. */
function bucketStarts(from: number, to: number, bucketMinutes: number): number[] {
  const size = bucketMinutes * MIN;
  // A bucket holds its end and not its start, as a window does: the first holds the instant after `from`, the last
  // holds `to`.
  const first = Math.floor(from / size) * size;
  const last = Math.max(first, Math.floor((to - 1) / size) * size);
  const n = Math.round((last - first) / size) + 1;
  return Array.from({ length: n }, (_, i) => first + i * size);
}

/**
 * Buckets aligned to multiples of the bucket size (UTC epoch), from the one holding the instant after `from` to the one
 * holding `to`, so
 * the chart does not jitter as the clock moves; the first and last may be partial. `cells` are slots of the bucket size.
 */
export function bucketsOf(cells: readonly UsageCell[], from: number, to: number, bucketMinutes: number): Bucket[] {
  const starts = bucketStarts(from, to, bucketMinutes);
  const out = starts.map(emptyBucket);
  const size = bucketMinutes * MIN;
  const first = starts[0]!;
  for (const c of cells) {
    const b = out[Math.round((c.start - first) / size)];
    if (!b) continue;
    addUsage(b, c.usage);
    b.responses += c.responses;
    b.newInput += c.freshHit;
    b.cacheMiss += c.freshMiss;
  }
  return out;
}

/** Effective tokens per model family, one value per bucket (cells are slots of the bucket size). */
export function familyBuckets(cells: readonly UsageCell[], starts: readonly number[], bucketMinutes: number): Record<Family, number[]> {
  const out: Record<Family, number[]> = { opus: [], sonnet: [], haiku: [], other: [] };
  for (const f of Object.keys(out) as Family[]) out[f] = new Array<number>(starts.length).fill(0);
  const size = bucketMinutes * MIN;
  const first = starts[0] ?? 0;
  for (const c of cells) {
    const i = Math.round((c.start - first) / size);
    if (i < 0 || i >= starts.length) continue;
    out[priceFor(c.model).family][i]! += effectiveTokens(c.usage);
  }
  return out;
}
