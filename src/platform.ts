// The one place that knows which runtime we are on, and the process around us (arguments, environment, clock,
// output, terminal). Everything else uses portable APIs (node:fs, node:path, fetch, node:sqlite) so that `--json` and
// `--once` run on Deno as well as Bun. Bun-only APIs go here. (SQLite is in sqlite.ts, the macOS keychain in
// net/keychain.ts.)
import { homedir } from "node:os";
import { printable, redact } from "./ingest/sanitize.ts";

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

/**
 * Standard output: frames (with the escape codes the frame made), JSON (jsonText) and text (printable). The one door:
 * no registered secret (see sanitize.ts) leaves through it.
 */
export function writeOut(text: string): void {
  quietOnClosedPipe();
  process.stdout.write(redact(text));
}

let pipeWatched = false;
/**
 * A reader that stops early (`| head`) closes the pipe: that ends the output, quietly (exit 0), rather than in an
 * uncaught EPIPE and a stack trace.
 */
function quietOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

/** Standard error: messages and log lines, never escape codes: unsafe characters become spaces, secrets "[redacted]". */
export function writeErr(text: string): void {
  // (a message is a line: one of thousands of characters, say an echoed argument, is cut short)
  process.stderr.write(printable(text).replace(/[^\n]{1000,}/g, (line) => `${line.slice(0, 999)}…`));
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

/** Whether standard output is a terminal (escape codes mean something there). */
export function stdoutIsTerminal(): boolean {
  return (process.stdout as { isTTY?: boolean }).isTTY === true;
}
