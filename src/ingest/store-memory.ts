// Stores in memory: a private one for this run (--no-store, or a store that cannot be used), and a copy of a store's
// file in memory (a full disk, a read-only home): this run goes on with every fact, writing nothing more.
import { pathToFileURL } from "node:url";
import { openDatabase, type SqlDatabase, type SqlValue } from "../sqlite.ts";
import { PARSER_VERSION, prepareStore, SCHEMA_VERSION, UsageStore } from "./store.ts";

/** A private in-memory store: facts for this run only. */
export function memoryStore(parserVersion = PARSER_VERSION): UsageStore {
  const db = openDatabase(":memory:");
  prepareStore(db, parserVersion);
  return new UsageStore(db, "memory", null);
}

/**
 * The facts of a store on disk, copied into a new store in memory (when the disk is full: this run goes on with every
 * fact, writing nothing more); null when they cannot be read.
 */
export function copyToMemory(from: UsageStore, parserVersion = PARSER_VERSION): UsageStore | null {
  if (from.path === null) return null;
  return copyFileToMemory(from.path, {}, parserVersion);
}

/**
 * The same from a store's file: attached (the quickest), or, where attaching is not allowed (Deno without every
 * permission) or the file cannot be opened for writing (a read-only file system), read row by row through a read-only
 * connection (`immutable`: as the file is, its log left aside). Null when it is not of this layout or cannot be read.
 */
export function copyFileToMemory(path: string, o: { immutable?: boolean } = {}, parserVersion = PARSER_VERSION): UsageStore | null {
  const uri = `${pathToFileURL(path).href}?immutable=1`;
  const to = memoryStore(parserVersion);
  const tables = to.db.query<{ name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map((r) => r.name);
  try {
    to.db.exec(`ATTACH DATABASE '${(o.immutable ? uri : path).replace(/'/g, "''")}' AS old`);
    try {
      if (to.db.get<{ user_version: number }>("PRAGMA old.user_version")?.user_version !== SCHEMA_VERSION) throw new Error("another layout");
      to.db.transaction(() => {
        for (const t of tables) to.db.exec(`DELETE FROM main.${t}; INSERT INTO main.${t} SELECT * FROM old.${t}`);
      });
    } finally {
      to.db.exec("DETACH DATABASE old");
    }
    return to;
  } catch {
    /* copied row by row below */
  }
  for (const source of o.immutable ? [path, uri] : [path]) {
    let from: SqlDatabase | null = null;
    try {
      from = openDatabase(source, { readOnly: true });
      if (from.get<{ user_version: number }>("PRAGMA user_version")?.user_version !== SCHEMA_VERSION) break;
      const src = from;
      to.db.transaction(() => {
        for (const t of tables) {
          const n = to.db.query("SELECT name FROM pragma_table_info(?)", t).length;
          const insert = to.db.prepare(`INSERT INTO main.${t} VALUES (${Array.from({ length: n }, () => "?").join(", ")})`);
          to.db.exec(`DELETE FROM main.${t}`);
          for (const row of src.iterate<Record<string, SqlValue>>(`SELECT * FROM ${t}`)) insert.run(...Object.values(row));
        }
      });
      from.close();
      return to;
    } catch {
      try {
        from?.close();
      } catch {
        /* closed */
      }
    }
  }
  to.close();
  return null;
}
