// Where the status line's resident helper listens (see statusline-server.ts), worked out the same way by the command
// Claude Code runs and by the helper. Imported by src/cli.ts before anything else is loaded: plain code, no imports.
//
// One helper serves one way of running claude-dash: the same program (runtime and script), the same arguments and
// the same environment for everything a line depends on (the time zone, HOME, the data and config dirs, Claude's
// config dir). Anything else gets a helper of its own. What changes from call to call (the payload, COLUMNS,
// NO_COLOR) travels with each request.

/** The most of stdin read: a payload is a few kilobytes; anything near this is not one. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Environment that a line depends on (and that a helper therefore must share with its callers). */
const KEYED_ENV = [
  "TZ",
  "HOME",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "XDG_RUNTIME_DIR",
  "CLAUDE_CONFIG_DIR",
  "LANG",
  "LC_ALL",
  "LC_TIME",
  "CLAUDE_DASH_TRACE",
  "CLAUDE_DASH_NO_BUNDLE",
  "CLAUDE_DASH_SERVER_IDLE_MS",
];

/** Unix socket paths are limited to 104–108 bytes. */
const MAX_SOCKET_PATH = 100;

interface StatuslineSocket {
  /** the folder it is in: made 0700 by the helper, and used only when it is ours and not a link. */
  dir: string;
  path: string;
  /** the folder is ours only for this (XDG_RUNTIME_DIR/claude-dash): the data dir is made by the store. */
  own: boolean;
}

/**
 * The socket for this program, these arguments and this environment: in $XDG_RUNTIME_DIR/claude-dash (the user's own
 * runtime folder) or else the data dir (~/.local/share/claude-dash), never a shared /tmp. Null when neither gives a
 * short enough path.
 */
export function statuslineSocket(o: {
  args: readonly string[];
  env: Record<string, string | undefined>;
  execPath: string;
  script: string | null;
  home: string;
}): StatuslineSocket | null {
  const key = JSON.stringify([o.execPath, o.script, o.args, KEYED_ENV.map((k) => o.env[k] ?? null)]);
  const name = `statusline-${fnv(key)}.sock`;
  const runtime = o.env.XDG_RUNTIME_DIR;
  const candidates: [string, boolean][] = [];
  if (runtime && runtime.startsWith("/")) candidates.push([`${runtime.replace(/\/+$/, "")}/claude-dash`, true]);
  const xdg = o.env.XDG_DATA_HOME;
  candidates.push([`${xdg && xdg.startsWith("/") ? xdg.replace(/\/+$/, "") : `${o.home.replace(/\/+$/, "")}/.local/share`}/claude-dash`, false]);
  for (const [dir, own] of candidates) {
    const path = `${dir}/${name}`;
    if (new TextEncoder().encode(path).length <= MAX_SOCKET_PATH) return { dir, path, own };
  }
  return null;
}

/** 32-bit FNV-1a of a string, as 8 hex digits. */
function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** The script this process runs, as argv gives it; null for a compiled binary (its script lives in Bun's virtual file
 *  system, inside the binary). */
export function runningScript(argv1: string | undefined = process.argv[1]): string | null {
  return argv1 === undefined || argv1.startsWith("/$bunfs/") || argv1.startsWith("B:\\~BUN") ? null : argv1;
}
