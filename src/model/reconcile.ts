// Our dollars beside Claude Code's. Claude Code's status line reports its own figure for a session
// (cost.total_cost_usd, recorded in the store: the newest seen); this sets it beside what we count from the
// transcripts for the same session, says whether the two differ by more than 1 %, and where the stored facts show it,
// why. `reconcile` is the judgement (pure); `sessionFacts` reads the facts it needs from a session's summed cells, and
// `claudeCodeChecks` asks the store for them (queries only: no clock, no I/O of its own).
//
// What is compared: Claude Code's newest figure and our cost of the whole session (every thread, all stored history
// up to now), whatever window or --since a view shows (its figure covers the session, not a window). Signs: a positive
// delta means ours is higher. Each cause is a fact the store holds, said with its size, and listed only when it
// pushes the way the difference goes:
// - ours higher: responses after Claude Code's last figure (it has not counted them yet); responses priced at
//   long-context rates (Claude Code may price them otherwise);
// - ours lower: responses known only from progress copies (their output count is a placeholder); output counts that
//   are placeholders (the average response of the session has no more output than a streamed first line carries);
// - either way: a model (or a fast-mode price) missing from the price table (priced by estimate); --price-per-mtok.
// - ours higher: responses from before the Claude Code run the figure covers (a resumed session: the figure is for its
//   own run, which began cost.total_duration_ms before the figure).
// When none of these applies, one cause says what can be neither seen nor ruled out from the transcripts, marked
// "possibly": ours lower — Claude Code also pays for calls it writes no response for (titles, summaries); ours higher,
// when the figure did not say when its run began — a resumed session's earlier runs may be missing from it.
import { isCopy, rateClass, type RateClass, priceCell } from "./pricing.ts";
import type { UsageCell, UsageQueries } from "./queries.ts";

/** Figures that differ by at most this share of Claude Code's agree. */
const TOLERANCE = 0.01;
/** A difference under half a cent is agreement too, whatever its share: the tables show dollars to the cent. */
const MIN_DELTA_USD = 0.005;
/** A response's output count of at most this many tokens is what a streamed first line carries (the message_start
 *  count, 1–13 tokens in the recorded transcripts): some Claude Code versions (2.0.5, 2.1.12–2.1.4x) never wrote more. */
const PLACEHOLDER_OUTPUT = 13;
/** Fewer responses than this say nothing about placeholders (a short exchange has short answers). */
const PLACEHOLDER_MIN_RESPONSES = 3;
/** Models named in a cause, at most. */
const MAX_MODELS = 3;

/** What the store tells about one session, for setting our cost beside Claude Code's figure. */
export interface SessionFacts {
  /** all its responses. */
  responses: number;
  /** its responses after Claude Code's figure was seen (not in that figure yet), and what we count for them. */
  after: { responses: number; usd: number };
  /** its responses before the Claude Code run the figure covers began (earlier runs of a resumed session), and what we
   *  count for them; null when the figure did not say when its run began. */
  earlier: { responses: number; usd: number } | null;
  /** responses known only from a parent's progress copy (their output counts are placeholders). */
  copies: number;
  /** the other responses, and their output tokens. */
  own: { responses: number; output: number };
  /** responses priced at long-context rates, and what those rates add over the base ones. */
  long: { responses: number; premiumUSD: number };
  /** responses priced by estimate (their model, or its fast-mode price, is not in the price table), what we count for
   *  them, and their models. */
  estimated: { responses: number; usd: number; models: string[] };
  /** --price-per-mtok (USD per Mtok of input replacing every model's), or null for list prices. */
  priceOverride: number | null;
}

interface Reconciliation {
  /** the two differ by more than TOLERANCE of Claude Code's figure (and by at least MIN_DELTA_USD). */
  differs: boolean;
  /** ours − Claude Code's. */
  deltaUSD: number;
  /** the delta in % of Claude Code's figure; null when that is 0. */
  deltaPercent: number | null;
  /** why they differ, where the facts show it (empty when they agree). */
  causes: string[];
}

/** A session's reconciliation with the figures it was made of. */
export interface ClaudeCodeCheck extends Reconciliation {
  /** Claude Code's figure (the newest seen) and when it was seen (epoch ms). */
  claudeCodeUSD: number;
  at: number;
  /** our cost of the whole session (all stored history up to now). */
  oursUSD: number;
}

const money = (usd: number): string => `$${Math.abs(usd) < 0.01 && usd !== 0 ? usd.toFixed(4) : usd.toFixed(2)}`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Whether our cost and Claude Code's agree, and if not, the causes the facts show. */
export function reconcile(oursUSD: number, claudeCodeUSD: number, f: SessionFacts): Reconciliation {
  const deltaUSD = oursUSD - claudeCodeUSD;
  const deltaPercent = claudeCodeUSD > 0 ? (deltaUSD / claudeCodeUSD) * 100 : null;
  const differs = Math.abs(deltaUSD) >= MIN_DELTA_USD && Math.abs(deltaUSD) > TOLERANCE * claudeCodeUSD;
  if (!differs) return { differs, deltaUSD, deltaPercent, causes: [] };
  const higher = deltaUSD > 0;
  const causes: string[] = [];
  if (higher && f.after.responses > 0) causes.push(`${plural(f.after.responses, "response")} after Claude Code's last figure (${money(f.after.usd)} of ours)`);
  if (higher && f.earlier && f.earlier.responses > 0)
    causes.push(
      `${plural(f.earlier.responses, "response")} from before this Claude Code run began (a resumed session: ${money(f.earlier.usd)} of ours): its figure counts only its own run`,
    );
  if (f.priceOverride !== null) causes.push(`ours is priced at $${f.priceOverride} per Mtok of input (--price-per-mtok), not at list prices`);
  if (f.estimated.responses > 0) {
    const models = f.estimated.models.slice(0, MAX_MODELS).join(", ") + (f.estimated.models.length > MAX_MODELS ? ", …" : "");
    causes.push(`${plural(f.estimated.responses, "response")} of ${models} priced by estimate: not in the price table (${money(f.estimated.usd)} of ours)`);
  }
  if (higher && f.long.responses > 0)
    causes.push(
      `${plural(f.long.responses, "response")} priced at long-context rates (+${money(f.long.premiumUSD)} in ours): Claude Code may price them otherwise`,
    );
  if (!higher && f.copies > 0)
    causes.push(`${plural(f.copies, "subagent response")} known only from progress copies: their output counts are placeholders, so ours under-counts`);
  if (!higher && f.own.responses >= PLACEHOLDER_MIN_RESPONSES && f.own.output <= PLACEHOLDER_OUTPUT * f.own.responses) {
    const avg = Math.round((f.own.output / f.own.responses) * 10) / 10;
    causes.push(
      `output averages ${avg} tokens over ${f.own.responses} responses: placeholder counts (some Claude Code versions wrote only the first streamed count), so ours under-counts`,
    );
  }
  if (causes.length === 0)
    causes.push(
      !higher
        ? "possibly calls Claude Code makes without writing a response to the transcript (e.g. titles, summaries)"
        : f.earlier
          ? "possibly prices that differ from Claude Code's own table"
          : "possibly a resumed session: Claude Code's figure is for its own run and may leave out earlier ones",
    );
  return { differs, deltaUSD, deltaPercent, causes };
}

/** A cell's responses, model, class and usage (a UsageCell without its slot). */
type Cell = Pick<UsageCell, "model" | "cls" | "responses" | "usage">;

/**
 * Our cost of a session and the facts `reconcile` needs, from its responses summed per model and rate class: `all` of
 * them, and those `after` Claude Code's figure was seen.
 */
export function sessionFacts(
  all: readonly Cell[],
  after: readonly Cell[],
  priceOverride?: number,
  earlier: readonly Cell[] | null = null,
): { oursUSD: number; facts: SessionFacts } {
  const f: SessionFacts = {
    responses: 0,
    after: { responses: 0, usd: 0 },
    earlier: earlier ? { responses: 0, usd: 0 } : null,
    copies: 0,
    own: { responses: 0, output: 0 },
    long: { responses: 0, premiumUSD: 0 },
    estimated: { responses: 0, usd: 0, models: [] },
    priceOverride: priceOverride ?? null,
  };
  let ours = 0;
  const models = new Set<string>();
  for (const c of all) {
    const { usd: cost, price: p } = priceCell(c, priceOverride);
    ours += cost;
    f.responses += c.responses;
    if (isCopy(c.cls)) f.copies += c.responses;
    else {
      f.own.responses += c.responses;
      f.own.output += c.usage.output;
    }
    if (p.tier === "long") {
      f.long.responses += c.responses;
      f.long.premiumUSD += cost - priceCell({ model: c.model, cls: baseClass(c.cls), usage: c.usage }, priceOverride).usd;
    }
    if (p.estimated) {
      f.estimated.responses += c.responses;
      f.estimated.usd += cost;
      models.add(c.model);
    }
  }
  for (const c of after) {
    f.after.responses += c.responses;
    f.after.usd += priceCell(c, priceOverride).usd;
  }
  for (const c of earlier ?? []) {
    f.earlier!.responses += c.responses;
    f.earlier!.usd += priceCell(c, priceOverride).usd;
  }
  f.estimated.models = [...models].sort();
  return { oursUSD: ours, facts: f };
}

/** The same class at the smallest input band (so at the base rates). */
const baseClass = (cls: RateClass): RateClass => rateClass(0, false, isCopy(cls));

/** One slot holding every instant (a session's responses summed per model and class, whatever their time). */
const ALL_TIME_SLOT = Number.MAX_SAFE_INTEGER;

/**
 * The sessions Claude Code reported a figure for (seen up to `now`), each set beside our cost of the whole session.
 * Sessions without a figure are left out.
 */
export function claudeCodeChecks(q: UsageQueries, sessionIds: readonly string[], now: number, priceOverride?: number): Map<string, ClaudeCodeCheck> {
  const out = new Map<string, ClaudeCodeCheck>();
  if (sessionIds.length === 0) return out;
  for (const [sid, fig] of q.claudeCodeCosts(sessionIds)) {
    if (fig.time > now) continue; // (a figure from after `now` is not known at `now`)
    // (a run began at `started`: responses at or before it are an earlier run's)
    const earlier = fig.started !== null ? q.cells(-Infinity, fig.started, ALL_TIME_SLOT, sid) : null;
    const { oursUSD, facts } = sessionFacts(q.cells(-Infinity, now, ALL_TIME_SLOT, sid), q.cells(fig.time, now, ALL_TIME_SLOT, sid), priceOverride, earlier);
    out.set(sid, { claudeCodeUSD: fig.usd, at: fig.time, oursUSD, ...reconcile(oursUSD, fig.usd, facts) });
  }
  return out;
}
