// Pricing is data: USD per million tokens for every Claude model Claude Code writes, each number with its source
// (see PRICE_SOURCES). A model id is reduced to its canonical form (no date, region, provider prefix or version
// suffix: Bedrock and Vertex ids price as the API's) and looked up; an unknown one is priced by its family and marked
// an estimate.
//
// The rules (Anthropic's pricing page):
// - Cache writes cost 1.25× (5-minute) and 2× (1-hour) the input price and reads 0.1×, unless a row says otherwise.
// - Long context: a request whose input (input_tokens + cache writes + cache reads) exceeds the row's threshold is
//   billed whole at the long-context rates: input, both cache writes, cache reads and output. Cache prices scale with
//   the input price (they keep their multipliers). Sonnet 4 and 4.5 above 200,000 tokens; Haiku 5.5 above 100,000;
//   models from 4.6 on otherwise serve their whole window at flat prices.
// - Fast mode (usage.speed "fast"): the row's fast rates for the whole request, caches scaled the same way; flat over
//   the whole window (it does not stack with a long-context rate).

import type { Usage } from "./events.ts";
import { contextTokens } from "./tokens.ts";

export type Family = "opus" | "sonnet" | "haiku" | "other";

/** Rates for one tier of a model, USD per million tokens. */
export interface Rates {
  input: number;
  output: number;
  write5m?: number;
  write1h?: number;
  read?: number;
}

export interface PriceRow extends Rates {
  /** canonical ids (see canonicalModel) this row prices. */
  ids: readonly string[];
  label: string;
  family: Family;
  /** the whole request at these rates when its input exceeds `above` tokens. */
  long?: Rates & { above: number };
  /** rates of fast mode; absent: the model has no fast mode we know a price for. */
  fast?: Rates;
  /** where the numbers come from (a key of PRICE_SOURCES). */
  source: keyof typeof PRICE_SOURCES;
  /** prices not yet on Anthropic's own pages: shown as an estimate. */
  unconfirmed?: boolean;
}

export const PRICE_SOURCES = {
  pricing: "https://platform.claude.com/docs/en/about-claude/pricing (copies of 2025, Feb, May, Sep and Oct 2026)",
  longContext:
    "https://platform.claude.com/docs/en/about-claude/pricing#long-context-pricing ('If your request exceeds 200K input tokens, all tokens incur premium pricing'; the threshold counts input + cache writes + cache reads)",
  fastMode:
    "https://platform.claude.com/docs/en/build-with-claude/fast-mode and the pricing page's fast-mode table (caching multipliers apply on top; flat over the whole window)",
  haiku55: "https://platform.claude.com/docs/en/models/haiku-5-5/overview and the pricing page (Oct 2026): prompts over 100,000 tokens",
  opus55: "https://platform.claude.com/docs/en/models/opus-5-5/overview and the pricing page (Oct 2026)",
  sonnet55: "https://platform.claude.com/docs/en/models/sonnet-5-5/overview and the pricing page (Oct 2026: a cache hit costs 5% of input)",
  fable51: "https://platform.claude.com/docs/en/about-claude/pricing (Sep 2026; Fable 5.1 cache reads 0.025x)",
  thirdParty: "not yet on Anthropic's pages: third-party listings (Dec 2026); shown as an estimate",
  file: "the file given with --pricing",
} as const;

/** Every known model (USD per million tokens). */
export const PRICE_TABLE: readonly PriceRow[] = [
  // Claude 3 (retired on the API; transcripts keep them)
  { ids: ["claude-3-haiku"], label: "Haiku 3", family: "haiku", input: 0.25, output: 1.25, write5m: 0.3, write1h: 0.5, read: 0.03, source: "pricing" },
  { ids: ["claude-3-opus"], label: "Opus 3", family: "opus", input: 15, output: 75, source: "pricing" },
  { ids: ["claude-3-5-haiku"], label: "Haiku 3.5", family: "haiku", input: 0.8, output: 4, source: "pricing" },
  { ids: ["claude-3-5-sonnet", "claude-3-7-sonnet"], label: "Sonnet 3.5 / 3.7", family: "sonnet", input: 3, output: 15, source: "pricing" },
  // Claude 4
  { ids: ["claude-opus-4", "claude-opus-4-0", "claude-opus-4-1"], label: "Opus 4 / 4.1", family: "opus", input: 15, output: 75, source: "pricing" },
  {
    ids: ["claude-sonnet-4", "claude-sonnet-4-0", "claude-sonnet-4-5"],
    label: "Sonnet 4 / 4.5",
    family: "sonnet",
    input: 3,
    output: 15,
    long: { above: 200_000, input: 6, output: 22.5 },
    source: "longContext",
  },
  { ids: ["claude-haiku-4-5"], label: "Haiku 4.5", family: "haiku", input: 1, output: 5, source: "pricing" },
  { ids: ["claude-opus-4-5"], label: "Opus 4.5", family: "opus", input: 5, output: 25, source: "pricing" },
  {
    ids: ["claude-opus-4-6", "claude-opus-4-7"],
    label: "Opus 4.6 / 4.7",
    family: "opus",
    input: 5,
    output: 25,
    fast: { input: 30, output: 150 },
    source: "fastMode",
  },
  { ids: ["claude-sonnet-4-6"], label: "Sonnet 4.6", family: "sonnet", input: 3, output: 15, source: "pricing" },
  {
    ids: ["claude-opus-4-8", "claude-opus-5"],
    label: "Opus 4.8 / 5",
    family: "opus",
    input: 5,
    output: 25,
    fast: { input: 10, output: 50 },
    source: "fastMode",
  },
  // Claude 5
  { ids: ["claude-sonnet-5"], label: "Sonnet 5", family: "sonnet", input: 2, output: 10, source: "pricing" },
  { ids: ["claude-fable-5", "claude-mythos-5"], label: "Fable 5", family: "other", input: 10, output: 50, source: "pricing" },
  { ids: ["claude-fable-5-1", "claude-mythos-5-1"], label: "Fable 5.1", family: "other", input: 10, output: 50, read: 0.25, source: "fable51" },
  { ids: ["claude-opus-5-5"], label: "Opus 5.5", family: "opus", input: 4, output: 20, read: 0.2, fast: { input: 8, output: 40 }, source: "opus55" },
  { ids: ["claude-sonnet-5-5"], label: "Sonnet 5.5", family: "sonnet", input: 2, output: 10, read: 0.1, source: "sonnet55" },
  {
    ids: ["claude-haiku-5-5"],
    label: "Haiku 5.5",
    family: "haiku",
    input: 0.1,
    output: 0.5,
    long: { above: 100_000, input: 0.5, output: 2.5 },
    source: "haiku55",
  },
  {
    ids: ["claude-fable-5-2", "claude-mythos-5-2"],
    label: "Fable 5.2",
    family: "other",
    input: 8,
    output: 40,
    read: 0.2,
    source: "thirdParty",
    unconfirmed: true,
  },
];

const BY_ID = new Map<string, PriceRow>();
for (const r of PRICE_TABLE) for (const id of r.ids) BY_ID.set(id, r);

/** A table row under another name (for a model we do not know, priced like a known one). */
const like = (id: string, label: string, o: Partial<PriceRow> = {}): PriceRow => ({ ...BY_ID.get(id)!, ids: [], label, ...o });

/** A model we do not know, by its line: the newest confirmed model of that line (its rows' numbers, not copies). */
const FALLBACK: Record<"opus" | "sonnet" | "haiku" | "fable" | "other", PriceRow> = {
  opus: like("claude-opus-5-5", "Opus (unknown version)"),
  sonnet: like("claude-sonnet-5-5", "Sonnet (unknown version)"),
  haiku: like("claude-haiku-5-5", "Haiku (unknown version)"),
  fable: like("claude-fable-5-1", "Fable (unknown version)"),
  other: like("claude-sonnet-4-5", "unknown model (priced as Sonnet)", { family: "other", long: undefined }),
};

/**
 * A model id as the price table knows it: lower case, without Claude Code's `[1m]` mark, a Bedrock region and
 * `anthropic.` prefix, a Vertex `@…` or Bedrock `-v1:0` suffix, or a date (`claude-sonnet-4-5-20250929`, Bedrock's
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` and Vertex's `claude-sonnet-4-5@20250929` are all `claude-sonnet-4-5`).
 */
export function canonicalModel(model: string): string {
  let m = model
    .trim()
    .toLowerCase()
    .replace(/\[[^\]]*\]$/, "");
  m = m.replace(/^(?:[a-z]{2,6}\.)?anthropic\./, "").replace(/^anthropic\//, "");
  m = m
    .replace(/@.*$/, "")
    .replace(/-v\d+(?::\d+)?$/, "")
    .replace(/-\d{8}$/, "")
    .replace(/-latest$/, "");
  return m;
}

export function familyOf(model: string): Family {
  const m = model.toLowerCase();
  if (m.includes("opus")) return "opus";
  if (m.includes("sonnet")) return "sonnet";
  if (m.includes("haiku")) return "haiku";
  return "other";
}

function rowFor(model: string): { row: PriceRow; known: boolean } {
  const c = canonicalModel(model);
  const row = BY_ID.get(c);
  if (row) return { row, known: !row.unconfirmed };
  const line = /fable|mythos/.test(c) ? "fable" : familyOf(c);
  return { row: FALLBACK[line], known: false };
}

// ---- a response's rate class ----------------------------------------------------------------------------------------

/**
 * What decides a response's rates besides its model, as one small number kept with it (and in the store's rollup):
 * how large its input was (0: up to 100,000 tokens, 1: up to 200,000, 2: more) and whether it ran in fast mode; and,
 * not for its price but for saying so, whether it is known only from its parent's progress copy (whose output count
 * is a placeholder).
 */
export type RateClass = number;

const STANDARD: RateClass = 0;
const FAST = 1;
const COPY = 8;

/** The class of a response with this input (input_tokens + cache writes + cache reads), speed and source. */
export function rateClass(context: number, fast: boolean, copy = false): RateClass {
  const band = context > 200_000 ? 2 : context > 100_000 ? 1 : 0;
  return band * 2 + (fast ? FAST : 0) + (copy ? COPY : 0);
}

export const isFast = (c: RateClass): boolean => (c & FAST) !== 0;
/** Known only from a progress copy in the parent's transcript (the subagent's own file is missing). */
export const isCopy = (c: RateClass): boolean => (c & COPY) !== 0;
/** The smallest input a class's band may hold: a long-context threshold at or below it applies to every response in it. */
const bandFloor = (c: RateClass): number => {
  const band = (c >> 1) & 3;
  return band === 2 ? 200_000 : band === 1 ? 100_000 : 0;
};

// ---- prices ---------------------------------------------------------------------------------------------------------

export interface Price {
  family: Family;
  label: string;
  /** USD per token. */
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
  /** true when the model matched no row and was priced by its family (or its price is not yet confirmed). */
  estimated: boolean;
  /** which rates apply: the base ones, the long-context ones or fast mode's. */
  tier: "base" | "long" | "fast";
}

/** Extra or replacement rows (a --pricing file): looked up before the built-in table. */
let extra: Map<string, PriceRow> | null = null;

/** Adds or replaces rows (by canonical id) for this process; null goes back to the built-in table alone. */
export function usePriceRows(rows: readonly PriceRow[] | null): void {
  extra = rows ? new Map(rows.flatMap((r) => r.ids.map((id) => [canonicalModel(id), r] as const))) : null;
  cache.clear();
}

const cache = new Map<string, Price>();

/**
 * Price of a model id for responses of a rate class; `inputOverride` (USD per Mtok, --price-per-mtok) replaces the
 * base input price of every model, and the other rates keep their ratio to it.
 */
export function priceFor(model: string, inputOverride?: number, cls: RateClass = STANDARD): Price {
  cls &= ~COPY; // (a copy is priced as the response itself)
  const ck = `${model}\u0000${inputOverride ?? ""}\u0000${cls}`;
  const hit = cache.get(ck);
  if (hit) return hit;
  const fromFile = extra?.get(canonicalModel(model));
  const { row, known } = fromFile ? { row: fromFile, known: true } : rowFor(model);
  let rates: Rates = row;
  let tier: Price["tier"] = "base";
  let estimated = !known;
  if (isFast(cls)) {
    if (row.fast) {
      rates = row.fast;
      tier = "fast";
    } else estimated = true; // fast mode on a model whose fast price we do not know: base rates, marked
  } else if (row.long && bandFloor(cls) >= row.long.above) {
    rates = row.long;
    tier = "long";
  }
  // Cache prices keep the base row's multipliers, scaled by the tier's input (long context and fast mode).
  const scale = rates.input / row.input;
  const over = inputOverride === undefined ? 1 : inputOverride / row.input;
  const perTok = 1e-6 * over;
  const p: Price = {
    family: familyOf(model),
    label: row.label,
    input: rates.input * perTok,
    output: rates.output * perTok,
    write5m: (rates.write5m ?? (row.write5m ?? row.input * 1.25) * scale) * perTok,
    write1h: (rates.write1h ?? (row.write1h ?? row.input * 2) * scale) * perTok,
    read: (rates.read ?? (row.read ?? row.input * 0.1) * scale) * perTok,
    estimated,
    tier,
  };
  cache.set(ck, p);
  return p;
}

/** Dollars of this usage at these rates (see priceCell, the one way a view turns tokens into dollars). */
export function costUSD(u: Usage, p: Price): number {
  return u.uncached * p.input + u.cacheWrite5m * p.write5m + u.cacheWrite1h * p.write1h + u.cacheRead * p.read + u.output * p.output;
}

/** The rate class of one response (its input size, speed, and whether it is known only from a progress copy): see rateClass. */
export function classOf(u: Usage, fast = false, copy = false): RateClass {
  return rateClass(contextTokens(u), fast, copy);
}

/** Tokens of one model at one rate class: one response, or many summed (a slot's, a session's, a group's). */
export interface TokenCell {
  model: string;
  cls: RateClass;
  usage: Usage;
}

/**
 * The one place tokens become dollars: a cell at its model's rates for its class (long context, fast mode; the whole
 * request at them), `priceOverride` USD per Mtok of input (--price-per-mtok). Every view, the report, the status line
 * and `--json` price through here; `price` says which rates (its family, label, tier, and whether an estimate).
 */
export function priceCell(c: TokenCell, priceOverride?: number): { usd: number; price: Price } {
  const price = priceFor(c.model, priceOverride, c.cls);
  return { usd: costUSD(c.usage, price), price };
}

/** What one response costs: its model's rates for its class (long context, fast mode), the whole request at them. */
export function responseCost(model: string, u: Usage, fast = false, inputOverride?: number): number {
  return priceCell({ model, cls: classOf(u, fast), usage: u }, inputOverride).usd;
}
