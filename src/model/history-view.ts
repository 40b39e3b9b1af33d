// The HISTORY view model: a week (by default) of usage from the same state as LIVE — the three charts, effective
// tokens by model family, a summary with cost and cache-hit rate, and an activity heatmap of local weekday ×
// hour. Pure: `now` and the time zone are arguments; zone arithmetic goes through Intl, memoised per 15 minutes.
import { type Family, priceCell } from "./pricing.ts";
import { addCell, bucketsOf, familyBuckets, type Bucket, type Counts, type UsageQueries } from "./queries.ts";
import type { Window } from "./selectors.ts";
import { emptyTotals, type Totals } from "./state.ts";
import { effectiveTokens } from "./tokens.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;

export const FAMILIES: readonly Family[] = ["opus", "sonnet", "haiku", "other"];

interface HistoryOptions {
  now: number;
  /** span in hours (ignored when `bucketMinutes` and `columns` fix it). */
  hours: number;
  bucketMinutes: number;
  /** IANA zone for the heatmap and day labels; undefined: the system's. */
  timeZone?: string;
  /** USD per Mtok replacing every model's base input price. */
  priceOverride?: number;
}

export interface HeatCell {
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  hour: number;
  effectiveTokens: number;
  responses: number;
  costUSD: number;
}

export interface HistoryView {
  now: number;
  window: Window;
  buckets: Bucket[];
  /** effective tokens per model family, one value per bucket. */
  families: Record<Family, number[]>;
  familyTotals: Record<Family, number>;
  totals: Totals;
  counts: Counts;
  /** cache read ÷ all input (uncached + writes + reads), 0..1; null without input. */
  cacheHitRate: number | null;
  /** responses of models the price table does not know (priced by family). */
  estimatedResponses: number;
  /** 7 × 24 cells, Monday first. */
  heatmap: HeatCell[];
}

/** Round bucket sizes for a long window, smallest first. */
/** Bucket sizes HISTORY chooses from: multiples of the store's quarter-hour sums, close enough together that the
 *  chosen size's buckets fill most of the chart (the chart stretches them over the rest). */
const HISTORY_BUCKETS = [15, 30, 45, 60, 75, 90, 105, 120, 150, 180, 240, 300, 360, 480, 720, 1440, 2880, 10080];

/** The smallest bucket size whose buckets fit in `columns` (the window keeps its span). */
export function historyBucketMinutes(hours: number, columns: number): number {
  const need = (hours * 60) / Math.max(1, columns);
  return HISTORY_BUCKETS.find((m) => m >= need) ?? HISTORY_BUCKETS[HISTORY_BUCKETS.length - 1]!;
}

/** The heatmap's slots: every zone offset in use is a multiple of 15 minutes, so a slot is in one local hour. */
const QUARTER = 15 * MIN;

export function selectHistory(q: UsageQueries, o: HistoryOptions): HistoryView {
  const window: Window = { from: o.now - o.hours * HOUR, to: o.now, bucketMinutes: o.bucketMinutes };
  const cells = q.cells(window.from, window.to, o.bucketMinutes * MIN);
  const buckets = bucketsOf(cells, window.from, window.to, o.bucketMinutes);
  const families = familyBuckets(
    cells,
    buckets.map((b) => b.start),
    o.bucketMinutes,
  );
  const familyTotals = Object.fromEntries(FAMILIES.map((f) => [f, 0])) as Record<Family, number>;
  const totals = emptyTotals();
  let estimated = 0;
  for (const c of cells) {
    const p = addCell(totals, c, o.priceOverride); // (its family and whether an estimate: the same at any override)
    if (p.estimated) estimated += c.responses;
    familyTotals[p.family] += effectiveTokens(c.usage);
  }
  const heat: HeatCell[] = [];
  for (let d = 0; d < 7; d++) for (let h = 0; h < 24; h++) heat.push({ weekday: d, hour: h, effectiveTokens: 0, responses: 0, costUSD: 0 });
  const zone = zoneOf(o.timeZone);
  for (const c of q.cells(window.from, window.to, QUARTER)) {
    const { weekday, hour } = zone(c.start);
    const cell = heat[weekday * 24 + hour]!;
    cell.effectiveTokens += effectiveTokens(c.usage);
    cell.responses += c.responses;
    cell.costUSD += priceCell(c, o.priceOverride).usd;
  }
  const input = totals.uncached + totals.cacheWrite5m + totals.cacheWrite1h + totals.cacheRead;
  return {
    now: o.now,
    window,
    buckets,
    families,
    familyTotals,
    totals,
    counts: q.counts(window.from, window.to),
    cacheHitRate: input > 0 ? totals.cacheRead / input : null,
    estimatedResponses: estimated,
    heatmap: heat,
  };
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const zones = new Map<string, (t: number) => LocalTime>();

/**
 * Local weekday (Monday = 0) and hour of an instant in a zone. Every zone offset in use is a multiple of 15
 * minutes, so the answer is the same for a whole UTC quarter-hour: it is computed once per quarter-hour.
 */
interface LocalTime {
  weekday: number;
  hour: number;
  /** day of the month. */
  day: number;
}

export function zoneOf(timeZone: string | undefined): (t: number) => LocalTime {
  const key = timeZone ?? "";
  const hit = zones.get(key);
  if (hit) return hit;
  const fmt = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "numeric", day: "numeric", hourCycle: "h23" });
  const memo = new Map<number, LocalTime>();
  const f = (t: number) => {
    const q = Math.floor(t / (15 * MIN));
    let v = memo.get(q);
    if (!v) {
      let weekday = 0;
      let hour = 0;
      let day = 1;
      for (const p of fmt.formatToParts(q * 15 * MIN)) {
        if (p.type === "weekday") weekday = WEEKDAYS[p.value] ?? 0;
        else if (p.type === "hour") hour = Number(p.value) % 24;
        else if (p.type === "day") day = Number(p.value);
      }
      v = { weekday, hour, day };
      if (memo.size > 100_000) memo.clear();
      memo.set(q, v);
    }
    return v;
  };
  zones.set(key, f);
  return f;
}

export const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** X-axis ticks for a long window: the weekday and date at each local midnight, and noon where there is room. */
export function dayTicks(
  starts: readonly number[],
  bucketMinutes: number,
  zone: (t: number) => LocalTime,
  columnsPerBucket: number,
): { index: number; label: string }[] {
  const ticks: { index: number; label: string }[] = [];
  const size = bucketMinutes * MIN;
  const perDay = (1440 / bucketMinutes) * columnsPerBucket;
  starts.forEach((t, i) => {
    const here = zone(t);
    const before = zone(t - size);
    if (here.day !== before.day) ticks.push({ index: i, label: `${WEEKDAY_NAMES[here.weekday]} ${here.day}` });
    else if (perDay >= 24 && here.hour >= 12 && before.hour < 12) ticks.push({ index: i, label: "12:00" });
  });
  return ticks;
}

/** A zone name Intl accepts, or null. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
