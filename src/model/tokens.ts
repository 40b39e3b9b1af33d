// Token arithmetic shared by every selector: pure functions of a Usage, no prices (tokens become dollars in
// pricing.ts, at priceCell).
import type { Usage } from "./events.ts";

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

/** The most tokens one response can hold in one field: no model has a window near this (a larger count is a broken
 *  or hostile record, rejected with its reason, not a number to add up). */
export const MAX_TOKENS = 10_000_000;

export const CONTEXT_200K = 200_000;
export const CONTEXT_1M = 1_000_000;
