// The one place that knows which runtime we are on, and the process around us (arguments, environment, clock,
// output, terminal). Everything else uses portable APIs (node:fs, node:path, fetch, node:sqlite) so that `--json` and
// `--once` run on Deno as well as Bun. Bun-only APIs go here. (SQLite is in sqlite.ts, the macOS keychain in
// net/keychain.ts.)
import { fstatSync, readSync, writeSync } from "node:fs";
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

/**
 * The same door for a process that prints once and exits (the status line): written straight to the file descriptor
 * (setting up process.stdout costs ~8 ms). A closed pipe ends it quietly.
 */
export function writeOutNow(text: string): void {
  const bytes = new TextEncoder().encode(redact(text));
  let waits = 0;
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(1, bytes, at, bytes.length - at);
    } catch (e) {
      if ((e as { code?: string }).code === "EAGAIN" && waits++ < 200) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      return; // (EPIPE: nobody reads the line any more)
    }
  }
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

/**
 * Standard input's text, up to `maxBytes` (`truncated` when more came: the rest is not read). Read with plain blocking
 * reads (a stream costs ~8 ms to set up; Claude Code writes the payload and closes the pipe at once), stopping at its
 * end or as soon as what came is one whole JSON value (a writer that keeps the pipe open is not waited for). A terminal
 * on stdin is not read (someone ran the command by hand).
 */
export function readStdin(maxBytes: number): { text: string; truncated: boolean } {
  // (process.stdin is not touched: setting it up costs ~8 ms. A character device is a terminal, or /dev/null.)
  try {
    if (fstatSync(0).isCharacterDevice()) return { text: "", truncated: false };
  } catch {
    return { text: "", truncated: false }; // (no stdin at all)
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const decode = () => {
    const all = new Uint8Array(Math.min(size, maxBytes));
    let at = 0;
    for (const c of chunks) {
      const take = Math.min(c.length, all.length - at);
      all.set(c.subarray(0, take), at);
      at += take;
    }
    return new TextDecoder("utf-8", { fatal: false }).decode(all);
  };
  let waits = 0;
  for (;;) {
    const buf = new Uint8Array(64 * 1024);
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      // (a non-blocking pipe with nothing in it yet: waited for in 5 ms steps, for a second at most)
      if ((e as { code?: string }).code === "EAGAIN" && waits++ < 200) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      break; // (closed, or not readable: what came is what there is)
    }
    if (n <= 0) break;
    chunks.push(buf.subarray(0, n));
    size += n;
    if (size > maxBytes) return { text: decode(), truncated: true };
    // (a whole JSON object ends in "}": once it parses, nothing more is waited for)
    if (buf[n - 1] === 0x7d || buf[n - 1] === 0x0a) {
      const text = decode();
      try {
        JSON.parse(text);
        return { text, truncated: false };
      } catch {
        /* not whole yet */
      }
    }
  }
  return { text: decode(), truncated: false };
}
