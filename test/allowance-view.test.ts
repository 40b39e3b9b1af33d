// The ALLOWANCE view model and panel: the freshest official figure of each limit wins and names its source (Claude
// Code's status line, recorded in the store; claude.ai, this run's answer or a recorded one), a window that has reset
// falls back, and without either the estimate from the transcripts (5-hour blocks, burn rate, the limit last seen),
// always marked as one. Last good numbers survive a failure with their age, the projection is shown only when honest,
// gauge colours follow the thresholds, and what the panel, the popup and the badge show. The live loop records the
// usage endpoint's answers in the store.
import { describe, expect, test } from "bun:test";
import type { AllowanceFetched, ModelEvent } from "../src/model/events.ts";
import { currentBlock, endpointFigures, selectAllowance, type AllowanceView } from "../src/model/allowance-view.ts";
import { createState, reduce, type ModelState } from "../src/model/state.ts";
import type { LimitSeen } from "../src/model/queries.ts";
import type { StoreQueries } from "../src/ingest/store-query.ts";
import { appOf, HOUR, MIN, NOW, queriesOf, response, SEC } from "./builders.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { HitMap } from "../src/ui/hits.ts";
import { theme } from "../src/ui/theme.ts";
import { allowanceBadge, countdown, drawAllowance, gaugeColor, resetLabel } from "../src/ui/widgets/allowance.ts";
import { drawAllowancePopup } from "../src/ui/widgets/allowance-popup.ts";
import { LiveLoop } from "../src/ui/live-loop.ts";

process.env.TZ = "UTC";

/** A response of Opus 4.6 that cost `dollars` (40,000 output tokens are $1), `minutesAgo` before NOW. */
function spend(minutesAgo: number, dollars: number): ModelEvent {
  return response({ time: NOW - minutesAgo * MIN, usage: { output: dollars * 40_000 } });
}

/** No usage stored. */
const none = (): StoreQueries => queriesOf([]);

const fetched = (percent: number, resetsInMin: number | null, time = NOW - MIN): AllowanceFetched => ({
  type: "AllowanceFetched",
  time,
  limits: [
    { kind: "weekly", percent: 20, resetsAt: NOW + 3 * 24 * 60 * MIN },
    { kind: "session", percent, resetsAt: resetsInMin === null ? null : NOW + resetsInMin * MIN },
  ],
});

/** A figure as the store records it. */
function seen(kind: string, o: { ago: number; percent: number; resetsIn: number | null; origin?: LimitSeen["origin"] }): LimitSeen {
  return {
    kind,
    time: NOW - o.ago,
    percent: o.percent,
    resetsAt: o.resetsIn === null ? null : NOW + o.resetsIn,
    origin: o.origin ?? "statusline",
    sessionId: null,
  };
}

function stateOf(...events: ModelEvent[]): ModelState {
  const s = createState();
  for (const e of events) reduce(s, e);
  return s;
}

function panel(v: AllowanceView, w = 44, h = 14): string {
  const g = new CellGrid(w, h);
  drawAllowance(g, { x: 0, y: 0, w, h }, v, NOW, 0, new HitMap());
  return g.toPlain();
}

/** The panel's text as one line (wrapped lines joined), to look for phrases. */
const flat = (text: string) =>
  text
    .split("\n")
    .map((l) => l.replace(/[│╭╮╰╯─]/g, " ").trim())
    .join(" ")
    .replace(/\s+/g, " ");

describe("where the numbers come from", () => {
  test("claude.ai: limits in order (5-hour first) with labels; a failure keeps the last good numbers and their time", () => {
    const s = stateOf(fetched(40, 120), {
      type: "AllowanceFailed",
      time: NOW,
      problem: "rate-limited",
      message: "rate-limited (HTTP 429)",
      retryAt: NOW + 5 * MIN,
    });
    const v = selectAllowance(s, none(), NOW, true);
    expect(v.status).toBe("ok");
    expect(v.source).toBe("endpoint");
    expect(v.sourceLabel).toBe("from claude.ai");
    expect(v.limits.map((l) => [l.label, l.origin])).toEqual([
      ["5-hour", "endpoint"],
      ["weekly", "endpoint"],
    ]);
    expect(v.fetchedAt).toBe(NOW - MIN);
    expect(v.problem?.retryAt).toBe(NOW + 5 * MIN);
    expect(v.estimate).toBeNull();
    expect(flat(panel(v))).toContain("from claude.ai, 1m ago");
    reduce(s, fetched(41, 119, NOW + MIN)); // a success clears the problem
    expect(selectAllowance(s, none(), NOW + MIN, true).problem).toBeNull();
  });

  test("an older answer arriving late changes nothing", () => {
    const s = stateOf(fetched(40, 120, NOW));
    expect(reduce(s, fetched(10, 120, NOW - 10 * MIN))).toBe(false);
    expect(selectAllowance(s, none(), NOW, true).limits[0]!.percent).toBe(40);
  });

  test("a status-line figure fresher than claude.ai's wins, kind by kind; one claude.ai alone gives is still shown", () => {
    const q = none();
    q.store.recordLimits(
      [seen("session", { ago: 40 * SEC, percent: 55, resetsIn: 100 * MIN }), seen("weekly", { ago: 40 * SEC, percent: 22, resetsIn: 3 * 24 * HOUR })],
      true,
    );
    const s = stateOf({
      ...fetched(40, 100, NOW - 5 * MIN),
      limits: [...fetched(40, 100).limits, { kind: "weekly_opus", percent: 9, resetsAt: NOW + 3 * 24 * HOUR }],
    });
    const v = selectAllowance(s, q, NOW, true);
    expect(v.source).toBe("statusline");
    expect(v.sourceLabel).toBe("from Claude Code's status line");
    expect(v.fetchedAt).toBe(NOW - 40 * SEC);
    expect(v.limits.map((l) => [l.kind, l.percent, l.origin])).toEqual([
      ["session", 55, "statusline"],
      ["weekly", 22, "statusline"],
      ["weekly_opus", 9, "endpoint"],
    ]);
    expect(flat(panel(v))).toContain("from Claude Code's status line, 40s ago");
    expect(allowanceBadge(v)).toBe("5h 55% · wk 22% · status line");
  });

  test("claude.ai's figure fresher than the status line's wins: this run's answer, or one another run recorded", () => {
    const q = none();
    q.store.recordLimits([seen("session", { ago: 10 * MIN, percent: 30, resetsIn: 100 * MIN })], true);
    const v = selectAllowance(stateOf(fetched(35, 100, NOW - MIN)), q, NOW, true);
    expect([v.source, v.limits[0]!.percent, v.fetchedAt]).toEqual(["endpoint", 35, NOW - MIN]);
    expect(allowanceBadge(v)).toBe("5h 35% · wk 20% · claude.ai");
    // no answer in this run: the recorded claude.ai figure (newer than the status line's) is shown as claude.ai's
    q.store.recordLimits([seen("session", { ago: 2 * MIN, percent: 33, resetsIn: 100 * MIN, origin: "endpoint" })], true);
    const w = selectAllowance(createState(), q, NOW, false);
    expect([w.status, w.source, w.limits[0]!.percent, w.fetchedAt]).toEqual(["ok", "endpoint", 33, NOW - 2 * MIN]);
    expect(flat(panel(w))).toContain("from claude.ai, 2m ago");
  });

  test("a figure whose window has reset is not current: the next source, else the estimate", () => {
    const q = queriesOf([spend(10, 1)]);
    q.store.recordLimits([seen("session", { ago: 6 * MIN, percent: 90, resetsIn: -MIN })], true);
    const s = stateOf(fetched(12, 200, NOW - 20 * MIN));
    const v = selectAllowance(s, q, NOW, true);
    expect([v.source, v.limits[0]!.percent]).toEqual(["endpoint", 12]);
    // at the endpoint's 5-hour reset too, the 5-hour part is the estimate, beside the weekly figure that is still
    // current (each named); past every reset, the estimate alone
    const later = selectAllowance(s, q, NOW + 200 * MIN, true);
    expect([later.status, later.source, later.limits.map((l) => l.kind), later.fetchedAt]).toEqual(["ok", "estimate", ["weekly"], NOW - 20 * MIN]);
    expect(later.estimate).not.toBeNull();
    const g = new CellGrid(44, 16);
    drawAllowance(g, { x: 0, y: 0, w: 44, h: 16 }, later, NOW + 200 * MIN, 0, new HitMap());
    expect(flat(g.toPlain())).toContain("estimate from transcripts weekly");
    expect(flat(g.toPlain())).toContain("from claude.ai, 3h 40m ago");
    // (the block 17:00–22:00 holds the $1 of 17:50, which was 90 % when the status line last showed the 5-hour figure)
    expect(allowanceBadge(later)).toBe("5h ~90% · wk 20% · estimate");
    const w = selectAllowance(s, q, NOW + 4 * 24 * HOUR, true);
    expect([w.status, w.source, w.limits.length]).toEqual(["estimate", "estimate", 0]);
    // a figure without a reset time is current for one window's length from when it was seen
    const r = none();
    r.store.recordLimits([seen("session", { ago: 4 * HOUR, percent: 10, resetsIn: null })], true);
    expect(selectAllowance(createState(), r, NOW, true).limits.map((l) => l.percent)).toEqual([10]);
    expect(selectAllowance(createState(), r, NOW + HOUR, true).source).toBe("estimate");
  });

  test("neither: the estimate from the transcripts, labelled as one, numbers marked ~", () => {
    const v = selectAllowance(createState(), queriesOf([spend(100, 2), spend(10, 1.5)]), NOW, true);
    expect([v.status, v.source, v.sourceLabel, v.fetchedAt]).toEqual(["waiting", "estimate", "estimate from transcripts", null]);
    expect(v.estimate).not.toBeNull();
    const text = flat(panel(v));
    expect(text).toContain("~$3.50 spent since 16:00");
    expect(text).toContain("estimate from transcripts");
    expect(text).toContain("asking claude.ai for your limits…");
    expect(allowanceBadge(v)).toBe("5h ~$3.50 · estimate");
  });
});

describe("the estimate", () => {
  // 08:00 and 10:00 ($1, $2): a block 08:00–13:00; 15:20 after 5 h 20 min without a response: a block from 15:00.
  const events = [spend(600, 1), spend(480, 2), spend(160, 2), spend(80, 3), spend(15, 1.5)];
  // the 5-hour figure last seen: 20 % at 13:00 of the window 09:00–14:00 (reset since), in which $2 was spent
  const lastSeen = seen("session", { ago: 5 * HOUR, percent: 20, resetsIn: -4 * HOUR });

  test("block, burn, cost so far and by the block's end, the limit last seen and when this pace reaches it", () => {
    const q = queriesOf(events);
    q.store.recordLimits([lastSeen], true);
    const e = selectAllowance(createState(), q, NOW, false).estimate!;
    expect([e.blockStart, e.blockEnd]).toEqual([NOW - 3 * HOUR, NOW + 2 * HOUR]);
    expect(e.blockCostUSD).toBeCloseTo(6.5, 6);
    expect(e.burnUSDPerHour).toBeCloseTo(3, 6); // $1.50 in the last 30 minutes
    expect(e.burnSpanMs).toBe(30 * MIN);
    expect(e.projectedUSD!).toBeCloseTo(6.5 + 3 * 2, 6);
    expect(e.limitUSD!).toBeCloseTo(10, 6); // $2 was 20 %
    expect(e.limitSeen).toEqual({ time: NOW - 5 * HOUR, percent: 20, origin: "statusline" });
    expect(e.percent!).toBeCloseTo(65, 6);
    expect(e.limitAt!).toBeCloseTo(NOW + (3.5 / 3) * HOUR, -1); // $3.50 to go at $3 an hour: 19:10
    const v = selectAllowance(createState(), q, NOW, false);
    const text = flat(panel(v, 44, 16));
    for (const s of [
      "5-hour ",
      "~65%",
      "block 15:00–20:00",
      "~$6.50 spent since 15:00",
      "~$12.50 by 20:00 at this pace",
      "~$3.00/h burn, last 30 min",
      "5-hour limit ~19:10 at this pace",
      "estimate from transcripts",
    ])
      expect(text).toContain(s);
    expect(allowanceBadge(v)).toBe("5h ~65% · estimate");
  });

  test("this run's claude.ai answer counts as the limit last seen when it is the newest 5-hour figure", () => {
    const q = queriesOf(events);
    q.store.recordLimits([lastSeen], true);
    // 5 % at 17:00 of the window 14:00–19:00 ($5 spent by then), and the window has since been said to reset
    const s = stateOf({ type: "AllowanceFetched", time: NOW - HOUR, limits: [{ kind: "session", percent: 50, resetsAt: NOW - MIN }] });
    const e = selectAllowance(s, q, NOW, true).estimate!;
    expect(e.limitSeen?.origin).toBe("endpoint");
    expect(e.limitUSD!).toBeCloseTo(10, 6); // $5 was 50 %
  });

  test("a limit only when honest: 5 % or more, and something spent in that window; a reach only before the block ends", () => {
    const q = queriesOf(events);
    q.store.recordLimits([{ ...lastSeen, percent: 4 }], true);
    expect(selectAllowance(createState(), q, NOW, false).estimate!.limitUSD).toBeNull();
    const r = queriesOf(events.slice(2)); // nothing spent in 09:00–13:00
    r.store.recordLimits([lastSeen], true);
    expect(selectAllowance(createState(), r, NOW, false).estimate).toMatchObject({ limitUSD: null, percent: null, limitAt: null });
    const t = queriesOf(events);
    t.store.recordLimits([{ ...lastSeen, percent: 10 }], true); // a $20 limit: $13.50 to go takes 4.5 h, past 20:00
    expect(selectAllowance(createState(), t, NOW, false).estimate).toMatchObject({ limitAt: null });
    expect(selectAllowance(createState(), t, NOW, false).estimate!.percent!).toBeCloseTo(32.5, 6);
  });

  test("blocks chain without a gap: the next response at or after a block's end starts the next, on its hour", () => {
    // every 40 minutes from 09:20 to 17:20: 09:00–14:00, then 14:40 → 14:00–19:00
    const q = queriesOf(Array.from({ length: 13 }, (_, i) => spend(520 - 40 * i, 0.1)));
    expect(currentBlock(q, NOW)).toMatchObject({ start: NOW - 4 * HOUR, end: NOW + HOUR });
  });

  test("blocks to the millisecond: a response on the hour after a gap, and one at exactly a block's end or just before", () => {
    const at = (t: number) => response({ time: t, usage: { output: 40_000 } }); // $1
    const block = (q: StoreQueries, now: number) => {
      const b = currentBlock(q, now);
      return b && { start: b.start, costUSD: Math.round(b.costUSD * 100) / 100 };
    };
    // 10:00:00.000 after 6 h without a response: a block from 10:00, not from 09:00 (its quarter hour is 09:45–10:00)
    expect(block(queriesOf([at(NOW - 14 * HOUR), at(NOW - 8 * HOUR), at(NOW - 6 * HOUR)]), NOW - 4 * HOUR)).toEqual({ start: NOW - 8 * HOUR, costUSD: 2 });
    // a response at exactly the end of the block 09:00–14:00 starts the next at 14:00; a millisecond before, it does not
    expect(block(queriesOf([at(NOW - 9 * HOUR + MIN), at(NOW - 4 * HOUR)]), NOW)).toEqual({ start: NOW - 4 * HOUR, costUSD: 1 });
    expect(block(queriesOf([at(NOW - 9 * HOUR + MIN), at(NOW - 4 * HOUR - 1)]), NOW - 4 * HOUR - 1)).toEqual({ start: NOW - 9 * HOUR, costUSD: 2 });
  });

  test("blocks agree with the rule applied to every response's exact time (random days)", () => {
    const rule = (times: number[], now: number) => {
      let start: number | null = null;
      let last = 0;
      for (const t of [...times].filter((t) => t > now - 3 * 24 * HOUR && t <= now).sort((a, b) => a - b)) {
        if (start === null || t >= start + 5 * HOUR || t - last >= 5 * HOUR) start = Math.floor(t / HOUR) * HOUR;
        last = t;
      }
      return start !== null && now < start + 5 * HOUR ? start : null;
    };
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 60; round++) {
      const times: number[] = [];
      let t = NOW - 4 * 24 * HOUR;
      while (t < NOW) {
        t += rand() < 0.2 ? Math.floor(rand() * 8 * HOUR) : Math.floor(rand() * 40 * MIN);
        // (some on a quarter hour or an hour exactly, where the quarter-hour sums are blurred)
        const r = rand();
        times.push(r < 0.1 ? Math.round(t / HOUR) * HOUR : r < 0.2 ? Math.round(t / (15 * MIN)) * 15 * MIN : t);
      }
      const q = queriesOf(times.map((x) => response({ time: x, usage: { output: 40 } })));
      for (const now of [NOW, NOW - 3 * HOUR - 7 * MIN, NOW - 26 * HOUR]) expect(currentBlock(q, now)?.start ?? null).toBe(rule(times, now));
    }
  });

  test("no block running when the last one has ended: said, and nothing projected", () => {
    const v = selectAllowance(createState(), queriesOf([spend(400, 2)]), NOW, false);
    expect(v.estimate).toMatchObject({ blockStart: null, blockEnd: null, blockCostUSD: 0, projectedUSD: null, burnUSDPerHour: 0 });
    expect(flat(panel(v))).toContain("no 5-hour block running");
    expect(allowanceBadge(v)).toBeNull();
    expect(currentBlock(none(), NOW)).toBeNull();
  });
});

describe("--no-allowance and no credentials: never empty, never off", () => {
  test("--no-allowance: the status line's figure when recorded, else the estimate", () => {
    const q = queriesOf([spend(10, 1)]);
    const v = selectAllowance(createState(), q, NOW, false);
    expect([v.status, v.source, v.endpointAsked]).toEqual(["estimate", "estimate", false]);
    const text = flat(panel(v));
    expect(text).not.toContain("off");
    expect(text).toContain("estimate from transcripts");
    expect(text).not.toContain("asking claude.ai");
    q.store.recordLimits([seen("session", { ago: 40 * SEC, percent: 55, resetsIn: 100 * MIN })], true);
    const w = selectAllowance(createState(), q, NOW, false);
    expect([w.status, w.source]).toEqual(["ok", "statusline"]);
    expect(flat(panel(w))).toContain("from Claude Code's status line, 40s ago");
  });

  test("no credentials: the status line's figure when recorded (the sign-in note only in the popup), else the estimate and the note", () => {
    const noCreds: ModelEvent = {
      type: "AllowanceFailed",
      time: NOW,
      problem: "no-credentials",
      message: "sign in with `claude` to see your allowance",
      retryAt: null,
    };
    const q = queriesOf([spend(10, 1)]);
    const v = selectAllowance(stateOf(noCreds), q, NOW, true);
    expect([v.status, v.source, v.problem?.problem]).toEqual(["problem", "estimate", "no-credentials"]);
    expect(flat(panel(v))).toContain("estimate from transcripts");
    expect(flat(panel(v))).toContain("sign in with `claude`");
    q.store.recordLimits([seen("session", { ago: 40 * SEC, percent: 55, resetsIn: 100 * MIN })], true);
    const w = selectAllowance(stateOf(noCreds), q, NOW, true);
    expect([w.status, w.source]).toEqual(["ok", "statusline"]);
    expect(flat(panel(w))).not.toContain("sign in");
    const g = new CellGrid(90, 40);
    drawAllowancePopup(g, w, NOW);
    expect(flat(g.toPlain())).toContain("sign in with `claude`");
  });

  test("waiting for claude.ai with a recorded figure shows the recorded figure", () => {
    const q = none();
    q.store.recordLimits([seen("session", { ago: 3 * HOUR, percent: 70, resetsIn: 30 * MIN, origin: "endpoint" })], true);
    const v = selectAllowance(createState(), q, NOW, true);
    expect([v.status, v.source, v.limits[0]!.percent]).toEqual(["ok", "endpoint", 70]);
    expect(flat(panel(v))).not.toContain("asking claude.ai");
  });
});

describe("the projection of an official figure (dollars at the last 30 minutes' pace)", () => {
  test("50 % used by $2 in its window, burning $2 an hour: the other $2 last 1 h", () => {
    const q = queriesOf([spend(90, 1), spend(20, 1)]); // last 30 minutes: $1
    expect(selectAllowance(stateOf(fetched(50, 180)), q, NOW, true).projectedLimitAt).toBe(NOW + HOUR);
  });

  test("none when it would not be honest: little use, no recent burn, or the window resets first", () => {
    expect(selectAllowance(stateOf(fetched(50, 180)), queriesOf([spend(90, 1)]), NOW, true).projectedLimitAt).toBeNull(); // nothing in the last 30 min
    const q = queriesOf([spend(90, 1), spend(20, 1)]);
    expect(selectAllowance(stateOf(fetched(3, 180, NOW)), q, NOW, true).projectedLimitAt).toBeNull(); // 3 % is too little to extrapolate
    expect(selectAllowance(stateOf(fetched(50, 50, NOW)), q, NOW, true).projectedLimitAt).toBeNull(); // resets in 50 min, before the hour
  });
});

describe("the panel, the popup and the badge", () => {
  test("gauge colours: green ≤70, yellow ≤80, amber ≤90, red ≤95, flashing above", () => {
    expect(gaugeColor(70, 0)).toEqual(theme.ok);
    expect(gaugeColor(71, 0)).toEqual(theme.warn);
    expect(gaugeColor(85, 0)).toEqual(theme.amber);
    expect(gaugeColor(95, 0)).toEqual(theme.error);
    expect(gaugeColor(96, 0)).not.toEqual(gaugeColor(96, 500));
  });

  test("reset labels: a time today, a weekday and time later; countdowns in m:ss", () => {
    expect(resetLabel(Date.parse("2026-11-26T19:40:00Z"), NOW)).toBe("resets 19:40");
    expect(resetLabel(Date.parse("2026-12-01T14:00:00Z"), NOW)).toBe("resets Tue 14:00");
    expect(countdown(4 * MIN + 12_000)).toBe("4:12");
  });

  test("draws gauges, the source and its age, the problem with its retry countdown; the panel is clickable", () => {
    const s = stateOf(fetched(62, 100), { type: "AllowanceFailed", time: NOW, problem: "server", message: "api failed (HTTP 503)", retryAt: NOW + 5 * MIN });
    const g = new CellGrid(44, 14);
    const hits = new HitMap();
    drawAllowance(g, { x: 0, y: 0, w: 44, h: 14 }, selectAllowance(s, none(), NOW, true), NOW, 0, hits);
    const text = g.toPlain();
    expect(text).toContain("5-hour");
    expect(text).toContain("62%");
    expect(text).toContain("resets 19:40");
    expect(text).toContain("from claude.ai, 1m ago");
    expect(text).toContain("retry in 5:00");
    expect(hits.at(5, 5)).toEqual({ type: "allowance" });
  });

  test("the popup: every limit with its source, the three sources with the one in use marked, the last problem word for word, as tall as that", () => {
    const q = none();
    q.store.recordLimits([seen("session", { ago: 40 * SEC, percent: 64, resetsIn: 100 * MIN })], true);
    const long = "the usage endpoint answered 503 Service Unavailable: upstream connect error or disconnect/reset before headers, retried too many times";
    const s = stateOf(fetched(62, 100), { type: "AllowanceFailed", time: NOW, problem: "server", message: long, retryAt: NOW + 5 * MIN });
    const g = new CellGrid(90, 40);
    drawAllowancePopup(g, selectAllowance(s, q, NOW, true), NOW);
    const rows = g
      .toPlain()
      .split("\n")
      .map((l) => [...l]);
    const top = rows.findIndex((r) => r.join("").includes("╭─ ALLOWANCE"));
    const left = rows[top]!.indexOf("╭");
    const right = rows[top]!.lastIndexOf("╮");
    const bottom = rows.findIndex((r, y) => y > top && r[left] === "╰");
    for (let y = top + 1; y < bottom; y++) expect(rows[y]![right]).toBe("│");
    const body = rows.slice(top + 1, bottom).map((r) =>
      r
        .slice(left + 1, right)
        .join("")
        .trim(),
    );
    expect(body.join(" ")).toContain(long); // every word, in order, across the wrapped lines
    expect(body[0]).toBe("source        from Claude Code's status line, 40s ago (17:59)");
    expect(body.find((l) => l.startsWith("5-hour"))).toMatch(/^5-hour +64\.0% +resets 19:40 +status line, 40s ago$/);
    expect(body.find((l) => l.startsWith("weekly"))).toMatch(/^weekly +20\.0% +resets Sun 18:00 +claude\.ai, 1m ago$/);
    expect(body.filter((l) => l.startsWith("▸ ")).map((l) => l.slice(2, 30))).toEqual(["Claude Code's status line: t"]);
    expect(body.filter((l) => l.startsWith("· ")).length).toBe(2);
    expect(body.at(-1)).toBe("next try in 5:00 (18:05)"); // no blank rows below the last line
  });

  test("the popup explains the estimate's workings", () => {
    const q = queriesOf([spend(600, 1), spend(480, 2), spend(160, 2), spend(80, 3), spend(15, 1.5)]);
    q.store.recordLimits([seen("session", { ago: 5 * HOUR, percent: 20, resetsIn: -4 * HOUR })], true);
    const g = new CellGrid(100, 40);
    drawAllowancePopup(g, selectAllowance(createState(), q, NOW, false), NOW);
    const text = flat(g.toPlain());
    for (const s of [
      "source estimate from transcripts",
      "5-hour block 15:00–20:00",
      "spent ~$6.50 so far · ~$12.50 by 20:00 at this pace",
      "burn ~$3.00/h over the last 30 minutes",
      "5-hour limit ~$10.00, from the 20% the status line showed at 13:00 · ~65% used",
      "projection 5-hour limit ~19:10 at this pace",
      "claude.ai is not asked (--no-allowance)",
      "▸ estimate from transcripts:",
    ])
      expect(text).toContain(s);
  });
});

describe("recording", () => {
  test("the live loop records the usage endpoint's answers in the store the dashboard reads, as claude.ai's", () => {
    const app = appOf([], { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true });
    const answer = fetched(62, 100, NOW - MIN);
    const events: ModelEvent[] = [answer];
    const client = { tick: async () => {}, fetchProfile: async () => {}, fetchNow: async () => {} };
    const loop = new LiveLoop(
      app,
      { source: null, allowance: { client, events }, fps: 0, intervalSeconds: 60, pinnedNow: NOW, statusLine: () => null },
      (e) => {
        throw e;
      },
    );
    loop.beforeFrame();
    expect(events).toEqual([]);
    expect(app.q.latestLimits().sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(endpointFigures(answer).sort((a, b) => a.kind.localeCompare(b.kind)));
    expect(app.state.allowance.last?.time).toBe(NOW - MIN); // and the model has it too
  });
});
