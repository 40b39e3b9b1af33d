// A first fill of an empty store: one long transaction (committed now and then so that other connections may write),
// without the syncs nothing in it needs (it can all be read again from the transcripts), with the indexes that only
// speed up reading dropped while it lasts, and optionally with the rollup's changes summed and written once.
import type { SqlDatabase } from "../sqlite.ts";
import type { Rollup } from "./store-rollup.ts";
import { SCHEMA, SECONDARY_INDEXES } from "./store-schema.ts";

export class BulkFill {
  /** `changed` is called after the fill is committed (the store's version: see UsageStore.version). */
  constructor(
    private readonly db: SqlDatabase,
    private readonly kind: "file" | "memory",
    private readonly rollup: Rollup,
    private readonly changed: () => void,
  ) {}

  /** See UsageStore.beginBulk. */
  begin(o: { holdRollup?: boolean } = {}): boolean {
    if (this.db.inTransaction) return false;
    // Nothing a first fill writes needs to survive a crash of the machine (it is all read again from the transcripts
    // on disk): its commits skip the syncs (set outside a transaction; back to normal if it does not begin).
    if (this.kind === "file") this.db.exec("PRAGMA synchronous = OFF");
    if (!this.db.begin(false)) {
      this.syncNormal();
      return false;
    }
    try {
      const empty =
        this.db.get<{ n: number }>("SELECT (SELECT count(*) FROM responses) + (SELECT count(*) FROM tools) + (SELECT count(*) FROM prompts) AS n")!.n === 0;
      if (!empty) {
        this.db.rollback();
        this.syncNormal();
        return false;
      }
      this.db.exec(SECONDARY_INDEXES.map((i) => `DROP INDEX IF EXISTS ${i};`).join(" "));

      // The rollup's changes summed over the fill and written once (not cell by cell, write by write, nor rebuilt
      // from all the facts at the end).
      if (o.holdRollup && this.rollup.ready()) this.rollup.hold();
      return true;
    } catch (e) {
      this.db.rollback();
      this.syncNormal();
      throw e;
    }
  }

  private syncNormal(): void {
    if (this.kind === "file") this.db.exec("PRAGMA synchronous = NORMAL");
  }

  /** Commits the fill so far (so that other connections may write, and a stop loses little) and goes on. */
  commit(): void {
    if (!this.db.inTransaction) return;
    this.rollup.releaseHeld();
    this.db.commit();
    this.db.begin(true);
  }

  /** Builds the read indexes again and commits the fill (prepareStore builds them too, should a process stop first). */
  end(): void {
    if (!this.db.inTransaction) this.db.begin(true);
    try {
      this.rollup.releaseHeld();
      this.rollup.unhold();
      this.db.exec(SCHEMA);
      if (!this.rollup.ready()) this.rollup.rebuild();
      this.db.commit();
    } catch (e) {
      this.rollup.unhold();
      this.db.rollback();
      this.syncNormal();
      throw e;
    }
    if (this.kind === "file") this.db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    this.syncNormal();
    this.changed();
  }

  /** Gives up a fill that failed (the store is as it was before it, or at its last commit). */
  abort(): void {
    this.rollup.unhold();
    this.db.rollback();
    this.syncNormal();
  }
}
