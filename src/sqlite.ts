// SQLite for the stores, through node:sqlite (the same on Bun 1.4 and Deno 2.9): a small adapter with cached
// prepared statements and nested transactions as savepoints.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { runtime } from "./platform.ts";

/** A value SQLite can bind or return. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A prepared statement, for the hottest writes (no lookup of the statement, no arrays of parameters). */
interface SqlStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
}

/** The few things the stores need from an SQLite database (`node:sqlite`, the same on Bun and Deno). */
export interface SqlDatabase {
  /** The statement for `sql` (prepared once and cached). */
  prepare(sql: string): SqlStatement;
  /** Runs one statement (prepared once and cached) with positional `?` parameters. */
  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number };
  /** All rows of one query (prepared once and cached), as objects keyed by column name. */
  query<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): T[];
  /** The first row of one query, or undefined. */
  get<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): T | undefined;
  /** The rows of one query one at a time (for long results that need not be held at once). */
  iterate<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): IterableIterator<T>;
  /** Runs a script of one or more statements without parameters (schema, pragmas). */
  exec(sql: string): void;
  /**
   * Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT), rolled back if it throws. Inside an open transaction it
   * is a savepoint of that one (its changes are undone if it throws; they last when the outer one commits).
   */
  transaction<T>(fn: () => T): T;
  /** Like `transaction`, but returns null at once (running nothing) when another connection holds the write lock. */
  tryTransaction<T>(fn: () => T): T | null;
  /**
   * Opens a transaction left open across calls (`transaction` inside it makes savepoints), ended by `commit` or
   * `rollback`. With `wait` false, returns false at once when another connection holds the write lock.
   */
  begin(wait: boolean): boolean;
  commit(): void;
  rollback(): void;
  /** true while a transaction is open on this connection. */
  readonly inTransaction: boolean;
  close(): void;
}

/**
 * Opens (creating if needed, unless `readOnly`) an SQLite database file, or a private in-memory database for
 * ":memory:". `node:sqlite` works the same on Bun and Deno (Deno needs --allow-read and --allow-write).
 */
export function openDatabase(path: string, opts: { readOnly?: boolean; existing?: boolean } = {}): SqlDatabase {
  // `existing`: open only a file that is there, creating nothing where nothing is (a link put at the path cannot make
  // SQLite create its target). Bun's node:sqlite takes SQLite's URI form (mode=rw) for it; Deno's reads a URI as a
  // file name, so there the path is opened plainly and the caller's checks before and after the open stand alone.
  const at = opts.existing && runtime === "bun" ? `${pathToFileURL(path).href}?mode=rw` : path;
  return new NodeSqliteDatabase(new DatabaseSync(at, opts.readOnly ? { readOnly: true } : {}));
}

/**
 * The adapter over one node:sqlite connection. It holds the prepared statements (the stores run the same few
 * statements very often) and the depth of open transactions (1 for the transaction, one more per savepoint inside it),
 * which decides whether `transaction` begins one or nests a savepoint in the one open.
 */
class NodeSqliteDatabase implements SqlDatabase {
  private readonly cache = new Map<string, StatementSync>();
  private depth = 0;

  constructor(private readonly db: DatabaseSync) {}

  prepare(sql: string): StatementSync {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  run(sql: string, ...params: SqlValue[]): { changes: number; lastInsertRowid: number } {
    const r = this.prepare(sql).run(...params);
    return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
  }

  query<T>(sql: string, ...params: SqlValue[]): T[] {
    return this.prepare(sql).all(...params) as T[];
  }

  get<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined;
  }

  iterate<T>(sql: string, ...params: SqlValue[]): IterableIterator<T> {
    return this.prepare(sql).iterate(...params) as IterableIterator<T>;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return this.savepoint(fn);
    this.db.exec("BEGIN IMMEDIATE");
    return this.finish(fn);
  }

  tryTransaction<T>(fn: () => T): T | null {
    if (this.depth > 0) return this.savepoint(fn);
    if (!this.tryBegin()) return null;
    return this.finish(fn);
  }

  begin(wait: boolean): boolean {
    if (this.depth > 0) throw new Error("a transaction is already open");
    if (wait) this.db.exec("BEGIN IMMEDIATE");
    else if (!this.tryBegin()) return false;
    this.depth = 1;
    return true;
  }

  commit(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    this.db.exec("COMMIT");
  }

  rollback(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    try {
      this.db.exec("ROLLBACK");
    } catch {
      /* already rolled back (e.g. by SQLITE_FULL) */
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }

  /** BEGIN IMMEDIATE without waiting: false when another connection holds the write lock. */
  private tryBegin(): boolean {
    const timeout = Number(Object.values(this.prepare("PRAGMA busy_timeout").get() ?? {})[0] ?? 0);
    this.db.exec("PRAGMA busy_timeout = 0");
    try {
      this.db.exec("BEGIN IMMEDIATE");
      return true;
    } catch (e) {
      if (/locked|busy/i.test(String((e as Error)?.message))) return false;
      throw e;
    } finally {
      this.db.exec(`PRAGMA busy_timeout = ${timeout}`);
    }
  }

  /** Runs `fn` in the transaction just begun: COMMIT, or ROLLBACK if it throws. */
  private finish<T>(fn: () => T): T {
    this.depth = 1;
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        /* the transaction was already rolled back (e.g. by SQLITE_FULL) */
      }
      throw e;
    } finally {
      this.depth = 0;
    }
  }

  /** Runs `fn` as a savepoint of the open transaction. */
  private savepoint<T>(fn: () => T): T {
    const name = `sp${this.depth}`;
    this.db.exec(`SAVEPOINT ${name}`);
    this.depth++;
    try {
      const out = fn();
      this.db.exec(`RELEASE ${name}`);
      return out;
    } catch (e) {
      try {
        this.db.exec(`ROLLBACK TO ${name}`);
        this.db.exec(`RELEASE ${name}`);
      } catch {
        /* the whole transaction was rolled back (e.g. by SQLITE_FULL) */
        this.depth = 1;
      }
      throw e;
    } finally {
      this.depth--;
    }
  }
}
