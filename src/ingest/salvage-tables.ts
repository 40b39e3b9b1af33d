// Reading a damaged store's tables (store-salvage.ts): each table walked in rowid order, a stretch of rows that cannot
// be read (a zeroed or garbled page) stepped over by probing for the next rowid that can; and, when a walk stepped over
// something, the rows on pages no walk reached (salvage-pages.ts). What a row means is the salvager's business.
import type { DatabaseSync } from "node:sqlite";
import { PageReader, tableOf } from "./salvage-pages.ts";

/** A row as read: its columns by name, and its rowid as `_rowid`. */
export type Row = Record<string, unknown>;

/** Tables that name what the facts refer to by number. */
const NAMING = new Set(["dirs", "files", "names", "sessions"]);

/** The tables of the copy being read; `lost` is called whenever rows are stepped over. */
export class TableReader {
  constructor(
    private readonly db: DatabaseSync,
    /** the copy being read (its pages are read one by one when its tables could not be walked whole). */
    private readonly copyPath: string,
    private readonly lost: () => void,
  ) {}

  /**
   * The rows of a table in rowid order. A stretch that cannot be read is stepped over: the next rowid from which a
   * row can be read is found by probing (doubling, then halving back), and the walk goes on from there.
   */
  *walk(table: string): Generator<Row> {
    let max: number | null = null;
    try {
      const m = (this.db.prepare(`SELECT max(rowid) AS m FROM ${table}`).get() as { m: unknown } | undefined)?.m;
      max = typeof m === "number" ? m : null;
    } catch {
      this.lost();
    }
    let after = -1;
    let stuck = -2;
    for (;;) {
      try {
        for (const r of this.db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid > ? ORDER BY rowid`).iterate(after) as IterableIterator<Row>) {
          after = r._rowid as number;
          yield r;
        }
        return;
      } catch {
        this.lost();
      }
      // (a row that reads alone but not in the walk is passed over, so that the walk always moves on)
      if (after === stuck) after++;
      stuck = after;
      const next = this.nextReadable(table, after, max);
      if (next === null) return;
      after = next - 1;
    }
  }

  /** The smallest rowid above `after` from which a row can be read, or null when none can. */
  private nextReadable(table: string, after: number, max: number | null): number | null {
    const probe = (s: number): number | null | "bad" => {
      try {
        const r = this.db.prepare(`SELECT rowid AS _rowid, * FROM ${table} WHERE rowid >= ? ORDER BY rowid LIMIT 1`).get(s) as Row | undefined;
        return r ? (r._rowid as number) : null;
      } catch {
        return "bad";
      }
    };
    const limit = max ?? 2 ** 53;
    let bad = after;
    let good: number | null = null;
    for (let step = 1; after + step <= limit; step *= 2) {
      const p = probe(after + step);
      if (p === null) return null; // nothing beyond: the end
      if (p !== "bad") {
        good = after + step;
        break;
      }
      bad = after + step;
    }
    if (good === null) return null;
    while (good - bad > 1) {
      const mid = Math.floor((bad + good) / 2);
      if (probe(mid) === "bad") bad = mid;
      else good = mid;
    }
    return good;
  }

  /**
   * The rows of our tables found on the copy's pages (known by their columns): first those that name things
   * (directories, transcripts, models, sessions), then the facts. Pages on the free list hold deleted rows and are
   * skipped (when the free list itself cannot be read, every page is read).
   */
  *pageRows(): Generator<{ table: string; row: Row }> {
    let pages: PageReader;
    try {
      pages = new PageReader(this.copyPath);
    } catch {
      return;
    }
    try {
      const free = pages.freePages();
      for (const naming of [true, false])
        for (let n = 1; n <= pages.count; n++) {
          if (free?.has(n)) continue;
          for (const { rowid, values } of pages.tableLeafRows(n)) {
            const t = tableOf(values);
            if (t === null || NAMING.has(t.table) !== naming) continue;
            const row: Row = { _rowid: rowid };
            t.columns.forEach((c, i) => (row[c] = i < values.length ? values[i] : c === "cls" ? 0 : null));
            yield { table: t.table, row };
          }
        }
    } finally {
      pages.close();
    }
  }
}
