// The rollups: responses summed per 15 minutes, model and rate class (`cells`), and prompts, tool calls, tool errors,
// rejections, API errors and retries counted per 15 minutes (`tallies`), so that a long span is read from a few
// thousand rows instead of every fact. Each write of facts changes them in the same transaction (so they always
// match the facts), except a write too large to follow response by response: that marks them stale, to be rebuilt.
import type { Usage } from "../model/events.ts";
import type { RateClass } from "../model/pricing.ts";
import type { SqlDatabase } from "../sqlite.ts";

/** The rollup's slot: 15 minutes (every zone offset in use is a multiple of it, so a slot is in one local hour). */
export const CELL_MS = 15 * 60_000;
/**
 * The quarter hour a time belongs to. Slots, like windows, include their end and not their start (slot k holds
 * k·15 min < time <= (k+1)·15 min), so a window whose ends fall on quarter hours is whole slots, and a day in a
 * report is the same span as the window from its midnight to the next.
 */
const slotOf = (time: number): number => Math.floor((time - 1) / CELL_MS);
/** A write with more responses than this marks the rollup for a rebuild instead of updating it response by response. */
export const ROLLUP_BULK = 2000;
/** A first fill holds at most this many rollup cells' changes before writing them. */
const HELD_CELLS = 100_000;

/** One response's part of a rollup cell, added (sign 1) or taken away (-1). */
interface CellDelta {
  slot: number;
  model: number;
  cls: RateClass;
  d: number[];
}

/** The rollups of one connection, and the changes the current write makes to them. */
export class Rollup {
  /** rollup changes of the current transaction, or null when the rollup is being rebuilt instead. */
  private deltas: Map<string, CellDelta> | null = null;
  /** the same for the tallies: per slot, prompts, tool calls, tool errors, rejections, API errors, retries. */
  private tallyDeltas: Map<number, number[]> | null = null;
  /** in a first fill that sums its rollup changes to the end (or the next commit): the sums so far. */
  private held: { deltas: Map<string, CellDelta>; tallies: Map<number, number[]> } | null = null;

  /** `changed` is called after a rebuild (the store's version: see UsageStore.version). */
  constructor(
    private readonly db: SqlDatabase,
    private readonly changed: () => void,
  ) {}

  /** Starts following a write's changes (`bulk`: too many to follow, the rollup is marked stale instead). */
  begin(bulk: boolean): void {
    if (this.held) {
      this.deltas = this.held.deltas;
      this.tallyDeltas = this.held.tallies;
      return;
    }
    const stale = this.db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'rollup'")?.v === "stale";
    if (bulk && !stale) this.db.run("INSERT OR REPLACE INTO meta (k, v) VALUES ('rollup', 'stale')");
    this.deltas = bulk || stale ? null : new Map();
    this.tallyDeltas = bulk || stale ? null : new Map();
  }

  /** Counts one fact into (sign 1) or out of (-1) the tallies: `col` 0 prompts … 5 retries. */
  tally(time: number | null, col: number, sign: 1 | -1): void {
    if (!this.tallyDeltas || time === null) return;
    const slot = slotOf(time);
    let d = this.tallyDeltas.get(slot);
    if (!d) this.tallyDeltas.set(slot, (d = [0, 0, 0, 0, 0, 0]));
    d[col]! += sign;
  }

  /** Adds one response's usage to (sign 1) or takes it from (-1) its cell. */
  delta(time: number, model: number, cls: RateClass, u: Usage, sign: 1 | -1): void {
    if (!this.deltas) return;
    const slot = slotOf(time);
    const k = `${slot}|${model}|${cls}`;
    let c = this.deltas.get(k);
    if (!c) this.deltas.set(k, (c = { slot, model, cls, d: [0, 0, 0, 0, 0, 0, 0, 0] }));
    const fresh = u.uncached + u.cacheWrite5m + u.cacheWrite1h;
    const d = c.d;
    d[0]! += sign;
    d[1]! += sign * u.uncached;
    d[2]! += sign * u.cacheWrite5m;
    d[3]! += sign * u.cacheWrite1h;
    d[4]! += sign * u.cacheRead;
    d[5]! += sign * u.output;
    if (u.cacheRead > 0) d[6]! += sign * fresh;
    else d[7]! += sign * fresh;
  }

  /** Writes the current write's changes (a first fill holding them keeps them for later). */
  end(): void {
    const deltas = this.deltas;
    const tallies = this.tallyDeltas;
    this.deltas = null;
    this.tallyDeltas = null;
    // A first fill sums its changes to the end, unless they grow large (a long history read at once).
    if (this.held && this.held.deltas.size + this.held.tallies.size < HELD_CELLS) return;
    if (this.held) this.held = { deltas: new Map(), tallies: new Map() };
    this.apply(deltas, tallies);
  }

  private apply(deltas: Map<string, CellDelta> | null, tallies: Map<number, number[]> | null): void {
    for (const [slot, d] of tallies ?? []) {
      if (d.every((x) => x === 0)) continue;
      this.db.run(
        "INSERT INTO tallies (slot, prompts, calls, errors, rejections, apierrors, retries) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot) DO UPDATE SET prompts = prompts + excluded.prompts, calls = calls + excluded.calls, errors = errors + excluded.errors, rejections = rejections + excluded.rejections, apierrors = apierrors + excluded.apierrors, retries = retries + excluded.retries",
        slot,
        ...(d as [number, number, number, number, number, number]),
      );
      if (d.some((x) => x < 0))
        this.db.run(
          "DELETE FROM tallies WHERE slot = ? AND prompts = 0 AND calls = 0 AND errors = 0 AND rejections = 0 AND apierrors = 0 AND retries = 0",
          slot,
        );
    }
    if (!deltas) return;
    for (const { slot, model, cls, d } of deltas.values()) {
      if (d.every((x) => x === 0)) continue;
      this.db.run(
        "INSERT INTO cells (slot, model, cls, n, u, a, b, r, o, hit, miss) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slot, model, cls) DO UPDATE SET n = n + excluded.n, u = u + excluded.u, a = a + excluded.a, b = b + excluded.b, r = r + excluded.r, o = o + excluded.o, hit = hit + excluded.hit, miss = miss + excluded.miss",
        slot,
        model,
        cls,
        ...(d as [number, number, number, number, number, number, number, number]),
      );
      if (d[0]! < 0) this.db.run("DELETE FROM cells WHERE slot = ? AND model = ? AND cls = ? AND n <= 0", slot, model, cls);
    }
  }

  /** From now on, writes' changes are summed and kept (a first fill: see store-bulk.ts) until released. */
  hold(): void {
    this.held = { deltas: new Map(), tallies: new Map() };
  }

  /** Stops holding (what is held and not released is dropped: the fill's transaction is ending or rolled back). */
  unhold(): void {
    this.held = null;
  }

  /** The rollup changes a first fill holds, written now (before a commit, so the rollup always matches the facts). */
  releaseHeld(): void {
    if (!this.held) return;
    const { deltas, tallies } = this.held;
    this.held = { deltas: new Map(), tallies: new Map() };
    this.apply(deltas, tallies);
  }

  /** True when the rollup holds every stored response (it is rebuilt after a bulk write). */
  ready(): boolean {
    return this.db.get<{ v: string }>("SELECT v FROM meta WHERE k = 'rollup'")?.v !== "stale";
  }

  /** Rebuilds the rollups (responses per slot and model, counts per slot) from the facts (after bulk writes). */
  rebuild(): void {
    this.db.transaction(() => {
      this.db.exec(`DELETE FROM cells;
        INSERT INTO cells (slot, model, cls, n, u, a, b, r, o, hit, miss)
          SELECT (time - 1) / ${CELL_MS}, model, cls, count(*), sum(uncached), sum(w5), sum(w1), sum(rd), sum(out),
            sum(CASE WHEN rd > 0 THEN uncached + w5 + w1 ELSE 0 END), sum(CASE WHEN rd > 0 THEN 0 ELSE uncached + w5 + w1 END)
          FROM responses GROUP BY 1, 2, 3;
        DELETE FROM tallies;
        INSERT INTO tallies (slot, prompts, calls, errors, rejections, apierrors, retries)
          SELECT slot, sum(p), sum(c), sum(e), sum(j), sum(a), sum(t) FROM (
            SELECT (time - 1) / ${CELL_MS} AS slot, 1 AS p, 0 AS c, 0 AS e, 0 AS j, 0 AS a, 0 AS t FROM prompts
            UNION ALL SELECT (call_time - 1) / ${CELL_MS}, 0, 1, 0, 0, 0, 0 FROM tools WHERE call_time IS NOT NULL
            UNION ALL SELECT (result_time - 1) / ${CELL_MS}, 0, 0, outcome = 1, outcome = 2, 0, 0 FROM tools WHERE result_time IS NOT NULL AND outcome > 0
            UNION ALL SELECT (time - 1) / ${CELL_MS}, 0, 0, 0, 0, retry = 0, retry = 1 FROM errors)
          GROUP BY slot;
        INSERT OR REPLACE INTO meta (k, v) VALUES ('rollup', 'ok');`);
    });
    this.changed();
  }
}
