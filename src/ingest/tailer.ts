// Tails one transcript file by byte offset. It keeps the file's identity (device + inode), the offset of the
// next unread byte and the unfinished last line, so each refresh reads only the appended bytes, cut into whole lines (scanLines, below). A file that
// shrank or was replaced is read again from 0; a file that vanished reports `gone`. It never writes.
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { Buffer } from "node:buffer";
import type { FilePos } from "./facts.ts";
import { sameMtime } from "./discover.ts";

const decoder = new TextDecoder("utf-8");
const EMPTY = new Uint8Array(0);

export const CHUNK_BYTES = 4 * 1024 * 1024;
/** How many leading bytes identify a file's content (a transcript's first line holds uuids and a timestamp). */
const HEAD_BYTES = 256;

let shared: Buffer | null = null;
function chunkBuffer(): Buffer {
  if (!shared) shared = Buffer.allocUnsafe(CHUNK_BYTES);
  return shared;
}

export interface TailResult {
  /** bytes read this time. */
  bytes: number;
  /** complete lines read this time. */
  lines: number;
  /** true when the file was read again from 0 (it shrank or was replaced). */
  restarted: boolean;
  /** true when the file no longer exists (or cannot be read as a file). */
  gone: boolean;
  /** set when reading failed for another reason (permissions…): the file is kept and retried later. */
  error: string | null;
  /** true when the file was not read because it was last modified before `notModifiedBefore`. */
  deferred: boolean;
}

type LineSink = (line: string, lineNo: number) => void;
/** A line as the byte range [start, end) of `buf`, valid only during the call. */
type ByteSink = (buf: Buffer, start: number, end: number, lineNo: number) => void;
type OverlongSink = (lineNo: number) => void;

export class FileTailer {
  dev = -1;
  ino = -1;
  offset = 0;
  /** bytes of the unfinished last line. */
  pending: Uint8Array = EMPTY;
  /** number of complete lines seen so far. */
  lineNo = 0;
  /** size and mtime at the last refresh, to skip unchanged files cheaply. */
  size = -1;
  mtimeMs = -1;
  /** a hash of the file's first `headLen` bytes, to notice a rewrite in place (same inode, not shorter). */
  headLen = 0;
  headHash = 0;
  /** a hash of the (up to) HEAD_BYTES bytes before the end of the last complete line read: a rewrite that also grew
   *  the file changes them. */
  tailHash = 0;
  /** inside a line longer than maxLine: its bytes are being dropped. */
  private skipping = false;

  constructor(
    readonly path: string,
    readonly maxLine: number,
  ) {}

  /** Continues from where an earlier read (perhaps by an earlier process) ended. */
  restore(p: FilePos): void {
    this.dev = p.dev;
    this.ino = p.ino;
    this.size = p.size;
    this.mtimeMs = p.mtimeMs;
    this.offset = p.offset;
    this.lineNo = p.lines;
    this.headLen = p.headLen;
    this.headHash = p.headHash;
    this.tailHash = p.tailHash;
    this.pending = EMPTY;
    this.skipping = false;
  }

  /** Where the next read starts (an unfinished last line is read again), and how to recognise the file. */
  position(): FilePos {
    return {
      dev: this.dev,
      ino: this.ino,
      size: this.size,
      mtimeMs: this.mtimeMs,
      offset: this.offset - this.pending.length,
      lines: this.lineNo,
      headLen: this.headLen,
      headHash: this.headHash,
      tailHash: this.tailHash,
    };
  }

  /** Reads what was appended, delivering each complete line decoded as UTF-8. */
  refresh(onLine: LineSink, onOverlong: OverlongSink, notModifiedBefore = -Infinity): TailResult {
    const decoder = new TextDecoder("utf-8");
    return this.refreshBytes((buf, s, e, n) => onLine(decoder.decode(buf.subarray(s, e)), n), onOverlong, notModifiedBefore);
  }

  /**
   * Reads what was appended, delivering each complete line as bytes (the ingest fast path decodes only what it
   * needs). A file never read before whose mtime is earlier than `notModifiedBefore` is left unread (`deferred`):
   * every line in it was written before then.
   */
  refreshBytes(onLine: ByteSink, onOverlong: OverlongSink, notModifiedBefore = -Infinity): TailResult {
    const res: TailResult = { bytes: 0, lines: 0, restarted: false, gone: false, error: null, deferred: false };
    let st: Stats;
    try {
      st = statSync(this.path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "ENOTDIR") this.forget(res);
      else res.error = describe(e);
      return res;
    }
    if (!st.isFile()) {
      this.forget(res);
      return res;
    }
    if (this.dev === -1 && st.mtimeMs < notModifiedBefore) {
      res.deferred = true;
      this.mtimeMs = st.mtimeMs;
      return res;
    }
    // Replaced (another inode), shorter, or rewritten in place at the same size (appends change the size; a rewrite
    // at the same size shows only in the mtime: read it again, which costs a re-read when the mtime alone changed).
    const sameSize = st.size === this.size;
    if (sameSize && sameMtime(st.mtimeMs, this.mtimeMs) && st.dev === this.dev && st.ino === this.ino) return res; // unchanged
    const replaced = st.dev !== this.dev || st.ino !== this.ino || st.size < this.offset || (sameSize && !Number.isNaN(this.mtimeMs));
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT") this.forget(res);
      else res.error = describe(e);
      return res;
    }
    const buf = chunkBuffer();
    try {
      // Same file but rewritten in place and grown? Its first bytes, or those before where the last read ended, differ.
      if (replaced || (this.offset > 0 && (!this.sameHead(fd, buf) || !this.sameTail(fd, buf)))) {
        if (this.dev !== -1) res.restarted = true;
        this.dev = st.dev;
        this.ino = st.ino;
        this.offset = 0;
        this.pending = EMPTY;
        this.lineNo = 0;
        this.skipping = false;
        this.headLen = 0;
        this.headHash = 0;
        this.tailHash = 0;
      }
      // (the last read's bytes stay in buf: the tail's hash is taken from them when they hold it)
      let last = { at: -1, n: 0 };
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        if (this.offset === 0 || this.headLen < HEAD_BYTES) this.noteHead(fd, buf, n);
        last = { at: this.offset, n };
        this.offset += n;
        res.bytes += n;
        this.consume(buf.subarray(0, n), onLine, onOverlong, res);
        if (n < buf.length) break;
      }
      this.noteTail(fd, buf, last);
      // The size and mtime of what was read: a writer that appended meanwhile makes the mtime unknown (NaN), so the
      // next look reads on instead of taking the same size for a rewrite.
      const after = fstatSync(fd);
      this.size = this.offset;
      this.mtimeMs = after.size === this.offset ? after.mtimeMs : NaN;
    } catch (e) {
      res.error = describe(e);
      this.size = st.size;
      this.mtimeMs = st.mtimeMs;
    } finally {
      closeSync(fd);
    }
    return res;
  }

  /** Where the last complete line read ends (the next read of a later process starts there). */
  private get lineEnd(): number {
    return this.offset - this.pending.length;
  }

  /** Hashes the bytes before where the last complete line ends: from `last` (the last read, still in buf) when they
   *  are all in it — one read less per file — else read again. */
  private noteTail(fd: number, buf: Buffer, last: { at: number; n: number }): void {
    const end = this.lineEnd;
    const len = Math.min(end, HEAD_BYTES);
    if (len > 0 && last.at >= 0 && end - len >= last.at && end <= last.at + last.n) {
      this.tailHash = hashBytes(buf.subarray(end - len - last.at), len);
      return;
    }
    this.tailHash = len > 0 && readSync(fd, buf, 0, len, end - len) === len ? hashBytes(buf, len) : 0;
  }

  private sameTail(fd: number, buf: Buffer): boolean {
    const end = this.lineEnd;
    const len = Math.min(end, HEAD_BYTES);
    if (len === 0) return true;
    return readSync(fd, buf, 0, len, end - len) === len && hashBytes(buf, len) === this.tailHash;
  }

  /** Hashes the file's first bytes (up to HEAD_BYTES), once the read that holds them is in `buf`. */
  private noteHead(fd: number, buf: Buffer, n: number): void {
    if (this.offset === 0) {
      this.headLen = Math.min(n, HEAD_BYTES);
      this.headHash = hashBytes(buf, this.headLen);
      return;
    }
    // The file was shorter than HEAD_BYTES at the first read: its head is longer now.
    const len = Math.min(this.offset + n, HEAD_BYTES);
    const head = Buffer.alloc(len);
    if (readSync(fd, head, 0, len, 0) === len) {
      this.headLen = len;
      this.headHash = hashBytes(head, len);
    }
  }

  private sameHead(fd: number, buf: Buffer): boolean {
    if (this.headLen === 0) return true;
    const n = readSync(fd, buf, 0, this.headLen, 0);
    return n === this.headLen && hashBytes(buf, n) === this.headHash;
  }

  /** The file is gone: whatever appears at this path later is a new file, read from its first line. */
  private forget(res: TailResult): void {
    res.gone = true;
    this.dev = -1;
    this.ino = -1;
    this.offset = 0;
    this.pending = EMPTY;
    this.lineNo = 0;
    this.skipping = false;
    this.headLen = 0;
    this.headHash = 0;
    this.tailHash = 0;
  }

  private consume(chunk: Uint8Array, onLine: ByteSink, onOverlong: OverlongSink, res: TailResult): void {
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      this.lineNo++;
      chunk = chunk.subarray(nl + 1);
    }
    const rest = scanLines(this.pending, chunk, (buf, s, e) => {
      this.lineNo++;
      res.lines++;
      if (e - s > this.maxLine) onOverlong(this.lineNo);
      else onLine(buf, s, e, this.lineNo);
    });
    if (rest.length > this.maxLine) {
      onOverlong(this.lineNo + 1);
      this.pending = EMPTY;
      this.skipping = true;
    } else {
      this.pending = rest;
    }
  }
}

/** FNV-1a (32 bits) of the first `n` bytes. */
export function hashBytes(b: Uint8Array, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? err.message ?? String(e);
}

// The line splitter under the tailer, pure over byte chunks. It splits only at newline bytes (0x0A never occurs inside
// a multi-byte UTF-8 sequence), so a chunk that ends mid-line or mid-character leaves the unfinished bytes in `rest`
// for the next chunk, and every line is delivered whole.

/** Receives one complete line as the byte range [start, end) of `buf` (newline and a trailing CR excluded). */
type ByteLineSink = (buf: Buffer, start: number, end: number) => void;

/**
 * Calls `onLine` for every complete line in pending + chunk and returns the unfinished rest (a copy, so the
 * caller may reuse `chunk`). Lines are byte ranges: nothing is decoded here.
 */
function scanLines(pending: Uint8Array, chunk: Uint8Array, onLine: ByteLineSink): Uint8Array {
  const nl = chunk.lastIndexOf(10);
  if (nl < 0) return concat(pending, chunk);
  const headBytes = pending.length > 0 ? concat(pending, chunk.subarray(0, nl + 1)) : chunk.subarray(0, nl + 1);
  const head = Buffer.from(headBytes.buffer, headBytes.byteOffset, headBytes.length);
  let start = 0;
  const stop = head.length;
  while (start < stop) {
    const i = head.indexOf(10, start);
    let end = i;
    if (end > start && head[end - 1] === 13) end--;
    onLine(head, start, end);
    start = i + 1;
  }
  return nl + 1 < chunk.length ? copy(chunk.subarray(nl + 1)) : EMPTY;
}

/** A copy that owns its bytes (Buffer#slice would return a view into the caller's reused buffer). */
function copy(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  out.set(a);
  return out;
}

interface SplitResult {
  /** complete lines, decoded, without their newline (a trailing CR is removed too). */
  lines: string[];
  /** bytes after the last newline: the start of an unfinished line. */
  rest: Uint8Array;
}

/** The same split, decoding each line as UTF-8. */
export function splitLines(pending: Uint8Array, chunk: Uint8Array): SplitResult {
  const lines: string[] = [];
  const rest = scanLines(pending, chunk, (buf, s, e) => lines.push(decoder.decode(buf.subarray(s, e))));
  return { lines, rest };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return copy(b);
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
