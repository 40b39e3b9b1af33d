// The model layer: reduce (idempotent, dedupe by key keeping the largest usage), selectors (window, buckets,
// active sessions, counts) over the usage store, token arithmetic and pricing. Expected numbers are worked out by hand
// in each test. Every selector check runs on a store holding the events as one transcript and again with each event
// in a transcript of its own (a fact seen in several files counts once): both must give the same view.
import { describe, expect, test } from "bun:test";
import type { ModelEvent, Usage } from "../src/model/events.ts";
import { priceFor, costUSD } from "../src/model/pricing.ts";
import { bucketsOf, totalsOf as cellTotals, type Bucket, type UsageQueries } from "../src/model/queries.ts";
import { selectActiveSessions, windowOf, type WindowOptions } from "../src/model/selectors.ts";
import { createState, MAX_REJECTED_SAMPLES, reduce, reduceAll, type ModelState, type Totals } from "../src/model/state.ts";
import { contextTokens, effectiveTokens, freshTokens } from "../src/model/tokens.ts";
import { stateTotals, recPrice } from "./oracle.ts";
import {
  apiError,
  at,
  HAIKU,
  HOUR,
  MIN,
  NOW,
  OPUS,
  prompt,
  queriesOf,
  rejected,
  response,
  SEC,
  SESSION,
  shuffled,
  SONNET,
  titled,
  toolCall,
  toolResult,
  usage,
  windowOpts,
} from "./builders.ts";

/** Everything the selectors show for a window, as plain data, from stored facts. */
function viewOf(q: UsageQueries, o: WindowOptions, priceOverride?: number) {
  const w = windowOf(o);
  const cells = q.cells(w.from, w.to, w.bucketMinutes * MIN);
  return {
    totals: cellTotals(cells, priceOverride),
    buckets: bucketsOf(cells, w.from, w.to, w.bucketMinutes),
    sessions: selectActiveSessions(q, o),
    counts: q.counts(w.from, w.to),
  };
}

/** The view of these events stored as one transcript; the same events one per transcript must give the same view. */
function view(events: readonly ModelEvent[], o: WindowOptions = windowOpts(), priceOverride?: number) {
  const v = viewOf(queriesOf(events), o, priceOverride);
  const spread = viewOf(queriesOf(events, { perEvent: true }), o, priceOverride);
  expect(JSON.parse(JSON.stringify(spread))).toEqual(JSON.parse(JSON.stringify(v)));
  return v;
}

function stateOf(events: readonly ModelEvent[], opts: { priceOverride?: number } = {}): ModelState {
  const s = createState(opts);
  reduceAll(s, events);
  return s;
}

/** What the in-memory model holds, as plain data (for the reducer's own properties). */
function memory(s: ModelState) {
  const byKey = <T extends { key: string }>(m: Map<string, T>) => [...m.values()].map((r) => ({ ...r, seq: 0 })).sort((a, b) => (a.key < b.key ? -1 : 1));
  const round = (x: number) => Math.round(x * 1e9) / 1e9; // running sums: the order of additions shows in the last bits
  const rounded = (t: Totals) => ({ ...t, costUSD: round(t.costUSD), effectiveTokens: round(t.effectiveTokens) });
  return {
    totals: rounded(stateTotals(s)),
    responses: byKey(s.responses),
    prompts: byKey(s.prompts),
    toolCalls: byKey(s.toolCalls),
    toolResults: byKey(s.toolResults),
    apiErrors: byKey(s.apiErrors),
    sessions: [...s.sessions.values()]
      .map(({ responses, prompts, apiErrors, ...rest }) => ({
        ...rest,
        totals: rounded(stateTotals(s, rest.sessionId)),
        responses: responses.length,
        prompts: prompts.length,
        apiErrors: apiErrors.length,
      }))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1)),
    rejectedCount: s.rejected.count,
    rejectedSamples: [...s.rejected.samples].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)),
  };
}

function totalsOf(events: readonly ModelEvent[], o: WindowOptions = windowOpts(), priceOverride?: number) {
  return view(events, o, priceOverride).totals;
}

function bucketsFor(events: readonly ModelEvent[], o: WindowOptions = windowOpts()): Bucket[] {
  return view(events, o).buckets;
}

function sessionsOf(events: readonly ModelEvent[], o: WindowOptions = windowOpts()) {
  return view(events, o).sessions;
}

function bucketAt(buckets: Bucket[], iso: string): Bucket {
  const b = buckets.find((x) => x.start === at(iso));
  if (!b) throw new Error(`no bucket starting at ${iso}`);
  return b;
}

/** A small but complete corpus: two sessions, streamed responses, a subagent, prompts, tools, errors, a title. */
function corpus(): ModelEvent[] {
  const A = "aaaaaaaa-0000-4000-8000-000000000001";
  const B = "bbbbbbbb-0000-4000-8000-000000000002";
  const t = (iso: string) => at(`2026-11-26T${iso}Z`);
  return [
    prompt({ key: "p1", sessionId: A, time: t("17:00:00") }),
    // a streamed response: three lines, growing output
    response({ key: "m1|r1", sessionId: A, time: t("17:00:05"), usage: { uncached: 3, cacheWrite5m: 2000, cacheRead: 10_000, output: 3 } }),
    response({ key: "m1|r1", sessionId: A, time: t("17:00:06"), usage: { uncached: 3, cacheWrite5m: 2000, cacheRead: 10_000, output: 3 } }),
    response({ key: "m1|r1", sessionId: A, time: t("17:00:07"), usage: { uncached: 3, cacheWrite5m: 2000, cacheRead: 10_000, output: 812 } }),
    toolCall({ key: "toolu_1", sessionId: A, time: t("17:00:07"), name: "Task" }),
    response({ key: "s1|r2", sessionId: A, agentId: "agent-x", model: HAIKU, time: t("17:01:00"), usage: { uncached: 5, cacheWrite1h: 4000, output: 200 } }),
    response({
      key: "s2|r3",
      sessionId: A,
      agentId: "agent-x",
      model: HAIKU,
      time: t("17:02:00"),
      usage: { uncached: 2, cacheRead: 4000, cacheWrite5m: 300, output: 90 },
    }),
    toolResult({ key: "toolu_1", sessionId: A, time: t("17:03:00"), outcome: "ok" }),
    response({ key: "m2|r4", sessionId: A, time: t("17:03:05"), usage: { uncached: 1, cacheWrite5m: 500, cacheRead: 12_000, output: 40 } }),
    titled("render pipeline", A),
    prompt({ key: "p2", sessionId: B, time: t("12:00:00"), cwd: "/home/dev/src/beta" }),
    response({
      key: "m3|r5",
      sessionId: B,
      model: SONNET,
      time: t("12:00:04"),
      cwd: "/home/dev/src/beta",
      usage: { uncached: 10, cacheWrite5m: 8000, output: 300 },
    }),
    toolCall({ key: "toolu_2", sessionId: B, time: t("12:00:04") }),
    toolResult({ key: "toolu_2", sessionId: B, time: t("12:00:09"), outcome: "rejected" }),
    apiError({ key: "e1", sessionId: B, time: t("17:40:00"), retry: true }),
    apiError({ key: "e2", sessionId: B, time: t("17:40:30"), retry: false }),
    rejected("/p/a.jsonl", 7),
    rejected("/p/b.jsonl", 2),
  ];
}

describe("tokens", () => {
  const u: Usage = { uncached: 1000, cacheWrite5m: 2000, cacheWrite1h: 3000, cacheRead: 10_000, output: 400 };

  test("effective tokens = uncached + 1.25 x 5m write + 2 x 1h write + 0.1 x read + 5 x output", () => {
    // 1000 + 2500 + 6000 + 1000 + 2000
    expect(effectiveTokens(u)).toBe(12_500);
    expect(effectiveTokens(usage({ cacheRead: 1 }))).toBeCloseTo(0.1, 12);
    expect(effectiveTokens(usage())).toBe(0);
  });

  test("fresh tokens are uncached + cache writes; context is fresh + cache read", () => {
    expect(freshTokens(u)).toBe(6000);
    expect(contextTokens(u)).toBe(16_000);
  });

  test("window totals carry the summed effective tokens of their responses", () => {
    expect(totalsOf([response({ usage: u }), response({ usage: u, time: NOW - HOUR })]).effectiveTokens).toBe(25_000);
  });
});

describe("pricing", () => {
  // [model id, $ per Mtok input, $ per Mtok output, family, priced by family (unknown id)]
  const rows: [string, number, number, string, boolean][] = [
    ["claude-opus-4-6", 5, 25, "opus", false],
    ["claude-opus-4-5-20251101", 5, 25, "opus", false],
    ["claude-opus-4-1-20250805", 15, 75, "opus", false],
    ["claude-opus-4-20250514", 15, 75, "opus", false], // Opus 4 (dated), not "Opus 4.2"
    ["claude-sonnet-4-5-20250929", 3, 15, "sonnet", false],
    ["claude-sonnet-4-20250514", 3, 15, "sonnet", false],
    ["claude-3-7-sonnet-20250219", 3, 15, "sonnet", false],
    ["claude-haiku-4-5-20251001", 1, 5, "haiku", false],
    ["claude-3-5-haiku-20241022", 0.8, 4, "haiku", false],
    ["claude-sonnet-4-6", 3, 15, "sonnet", false],
    ["claude-fable-5", 10, 50, "other", false],
    ["claude-opus-5", 5, 25, "opus", false],
    ["claude-gizmo-2", 3, 15, "other", true], // not a line we know: priced as Sonnet, marked
  ];

  test.each(rows)("%s costs $%d in / $%d out per Mtok, writes 1.25x/2x and reads 0.1x input", (model, input, output, family, estimated) => {
    const p = priceFor(model);
    const perM = (x: number) => x * 1e6;
    expect(perM(p.input)).toBeCloseTo(input, 9);
    expect(perM(p.output)).toBeCloseTo(output, 9);
    expect(perM(p.write5m)).toBeCloseTo(input * 1.25, 9);
    expect(perM(p.write1h)).toBeCloseTo(input * 2, 9);
    expect(perM(p.read)).toBeCloseTo(input * 0.1, 9);
    expect(p.family).toBe(family as typeof p.family);
    expect(p.estimated).toBe(estimated);
  });

  test("a million tokens of each class on Opus 4.6 cost 5 + 6.25 + 10 + 0.5 + 25 dollars", () => {
    const M = 1_000_000;
    const u = { uncached: M, cacheWrite5m: M, cacheWrite1h: M, cacheRead: M, output: M };
    expect(costUSD(u, priceFor("claude-opus-4-6"))).toBeCloseTo(46.75, 9);
    // and Opus 4 (claude-opus-4-20250514) is three times that
    expect(costUSD(u, priceFor("claude-opus-4-20250514"))).toBeCloseTo(140.25, 9);
  });

  test("cost is summed per response at each response's own model price", () => {
    const u = { uncached: 1000, cacheWrite5m: 2000, cacheWrite1h: 4000, cacheRead: 100_000, output: 3000 };
    const t = totalsOf([
      response({ model: "claude-opus-4-6", usage: u }), // 5000+12500+40000+50000+75000 µ$ = $0.1825
      response({ model: "claude-sonnet-4-5-20250929", usage: u }), // 3000+7500+24000+30000+45000 = $0.1095
      response({ model: "claude-opus-4-20250514", usage: u }), // 15000+37500+120000+150000+225000 = $0.5475
      response({ model: "claude-3-5-haiku-20241022", usage: u }), // 800+2000+6400+8000+12000 = $0.0292
    ]);
    expect(t.responses).toBe(4);
    expect(t.costUSD).toBeCloseTo(0.8687, 10);
    // effective tokens do not depend on the model: 1000+2500+8000+10000+15000 each
    expect(t.effectiveTokens).toBe(4 * 36_500);
  });

  test("an unknown model is priced by its family and marked estimated", () => {
    const s = stateOf([
      response({ key: "fable", model: "claude-fable-9" }),
      response({ key: "son9", model: "claude-sonnet-9" }),
      response({ key: "known", model: OPUS }),
    ]);
    expect(recPrice(s, s.responses.get("fable")!).estimated).toBe(true);
    expect(recPrice(s, s.responses.get("son9")!).estimated).toBe(true);
    expect(recPrice(s, s.responses.get("son9")!).family).toBe("sonnet");
    expect(recPrice(s, s.responses.get("known")!).estimated).toBe(false);
  });

  test("a price override replaces the base input price and scales the other classes with it", () => {
    const p = priceFor(SONNET, 6);
    expect(p.input * 1e6).toBeCloseTo(6, 9);
    expect(p.output * 1e6).toBeCloseTo(30, 9);
    expect(p.write5m * 1e6).toBeCloseTo(7.5, 9);
    expect(p.write1h * 1e6).toBeCloseTo(12, 9);
    expect(p.read * 1e6).toBeCloseTo(0.6, 9);
    expect(totalsOf([response({ model: SONNET, usage: { uncached: 100_000 } })], windowOpts(), 6).costUSD).toBeCloseTo(0.6, 9);
    expect(stateTotals(stateOf([response({ model: SONNET, usage: { uncached: 100_000 } })], { priceOverride: 6 })).costUSD).toBeCloseTo(0.6, 9);
    // (a request over 200k on Sonnet 4.5 is at the long rates, which scale the same way: twice the input)
    expect(stateTotals(stateOf([response({ model: SONNET, usage: { uncached: 1_000_000 } })], { priceOverride: 6 })).costUSD).toBeCloseTo(12, 9);
  });
});

describe("reduce: idempotency", () => {
  test("applying the same events twice changes nothing, in memory and in the store", () => {
    const events = corpus();
    const s = createState();
    reduceAll(s, events);
    const once = memory(s);
    const version = s.version;
    expect(reduceAll(s, events)).toBe(0);
    expect(s.version).toBe(version);
    expect(memory(s)).toEqual(once);
    // the same transcript stored twice (read again from its start)
    expect(viewOf(queriesOf([...events, ...events]), windowOpts())).toEqual(view(events));
  });

  test("reduce returns false for an event already applied, of every kind", () => {
    const s = stateOf(corpus());
    for (const e of corpus()) expect(reduce(s, e)).toBe(false);
  });

  test("reduce returns true for a new event and bumps the version", () => {
    const s = createState();
    expect(reduce(s, response({ key: "new" }))).toBe(true);
    expect(s.version).toBe(1);
  });

  test("any interleaving of the same events gives identical output", () => {
    const events = corpus();
    const expected = view(events);
    const mem = memory(stateOf(events));
    for (const order of [[...events].reverse(), ...[1, 2, 3, 42, 20261126].map((seed) => shuffled(events, seed))]) {
      expect(view(order)).toEqual(expected);
      expect(memory(stateOf(order))).toEqual(mem);
    }
  });

  test("re-reading everything after a partial read gives the same numbers as one full read", () => {
    const events = corpus();
    const s = createState();
    reduceAll(s, events.slice(0, 7));
    reduceAll(s, events);
    expect(memory(s)).toEqual(memory(stateOf(events)));
    expect(viewOf(queriesOf([...events.slice(0, 7), ...events]), windowOpts())).toEqual(view(events));
  });

  test("a session whose working directory changed is named after its latest one, whatever the arrival order", () => {
    const events = [
      prompt({ key: "p1", time: NOW - 30 * MIN, cwd: "/home/dev/src/alpha" }),
      response({ key: "r1", time: NOW - 29 * MIN, cwd: "/home/dev/src/alpha", usage: { output: 10 } }),
      response({ key: "r2", time: NOW - 5 * MIN, cwd: "/home/dev/src/beta", usage: { output: 10 } }),
    ];
    expect(sessionsOf(events)[0]!.project).toBe("beta");
    expect(sessionsOf([...events].reverse())[0]!.project).toBe("beta");
  });

  test("the entry point is the earliest line's, whatever the arrival order", () => {
    const events = [response({ key: "a", time: NOW - 30 * MIN, entrypoint: "cli" }), response({ key: "b", time: NOW - 5 * MIN, entrypoint: "sdk-cli" })];
    expect(stateOf(events).sessions.get(SESSION)!.entrypoint).toBe("cli");
    expect(stateOf([...events].reverse()).sessions.get(SESSION)!.entrypoint).toBe("cli");
  });
});

describe("reduce: one response counted once", () => {
  // 17:04:59.500, .850 and 17:05:00.200: the last line falls in the next 5-minute bucket.
  const t = at("2026-11-26T17:04:59.500Z");
  const line = (i: number, output: number) =>
    response({ key: "msg_01|req_01", time: t + i * 350, usage: { uncached: 3, cacheWrite5m: 1200, cacheRead: 20_000, output } });

  test("a 3-line streamed response (output 3, 3, 812) counts once with 812, at the third line's time", () => {
    const s = createState();
    expect(reduce(s, line(0, 3))).toBe(true);
    expect(reduce(s, line(1, 3))).toBe(true); // same usage, later line: the response moves to that line's time
    expect(s.responses.get("msg_01|req_01")!.time).toBe(t + 350);
    expect(reduce(s, line(2, 812))).toBe(true);
    expect(reduce(s, line(1, 3))).toBe(false); // a smaller, earlier snapshot changes nothing
    expect(s.responses.get("msg_01|req_01")!.time).toBe(t + 700);
    const v = view([line(0, 3), line(1, 3), line(2, 812), line(1, 3)]);
    const tot = v.totals;
    expect(tot.responses).toBe(1);
    expect(tot.output).toBe(812);
    expect(tot.uncached).toBe(3);
    expect(tot.cacheWrite5m).toBe(1200);
    expect(tot.cacheRead).toBe(20_000);
    // 3 + 1500 + 2000 + 4060
    expect(tot.effectiveTokens).toBe(7563);
    expect(bucketAt(v.buckets, "2026-11-26T17:00:00Z").responses).toBe(0);
    expect(bucketAt(v.buckets, "2026-11-26T17:05:00Z")).toMatchObject({ responses: 1, output: 812 });
  });

  test.each([
    ["largest first", [2, 0, 1]],
    ["largest in the middle", [0, 2, 1]],
    ["reversed", [2, 1, 0]],
  ])("lines out of order (%s): the largest usage still wins, timed by its own line", (_name, order) => {
    const lines = [line(0, 3), line(1, 3), line(2, 812)];
    const events = order.map((i) => lines[i]!);
    const tot = totalsOf(events);
    expect(tot.responses).toBe(1);
    expect(tot.output).toBe(812);
    expect(tot.effectiveTokens).toBe(7563);
    expect(stateOf(events).responses.get("msg_01|req_01")!.time).toBe(t + 700);
    const buckets = bucketsFor(events);
    expect(bucketAt(buckets, "2026-11-26T17:00:00Z").responses).toBe(0);
    expect(bucketAt(buckets, "2026-11-26T17:05:00Z").output).toBe(812);
  });

  test("lines that all carry the final usage (2.1.98+) time the response by the last of them, in any order", () => {
    for (const order of [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
    ]) {
      const events = order.map((i) => line(i, 812));
      expect(stateOf(events).responses.get("msg_01|req_01")!.time).toBe(t + 700);
      expect(totalsOf(events).output).toBe(812);
      expect(bucketAt(bucketsFor(events), "2026-11-26T17:05:00Z").responses).toBe(1);
    }
  });

  test("a smaller snapshot after the largest one returns false and changes nothing", () => {
    const s = stateOf([line(2, 812)]);
    const before = memory(s);
    expect(reduce(s, line(0, 3))).toBe(false);
    expect(memory(s)).toEqual(before);
    expect(view([line(2, 812), line(0, 3)])).toEqual(view([line(2, 812)]));
  });

  test("the session's own totals follow the largest snapshot too", () => {
    const s = stateOf([line(0, 3), line(2, 812), line(1, 3)]);
    const sess = stateTotals(s, SESSION);
    expect(sess.responses).toBe(1);
    expect(sess.output).toBe(812);
    expect(stateTotals(s).output).toBe(812);
  });

  test("the same response key in two different sessions' files counts once", () => {
    const other = "22222222-2222-4222-8222-222222222222";
    const u = { uncached: 4, cacheWrite5m: 1000, cacheRead: 5000, output: 100 };
    const events = [
      response({ key: "msg_dup|req_dup", sessionId: SESSION, time: NOW - 20 * MIN, usage: u }),
      response({ key: "msg_dup|req_dup", sessionId: other, time: NOW - 20 * MIN, usage: u }),
    ];
    const tot = totalsOf(events);
    expect(tot.responses).toBe(1);
    expect(tot.output).toBe(100);
    expect(tot.cacheWrite5m).toBe(1000);
    const freshSum = sessionsOf(events).reduce((n, v) => n + v.mainFreshWindow + v.subFreshWindow, 0);
    expect(freshSum).toBe(1004);
  });

  test("a larger usage seen later in another session moves the response there, in memory as in the store", () => {
    const other = "22222222-2222-4222-8222-222222222222";
    const events = [
      response({ key: "m|r", sessionId: SESSION, time: NOW - 20 * MIN, usage: { cacheWrite5m: 100, output: 3 } }),
      response({ key: "m|r", sessionId: other, time: NOW - 19 * MIN, usage: { cacheWrite5m: 100, output: 300 } }),
    ];
    const s = stateOf(events);
    expect(stateTotals(s, SESSION).responses).toBe(0);
    expect(stateTotals(s, other).output).toBe(300);
    const v = sessionsOf(events);
    expect(v.find((x) => x.sessionId === other)!.mainFreshWindow).toBe(100);
    expect(v.find((x) => x.sessionId === SESSION)?.mainFreshWindow ?? 0).toBe(0);
  });
});

describe("window: from < time <= to", () => {
  const o = windowOpts(); // from = 06:00, to = 18:00
  const from = NOW - 12 * HOUR;

  test("a response exactly at `from` is out; one exactly at `now` is in", () => {
    const v = view(
      [
        response({ time: from, usage: { output: 1 } }),
        response({ time: from + 1, usage: { output: 10 } }),
        response({ time: NOW, usage: { output: 100 } }),
        response({ time: NOW + 1, usage: { output: 1000 } }),
      ],
      o,
    );
    expect(v.totals.responses).toBe(2);
    expect(v.totals.output).toBe(110);
    expect(v.buckets.reduce((n, b) => n + b.output, 0)).toBe(110);
  });

  test("prompts, tool calls and API errors use the same window", () => {
    const events = [
      prompt({ time: from }),
      prompt({ time: NOW }),
      toolCall({ time: from }),
      toolCall({ time: NOW }),
      apiError({ time: from }),
      apiError({ time: NOW }),
    ];
    expect(view(events, o).counts).toMatchObject({ prompts: 1, toolCalls: 1, apiErrors: 1 });
  });
});

describe("buckets", () => {
  test("the default 12 h window at 18:00 is 144 five-minute buckets, 06:00–06:05 to 17:55–18:00", () => {
    const b = bucketsFor([]);
    expect(b.length).toBe(144);
    expect(b[0]!.start).toBe(at("2026-11-26T06:00:00Z"));
    expect(b[143]!.start).toBe(at("2026-11-26T17:55:00Z"));
  });

  test("buckets are aligned to multiples of the bucket size in UTC epoch, whatever `now` is", () => {
    const now = at("2026-11-26T18:02:30Z");
    const b5 = bucketsFor([], windowOpts({ now, windowHours: 1, bucketMinutes: 5 }));
    expect(b5.length).toBe(13);
    expect(b5[0]!.start).toBe(at("2026-11-26T17:00:00Z"));
    expect(b5[12]!.start).toBe(at("2026-11-26T18:00:00Z"));

    for (const minutes of [1, 7, 13, 60]) {
      const size = minutes * MIN;
      const w = windowOf(windowOpts({ now, windowHours: 3, bucketMinutes: minutes }));
      const b = bucketsFor([], windowOpts({ now, windowHours: 3, bucketMinutes: minutes }));
      for (const x of b) expect(x.start % size).toBe(0);
      for (let i = 1; i < b.length; i++) expect(b[i]!.start - b[i - 1]!.start).toBe(size);
      expect(b[0]!.start).toBeLessThanOrEqual(w.from);
      expect(b[0]!.start + size).toBeGreaterThan(w.from);
      expect(b[b.length - 1]!.start).toBeLessThanOrEqual(now);
      expect(b[b.length - 1]!.start + size).toBeGreaterThan(now);
    }
  });

  test("the bucket fields sum to the window totals", () => {
    const from = NOW - 12 * HOUR;
    const u = (n: number) => ({ uncached: n, cacheWrite5m: 10 * n, cacheWrite1h: 3 * n, cacheRead: n % 2 === 0 ? 0 : 100 * n, output: 7 * n });
    const v = view([
      response({ time: from, usage: u(1000) }), // out
      response({ time: from + 1, usage: u(1) }),
      response({ time: at("2026-11-26T07:33:20Z"), usage: u(2) }),
      response({ time: at("2026-11-26T12:00:00Z"), usage: u(3) }),
      response({ time: at("2026-11-26T12:04:59.999Z"), usage: u(4), agentId: "sub" }),
      response({ time: NOW - 1, usage: u(5), model: HAIKU }),
      response({ time: NOW, usage: u(6) }),
      response({ time: NOW + 1, usage: u(1000) }), // out
    ]);
    const buckets = v.buckets;
    const t = v.totals;
    const sum = (f: (b: Bucket) => number) => buckets.reduce((n, b) => n + f(b), 0);
    expect(t.responses).toBe(6);
    expect(sum((b) => b.responses)).toBe(6);
    expect(sum((b) => b.uncached)).toBe(t.uncached);
    expect(t.uncached).toBe(21);
    expect(sum((b) => b.cacheWrite5m)).toBe(t.cacheWrite5m);
    expect(sum((b) => b.cacheWrite1h)).toBe(t.cacheWrite1h);
    expect(sum((b) => b.cacheRead)).toBe(t.cacheRead);
    expect(t.cacheRead).toBe(100 * (1 + 3 + 5));
    expect(sum((b) => b.output)).toBe(t.output);
    expect(sum((b) => b.newInput + b.cacheMiss)).toBe(t.uncached + t.cacheWrite5m + t.cacheWrite1h);
    // a response exactly at a bucket's end belongs to that bucket, as one exactly at `now` belongs to the window
    expect(bucketAt(buckets, "2026-11-26T12:00:00Z").responses).toBe(1);
    expect(bucketAt(buckets, "2026-11-26T11:55:00Z").responses).toBe(1);
    expect(bucketAt(buckets, "2026-11-26T17:55:00Z").responses).toBe(2);
    expect(buckets[buckets.length - 1]!.start).toBe(at("2026-11-26T17:55:00Z")); // the last bucket holds `now`
  });

  test("input of a response that read from the cache is new input; of one that read nothing, a cache miss", () => {
    const time = at("2026-11-26T15:01:00Z");
    const buckets = bucketsFor([
      response({ time, usage: { uncached: 100, cacheWrite5m: 2000, cacheRead: 0, output: 5 } }), // miss: 2100
      response({ time: time + SEC, usage: { uncached: 50, cacheWrite5m: 300, cacheWrite1h: 700, cacheRead: 40_000, output: 5 } }), // new: 1050
      response({ time: time + 5 * MIN, usage: { uncached: 7, cacheRead: 0 } }), // next bucket, miss: 7
    ]);
    expect(bucketAt(buckets, "2026-11-26T15:00:00Z")).toEqual({
      start: at("2026-11-26T15:00:00Z"),
      uncached: 150,
      cacheWrite5m: 2300,
      cacheWrite1h: 700,
      cacheRead: 40_000,
      newInput: 1050,
      cacheMiss: 2100,
      output: 10,
      responses: 2,
    });
    expect(bucketAt(buckets, "2026-11-26T15:05:00Z")).toMatchObject({ newInput: 0, cacheMiss: 7, responses: 1 });
  });
});

describe("active sessions", () => {
  const S1 = "10000000-0000-4000-8000-000000000001";
  const S2 = "20000000-0000-4000-8000-000000000002";
  const S3 = "30000000-0000-4000-8000-000000000003";
  const S4 = "40000000-0000-4000-8000-000000000004";
  const t = (hhmm: string) => at(`2026-11-26T${hhmm}:00Z`);

  function fourSessions(): ModelEvent[] {
    return [
      // S1: main thread, two subagents
      response({
        sessionId: S1,
        time: t("17:50"),
        model: OPUS,
        cwd: "/home/dev/src/alpha",
        usage: { uncached: 10, cacheWrite5m: 1000, cacheWrite1h: 2000, cacheRead: 50_000, output: 500 },
      }),
      response({ sessionId: S1, time: t("10:00"), model: OPUS, cwd: "/home/dev/src/alpha", usage: { uncached: 20, cacheWrite5m: 4000, output: 100 } }),
      response({ sessionId: S1, agentId: "a", time: t("17:40"), model: SONNET, usage: { uncached: 5, cacheWrite5m: 600, cacheRead: 20_000, output: 50 } }),
      response({ sessionId: S1, agentId: "a", time: t("16:00"), model: SONNET, usage: { uncached: 5, cacheWrite5m: 9000, output: 30 } }),
      response({
        sessionId: S1,
        agentId: "b",
        time: t("17:55"),
        model: HAIKU,
        usage: { uncached: 1, cacheWrite5m: 100, cacheWrite1h: 100, cacheRead: 30_000, output: 10 },
      }),
      // S2: only a prompt in the last hour; its response is older
      response({ sessionId: S2, time: t("12:00"), model: SONNET, cwd: "/home/dev/src/beta", usage: { uncached: 7, cacheWrite5m: 70 } }),
      prompt({ sessionId: S2, time: t("17:30"), cwd: "/home/dev/src/beta" }),
      // S3: last activity exactly one hour ago: not active
      response({ sessionId: S3, time: NOW - HOUR, cwd: "/home/dev/src/gamma", usage: { uncached: 1 } }),
      // S4: activity exactly at now
      response({ sessionId: S4, time: NOW, cwd: "/home/dev/src/delta", usage: { uncached: 2 } }),
    ];
  }

  test("sessions with activity in (now - active window, now] are listed, newest first", () => {
    const v = sessionsOf(fourSessions());
    expect(v.map((x) => x.sessionId)).toEqual([S4, S1, S2]);
    expect(v.map((x) => x.project)).toEqual(["delta", "alpha", "beta"]);
    expect(v.map((x) => x.lastActivity)).toEqual([NOW, t("17:55"), t("17:30")]);
  });

  test("a wider active window brings older sessions in", () => {
    const v = sessionsOf(fourSessions(), windowOpts({ activeWindowHours: 2 }));
    expect(v.map((x) => x.sessionId)).toEqual([S4, S1, S2, S3]);
  });

  test("main vs subagent fresh tokens over the last hour and the window", () => {
    const s1 = sessionsOf(fourSessions()).find((x) => x.sessionId === S1)!;
    expect(s1.mainFresh1h).toBe(3010); // 10 + 1000 + 2000
    expect(s1.mainFreshWindow).toBe(7030); // + 20 + 4000
    expect(s1.subFresh1h).toBe(806); // a@17:40 605 + b@17:55 201
    expect(s1.subFreshWindow).toBe(9811); // + a@16:00 9005
    const s2 = sessionsOf(fourSessions()).find((x) => x.sessionId === S2)!;
    expect(s2.mainFresh1h).toBe(0);
    expect(s2.mainFreshWindow).toBe(77);
  });

  test("context is the latest main-thread response's input + writes + read, and the model is the main thread's", () => {
    const s1 = sessionsOf(fourSessions()).find((x) => x.sessionId === S1)!;
    expect(s1.contextTokens).toBe(53_010);
    expect(s1.contextWindow).toBe(200_000);
    expect(s1.model).toBe(OPUS);
  });

  test("subagents are listed newest first with their peak context and effective tokens", () => {
    const s1 = sessionsOf(fourSessions()).find((x) => x.sessionId === S1)!;
    expect(s1.subagents).toEqual([
      // 1 + 125 + 200 + 3000 + 50
      { agentId: "b", model: HAIKU, peakContext: 30_201, effectiveTokens: 3376, costUSD: expect.closeTo(3376 * 1e-6, 12), fromCopy: false },
      // (5 + 750 + 2000 + 250) + (5 + 11250 + 150)
      { agentId: "a", model: SONNET, peakContext: 20_605, effectiveTokens: 14_410, costUSD: expect.closeTo(14_410 * 3e-6, 12), fromCopy: false },
    ]);
    // (effective tokens are at the input price, so with the standard multipliers cost = effective × input price)
    // main 12760 + 5520, plus the subagents
    expect(s1.effectiveTokens).toBe(36_066);
  });

  test("the context window is 1M once any main-thread response exceeded 200k, even after the context shrank", () => {
    const big = "50000000-0000-4000-8000-000000000005";
    const v = sessionsOf([
      response({ sessionId: big, time: NOW - 30 * MIN, usage: { cacheRead: 150_000, cacheWrite5m: 1000 } }),
      response({ sessionId: big, time: NOW - 20 * MIN, usage: { cacheRead: 240_000, cacheWrite5m: 2000, uncached: 5 } }),
      response({ sessionId: big, time: NOW - 10 * MIN, usage: { cacheRead: 80_000, cacheWrite5m: 9000, uncached: 1 } }), // after /compact
    ])[0]!;
    expect(v.contextTokens).toBe(89_001);
    expect(v.contextWindow).toBe(1_000_000);
  });

  test("exactly 200k of context, or a subagent above 200k, keeps the 200k window", () => {
    const v = sessionsOf([
      response({ sessionId: "x", time: NOW - 10 * MIN, usage: { cacheRead: 199_000, cacheWrite5m: 1000 } }),
      response({ sessionId: "y", time: NOW - 10 * MIN, usage: { cacheRead: 50_000 } }),
      response({ sessionId: "y", agentId: "big", time: NOW - 5 * MIN, usage: { cacheRead: 300_000 } }),
    ]);
    expect(v.find((x) => x.sessionId === "x")!).toMatchObject({ contextTokens: 200_000, contextWindow: 200_000 });
    expect(v.find((x) => x.sessionId === "y")!).toMatchObject({ contextTokens: 50_000, contextWindow: 200_000 });
  });

  test("a session's title comes from its /rename line", () => {
    expect(sessionsOf([response({ time: NOW - MIN }), titled("pricing page")])[0]!.title).toBe("pricing page");
  });

  describe("apiErrorLast", () => {
    const err = apiError({ key: "e1", time: at("2026-11-26T17:10:00Z"), status: 529, message: "API Error: 529 overloaded" });

    test("is true when the session's most recent action is an API error", () => {
      const v = sessionsOf([response({ time: at("2026-11-26T17:00:00Z") }), err])[0]!;
      expect(v.apiErrorLast).toBe(true);
      expect(v.lastApiError).toEqual({ time: at("2026-11-26T17:10:00Z"), status: 529, message: "API Error: 529 overloaded" });
    });

    test("is false again after a later response, which keeps the last error for reference", () => {
      const v = sessionsOf([response({ time: at("2026-11-26T17:00:00Z") }), err, response({ time: at("2026-11-26T17:20:00Z") })])[0]!;
      expect(v.apiErrorLast).toBe(false);
      expect(v.lastApiError?.time).toBe(at("2026-11-26T17:10:00Z"));
    });

    test("is false when an older error arrives after a newer response", () => {
      expect(sessionsOf([response({ time: at("2026-11-26T17:20:00Z") }), err])[0]!.apiErrorLast).toBe(false);
    });

    test("is false once the user typed a new prompt after the error", () => {
      expect(
        sessionsOf([response({ time: at("2026-11-26T17:00:00Z") }), err, prompt({ key: "p-after", time: at("2026-11-26T17:12:00Z") })])[0]!.apiErrorLast,
      ).toBe(false);
    });

    test("is false for a session without errors", () => {
      const v = sessionsOf([response({ time: NOW - MIN })])[0]!;
      expect(v.apiErrorLast).toBe(false);
      expect(v.lastApiError).toBeNull();
    });
  });
});

describe("counts", () => {
  test("prompts, tool calls, tool errors and rejections, API errors and retries in the window", () => {
    const out = NOW - 13 * HOUR;
    const events = [
      prompt({ time: NOW - HOUR }),
      prompt({ time: NOW - 2 * HOUR }),
      prompt({ time: out }),
      toolCall({ key: "t1" }),
      toolCall({ key: "t2" }),
      toolCall({ key: "t3" }),
      toolCall({ key: "t4" }),
      toolCall({ key: "t0", time: out }),
      toolResult({ key: "t1", outcome: "ok" }),
      toolResult({ key: "t2", outcome: "error" }),
      toolResult({ key: "t2", outcome: "error" }), // the same result read twice
      toolResult({ key: "t3", outcome: "error" }),
      toolResult({ key: "t4", outcome: "rejected" }),
      toolResult({ key: "t0", outcome: "error", time: out }),
      apiError({ retry: true }),
      apiError({ retry: true }),
      apiError({ retry: false }),
      apiError({ retry: true, time: out }),
    ];
    expect(view(events).counts).toEqual({ prompts: 2, toolCalls: 4, toolErrors: 2, toolRejections: 1, apiErrors: 1, apiRetries: 2 });
  });
});

describe("rejected lines", () => {
  test("a rejected line is counted once per file and line", () => {
    const s = createState();
    expect(reduce(s, rejected("/p/a.jsonl", 3))).toBe(true);
    expect(reduce(s, rejected("/p/a.jsonl", 3))).toBe(false);
    expect(reduce(s, rejected("/p/a.jsonl", 4))).toBe(true);
    expect(reduce(s, rejected("/p/b.jsonl", 3))).toBe(true);
    expect(s.rejected.count).toBe(3);
    expect(s.rejected.samples).toEqual([
      { file: "/p/a.jsonl", line: 3, reason: "not JSON" },
      { file: "/p/a.jsonl", line: 4, reason: "not JSON" },
      { file: "/p/b.jsonl", line: 3, reason: "not JSON" },
    ]);
  });

  test("the count keeps going but the samples stop at the cap", () => {
    const s = createState();
    const n = MAX_REJECTED_SAMPLES + 25;
    for (let i = 1; i <= n; i++) reduce(s, rejected("/p/junk.jsonl", i));
    for (let i = 1; i <= n; i++) reduce(s, rejected("/p/junk.jsonl", i));
    expect(s.rejected.count).toBe(n);
    expect(s.rejected.samples.length).toBe(MAX_REJECTED_SAMPLES);
    expect(s.rejected.samples[0]!.line).toBe(1);
    expect(s.rejected.samples[MAX_REJECTED_SAMPLES - 1]!.line).toBe(MAX_REJECTED_SAMPLES);
  });
});
