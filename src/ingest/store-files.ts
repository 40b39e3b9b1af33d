// The store's directories and transcript files: the directory listings kept between starts (so that a start lists
// only directories that changed), and per file where the last read ended, so that a start reads only bytes it has
// never seen. A file's row also says when its facts were replaced (`gen`), whether the parser changed since it was
// read (`reread`), and when it went missing from disk (`gone`: its facts stay).
import { basename, dirname, join, sep } from "node:path";
import type { SqlDatabase } from "../sqlite.ts";
import type { DirEntry } from "./discover.ts";
import type { FileFacts, FilePos } from "./facts.ts";

/** A transcript file as the store knows it. */
export interface StoredFile extends FilePos {
  id: number;
  path: string;
  /** bumps each time the file's facts are replaced. */
  gen: number;
  /** read it again from its first byte (the parser changed since its facts were read). */
  reread: boolean;
  /** when it was found missing from disk (its facts stay), or null. */
  gone: number | null;
  rejected: number;
}

/** The file row a write's facts go to, and where its read will have ended. */
interface Claim {
  id: number;
  gen: number;
  offset: number;
  lines: number;
  rejected: number;
  /** the file's row was made by this claim, already as settle would leave it. */
  fresh?: boolean;
}

interface FileRow {
  id: number;
  dir: number;
  name: string;
  dev: number;
  ino: number;
  size: number;
  mtime: number;
  offset: number;
  lines: number;
  head_len: number;
  head_hash: number;
  tail_hash: number;
  gen: number;
  reread: number;
  gone: number | null;
  rejected: number;
}

const isSorted = (a: readonly string[]): boolean => {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! > a[i]!) return false;
  return true;
};

const toStored = (r: FileRow, path: string): StoredFile => ({
  id: r.id,
  path,
  dev: r.dev,
  ino: r.ino,
  size: r.size,
  mtimeMs: r.mtime < 0 ? NaN : r.mtime, // (unknown: written to while it was read)
  offset: r.offset,
  lines: r.lines,
  headLen: r.head_len,
  headHash: r.head_hash,
  tailHash: r.tail_hash,
  gen: r.gen,
  reread: r.reread !== 0,
  gone: r.gone,
  rejected: r.rejected,
});

/** The `dirs` and `files` tables of one connection, with their ids and paths cached both ways. */
export class FileTable {
  private dirIds = new Map<string, number>();
  private dirById = new Map<number, string>();
  private listings: [string, DirEntry][] | null = null;
  /** stored files' paths, by id. */
  private paths = new Map<number, string>();

  /** `changed` is called after each write of its own transaction (the store's version: see UsageStore.version). */
  constructor(
    private readonly db: SqlDatabase,
    private readonly changed: () => void,
  ) {}

  private dirId(path: string): number {
    let id = this.dirIds.get(path);
    if (id === undefined) {
      this.db.run("INSERT OR IGNORE INTO dirs (path) VALUES (?)", path);
      id = this.db.get<{ id: number }>("SELECT id FROM dirs WHERE path = ?", path)!.id;
      this.dirIds.set(path, id);
      this.dirById.set(id, path);
    }
    return id;
  }

  /** Directory listings kept by earlier scans (read once per connection). */
  load(): [string, DirEntry][] {
    if (this.listings) return this.listings;
    const out: [string, DirEntry][] = [];
    for (const r of this.db.query<{ id: number; path: string; inode: string | null; mtime: number | null; read_at: number | null; entries: string | null }>(
      "SELECT * FROM dirs",
    )) {
      this.dirIds.set(r.path, r.id);
      this.dirById.set(r.id, r.path);
      if (r.entries === null || r.inode === null || r.mtime === null || r.read_at === null) continue;
      const dirs: string[] = [];
      const files: string[] = [];
      const at = r.path + sep;
      for (const name of r.entries.split("\n")) {
        if (name.endsWith("/")) dirs.push(at + name.slice(0, -1));
        else if (name) files.push(at + name);
      }
      // (listings are kept sorted; one an older version kept in directory order is sorted here)
      if (!isSorted(dirs)) dirs.sort();
      if (!isSorted(files)) files.sort();
      out.push([r.path, { mtimeMs: r.mtime, readAt: r.read_at, id: r.inode, dirs, files }]);
    }
    this.listings = out;
    return out;
  }

  /** Keeps directory listings (so a later start lists only directories that changed). */
  save(entries: readonly [string, DirEntry][]): void {
    this.listings = null;
    // (one statement per directory: on a first run this is every directory of the history)
    const upsert =
      "INSERT INTO dirs (path, inode, mtime, read_at, entries) VALUES (?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, mtime = excluded.mtime, read_at = excluded.read_at, entries = excluded.entries RETURNING id";
    this.db.transaction(() => {
      for (const [path, e] of entries) {
        const names = [...e.dirs.map((d) => `${basename(d)}/`), ...e.files.map((f) => basename(f))].join("\n");
        const id = this.db.get<{ id: number }>(upsert, path, e.id, e.mtimeMs, e.readAt, names)!.id;
        this.dirIds.set(path, id);
        this.dirById.set(id, path);
      }
    });
    this.changed();
  }

  /** True when the store knows at least one transcript file. */
  hasFiles(): boolean {
    return this.db.get("SELECT 1 FROM files LIMIT 1") !== undefined;
  }

  /** Every transcript file the store knows, present or gone. */
  files(): StoredFile[] {
    if (this.dirById.size === 0) this.load();
    return this.db.query<FileRow>("SELECT * FROM files").map((r) => toStored(r, this.dirPath(r.dir) + sep + r.name));
  }

  private dirPath(id: number): string {
    let p = this.dirById.get(id);
    if (p === undefined) {
      p = this.db.get<{ path: string }>("SELECT path FROM dirs WHERE id = ?", id)?.path ?? "";
      this.dirById.set(id, p);
      this.dirIds.set(p, id);
    }
    return p;
  }

  private fileRow(path: string): FileRow | undefined {
    const dir = this.dirIds.get(dirname(path)) ?? this.db.get<{ id: number }>("SELECT id FROM dirs WHERE path = ?", dirname(path))?.id;
    if (dir === undefined) return undefined;
    return this.db.get<FileRow>("SELECT * FROM files WHERE dir = ? AND name = ?", dir, basename(path));
  }

  file(path: string): StoredFile | null {
    const r = this.fileRow(path);
    return r ? toStored(r, path) : null;
  }

  /** The path of a stored file (by id). */
  filePath(id: number): string {
    let p = this.paths.get(id);
    if (p === undefined) {
      const r = this.db.get<{ dir: number; name: string }>("SELECT dir, name FROM files WHERE id = ?", id);
      p = r ? this.dirPath(r.dir) + sep + r.name : "";
      this.paths.set(id, p);
    }
    return p;
  }

  /** Notes files as gone from disk at `when` (their facts stay), or present again (null). */
  setGone(paths: readonly string[], when: number | null): void {
    if (paths.length === 0) return;
    this.db.transaction(() => {
      for (const p of paths) {
        const r = this.fileRow(p);
        if (r) this.db.run("UPDATE files SET gone = ? WHERE id = ?", when, r.id);
      }
    });
    this.changed();
  }

  /**
   * The stored row of a file whose facts are about to be written (replacing them, through `removeFacts`, when it was
   * read from its start); "conflict" when another process replaced them since this reader's position was taken.
   */
  claim(f: FileFacts, removeFacts: (ids: readonly number[]) => void): Claim | "conflict" {
    const db = this.db;
    const row = this.fileRow(f.path);
    const p = f.pos;
    if (!row) {
      const id = db.run(
        "INSERT INTO files (dir, name, dev, ino, size, mtime, offset, lines, head_len, head_hash, tail_hash, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        this.dirId(dirname(f.path)),
        basename(f.path),
        p.dev,
        p.ino,
        p.size,
        Number.isNaN(p.mtimeMs) ? -1 : p.mtimeMs,
        p.offset,
        p.lines,
        p.headLen,
        p.headHash,
        p.tailHash,
        f.rejectedCount,
      ).lastInsertRowid;
      return { id, gen: 0, offset: p.offset, lines: p.lines, rejected: f.rejectedCount, fresh: true };
    }
    const sameFile = row.dev === p.dev && row.ino === p.ino && row.head_hash === p.headHash && row.head_len <= p.headLen;
    if (f.restart || row.reread !== 0) {
      if (!f.restart) return "conflict"; // read it again from the start, as the parser changed
      removeFacts([row.id]);
      return {
        id: row.id,
        gen: db.get<{ gen: number }>("SELECT gen FROM files WHERE id = ?", row.id)!.gen,
        offset: p.offset,
        lines: p.lines,
        rejected: f.rejectedCount,
      };
    }
    if (f.gen === -1 ? !sameFile : f.gen !== row.gen) return "conflict";
    // The same file, continued (perhaps also by another process: facts are idempotent, positions only advance).
    const ahead = row.offset > p.offset;
    return { id: row.id, gen: row.gen, offset: ahead ? row.offset : p.offset, lines: ahead ? row.lines : p.lines, rejected: f.rejectedCount + row.rejected };
  }

  /** Records where the read ended. */
  settle(f: FileFacts, c: Claim): void {
    if (c.fresh) return;
    const p = f.pos;
    this.db.run(
      "UPDATE files SET dev = ?, ino = ?, size = ?, mtime = ?, offset = ?, lines = ?, head_len = ?, head_hash = ?, tail_hash = ?, gen = ?, reread = 0, gone = NULL, rejected = ? WHERE id = ?",
      p.dev,
      p.ino,
      p.size,
      Number.isNaN(p.mtimeMs) ? -1 : p.mtimeMs,
      c.offset,
      c.lines,
      p.headLen,
      p.headHash,
      p.tailHash,
      c.gen,
      c.rejected,
      c.id,
    );
  }

  /** How many lines could not be used, and the first `max` of them (by file and line). */
  rejectedLines(max: number): { count: number; samples: { file: string; line: number; reason: string }[] } {
    const count = this.db.get<{ n: number | null }>("SELECT sum(rejected) AS n FROM files")?.n ?? 0;
    const samples = this.db
      .query<{ dir: number; name: string; line: number; reason: string }>(
        "SELECT f.dir AS dir, f.name AS name, r.line AS line, r.reason AS reason FROM rejected r JOIN files f ON f.id = r.file",
      )
      .map((r) => ({ file: join(this.dirPath(r.dir), r.name), line: r.line, reason: r.reason }))
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
      .slice(0, max);
    return { count, samples };
  }
}
