// `claude-dash statusline`: the line under Claude Code's prompt. Claude Code runs this after each assistant message and
// waits for it, and many sessions may run it at once, so it costs what one session costs, not what the history holds:
// it reads the payload on stdin, brings only this session's transcripts (its own file and its subagents') into the
// store, records what Claude Code told us (the official limits, its own dollars), and prints one line. It never waits
// for another process's lock (a store busy with a fill is answered from what it holds), and never fails: bad input,
// a missing store or anything unexpected still gets a line from what is known, and exit 0.
// `--install` prints (with --write, merges) the settings snippet that registers it.
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { parsePayload, payloadLimits, type StatusPayload } from "./ingest/statusline-payload.ts";
import { MAX_PAYLOAD_BYTES, runningScript } from "./statusline-socket.ts";
import { cleanText, registerSecret } from "./shared/sanitize.ts";
import { resolveRoots } from "./ingest/roots.ts";
import { dataDir, memoryStore, openUsageStore, storeFile } from "./ingest/store-open.ts";
import type { UsageStore } from "./ingest/store.ts";
import { TranscriptSource } from "./ingest/source.ts";
import { StoreQueries } from "./ingest/store-query.ts";
import { selectStatusline } from "./model/statusline-view.ts";
import { FORMATS, parseFormat, renderStatusline } from "./ui/statusline-text.ts";
import { configPath, MAX_CONFIG_BYTES, parseConfig } from "./config.ts";
import { env, home, readStdin, wallClock, writeErr, writeOutNow } from "./platform.ts";

/** A store held by another process is waited for this long at most (a statement's budget, not a fill's). */
const BUSY_MS = 20;

/** CLAUDE_DASH_TRACE=1: how long each step took, on stderr (for the benchmark and for a slow line). */
const TRACE = (env("CLAUDE_DASH_TRACE") ?? "") !== "";
let last = performance.now();
// (said at the end, with the line: the first write to stderr costs milliseconds of its own)
const marks: string[] = [];
function mark(step: string): void {
  if (!TRACE) return;
  const t = performance.now();
  marks.push(`${step} ${(t - last).toFixed(1)}`);
  last = t;
}

export interface StatuslineFlags {
  format: string | null;
  color: "auto" | "always" | "never";
  width: number | null;
  now: number | null;
  tz: string | undefined;
  roots: string[];
  store: boolean;
  install: boolean;
  write: boolean;
  force: boolean;
  help: boolean;
}

export const STATUSLINE_HELP = `claude-dash statusline — one line for Claude Code's status line

Register it in Claude Code's settings.json:  "statusLine": {"type": "command", "command": "claude-dash statusline"}
(claude-dash statusline --install prints the snippet for your config dir; --install --write adds it there)

  --format F        a preset (${Object.keys(FORMATS).join(", ")}) or a template such as "{model} {session} {5h}"
  --color WHEN      auto (colour unless NO_COLOR is set), always, never
  --width N         the columns the line may use (default: $COLUMNS, else no limit)
  --tz ZONE         time zone for reset times and "today" (default: the system's)
  --root DIR        a Claude config dir to read (repeatable)
  --no-store        keep nothing (read this session's transcript only)
  --no-server       answer in this process only (no resident helper; also CLAUDE_DASH_NO_SERVER=1)
  --install         print the settings snippet;  --write  merge it into settings.json (a backup is kept);
                    --force  replace a statusLine that is already there
  --now TIME        (tests) the time to show it at
`;

export class StatuslineUsage extends Error {}

/** One flag's reader: its value when it takes one (`take()` throws naming the flag when there is none). */
type FlagReader = (f: StatuslineFlags, take: () => string, peek: { inline: string | null; next: () => string | null }) => void;

/** What each flag does to the flags; a switch given a value (`--no-store=x`) is refused by the caller. */
const FLAG_READERS: Record<string, { value: boolean; read: FlagReader }> = {
  "--format": {
    value: true,
    read: (f, take) => {
      const v = take();
      const parsed = parseFormat(FORMATS[v] ?? v);
      if (!parsed.ok) throw new StatuslineUsage(`--format: ${cleanText(parsed.message, 120)}`);
      f.format = v;
    },
  },
  // (--color alone is --color always; a value may follow it, or be given with =)
  "--color": {
    value: false,
    read: (f, _take, peek) => {
      const v = peek.inline ?? peek.next() ?? "always";
      if (v !== "auto" && v !== "always" && v !== "never") throw new StatuslineUsage("--color must be auto, always or never");
      f.color = v;
    },
  },
  "--no-color": { value: false, read: (f) => void (f.color = "never") },
  "--width": {
    value: true,
    read: (f, take) => {
      const v = take();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 10 || n > 1000) throw new StatuslineUsage("--width must be a whole number of columns from 10 to 1000");
      f.width = n;
    },
  },
  "--now": {
    value: true,
    read: (f, take) => {
      const t = Date.parse(take());
      if (!Number.isFinite(t)) throw new StatuslineUsage("--now must be a date and time (ISO 8601)");
      f.now = t;
    },
  },
  "--tz": {
    value: true,
    read: (f, take) => {
      const v = take();
      try {
        new Intl.DateTimeFormat("en", { timeZone: v });
      } catch {
        throw new StatuslineUsage(`--tz: unknown time zone ${cleanText(v, 40)}`);
      }
      f.tz = v;
    },
  },
  "--root": { value: true, read: (f, take) => void f.roots.push(take()) },
  "--no-store": { value: false, read: (f) => void (f.store = false) },
  "--install": { value: false, read: (f) => void (f.install = true) },
  "--write": { value: false, read: (f) => void (f.write = true) },
  "--force": { value: false, read: (f) => void (f.force = true) },
  "--help": { value: false, read: (f) => void (f.help = true) },
  "-h": { value: false, read: (f) => void (f.help = true) },
};

/** The subcommand's flags; throws StatuslineUsage (exit 2, one line naming the flag) for a bad one. */
export function parseStatuslineFlags(args: readonly string[], config: Record<string, unknown>): StatuslineFlags {
  const f: StatuslineFlags = {
    format: null,
    color: "auto",
    width: null,
    now: null,
    tz: undefined,
    roots: [],
    store: true,
    install: false,
    write: false,
    force: false,
    help: false,
  };
  if (typeof config["statusline-format"] === "string") f.format = config["statusline-format"];
  if (typeof config.tz === "string") f.tz = config.tz;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : null;
    const reader = FLAG_READERS[name];
    if (!reader) throw new StatuslineUsage(`unknown flag for statusline: ${cleanText(a, 60)} (see claude-dash statusline --help)`);
    if (!reader.value && inline !== null && name !== "--color") throw new StatuslineUsage(`${name} takes no value`);
    const take = (): string => {
      if (inline !== null) return inline;
      const v = args[++i];
      if (v === undefined) throw new StatuslineUsage(`${name} needs a value`);
      return v;
    };
    const next = () => (args[i + 1] && !args[i + 1]!.startsWith("-") ? args[++i]! : null);
    reader.read(f, take, { inline, next });
  }
  if ((f.write || f.force) && !f.install) throw new StatuslineUsage(`${f.write ? "--write" : "--force"} goes with --install`);
  return f;
}

/**
 * The resident helper keeps its stores open from one call to the next (their statements prepared, their pages
 * cached); a store file that was replaced or removed since (another process made it again) is opened afresh.
 */
let keepStores = false;
const held = new Map<string, { store: UsageStore; ino: number }>();
const keptOpen = new WeakSet<UsageStore>();

/** From now on stores are kept open between calls (the resident helper). */
export function keepStoresOpen(): void {
  keepStores = true;
}

function openStore(path: string, roots: string[]): UsageStore {
  const ino = (() => {
    try {
      return statSync(path).ino;
    } catch {
      return -1;
    }
  })();
  const h = held.get(path);
  if (h && h.ino === ino && ino !== -1) return h.store;
  if (h) {
    held.delete(path);
    keptOpen.delete(h.store);
    h.store.close();
  }
  const { store, status } = openUsageStore({ path, roots, now: wallClock(), busyMs: BUSY_MS });
  if (keepStores && store.kind === "file" && status.state !== "busy") {
    try {
      held.set(path, { store, ino: statSync(path).ino });
      keptOpen.add(store);
    } catch {
      /* (not kept: opened again next call) */
    }
  }
  return store;
}

/** What a call gives: the exit code, and what goes to stdout and stderr (the resident helper sends these back). */
export interface StatuslineResult {
  code: number;
  out: string;
  err: string;
}

/** What changes from call to call when the resident helper answers for another process (its own env otherwise). */
export interface PerCall {
  columns?: string;
  noColor?: string;
}

/** The subcommand, in this process: reads stdin (unless given), prints. The exit code; never throws. */
export async function statuslineMain(args: readonly string[], input?: { text: string; truncated: boolean }): Promise<number> {
  const r = await statuslineRun(args, () => input ?? readStdin(MAX_PAYLOAD_BYTES), { columns: env("COLUMNS"), noColor: env("NO_COLOR") });
  if (r.out) writeOutNow(r.out);
  if (r.err) writeErr(r.err);
  return r.code;
}

/** One call: its flags, the payload `input` gives, and COLUMNS / NO_COLOR as the caller has them. Never throws. */
export async function statuslineRun(args: readonly string[], input: () => { text: string; truncated: boolean }, call: PerCall): Promise<StatuslineResult> {
  marks.length = 0;
  last = performance.now();
  for (const name of ["CLAUDE_DASH_PROMETHEUS_TOKEN", "CLAUDE_DASH_OTLP_TOKEN"]) registerSecret(env(name));
  let flags: StatuslineFlags;
  try {
    flags = parseStatuslineFlags(args, readConfig());
  } catch (e) {
    if (e instanceof StatuslineUsage) return { code: 2, out: "", err: `claude-dash statusline: ${e.message}\n` };
    throw e;
  }
  if (flags.help) return { code: 0, out: STATUSLINE_HELP, err: "" };
  if (flags.install) return install(flags);
  const now = flags.now ?? wallClock();
  const columns = Number(call.columns);
  const look: Look = {
    format: FORMATS[flags.format ?? "default"] ?? flags.format ?? FORMATS.default!,
    color: flags.color === "always" || (flags.color === "auto" && (call.noColor ?? "") === ""),
    width: flags.width ?? (Number.isInteger(columns) && columns >= 10 ? columns : null),
    timeZone: flags.tz,
  };
  let payload: StatusPayload | null = null;
  let note: string | null = null;
  mark("start");
  try {
    const read = input();
    mark("stdin");
    ({ payload, problem: note } = parsePayload(read.text, read.truncated));
    mark("payload");
  } catch {
    note = "no payload";
  }
  let line: string;
  try {
    line = statusLineFor(payload, note, flags, now, look);
  } catch (e) {
    mark(`failed: ${cleanText((e as Error)?.message ?? String(e), 200)}`);
    // (a store kept open that failed is opened afresh next time)
    for (const h of held.values()) {
      keptOpen.delete(h.store);
      h.store.close();
    }
    held.clear();
    // (whatever went wrong, Claude Code still gets a line: the payload's own figures, and a word about the problem)
    line = renderStatusline(
      selectStatusline(null, { ...fromPayload(payload, now, flags.tz), note: `claude-dash: ${cleanText((e as Error)?.message ?? String(e), 60)}` }),
      look,
    );
  }
  mark("done");
  return { code: 0, out: `${line}\n`, err: TRACE ? `statusline (ms): ${marks.join(" · ")} · since the process began ${performance.now().toFixed(1)}\n` : "" };
}

type Look = { format: string; color: boolean; width: number | null; timeZone: string | undefined };

/** The line: this session's transcripts brought into the store, what Claude Code said recorded, the view drawn. */
function statusLineFor(payload: StatusPayload | null, note: string | null, flags: StatuslineFlags, now: number, look: Look): string {
  const roots = resolveRoots({ flagRoots: flags.roots, claudeConfigDir: env("CLAUDE_CONFIG_DIR"), home: home() });
  const defaults = resolveRoots({ flagRoots: [], claudeConfigDir: undefined, home: home() });
  const store = flags.store ? openStore(storeFile(dataDir(process.env, home()), roots, defaults), roots) : memoryStore();
  mark("store open");
  try {
    const sessionId = payload?.session_id ?? null;
    const own = sessionFiles(payload?.transcript_path ?? null, sessionId, roots);
    if (!store.hasFiles()) {
      // The first call on an empty store reads what the line needs: today's files and this session's (the rest is
      // read by the dashboard's first run, which finds them unread).
      const source = new TranscriptSource(roots, store, { since: startOfDay(now, flags.tz) - 3_600_000, shared: true });
      source.refresh();
      if (own.length > 0) source.refreshFiles(own);
    } else if (own.length > 0) {
      new TranscriptSource(roots, store, { only: own, shared: true }).refreshFiles(own);
    }
    mark("transcripts read");
    if (payload && sessionId) {
      const time = now; // (the wall clock, or --now)
      store.recordLimits(
        payloadLimits(payload, time).map((l) => ({ ...l, origin: "statusline" as const, sessionId })),
        false,
      );
      const usd = payload.cost?.total_cost_usd;
      const ran = payload.cost?.total_duration_ms;
      if (usd !== undefined)
        store.recordClaudeCodeCost(sessionId, time, usd, payload.version ?? null, false, ran !== undefined && ran >= 0 ? time - ran : null);
    }
    mark("recorded");
    const q = new StoreQueries(store);
    const view = selectStatusline(q, { ...fromPayload(payload, now, flags.tz), note, block: look.format.includes("{block}") });
    mark("selected");
    const line = renderStatusline(view, look);
    mark("drawn");
    return line;
  } finally {
    if (!keptOpen.has(store)) store.close();
  }
}

/** What the payload alone says, as the selector's input. */
function fromPayload(p: StatusPayload | null, now: number, timeZone: string | undefined) {
  const cw = p?.context_window;
  const u = cw?.current_usage ?? null;
  const tokens = u ? (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) : null;
  const size = cw?.context_window_size ?? null;
  const percent = cw?.used_percentage ?? (tokens !== null && size ? (tokens / size) * 100 : null);
  const dir = p?.workspace?.current_dir ?? p?.cwd ?? null;
  return {
    now,
    timeZone,
    dayStart: startOfDay(now, timeZone),
    sessionId: p?.session_id ?? null,
    model: p?.model?.display_name ?? p?.model?.id ?? null,
    claudeCodeUSD: p?.cost?.total_cost_usd ?? null,
    context: percent === null ? null : { percent, tokens, size },
    limits: p ? payloadLimits(p, now) : [],
    dir: dir === null ? null : basename(dir) || dir,
    note: null as string | null,
  };
}

/**
 * This session's transcripts: the payload's transcript_path (only when it is a transcript under one of the roots'
 * projects folders: the payload is input, not a licence to read any file) and its subagents' files beside it.
 */
export function sessionFiles(transcriptPath: string | null, sessionId: string | null, roots: readonly string[]): string[] {
  if (!transcriptPath || !transcriptPath.endsWith(".jsonl")) return [];
  const path = resolve(transcriptPath);
  if (!roots.some((r) => path.startsWith(join(r, "projects") + sep))) return [];
  const out: string[] = [];
  try {
    if (statSync(path).isFile()) out.push(path);
  } catch {
    return [];
  }
  // <project>/<session>.jsonl has its subagents in <project>/<session>/subagents/ (and workflow folders below it).
  const sid = sessionId && /^[A-Za-z0-9._-]+$/.test(sessionId) ? sessionId : basename(path, ".jsonl");
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name.endsWith(".jsonl")) out.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 2) walk(join(dir, e.name), depth + 1);
    }
  };
  walk(join(dirname(path), sid, "subagents"), 0);
  return out;
}

/** Local midnight of `now`'s day in a zone (epoch ms). */
export function startOfDay(now: number, timeZone: string | undefined): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
    hourCycle: "h23",
  }).formatToParts(now);
  const p: Record<string, number> = {};
  for (const x of parts) if (x.type !== "literal") p[x.type] = Number(x.value);
  const sinceMidnight = ((p.hour! * 60 + p.minute!) * 60 + p.second!) * 1000 + (now % 1000);
  return now - sinceMidnight;
}

function readConfig(): Record<string, unknown> {
  try {
    const file = configPath(process.env, home());
    if (!existsSync(file)) return {};
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return {};
    return parseConfig(readFileSync(file, "utf8"));
  } catch {
    return {}; // (the dashboard says what is wrong with the file; the status line still shows)
  }
}

async function install(flags: StatuslineFlags): Promise<StatuslineResult> {
  const { claudeConfigDir, installStatusline, statuslineCommand } = await import("./ingest/claude-settings.ts");
  const settingsPath = join(claudeConfigDir(process.env, home()), "settings.json");
  const { execPath, script, compiled } = runningAs();
  // (Bun and this script by their full paths, not the `claude-dash` on PATH: that is bin/claude-dash.js, which Node
  // starts, ~70 ms before Bun has even begun — Claude Code waits for the line after every response)
  const command = statuslineCommand({ execPath, script, compiled, pathEnv: compiled || script !== null ? "" : env("PATH") });
  const r = installStatusline({ settingsPath, command, write: flags.write, force: flags.force, now: wallClock() });
  if (!r.ok) return { code: r.code, out: "", err: `claude-dash statusline: ${r.message}\n` };
  return { code: 0, out: r.text.endsWith("\n") ? r.text : `${r.text}\n`, err: "" };
}

/** How this process was started: the runtime and the script (none for a compiled binary). */
function runningAs(): { execPath: string; script: string | null; compiled: boolean } {
  // (on Deno the command would need deno's permission flags: the snippet then names `claude-dash`, which runs Bun)
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return { execPath: process.execPath, script: null, compiled: false };
  const script = runningScript();
  return { execPath: process.execPath, script: script === null ? null : resolve(script), compiled: script === null };
}
