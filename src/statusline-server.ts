// The status line's resident helper (`claude-dash statusline --serve`, started by the command itself, in the
// background, the first time it finds none). Claude Code runs the status line after every response and waits for it,
// and several sessions may run it at once; a new process has to load Bun, SQLite, zod and the time zone data before it
// can read a byte (about 30 ms, and as much CPU again): the helper has them loaded, so a call is a small client
// (stdin, one request on a Unix socket, the line back: a few ms) and the helper's work (a few ms more).
// Like gitstatusd for shell prompts: it answers only its own user (a 0700 folder, a 0600 socket), does for each
// request exactly what the command does in its own process (statuslineRun), goes away after IDLE_MS without a
// request, when its socket is taken or removed, and when the code it runs changes on disk (an upgrade, an edit), and
// a call it cannot answer is run by the command itself. --no-server (or CLAUDE_DASH_NO_SERVER=1) turns it off.
import { chmodSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keepStoresOpen, statuslineRun, type StatuslineResult } from "./statusline.ts";
import { runningScript, statuslineSocket } from "./statusline-socket.ts";
import { askLocalServer, env, home, serveLocal } from "./platform.ts";

/** A helper with no request for this long goes away (CLAUDE_DASH_SERVER_IDLE_MS for tests). */
const IDLE_MS = 15 * 60_000;

/** A request from the command: what it read on stdin, and its COLUMNS and NO_COLOR. */
interface StatuslineRequest {
  stdin: string;
  truncated: boolean;
  columns?: string;
  noColor?: string;
}

/** The helper's answer: the call's result, or `stale` (the code changed: the caller runs it itself). */
type StatuslineReply = StatuslineResult | { stale: true };

/** Runs the helper for these arguments until it goes away; the exit code. */
export async function serveStatusline(args: string[]): Promise<number> {
  const sock = statuslineSocket({ args, env: process.env, execPath: process.execPath, script: runningScript(), home: home() });
  if (!sock || !ownFolder(sock.dir, sock.own)) return 1;
  // Another helper may already answer there (two commands started one each): then this one is not needed. A socket
  // file nobody answers on is what a helper that was killed left behind.
  if (exists(sock.path)) {
    if ((await askLocalServer(sock.path, `${JSON.stringify({ ping: true })}\n`, 500)) !== null) return 0;
    rmSync(sock.path, { force: true });
  }
  const code = codeFiles();
  keepStoresOpen();
  const idle = Number(env("CLAUDE_DASH_SERVER_IDLE_MS")) || IDLE_MS;
  let lastRequest = Date.now();
  let stopping = false;
  const server = serveLocal(sock.path, async (text) => {
    lastRequest = Date.now();
    let req: StatuslineRequest & { ping?: boolean };
    try {
      req = JSON.parse(text) as StatuslineRequest & { ping?: boolean };
    } catch {
      return "";
    }
    if (req.ping) return "pong";
    if (stopping || changed(code)) {
      stop();
      return JSON.stringify({ stale: true } satisfies StatuslineReply);
    }
    // (the helper's own arguments: a caller with others has a helper of its own, see statuslineSocket)
    const r = await statuslineRun(args, () => ({ text: String(req.stdin ?? ""), truncated: req.truncated === true }), {
      columns: typeof req.columns === "string" ? req.columns : undefined,
      noColor: typeof req.noColor === "string" ? req.noColor : undefined,
    });
    return JSON.stringify(r satisfies StatuslineReply);
  });
  if (!server) return 1;
  try {
    chmodSync(sock.path, 0o600);
  } catch {
    /* (the folder is 0700 either way) */
  }
  const mine = inode(sock.path);
  function stop(): void {
    if (stopping) return;
    stopping = true;
    // (answers in flight are sent first; the socket file goes only if it is still this helper's)
    setTimeout(() => {
      server!.stop();
      if (inode(sock!.path) === mine) rmSync(sock!.path, { force: true });
      process.exit(0);
    }, 50);
  }
  // Every few seconds: gone idle, or the socket was removed or taken by another helper.
  setInterval(
    () => {
      if (Date.now() - lastRequest > idle || inode(sock.path) !== mine) stop();
    },
    Math.min(5_000, idle / 2),
  );
  for (const s of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(s, stop);
  return new Promise<number>(() => {});
}

/** The helper's folder: made 0700 when missing; used only when it is a real folder of this user's that no one else
 *  can write to. */
function ownFolder(dir: string, own: boolean): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let st = lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) return false;
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) return false;
    if (own && (st.mode & 0o077) !== 0) {
      chmodSync(dir, 0o700);
      st = lstatSync(dir);
    }
    return (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function inode(path: string): number | null {
  try {
    return lstatSync(path).ino;
  } catch {
    return null;
  }
}

/** The files of the code this helper runs, with their size and time: the sources (src/), or a compiled binary. */
function codeFiles(): Map<string, string> {
  const out = new Map<string, string>();
  const note = (p: string) => {
    try {
      const st = statSync(p);
      out.set(p, `${st.size}:${st.mtimeMs}`);
    } catch {
      out.set(p, "gone");
    }
  };
  const script = runningScript();
  if (script === null) {
    note(process.execPath);
    return out;
  }
  const src = fileURLToPath(new URL(".", import.meta.url));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith(".ts")) note(join(dir, e.name));
    }
  };
  try {
    walk(src);
    const bundle = join(src, "..", "dist", "statusline");
    for (const f of ["inputs.json", "statusline.js"]) note(join(bundle, f));
    note(join(src, "..", "package.json"));
  } catch {
    /* (what could be listed is watched) */
  }
  return out;
}

/** Whether any of the code's files changed since the helper started. */
function changed(before: Map<string, string>): boolean {
  for (const [p, was] of before) {
    let now = "gone";
    try {
      const st = statSync(p);
      now = `${st.size}:${st.mtimeMs}`;
    } catch {
      /* gone */
    }
    if (now !== was) return true;
  }
  return false;
}
