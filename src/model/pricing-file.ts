// --pricing FILE: a price table in LiteLLM's model_prices_and_context_window.json shape (the one ccusage and many
// tools use), read into rows of our own table. Only Claude models are taken (the file prices every provider's); USD per
// token there, per million here. `*_above_200k_tokens` fields are the long-context rule (the whole request at those
// rates above 200,000 input tokens); `provider_specific_entry.fast` is fast mode's multiplier. Pure: the caller reads
// the file.
import { canonicalModel, familyOf, type PriceRow, type Rates } from "./pricing.ts";

const FIELDS = [
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_creation_input_token_cost",
  "cache_creation_input_token_cost_above_1hr",
  "cache_read_input_token_cost",
  "input_cost_per_token_above_200k_tokens",
  "output_cost_per_token_above_200k_tokens",
  "cache_creation_input_token_cost_above_200k_tokens",
  "cache_creation_input_token_cost_above_1hr_above_200k_tokens",
  "cache_read_input_token_cost_above_200k_tokens",
] as const;

/** A per-token price no model charges (a million dollars per million tokens): a typo, not a price. */
const MAX_PER_TOKEN = 1;

/**
 * The Claude rows of a LiteLLM price file, or why it cannot be used (naming the first bad entry). Where several entries
 * reduce to one model (the API's, Bedrock's, Vertex's), the API's own entry wins: a regional endpoint's surcharge is
 * not the model's price.
 */
export function parsePricingFile(text: string): PriceRow[] | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `not JSON (${(e as Error).message.split("\n")[0]})`;
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return "expected an object of models, as LiteLLM's model_prices_and_context_window.json";
  const best = new Map<string, { rank: number; row: PriceRow }>();
  for (const [key, entry] of Object.entries(doc as Record<string, unknown>)) {
    if (!/claude/i.test(key)) continue;
    const name = JSON.stringify(key.slice(0, 80));
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return `entry ${name}: expected an object`;
    const e = entry as Record<string, unknown>;
    if (e.mode !== undefined && e.mode !== "chat") continue;
    const perToken: Partial<Record<(typeof FIELDS)[number], number>> = {};
    for (const f of FIELDS) {
      const v = e[f];
      if (v === undefined || v === null) continue;
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > MAX_PER_TOKEN)
        return `entry ${name}: ${f} must be a price per token (a number from 0 to ${MAX_PER_TOKEN})`;
      perToken[f] = v;
    }
    if (perToken.input_cost_per_token === undefined || perToken.output_cost_per_token === undefined)
      return `entry ${name}: needs input_cost_per_token and output_cost_per_token`;
    const fast = (e.provider_specific_entry as Record<string, unknown> | undefined)?.fast;
    if (fast !== undefined && (typeof fast !== "number" || !Number.isFinite(fast) || fast < 1 || fast > 100))
      return `entry ${name}: provider_specific_entry.fast must be a multiplier from 1 to 100`;
    const m = (x: number | undefined) => (x === undefined ? undefined : x * 1e6);
    const base: Rates = {
      input: m(perToken.input_cost_per_token)!,
      output: m(perToken.output_cost_per_token)!,
      write5m: m(perToken.cache_creation_input_token_cost),
      write1h: m(perToken.cache_creation_input_token_cost_above_1hr),
      read: m(perToken.cache_read_input_token_cost),
    };
    const longIn = m(perToken.input_cost_per_token_above_200k_tokens);
    const longOut = m(perToken.output_cost_per_token_above_200k_tokens);
    const id = canonicalModel(key.replace(/^[a-z_-]+\//i, ""));
    const row: PriceRow = {
      ...strip(base),
      ids: [id],
      label: `${id} (--pricing)`,
      family: familyOf(id),
      source: "file",
      ...(longIn !== undefined && longOut !== undefined
        ? {
            long: strip({
              above: 200_000,
              input: longIn,
              output: longOut,
              write5m: m(perToken.cache_creation_input_token_cost_above_200k_tokens),
              write1h: m(perToken.cache_creation_input_token_cost_above_1hr_above_200k_tokens),
              read: m(perToken.cache_read_input_token_cost_above_200k_tokens),
            }),
          }
        : {}),
      ...(typeof fast === "number" ? { fast: { input: base.input * fast, output: base.output * fast } } : {}),
    };
    // the API's own entry (its key is already the model id), then any Anthropic one, then the rest
    const rank = canonicalModel(key) === key ? 2 : e.litellm_provider === "anthropic" ? 1 : 0;
    const had = best.get(id);
    if (!had || rank > had.rank) best.set(id, { rank, row });
  }
  return [...best.values()].map((b) => b.row);
}

/** Drops the fields that are undefined (so a row's own rule applies: cache prices from the input price). */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
