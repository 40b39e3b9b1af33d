// Finds every `projects/**/*.jsonl` under the roots (including `<session>/subagents/`). Directories are
// remembered with their mtime so a later scan re-reads only those that changed. Symlinks are followed, but
// each directory (by device + inode) is visited once, so a symlink loop ends. It never writes to them; listings can be
// kept in a cache (the usage store) so that a later process too lists only directories that changed.
import { existsSync, readdirSync, statSync, type Stats, type Dirent } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

export interface DirEntry {
  mtimeMs: number;
  /** wall-clock time of the readdir. */
  readAt: number;
  /** a hash of the path (spreads quiet checks over polls); computed when first needed. */
  hash?: number;
  /** device:inode. */
  id: string;
  dirs: string[];
  files: string[];
}

/** Listings kept from an earlier run (the usage store keeps them), so a start lists only directories that changed. */
export interface DirCache {
  load(): Iterable<[string, DirEntry]>;
  /** Keeps listings made by a scan (called once after each scan that listed something). */
  save(entries: readonly [string, DirEntry][]): void;
}

/** For a poll: what counts as quiet, and how often a quiet file or directory is still checked. */
export interface QuietCheck {
  /** wall clock, epoch ms. */
  now: number;
  /** the poll's sequence number. */
  tick: number;
  /** unchanged for this long (mtime) = quiet. */
  afterMs: number;
  /** a quiet one is checked on one poll in this many (spread by a hash of its path). */
  every: number;
}

/**
 * Two modification times are the same to within a millisecond: Bun reports fractions of one (which the store keeps
 * rounded), Deno whole ones (truncated), so a store written under one runtime and read under the other must not take
 * every file for rewritten. (The size must match too: a file rewritten within the same millisecond at the same size
 * is not told apart, as a filesystem with coarse timestamps would not tell it either.)
 */
export function sameMtime(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1;
}

export function isQuiet(mtimeMs: number, hash: number, q: QuietCheck): boolean {
  return mtimeMs < q.now - q.afterMs && (q.tick + hash) % q.every !== 0;
}

export function pathHash(p: string): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) h = (Math.imul(h, 31) + p.charCodeAt(i)) >>> 0;
  return h;
}

/** Directories modified this recently before we listed them are listed again on the next scan. */
const MTIME_SLACK_MS = 2000;

export interface FileInfo {
  path: string;
  /** session id implied by the path: `<uuid>.jsonl`, or the `<uuid>` folder above `subagents/`. */
  sessionId: string | null;
  /** agent id implied by an `agent-<id>.jsonl` name. */
  agentId: string | null;
}

export class Discovery {
  private dirs = new Map<string, DirEntry>();
  /** directories that could not be read, with the reason (shown in diagnostics). */
  readonly problems = new Map<string, string>();

  /** listings made by the current scan, to hand to the cache. */
  private listed: [string, DirEntry][] = [];

  /** `reportMissing`: a root the user named that does not exist (or has no projects folder) is a problem to show. */
  constructor(
    readonly roots: readonly string[],
    private readonly reportMissing = false,
    private readonly cache?: DirCache,
  ) {
    if (cache) for (const [p, e] of cache.load()) this.dirs.set(p, e);
  }

  /**
   * All transcript files now present, in path order within each directory, a directory's files before its
   * subdirectories' (so results do not depend on the order the file system lists them). With `quiet`,
   * a directory unchanged for a while is trusted without a stat on most calls (each is still checked every
   * `quiet.every` calls): the live poll's cost then follows what is active, not the size of the history.
   */
  scan(quiet?: QuietCheck): string[] {
    const seenIds = new Set<string>();
    const live = new Set<string>();
    const files: string[] = [];
    for (const root of this.roots) {
      const projects = join(root, "projects");
      if (this.reportMissing && !existsSync(projects)) this.problems.set(root, existsSync(root) ? "no projects folder in it" : "not found");
      else this.problems.delete(root);
      this.visit(projects, seenIds, live, files, quiet, true);
    }
    for (const d of this.dirs.keys()) if (!live.has(d)) this.dirs.delete(d);
    if (this.cache && this.listed.length > 0) this.cache.save(this.listed);
    this.listed = [];
    return files;
  }

  private visit(dir: string, seenIds: Set<string>, live: Set<string>, files: string[], quiet?: QuietCheck, top = false): void {
    const known = this.dirs.get(dir);
    if (known && quiet && isQuiet(known.mtimeMs, (known.hash ??= pathHash(dir)), quiet)) {
      if (seenIds.has(known.id)) return;
      seenIds.add(known.id);
      live.add(dir);
      for (const f of known.files) files.push(f);
      for (const d of known.dirs) this.visit(d, seenIds, live, files, quiet);
      return;
    }
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") this.problems.set(dir, code ?? "unreadable");
      return;
    }
    if (!st.isDirectory()) {
      // (a root's projects that is a file holds nothing we can read: say so rather than show an empty dashboard)
      if (top) this.problems.set(dir, "not a directory");
      return;
    }
    if (top) this.problems.delete(dir);
    const id = `${st.dev}:${st.ino}`;
    if (seenIds.has(id)) return; // a symlink loop or a second path to the same directory
    seenIds.add(id);
    live.add(dir);
    let entry = this.dirs.get(dir);
    // Re-read when the directory changed, and also while its mtime is within the timestamp granularity of our
    // last read (coarse-mtime filesystems: a file created in the same tick leaves the mtime unchanged).
    if (!entry || !sameMtime(entry.mtimeMs, st.mtimeMs) || entry.id !== id || entry.readAt - st.mtimeMs < MTIME_SLACK_MS) {
      entry = this.read(dir, st.mtimeMs, id);
      this.dirs.set(dir, entry);
      if (!this.problems.has(dir)) this.listed.push([dir, entry]);
    }
    for (const f of entry.files) files.push(f);
    for (const d of entry.dirs) this.visit(d, seenIds, live, files, quiet);
  }

  private read(dir: string, mtimeMs: number, id: string): DirEntry {
    const entry: DirEntry = { mtimeMs, readAt: Date.now(), id, dirs: [], files: [] };
    let names: Dirent[];
    try {
      names = readdirSync(dir, { withFileTypes: true });
      this.problems.delete(dir);
    } catch (e) {
      this.problems.set(dir, (e as { code?: string }).code ?? "unreadable");
      return entry;
    }
    // (sorted once here, and kept sorted in the cache, so that a scan lists files in the same order on every disk
    // without sorting all of them on each call)
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let undecodable = 0;
    for (const d of names) {
      const p = `${dir}${sep}${d.name}`; // (path.join is a tenth of a warm start: these are already normal)
      // A name that is not valid UTF-8 comes back with U+FFFD in it, and no such path exists: it cannot be opened by
      // this name. Counted and said (diagnostics), never skipped in silence.
      if (d.name.includes("\ufffd") && !existsSync(p)) {
        undecodable++;
        continue;
      }
      if (d.isDirectory()) entry.dirs.push(p);
      else if (d.name.endsWith(".jsonl") && (d.isFile() || d.isSymbolicLink())) entry.files.push(p);
      else if (d.isSymbolicLink()) entry.dirs.push(p); // resolved (and loop-checked) when visited
    }
    if (undecodable > 0) this.problems.set(dir, `${undecodable} name${undecodable === 1 ? "" : "s"} in it not valid UTF-8 (not read)`);
    return entry;
  }
}

const AGENT_FILE = /^agent-(.+)\.jsonl$/;

export function fileInfo(path: string): FileInfo {
  const name = basename(path);
  const agent = AGENT_FILE.exec(name);
  if (agent) {
    // <session>/subagents/agent-x.jsonl, or deeper (<session>/subagents/workflows/wf_<run>/agent-x.jsonl)
    let dir = dirname(path);
    let sessionId: string | null = null;
    for (let up = 0; up < 4 && dir !== dirname(dir); up++, dir = dirname(dir)) {
      if (basename(dir) === "subagents") {
        sessionId = basename(dirname(dir));
        break;
      }
    }
    return { path, sessionId, agentId: agent[1]! };
  }
  return { path, sessionId: name.slice(0, -".jsonl".length) || null, agentId: null };
}
