// The price table against Anthropic's published rules: every row, the ids Claude Code writes (API, Bedrock, Vertex),
// the long-context rule at its boundary, fast mode, and what an unknown model gets.
import { afterEach, describe, expect, test } from "bun:test";
import type { Usage } from "../src/model/events.ts";
import { canonicalModel, PRICE_SOURCES, PRICE_TABLE, priceFor, rateClass, usePriceRows, responseCost } from "../src/model/pricing.ts";
import { parsePricingFile } from "../src/model/pricing-file.ts";

const perM = (x: number) => +(x * 1e6).toFixed(6);
const usage = (u: Partial<Usage>): Usage => ({ uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, ...u });

describe("the price table", () => {
  // [model id as written, input, 5m write, 1h write, read, output] in USD per Mtok
  const published: [string, number, number, number, number, number][] = [
    ["claude-3-haiku-20240307", 0.25, 0.3, 0.5, 0.03, 1.25],
    ["claude-3-opus-20240229", 15, 18.75, 30, 1.5, 75],
    ["claude-3-5-haiku-20241022", 0.8, 1, 1.6, 0.08, 4],
    ["claude-3-5-sonnet-20241022", 3, 3.75, 6, 0.3, 15],
    ["claude-3-7-sonnet-20250219", 3, 3.75, 6, 0.3, 15],
    ["claude-opus-4-20250514", 15, 18.75, 30, 1.5, 75],
    ["claude-opus-4-1-20250805", 15, 18.75, 30, 1.5, 75],
    ["claude-sonnet-4-20250514", 3, 3.75, 6, 0.3, 15],
    ["claude-sonnet-4-5-20250929", 3, 3.75, 6, 0.3, 15],
    ["claude-haiku-4-5-20251001", 1, 1.25, 2, 0.1, 5],
    ["claude-opus-4-5-20251101", 5, 6.25, 10, 0.5, 25],
    ["claude-opus-4-6", 5, 6.25, 10, 0.5, 25],
    ["claude-sonnet-4-6", 3, 3.75, 6, 0.3, 15],
    ["claude-opus-4-7", 5, 6.25, 10, 0.5, 25],
    ["claude-opus-4-8", 5, 6.25, 10, 0.5, 25],
    ["claude-opus-5", 5, 6.25, 10, 0.5, 25],
    ["claude-sonnet-5", 2, 2.5, 4, 0.2, 10],
    ["claude-fable-5", 10, 12.5, 20, 1, 50],
    ["claude-fable-5-1", 10, 12.5, 20, 0.25, 50],
    ["claude-opus-5-5", 4, 5, 8, 0.2, 20],
    ["claude-sonnet-5-5", 2, 2.5, 4, 0.1, 10],
    ["claude-haiku-5-5", 0.1, 0.125, 0.2, 0.01, 0.5],
  ];

  test.each(published)("%s: $%d input, $%d / $%d cache writes, $%d reads, $%d output per Mtok", (model, input, w5, w1, read, output) => {
    const p = priceFor(model);
    expect([perM(p.input), perM(p.write5m), perM(p.write1h), perM(p.read), perM(p.output)].map((x) => +x.toFixed(6))).toEqual([input, w5, w1, read, output]);
    expect(p.estimated).toBe(false);
    expect(p.tier).toBe("base");
  });

  test("every row names its source, and no canonical id is priced twice", () => {
    const seen = new Set<string>();
    for (const r of PRICE_TABLE) {
      expect(PRICE_SOURCES[r.source]).toBeTruthy();
      for (const id of r.ids) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
        expect(canonicalModel(id)).toBe(id);
      }
    }
  });

  test.each([
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"],
    ["global.anthropic.claude-opus-4-6-v1", "claude-opus-4-6"],
    ["eu.anthropic.claude-sonnet-4-6", "claude-sonnet-4-6"],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5"],
    ["claude-opus-4@20250514", "claude-opus-4"],
    ["claude-opus-5-5[1m]", "claude-opus-5-5"],
    ["Claude-Opus-4-1-20250805", "claude-opus-4-1"],
    ["claude-opus-4-0", "claude-opus-4-0"],
  ])("%s is priced as %s", (written, canonical) => {
    expect(canonicalModel(written)).toBe(canonical);
    expect(priceFor(written).label).toBe(priceFor(canonical).label);
    expect(priceFor(written).estimated).toBe(false);
  });

  test("an unknown model is priced as the newest of its line and marked an estimate; one of no line as Sonnet", () => {
    const opus = priceFor("claude-opus-7");
    expect([perM(opus.input), perM(opus.output), opus.estimated]).toEqual([4, 20, true]);
    const sonnet = priceFor("claude-sonnet-9-1");
    expect([perM(sonnet.input), perM(sonnet.output), sonnet.estimated]).toEqual([2, 10, true]);
    const fable = priceFor("claude-fable-9");
    expect([perM(fable.input), perM(fable.output), fable.estimated]).toEqual([10, 50, true]);
    const haiku = priceFor("claude-haiku-7");
    expect([perM(haiku.input), perM(haiku.output), haiku.estimated]).toEqual([0.1, 0.5, true]);
    const other = priceFor("some-proxy-model");
    expect([perM(other.input), perM(other.output), other.estimated, other.family]).toEqual([3, 15, true, "other"]);
  });

  test("a price not yet on Anthropic's pages (Fable 5.2) is used and marked an estimate", () => {
    const p = priceFor("claude-fable-5-2");
    expect([perM(p.input), perM(p.output), perM(p.read), p.estimated]).toEqual([8, 40, 0.2, true]);
  });
});

describe("long context: the whole request at the long rates when its input exceeds the threshold", () => {
  // input = input_tokens + cache writes + cache reads; the output does not count towards it
  const at = (context: number, out = 1000) => usage({ uncached: 1000, cacheWrite5m: 1000, cacheWrite1h: 1000, cacheRead: context - 3000, output: out });

  test("Sonnet 4.5 at 199,999 / 200,000 / 200,001 input tokens", () => {
    const base = (u: Usage) => (u.uncached * 3 + u.cacheWrite5m * 3.75 + u.cacheWrite1h * 6 + u.cacheRead * 0.3 + u.output * 15) / 1e6;
    const long = (u: Usage) => (u.uncached * 6 + u.cacheWrite5m * 7.5 + u.cacheWrite1h * 12 + u.cacheRead * 0.6 + u.output * 22.5) / 1e6;
    for (const [context, rule] of [
      [199_999, base],
      [200_000, base],
      [200_001, long],
    ] as const) {
      const u = at(context);
      expect(responseCost("claude-sonnet-4-5-20250929", u)).toBeCloseTo(rule(u), 12);
    }
    // a huge output does not move the request over the threshold
    expect(responseCost("claude-sonnet-4-20250514", at(200_000, 500_000))).toBeCloseTo(base(at(200_000, 500_000)), 12);
  });

  test("the long rates are $6 input and $22.50 output, with the caches scaled from the $6", () => {
    const p = priceFor("claude-sonnet-4-5", undefined, rateClass(200_001, false));
    expect([perM(p.input), perM(p.write5m), perM(p.write1h), perM(p.read), perM(p.output), p.tier]).toEqual([6, 7.5, 12, 0.6, 22.5, "long"]);
  });

  test("models from 4.6 on are flat over their whole window", () => {
    for (const m of ["claude-opus-4-6", "claude-sonnet-4-6", "claude-opus-5-5", "claude-sonnet-5", "claude-fable-5-1"]) {
      const u = at(900_000);
      expect(responseCost(m, u)).toBeCloseTo(responseCost(m, usage({ ...u, cacheRead: 0 })) + u.cacheRead * priceFor(m).read, 12);
      expect(priceFor(m, undefined, rateClass(900_000, false)).tier).toBe("base");
    }
  });

  test("Haiku 5.5 steps up above 100,000 tokens: $0.50 / $2.50, caches scaled", () => {
    expect(priceFor("claude-haiku-5-5", undefined, rateClass(100_000, false)).tier).toBe("base");
    const p = priceFor("claude-haiku-5-5", undefined, rateClass(100_001, false));
    expect(
      [perM(p.input), perM(p.write5m), perM(p.write1h), perM(p.read), perM(p.output), p.tier].map((x) => (typeof x === "number" ? +x.toFixed(6) : x)),
    ).toEqual([0.5, 0.625, 1, 0.05, 2.5, "long"]);
    expect(priceFor("claude-haiku-5-5", undefined, rateClass(300_000, false)).tier).toBe("long");
  });
});

describe("fast mode", () => {
  test("Opus 4.6: $30 / $150, caches keep their multipliers; Opus 5: $10 / $50; Opus 5.5: $8 / $40 with reads at 0.05×", () => {
    const o46 = priceFor("claude-opus-4-6", undefined, rateClass(1000, true));
    expect([perM(o46.input), perM(o46.write5m), perM(o46.write1h), perM(o46.read), perM(o46.output), o46.tier]).toEqual([30, 37.5, 60, 3, 150, "fast"]);
    const o5 = priceFor("claude-opus-5", undefined, rateClass(1000, true));
    expect([perM(o5.input), perM(o5.write1h), perM(o5.read), perM(o5.output)]).toEqual([10, 20, 1, 50]);
    const o55 = priceFor("claude-opus-5-5", undefined, rateClass(1000, true));
    expect([perM(o55.input), +perM(o55.read).toFixed(6), perM(o55.output)]).toEqual([8, 0.4, 40]);
  });

  test("fast mode is flat over the whole window (no long-context rate on top)", () => {
    const p = priceFor("claude-opus-4-6", undefined, rateClass(500_000, true));
    expect([perM(p.input), perM(p.output), p.tier]).toEqual([30, 150, "fast"]);
  });

  test("fast mode on a model without a known fast price: its base rates, marked an estimate", () => {
    const p = priceFor("claude-sonnet-4-5", undefined, rateClass(1000, true));
    expect([perM(p.input), p.tier, p.estimated]).toEqual([3, "base", true]);
  });

  test("--price-per-mtok scales every tier with the base input", () => {
    const p = priceFor("claude-opus-4-6", 10, rateClass(1000, true));
    expect([perM(p.input), perM(p.output)]).toEqual([60, 300]);
  });
});

describe("--pricing FILE: a LiteLLM price table", () => {
  // (entries in the shape of LiteLLM's model_prices_and_context_window.json, values per token)
  const LITELLM = {
    sample_spec: {
      max_tokens: "LEGACY parameter",
      input_cost_per_token: 0.0,
      output_cost_per_token: 0.0,
      litellm_provider: "one of https://docs.litellm.ai/docs/providers",
      mode: "one of: chat, embedding, …",
    },
    "gpt-9": { input_cost_per_token: "not ours", mode: "chat" },
    "claude-sonnet-4-5": {
      input_cost_per_token: 3e-6,
      output_cost_per_token: 1.5e-5,
      cache_creation_input_token_cost: 3.75e-6,
      cache_creation_input_token_cost_above_1hr: 6e-6,
      cache_read_input_token_cost: 3e-7,
      input_cost_per_token_above_200k_tokens: 6e-6,
      output_cost_per_token_above_200k_tokens: 2.25e-5,
      cache_creation_input_token_cost_above_200k_tokens: 7.5e-6,
      cache_creation_input_token_cost_above_1hr_above_200k_tokens: 1.2e-5,
      cache_read_input_token_cost_above_200k_tokens: 6e-7,
      litellm_provider: "anthropic",
      mode: "chat",
    },
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0": {
      input_cost_per_token: 3.3e-6,
      output_cost_per_token: 1.65e-5,
      litellm_provider: "bedrock_converse",
      mode: "chat",
    },
    "claude-opus-9": {
      input_cost_per_token: 7e-6,
      output_cost_per_token: 3.5e-5,
      cache_read_input_token_cost: 3.5e-7,
      provider_specific_entry: { fast: 2.0, us: 1.1 },
      litellm_provider: "anthropic",
      mode: "chat",
    },
    "claude-embed-1": { input_cost_per_token: 1e-7, output_cost_per_token: 0, mode: "embedding" },
  };

  afterEach(() => usePriceRows(null));

  test("Claude entries become rows: the above_200k fields are the long-context rule, the fast multiplier fast mode", () => {
    const rows = parsePricingFile(JSON.stringify(LITELLM));
    if (typeof rows === "string") throw new Error(rows);
    expect(rows.map((r) => r.ids[0]).sort()).toEqual(["claude-opus-9", "claude-sonnet-4-5"]);
    usePriceRows(rows);
    // a model the built-in table does not know: priced from the file, not an estimate
    const o9 = priceFor("claude-opus-9");
    expect([perM(o9.input), perM(o9.output), perM(o9.write5m), perM(o9.write1h), perM(o9.read), o9.estimated]).toEqual([7, 35, 8.75, 14, 0.35, false]);
    const fast = priceFor("claude-opus-9", undefined, rateClass(1000, true));
    expect([perM(fast.input), perM(fast.output), perM(fast.read), fast.tier]).toEqual([14, 70, 0.7, "fast"]);
    // the API's own entry wins over Bedrock's regional one (+10 %), and its long rates apply above 200k
    expect(perM(priceFor("claude-sonnet-4-5-20250929").input)).toBe(3);
    const long = priceFor("claude-sonnet-4-5-20250929", undefined, rateClass(250_000, false));
    expect([perM(long.input), perM(long.write5m), perM(long.write1h), perM(long.read), perM(long.output)]).toEqual([6, 7.5, 12, 0.6, 22.5]);
    // --price-per-mtok still applies on top
    expect(perM(priceFor("claude-opus-9", 14).output)).toBe(70);
    usePriceRows(null);
    expect(priceFor("claude-opus-9").estimated).toBe(true);
  });

  test.each([
    ["not json", "not JSON"],
    ["[1, 2]", "expected an object"],
    [JSON.stringify({ "claude-x": 5 }), 'entry "claude-x": expected an object'],
    [
      JSON.stringify({ "claude-x": { input_cost_per_token: "3e-6", output_cost_per_token: 1e-5 } }),
      'entry "claude-x": input_cost_per_token must be a price per token',
    ],
    [JSON.stringify({ "claude-x": { input_cost_per_token: 3e-6 } }), 'entry "claude-x": needs input_cost_per_token and output_cost_per_token'],
    [JSON.stringify({ "claude-x": { input_cost_per_token: 3, output_cost_per_token: 1e-5 } }), "input_cost_per_token must be a price per token"],
    [
      JSON.stringify({ "claude-x": { input_cost_per_token: 3e-6, output_cost_per_token: 1e-5, provider_specific_entry: { fast: -1 } } }),
      "provider_specific_entry.fast must be a multiplier",
    ],
  ])("a bad file is refused, naming the first bad entry: %s", (text, message) => {
    const r = parsePricingFile(text);
    expect(typeof r).toBe("string");
    expect(r as string).toContain(message);
  });
});
