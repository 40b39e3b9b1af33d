// Token arithmetic shared by every selector. Pure functions of a Usage.
import type { Usage } from "./events.ts";
import { priceFor, rateClass, type Price, type RateClass } from "./pricing.ts";

/** Token-equivalents at the input price: 1 x uncached + 1.25 x 5m write + 2 x 1h write + 0.1 x read + 5 x output. */
export function effectiveTokens(u: Usage): number {
  return u.uncached + 1.25 * u.cacheWrite5m + 2 * u.cacheWrite1h + 0.1 * u.cacheRead + 5 * u.output;
}

/** Fresh tokens: input that was not served from the cache (uncached + cache writes). */
export function freshTokens(u: Usage): number {
  return u.uncached + u.cacheWrite5m + u.cacheWrite1h;
}

/** Everything the model read as input: uncached + writes + reads (the context size of that call). */
export function contextTokens(u: Usage): number {
  return u.uncached + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead;
}

export function totalTokens(u: Usage): number {
  return contextTokens(u) + u.output;
}

/** Dollars of this usage at these rates (see priceCell, the one way a view turns tokens into dollars). */
export function costUSD(u: Usage, p: Price): number {
  return u.uncached * p.input + u.cacheWrite5m * p.write5m + u.cacheWrite1h * p.write1h + u.cacheRead * p.read + u.output * p.output;
}

/** The most tokens one response can hold in one field: no model has a window near this (a larger count is a broken
 *  or hostile record, rejected with its reason, not a number to add up). */
export const MAX_TOKENS = 10_000_000;

export const CONTEXT_200K = 200_000;
export const CONTEXT_1M = 1_000_000;

/** The rate class of one response (its input size, speed, and whether it is known only from a progress copy): see pricing.ts. */
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
