// The one place that knows which runtime we are on, and the process around us (arguments, environment, clock,
// output, terminal). Everything else uses portable APIs (node:fs, node:path, fetch, node:sqlite) so that `--json` and
// `--once` run on Deno as well as Bun. Bun-only APIs go here. (SQLite is in sqlite.ts, the macOS keychain in
// net/keychain.ts.)
import { homedir } from "node:os";
import { printable, redact } from "./shared/sanitize.ts";

// (node:fs is loaded when first used: loading it costs Bun ~2 ms, which the status line's client does not spend)
let fsModule: typeof import("node:fs") | null = null;
const fs = (): typeof import("node:fs") =>
  (fsModule ??= (process as unknown as { getBuiltinModule: (id: string) => unknown }).getBuiltinModule("node:fs") as typeof import("node:fs"));

interface BunSocket {
  write(data: string | Uint8Array): number;
  end(): void;
}
declare const Bun:
  | {
      version: string;
      gc?: (force: boolean) => void;
      connect?: (o: {
        unix: string;
        socket: {
          open?: (s: BunSocket) => void;
          data?: (s: BunSocket, d: Uint8Array) => void;
          close?: () => void;
          error?: (s: BunSocket, e: Error) => void;
          connectError?: (s: BunSocket, e: Error) => void;
        };
      }) => Promise<BunSocket>;
      listen?: (o: {
        unix: string;
        socket: { data?: (s: BunSocket, d: Uint8Array) => void; close?: (s: BunSocket) => void; error?: (s: BunSocket, e: Error) => void };
      }) => { stop(closeActive?: boolean): void };
      stdin?: { stat(): Promise<{ isCharacterDevice(): boolean }>; stream(): ReadableStream<Uint8Array> };
      stdout?: unknown;
      write?: (to: unknown, data: Uint8Array) => Promise<number>;
    }
  | undefined;
declare const Deno: { version: { deno: string } } | undefined;

export const runtime: "bun" | "deno" | "node" = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";

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
      at += fs().writeSync(1, bytes, at, bytes.length - at);
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
 * Stdin's bytes as they come, up to a cap: `add` says when to stop — "more" (the cap passed: the rest is not read),
 * "whole" (what came is one whole JSON value: a writer that keeps the pipe open is not waited for), or null (go on).
 */
class StdinText {
  private chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly maxBytes: number) {}

  add(chunk: Uint8Array): "more" | "whole" | null {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.maxBytes) return "more";
    // (a whole JSON object ends in "}", or a newline after it: once it parses, nothing more is waited for)
    const end = chunk[chunk.length - 1];
    if (end === 0x7d || end === 0x0a) {
      try {
        JSON.parse(this.text());
        return "whole";
      } catch {
        /* not whole yet */
      }
    }
    return null;
  }

  text(): string {
    const all = new Uint8Array(Math.min(this.size, this.maxBytes));
    let at = 0;
    for (const c of this.chunks) {
      const take = Math.min(c.length, all.length - at);
      all.set(c.subarray(0, take), at);
      at += take;
    }
    return new TextDecoder("utf-8", { fatal: false }).decode(all);
  }
}

/**
 * Standard input's text, up to `maxBytes` (`truncated` when more came: the rest is not read). Read with plain blocking
 * reads (a stream costs ~8 ms to set up; Claude Code writes the payload and closes the pipe at once), stopping at its
 * end or as soon as what came is one whole JSON value. A terminal on stdin is not read (someone ran the command by hand).
 */
export function readStdin(maxBytes: number): { text: string; truncated: boolean } {
  // (process.stdin is not touched: setting it up costs ~8 ms. A character device is a terminal, or /dev/null.)
  try {
    if (fs().fstatSync(0).isCharacterDevice()) return { text: "", truncated: false };
  } catch {
    return { text: "", truncated: false }; // (no stdin at all)
  }
  const got = new StdinText(maxBytes);
  let waits = 0;
  for (;;) {
    const buf = new Uint8Array(64 * 1024);
    let n: number;
    try {
      n = fs().readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      // (a non-blocking pipe with nothing in it yet: waited for in 5 ms steps, for a second at most)
      if ((e as { code?: string }).code === "EAGAIN" && waits++ < 200) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      break; // (closed, or not readable: what came is what there is)
    }
    if (n <= 0) break;
    const stop = got.add(buf.subarray(0, n));
    if (stop) return { text: got.text(), truncated: stop === "more" };
  }
  return { text: got.text(), truncated: false };
}

/**
 * One request to a local server on a Unix socket (the status line's resident helper) and its whole answer, which ends
 * when the server closes; null when there is none, it fails, or it takes longer than `timeoutMs`. Bun only (its own
 * socket: node:net costs the process ~10 ms to load); elsewhere always null.
 */
export function askLocalServer(path: string, request: string, timeoutMs: number): Promise<string | null> {
  if (typeof Bun === "undefined" || !Bun.connect) return Promise.resolve(null);
  const connect = Bun.connect;
  return new Promise((done) => {
    const parts: Uint8Array[] = [];
    let settled = false;
    const finish = (v: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    connect({
      unix: path,
      socket: {
        open: (s) => {
          s.write(request);
        },
        data: (_s, d) => {
          parts.push(d.slice());
        },
        close: () => {
          let n = 0;
          for (const p of parts) n += p.length;
          const all = new Uint8Array(n);
          n = 0;
          for (const p of parts) {
            all.set(p, n);
            n += p.length;
          }
          finish(all.length > 0 ? new TextDecoder().decode(all) : null);
        },
        error: () => finish(null),
        connectError: () => finish(null),
      },
    }).catch(() => finish(null));
  });
}

/**
 * A local server on a Unix socket: each connection sends one request (ended by a newline) and gets `answer`'s reply,
 * then is closed. Bun only; null elsewhere (or when it cannot listen there).
 */
export function serveLocal(path: string, answer: (request: string) => Promise<string>): { stop(): void } | null {
  if (typeof Bun === "undefined" || !Bun.listen) return null;
  const pending = new WeakMap<object, string>();
  try {
    return Bun.listen({
      unix: path,
      socket: {
        data: (s, d) => {
          const text = (pending.get(s) ?? "") + new TextDecoder().decode(d);
          if (!text.endsWith("\n")) {
            if (text.length > 4 * 1024 * 1024)
              s.end(); // (not a request of ours)
            else pending.set(s, text);
            return;
          }
          pending.delete(s);
          answer(text).then(
            (reply) => {
              s.write(reply);
              s.end();
            },
            () => s.end(),
          );
        },
        error: () => {},
      },
    });
  } catch {
    return null;
  }
}

/** Starts a command that outlives this process (its own session, no terminal, no output), and forgets it. */
export function startDetached(cmd: string[], environment: Record<string, string | undefined>): void {
  try {
    const { spawn } = process.getBuiltinModule("node:child_process") as typeof import("node:child_process");
    const child = spawn(cmd[0]!, cmd.slice(1), { detached: true, stdio: "ignore", env: environment as NodeJS.ProcessEnv });
    child.on("error", () => {});
    child.unref();
  } catch {
    /* (the next call runs on its own, as this one did) */
  }
}

/**
 * readStdin for a process that must start fast (the status line's client): on Bun, Bun's own stdin (node:fs costs
 * ~2.5 ms to load, node:tty ~11 ms); elsewhere readStdin.
 */
export async function readStdinFast(maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (typeof Bun === "undefined" || !Bun.stdin) return readStdin(maxBytes);
  try {
    if ((await Bun.stdin.stat()).isCharacterDevice()) return { text: "", truncated: false };
  } catch {
    return { text: "", truncated: false };
  }
  const reader = Bun.stdin.stream().getReader();
  const got = new StdinText(maxBytes);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || !value) break;
      const stop = got.add(value);
      if (stop) return { text: got.text(), truncated: stop === "more" };
    }
  } catch {
    /* (what came is what there is) */
  } finally {
    reader.releaseLock();
  }
  return { text: got.text(), truncated: false };
}

/** writeOutNow for the status line's client: on Bun through Bun's own stdout (no node:fs). */
export async function writeOutFast(text: string): Promise<void> {
  if (typeof Bun === "undefined" || !Bun.write || !Bun.stdout) return writeOutNow(text);
  try {
    await Bun.write(Bun.stdout, new TextEncoder().encode(redact(text)));
  } catch {
    /* (nobody reads the line any more) */
  }
}
