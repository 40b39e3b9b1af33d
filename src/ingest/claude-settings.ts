// `claude-dash statusline --install`: puts our status line into Claude Code's settings.json. Without --write it only
// says where and what; with it, the one member `"statusLine"` is added (or, with --force, its value replaced) by a text
// splice, so every other byte of a file the user (or a dotfile manager) keeps by hand stays as it was: key order,
// indentation, escapes, unicode. The result is parsed again and every other key compared before anything is written.
// An existing file is copied to a backup (0600) first, and replaced atomically (a temp file beside it, renamed), with
// its mode kept; a settings.json that is a symbolic link has its target written, so the link stays a link. Only
// settings.json and its backup are ever written: never transcripts, never credentials.
import { Buffer } from "node:buffer";
import {
  chmodSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { cleanText } from "../shared/sanitize.ts";

/** Claude Code's config directory: $CLAUDE_CONFIG_DIR (its first entry when it is a comma-separated list, as the
 *  transcript roots read it), else ~/.claude. `isDir` lets a directory whose name has commas be that one path. */
export function claudeConfigDir(env: Record<string, string | undefined>, home: string, isDir?: (path: string) => boolean): string {
  const whole = (env.CLAUDE_CONFIG_DIR ?? "").trim();
  if (whole === "") return join(home, ".claude");
  const first =
    whole.includes(",") && !isDir?.(resolve(expandHome(whole, home)))
      ? (whole
          .split(",")
          .map((s) => s.trim())
          .find((s) => s !== "") ?? "")
      : whole;
  return first === "" ? join(home, ".claude") : resolve(expandHome(first, home));
}

/** Where Claude Code's user settings live. */
export const claudeSettingsPath = (env: Record<string, string | undefined>, home: string, isDir?: (path: string) => boolean): string =>
  join(claudeConfigDir(env, home, isDir), "settings.json");

function expandHome(p: string, home: string): string {
  return p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
}

interface CommandInputs {
  /** the running executable: the compiled binary, or the Bun (Deno) that runs the script. */
  execPath: string;
  /** the script that runs (process.argv[1]), or null when not known. */
  script: string | null;
  /** whether this is a standalone binary (`bun build --compile`): then execPath alone is claude-dash. */
  compiled: boolean;
  pathEnv: string | undefined;
  isExecutable?: (path: string) => boolean;
}

/**
 * The command Claude Code runs for the status line. `claude-dash statusline` when a claude-dash is on PATH (it keeps
 * working when the install moves or is upgraded); otherwise the absolute paths of what runs now, quoted for the POSIX
 * shell Claude Code runs it with.
 */
export function statuslineCommand(o: CommandInputs): string {
  const isExec = o.isExecutable ?? executable;
  // (only absolute entries: an empty or relative one is looked up from whatever directory Claude Code runs in)
  const dirs = (o.pathEnv ?? "").split(delimiter).filter((d) => d !== "" && isAbsolute(d));
  if (dirs.some((d) => isExec(join(d, "claude-dash")))) return "claude-dash statusline";
  if (o.compiled) return `${shellQuote(o.execPath)} statusline`;
  // (without the script there is nothing absolute that works: the name is the best guess, and says what is missing)
  if (o.script === null) return "claude-dash statusline";
  return `${shellQuote(o.execPath)} ${shellQuote(resolve(o.script))} statusline`;
}

function executable(path: string): boolean {
  try {
    // (the mode's execute bits, not access(2): Deno asks for --allow-sys before that, and it is optional there)
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** A word for a POSIX shell: as it is when it holds nothing the shell reads specially, else in single quotes. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The statusLine value: the keys Claude Code documents. Padding 0 lets the line use the terminal's full width, as the
 *  documentation's example does (the line fits itself to the width it is given). */
const statusLineValue = (command: string) => ({ type: "command", command, padding: 0 });

/** Characters JSON.stringify leaves raw that a terminal would act on (DEL, C1, bidi controls, line separators): as
 *  \uXXXX they are the same JSON, and printing the snippet cannot steer the terminal. */
const jsonSafe = (t: string) =>
  t.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const json = (v: unknown) => jsonSafe(JSON.stringify(v));

/** The settings to add, as a JSON object of its own (what a new settings.json holds, and what is shown). */
export function statuslineSnippet(command: string): string {
  return `{\n  "statusLine": ${renderValue(statusLineValue(command), "  ", "  ", "\n")}\n}`;
}

/** A flat object, multi-line at `indent` with members one `unit` deeper, or on one line when `nl` is "". */
function renderValue(v: Record<string, unknown>, indent: string, unit: string, nl: string): string {
  const members = Object.entries(v).map(([k, x]) => `${json(k)}: ${json(x)}`);
  if (nl === "") return `{${members.join(", ")}}`;
  return `{${nl}${members.map((m) => indent + unit + m).join(`,${nl}`)}${nl}${indent}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The scanner: where each top-level member of a JSON object is, by character offset. It reads only text JSON.parse
// has accepted, so it never judges validity; it skips nested values by counting brackets (no recursion: nesting depth
// cannot exhaust the stack), stepping over strings whole so a bracket or quote inside one is not counted.

interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

interface ObjectSpans {
  open: number;
  close: number;
  members: Member[];
}

const isWs = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

function skipWs(t: string, i: number): number {
  while (isWs(t[i])) i++;
  return i;
}

/** The offset just past the string literal starting at `i` (a quote). */
function skipString(t: string, i: number): number {
  for (i++; i < t.length; i++) {
    if (t[i] === "\\") i++;
    else if (t[i] === '"') return i + 1;
  }
  throw new Error("unterminated string");
}

/** The offset just past the value starting at `i`. */
function skipValue(t: string, i: number): number {
  const c = t[i];
  if (c === '"') return skipString(t, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < t.length) {
      const ch = t[i];
      if (ch === '"') {
        i = skipString(t, i);
        continue;
      }
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new Error("unterminated value");
  }
  while (i < t.length && !isWs(t[i]) && t[i] !== "," && t[i] !== "}" && t[i] !== "]") i++;
  return i;
}

function scanObject(t: string): ObjectSpans {
  const open = skipWs(t, t.startsWith("\uFEFF") ? 1 : 0);
  if (t[open] !== "{") throw new Error("not an object");
  const members: Member[] = [];
  let i = skipWs(t, open + 1);
  if (t[i] === "}") return { open, close: i, members };
  for (;;) {
    const keyStart = i;
    const keyEnd = skipString(t, i);
    const key = JSON.parse(t.slice(keyStart, keyEnd)) as string;
    i = skipWs(t, keyEnd);
    if (t[i] !== ":") throw new Error("expected a colon");
    const valueStart = skipWs(t, i + 1);
    const valueEnd = skipValue(t, valueStart);
    members.push({ key, keyStart, valueStart, valueEnd });
    i = skipWs(t, valueEnd);
    if (t[i] === "}") return { open, close: i, members };
    if (t[i] !== ",") throw new Error("expected a comma");
    i = skipWs(t, i + 1);
  }
}

/** The whitespace before offset `at` on its line, when only whitespace precedes it there (else null). */
function lineIndent(t: string, at: number): string | null {
  const lineStart = t.lastIndexOf("\n", at - 1) + 1;
  const before = t.slice(lineStart, at);
  return lineStart > 0 && /^[ \t]*$/.test(before) ? before : null;
}

interface Layout {
  /** "" when the object is written on one line (then what we add is too). */
  nl: string;
  /** the top-level members' indentation, and one level of it. */
  indent: string;
  unit: string;
}

function layoutOf(t: string, obj: ObjectSpans): Layout {
  const body = t.slice(obj.open, obj.close + 1);
  if (obj.members.length > 0 && !body.includes("\n")) return { nl: "", indent: "", unit: "" };
  const nl = t.includes("\r\n") ? "\r\n" : "\n";
  let indent: string | null = null;
  for (const m of obj.members) {
    indent = lineIndent(t, m.keyStart);
    if (indent !== null && indent !== "") break;
  }
  // (a file whose members start at column 0, or that has none to copy, gets the two spaces of Claude Code's own files)
  if (indent === null || indent === "") indent = "  ";
  // (the top level is one level deep, so its indentation is the file's unit, unless it mixes tabs and spaces)
  const unit = /^( +|\t+)$/.test(indent) ? (indent[0] === "\t" ? "\t" : indent) : "  ";
  return { nl, indent, unit };
}

/** The file's text with statusLine set to `value`: members added before the closing brace, or (replace) each
 *  top-level statusLine's value span replaced; nothing else changes. */
function splice(t: string, value: Record<string, unknown>, replace: boolean): string {
  const obj = scanObject(t);
  const lay = layoutOf(t, obj);
  const existing = obj.members.filter((m) => m.key === "statusLine");
  if (replace && existing.length > 0) {
    let out = t;
    // (from the last, so earlier offsets stay right; a key given twice has both values replaced: JSON.parse reads the
    // last, other readers may read the first)
    for (const m of [...existing].reverse()) {
      const indent = lay.nl === "" ? "" : (lineIndent(t, m.keyStart) ?? lay.indent);
      out = out.slice(0, m.valueStart) + renderValue(value, indent, lay.unit, lay.nl) + out.slice(m.valueEnd);
    }
    return out;
  }
  const member = `"statusLine": ${renderValue(value, lay.indent, lay.unit, lay.nl)}`;
  const last = obj.members[obj.members.length - 1];
  if (last === undefined) {
    // `{}` becomes a file of one member; whitespace already inside the braces stays before the closing one
    const inside = t.slice(obj.open + 1, obj.close);
    const insert = inside.includes("\n") ? `${lay.nl}${lay.indent}${member}` : `${lay.nl}${lay.indent}${member}${lay.nl}`;
    return t.slice(0, obj.open + 1) + insert + t.slice(obj.open + 1);
  }
  const insert = lay.nl === "" ? `, ${member}` : `,${lay.nl}${lay.indent}${member}`;
  return t.slice(0, last.valueEnd) + insert + t.slice(last.valueEnd);
}

// ---------------------------------------------------------------------------------------------------------------
// Installing

interface InstallInputs {
  settingsPath: string;
  command: string;
  write: boolean;
  force: boolean;
  /** epoch ms: names a second backup. */
  now: number;
}

type InstallResult = { ok: true; text: string; wrote: boolean; backup: string | null } | { ok: false; message: string; code: 1 };

/** settings.json is a few KiB; a file far past this is not one to splice by hand. */
const MAX_SETTINGS_BYTES = 4 * 1024 * 1024;

const WRITE_HINT = "claude-dash statusline --install --write";

/** A path or a piece of the file in a message: cleaned of control characters, and short. */
const shownPath = (p: string) => cleanText(p, 200);
const shownCommand = (v: unknown) => {
  const c =
    typeof v === "object" && v !== null && typeof (v as { command?: unknown }).command === "string"
      ? (v as { command: string }).command
      : (JSON.stringify(v) ?? String(v));
  return cleanText(c, 80);
};
const errText = (e: unknown) => cleanText(e instanceof Error ? e.message : String(e), 200);

class Refusal extends Error {}

/** open(2) flags that refuse a symbolic link at the last component (0 where the platform has none). */
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/** What is at the settings path now. */
type Current =
  | { kind: "absent"; target: string }
  | { kind: "file"; target: string; link: boolean; bytes: Buffer; text: string; settings: Record<string, unknown>; mode: number }
  | { kind: "unusable"; target: string; link: boolean; why: string };

function readCurrent(settingsPath: string): Current {
  let link = false;
  let target = settingsPath;
  try {
    link = lstatSync(settingsPath).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent", target };
    throw new Refusal(`cannot read ${shownPath(settingsPath)}: ${errText(e)}`);
  }
  if (link) {
    try {
      target = realpathSync(settingsPath);
    } catch (e) {
      throw new Refusal(`${shownPath(settingsPath)} is a symbolic link whose target cannot be found (${errText(e)}); nothing was written`);
    }
    // (a link a dotfile manager made points at a settings file; one at credentials or transcripts is not ours to edit)
    const name = basename(target);
    if (name === ".credentials.json" || name.endsWith(".jsonl"))
      throw new Refusal(`${shownPath(settingsPath)} links to ${shownPath(target)}, which is not a settings file; nothing was written`);
  }
  const st = statSync(target);
  if (!st.isFile()) throw new Refusal(`${shownPath(target)} is not a regular file; nothing was written`);
  if (st.size > MAX_SETTINGS_BYTES)
    return { kind: "unusable", target, link, why: `is larger than ${MAX_SETTINGS_BYTES / 1024 / 1024} MiB: not a settings file` };
  const bytes = readFileSync(target);
  const text = bytes.toString("utf8");
  // (text that is not UTF-8 would not come back byte for byte after the splice)
  if (!Buffer.from(text, "utf8").equals(bytes)) return { kind: "unusable", target, link, why: "is not UTF-8 text" };
  let parsed: unknown;
  try {
    // (a byte-order mark is kept in the file; JSON.parse alone refuses it)
    parsed = JSON.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { kind: "unusable", target, link, why: "is not a JSON object" };
  return { kind: "file", target, link, bytes, text, settings: parsed as Record<string, unknown>, mode: st.mode & 0o7777 };
}

const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Shows (write: false) or writes the status line into settings.json. Refuses, writing nothing, when the file is not a
 * JSON object, already has a different statusLine (unless force), or anything on the way fails.
 */
export function installStatusline(o: InstallInputs): InstallResult {
  try {
    return o.write ? write(o) : show(o);
  } catch (e) {
    return { ok: false, message: e instanceof Refusal ? e.message : `cannot install the status line in ${shownPath(o.settingsPath)}: ${errText(e)}`, code: 1 };
  }
}

function show(o: InstallInputs): InstallResult {
  const value = statusLineValue(o.command);
  const lines = [`Claude Code's settings: ${shownPath(o.settingsPath)}`];
  let cur: Current;
  try {
    cur = readCurrent(o.settingsPath);
  } catch (e) {
    cur = {
      kind: "unusable",
      target: o.settingsPath,
      link: false,
      why: `cannot be used (${(e instanceof Refusal ? e.message : errText(e)).replace(/; nothing was written$/, "")})`,
    };
  }
  if (cur.kind !== "absent" && cur.link) lines.push(`(a symbolic link to ${shownPath(cur.target)}: --write changes the target and keeps the link)`);
  lines.push("", "The status line to add:", statuslineSnippet(o.command), "");
  if (cur.kind === "absent") lines.push("The file does not exist yet: --write creates it.");
  else if (cur.kind === "unusable") lines.push(`The file ${cur.why}: --write would refuse to change it.`);
  else if (has(cur.settings, "statusLine")) {
    if (isDeepStrictEqual(cur.settings.statusLine, value)) {
      lines.push("The file already has this status line: there is nothing to write.");
      return { ok: true, text: `${lines.join("\n")}\n`, wrote: false, backup: null };
    }
    lines.push(`The file already has a statusLine (command: ${shownCommand(cur.settings.statusLine)}): --write --force would replace it, after a backup.`);
  } else lines.push("The file has no statusLine: --write adds it, after a backup, and changes nothing else.");
  lines.push(`To write it: ${WRITE_HINT}${cur.kind === "file" && has(cur.settings, "statusLine") ? " --force" : ""}`);
  return { ok: true, text: `${lines.join("\n")}\n`, wrote: false, backup: null };
}

function write(o: InstallInputs): InstallResult {
  if (basename(o.settingsPath) !== "settings.json") throw new Refusal(`${shownPath(o.settingsPath)} is not a settings.json; nothing was written`);
  const value = statusLineValue(o.command);
  const cur = readCurrent(o.settingsPath);
  if (cur.kind === "unusable") throw new Refusal(`${shownPath(cur.target)} ${cur.why}; nothing was written`);

  if (cur.kind === "absent") {
    const dir = dirname(o.settingsPath);
    // (a directory we make holds Claude Code's history later: only its owner reads it, as Claude Code makes it)
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    atomicWrite(o.settingsPath, Buffer.from(`${statuslineSnippet(o.command)}\n`, "utf8"), 0o600, null);
    return {
      ok: true,
      text: `Created ${shownPath(o.settingsPath)} with the status line (there was no file before, so no backup).\nClaude Code runs: ${cleanText(o.command, 300)}\n`,
      wrote: true,
      backup: null,
    };
  }

  const present = has(cur.settings, "statusLine");
  if (present && isDeepStrictEqual(cur.settings.statusLine, value)) {
    return { ok: true, text: `${shownPath(o.settingsPath)} already has this status line: nothing was written.\n`, wrote: false, backup: null };
  }
  if (present && !o.force) {
    throw new Refusal(`${shownPath(o.settingsPath)} already has a statusLine (command: ${shownCommand(cur.settings.statusLine)}); add --force to replace it`);
  }

  let next: string;
  try {
    next = splice(cur.text, value, present);
  } catch (e) {
    throw new Refusal(`${shownPath(cur.target)} could not be read as JSON (${errText(e)}); nothing was written`);
  }
  verify(cur.settings, next, value, cur.target);
  // (a rename would replace a read-only file all the same: a file kept read-only on purpose is not ours to replace.
  // Opened for writing and closed, not access(2), which Deno allows only with --allow-sys)
  try {
    closeSync(openSync(cur.target, constants.O_WRONLY | NOFOLLOW));
  } catch {
    throw new Refusal(`${shownPath(cur.target)} is not writable; nothing was written`);
  }

  const backup = writeBackup(o.settingsPath, cur.bytes, o.now);
  try {
    atomicWrite(cur.target, Buffer.from(next, "utf8"), cur.mode, cur.bytes);
  } catch (e) {
    // (a failed install leaves nothing behind, not even the copy made for it)
    rmSync(backup, { force: true });
    throw e;
  }
  const where = cur.link ? ` (through the symbolic link: ${shownPath(cur.target)})` : "";
  return {
    ok: true,
    text: `${present ? "Replaced the statusLine in" : "Added the status line to"} ${shownPath(o.settingsPath)}${where}.\nBackup of the old file: ${shownPath(backup)}\nClaude Code runs: ${cleanText(o.command, 300)}\n`,
    wrote: true,
    backup,
  };
}

/** The spliced text parses, holds the new statusLine, and every other top-level key as it was. */
function verify(before: Record<string, unknown>, next: string, value: unknown, file: string): void {
  let after: unknown;
  try {
    after = JSON.parse(next.startsWith("\uFEFF") ? next.slice(1) : next);
  } catch {
    after = undefined;
  }
  const fail = () => new Refusal(`the status line could not be added to ${shownPath(file)} without changing anything else; nothing was written`);
  if (typeof after !== "object" || after === null || Array.isArray(after)) throw fail();
  const a = after as Record<string, unknown>;
  if (!isDeepStrictEqual(a.statusLine, value)) throw fail();
  const others = (r: Record<string, unknown>) =>
    Object.keys(r)
      .filter((k) => k !== "statusLine")
      .sort();
  const keys = others(before);
  if (!isDeepStrictEqual(keys, others(a))) throw fail();
  for (const k of keys) if (!isDeepStrictEqual(before[k], a[k])) throw fail();
}

/** `settings.json.claude-dash-backup`, or when that exists one named by the time (and a count, if that exists too). */
function writeBackup(settingsPath: string, bytes: Buffer, now: number): string {
  const base = `${settingsPath}.claude-dash-backup`;
  const candidates = [base, `${base}-${stamp(now)}`];
  for (let n = 2; n <= 20; n++) candidates.push(`${base}-${stamp(now)}-${n}`);
  for (const path of candidates) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new Refusal(`cannot write the backup ${shownPath(path)}: ${errText(e)}; nothing was written`);
    }
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(path, { force: true });
      throw new Refusal(`cannot write the backup ${shownPath(path)}: ${errText(e)}; nothing was written`);
    }
    closeSync(fd);
    return path;
  }
  throw new Refusal(`too many backups beside ${shownPath(settingsPath)}; nothing was written`);
}

/** YYYYMMDDHHMMSS in local time: a name the user reads beside their own file. */
export function stamp(now: number): string {
  const d = new Date(now);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function writeAll(fd: number, bytes: Buffer): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/**
 * `bytes` at `path` through a temp file beside it, renamed over it: a reader sees the old file or the new, never half.
 * `expect`: what the file held when read; if it changed since (Claude Code writes settings.json too), nothing is
 * replaced, so that change is not lost.
 */
function atomicWrite(path: string, bytes: Buffer, mode: number, expect: Buffer | null): void {
  const tmp = join(dirname(path), `.${basename(path)}.claude-dash-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    // (open's mode is narrowed by the umask: set it after, to the old file's exactly)
    chmod(tmp, mode);
    if (expect === null) {
      if (existsNow(path)) throw new Refusal(`${shownPath(path)} appeared while it was being written; nothing was written`);
    } else if (!readFileSync(path).equals(expect)) {
      throw new Refusal(`${shownPath(path)} changed while it was being edited; nothing was written (run it again)`);
    }
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    if (e instanceof Refusal) throw e;
    throw new Refusal(`cannot write ${shownPath(path)}: ${errText(e)}; nothing was written`);
  }
}

function chmod(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // Windows keeps only the read-only bit; nothing to keep there
  }
}

function existsNow(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
