// The one place that knows which runtime we are on. Everything else uses portable APIs (node:fs, node:path,
// fetch) so that `--json` (and later `--once`) run on Deno as well as Bun. Bun-only APIs go here.
import { execFile } from "node:child_process";
import { homedir } from "node:os";

declare const Bun: { version: string; gc?: (force: boolean) => void } | undefined;
declare const Deno: { version: { deno: string } } | undefined;

export const runtime: "bun" | "deno" | "node" =
  typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";

export function argv(): string[] {
  return process.argv.slice(2);
}

export function env(name: string): string | undefined {
  return process.env[name];
}

export function home(): string {
  return env("HOME") ?? homedir();
}

/** The wall clock. Only the edges (the CLI, the frame loop) read it; the model gets `now` as an argument. */
export function wallClock(): number {
  return Date.now();
}

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

/** Peak resident set size of this process in bytes. */
export function peakRssBytes(): number {
  const ru = process.resourceUsage?.();
  // maxRSS is in kilobytes on Linux and macOS (Node semantics, which Bun and Deno follow).
  return ru ? ru.maxRSS * 1024 : process.memoryUsage().rss;
}

/** Asks the runtime for a garbage collection where it offers one (Bun); elsewhere does nothing. */
export function collectGarbage(full = true): void {
  if (typeof Bun !== "undefined" && Bun.gc) Bun.gc(full);
}

/** The terminal's size when stdout is a terminal, else null. */
export function terminalSize(): { columns: number; rows: number } | null {
  const out = process.stdout as { isTTY?: boolean; columns?: number; rows?: number };
  if (!out.isTTY || !out.columns || !out.rows) return null;
  return { columns: out.columns, rows: out.rows };
}

/**
 * The password of a generic macOS keychain item (`security find-generic-password -s SERVICE -w`), or null on other
 * systems, when the item is missing, access is refused, or the command does not answer within `timeoutMs`.
 * The value is a secret: callers must never log or print it, and no detail of a failure is kept.
 */
export function readMacKeychain(service: string, timeoutMs = 3000): Promise<string | null> {
  if (process.platform !== "darwin") return Promise.resolve(null);
  return new Promise((resolve) => {
    try {
      execFile(
        "/usr/bin/security",
        ["find-generic-password", "-s", service, "-w"],
        { timeout: timeoutMs, encoding: "utf8", maxBuffer: 1 << 20, windowsHide: true },
        (err, stdout) => {
          if (err) return resolve(null);
          const value = String(stdout).trim();
          resolve(value.length > 0 ? value : null);
        },
      );
    } catch {
      resolve(null);
    }
  });
}

/** A value SQLite can bind or return. */
export type SqlValue = string | number | bigint | boolean | null | Uint8Array;

/** The few things the telemetry store needs from an SQLite database (Bun's `bun:sqlite` behind it). */
export interface SqlDatabase {
  /** Runs one statement (prepared once and cached) with positional `?` parameters; returns the rows it changed. */
  run(sql: string, ...params: SqlValue[]): { changes: number };
  /** All rows of one query (prepared once and cached), as objects keyed by column name. */
  query<T = Record<string, SqlValue>>(sql: string, ...params: SqlValue[]): T[];
  /** Runs a script of one or more statements without parameters (schema, pragmas). */
  exec(sql: string): void;
  /** Runs `fn` in one transaction (BEGIN IMMEDIATE … COMMIT), rolled back if it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Opens (creating if needed) an SQLite database file. Bun only: `bun:sqlite` is loaded at call time, so this file still
 * imports on Deno and Node, where calling this throws.
 */
export function openDatabase(path: string): SqlDatabase {
  if (typeof Bun === "undefined" || typeof require !== "function") throw new Error("the telemetry store needs Bun (bun:sqlite)");
  const { Database } = require("bun:sqlite") as typeof import("bun:sqlite");
  const db = new Database(path, { create: true, readwrite: true });
  return {
    run(sql, ...params) {
      const r = db.query(sql).run(...(params as import("bun:sqlite").SQLQueryBindings[]));
      return { changes: r.changes };
    },
    query<T>(sql: string, ...params: SqlValue[]): T[] {
      return db.query(sql).all(...(params as import("bun:sqlite").SQLQueryBindings[])) as T[];
    },
    exec(sql) {
      db.run(sql);
    },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    close() {
      db.close();
    },
  };
}
