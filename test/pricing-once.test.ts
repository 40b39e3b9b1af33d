// Each dollar is computed once (issue 23): priceCell (src/model/tokens.ts) is the one function that turns a token cell
// (model, rate class, usage) into dollars; every view, the report, the reconciliation and `--json` call it.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Usage } from "../src/model/events.ts";
import { priceFor, rateClass, costUSD, priceCell, responseCost } from "../src/model/pricing.ts";

const SRC = resolve(import.meta.dir, "../src");

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, out);
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

describe("priceCell", () => {
  const usages: Usage[] = [
    { uncached: 12, cacheWrite5m: 3_400, cacheWrite1h: 0, cacheRead: 61_000, output: 900 },
    { uncached: 3, cacheWrite5m: 0, cacheWrite1h: 20_000, cacheRead: 230_000, output: 4_100 },
    { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 },
  ];
  const models = ["claude-sonnet-4-5-20250929", "claude-opus-4-6", "claude-haiku-5-5", "claude-opus-9", "some-proxy-model"];

  test("is the cell's usage at its model's rates for its class, to the bit, with those rates", () => {
    for (const model of models)
      for (const usage of usages)
        for (const fast of [false, true])
          for (const override of [undefined, 2.5]) {
            const cls = rateClass(usage.uncached + usage.cacheWrite5m + usage.cacheWrite1h + usage.cacheRead, fast);
            const p = priceFor(model, override, cls);
            const got = priceCell({ model, cls, usage }, override);
            expect(got.usd).toBe(costUSD(usage, p));
            expect(got.price).toBe(p);
            expect(responseCost(model, usage, fast, override)).toBe(got.usd);
          }
  });

  test("a cell's class decides its tier: the long-context rates above Sonnet 4.5's threshold, fast mode's when fast", () => {
    const u = usages[1]!;
    expect(priceCell({ model: "claude-sonnet-4-5", cls: rateClass(253_003, false), usage: u }).price.tier).toBe("long");
    expect(priceCell({ model: "claude-opus-4-6", cls: rateClass(1_000, true), usage: u }).price.tier).toBe("fast");
    expect(priceCell({ model: "claude-opus-4-6", cls: rateClass(1_000, false), usage: u }).price.tier).toBe("base");
  });
});

describe("no dollar is computed outside priceCell", () => {
  test("costUSD(…) is called only in src/model/pricing.ts", () => {
    const callers = tsFiles(SRC).filter((f) => /\bcostUSD\(/.test(readFileSync(f, "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")));
    expect(callers.map((f) => relative(SRC, f))).toEqual(["model/pricing.ts"]);
  });
});
