// Tails one transcript file by byte offset. It keeps the file's identity (device + inode), the offset of the
// next unread byte and the unfinished last line, so each refresh reads only the appended bytes. A file that
// shrank or was replaced is read again from 0; a file that vanished reports `gone`. It never writes.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { EMPTY_BYTES, splitLines } from "./splitter.ts";

export const CHUNK_BYTES = 4 * 1024 * 1024;

let shared: Uint8Array | null = null;
function chunkBuffer(): Uint8Array {
  if (!shared) shared = new Uint8Array(CHUNK_BYTES);
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
}

export type LineSink = (line: string, lineNo: number) => void;
export type OverlongSink = (lineNo: number) => void;

export class FileTailer {
  dev = -1;
  ino = -1;
  offset = 0;
  /** bytes of the unfinished last line. */
  pending: Uint8Array = EMPTY_BYTES;
  /** number of complete lines seen so far. */
  lineNo = 0;
  /** size and mtime at the last refresh, to skip unchanged files cheaply. */
  size = -1;
  mtimeMs = -1;
  /** inside a line longer than maxLine: its bytes are being dropped. */
  private skipping = false;

  constructor(
    readonly path: string,
    readonly maxLine: number,
  ) {}

  refresh(onLine: LineSink, onOverlong: OverlongSink): TailResult {
    const res: TailResult = { bytes: 0, lines: 0, restarted: false, gone: false, error: null };
    let st;
    try {
      st = statSync(this.path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "ENOTDIR") res.gone = true;
      else res.error = describe(e);
      return res;
    }
    if (!st.isFile()) {
      res.gone = true;
      return res;
    }
    if (st.dev !== this.dev || st.ino !== this.ino || st.size < this.offset) {
      if (this.dev !== -1) res.restarted = true;
      this.dev = st.dev;
      this.ino = st.ino;
      this.offset = 0;
      this.pending = EMPTY_BYTES;
      this.lineNo = 0;
      this.skipping = false;
    } else if (st.size === this.offset) {
      this.size = st.size;
      this.mtimeMs = st.mtimeMs;
      return res;
    }
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT") res.gone = true;
      else res.error = describe(e);
      return res;
    }
    const buf = chunkBuffer();
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        res.bytes += n;
        this.consume(buf.subarray(0, n), onLine, onOverlong, res);
        if (n < buf.length) break;
      }
    } catch (e) {
      res.error = describe(e);
    } finally {
      closeSync(fd);
    }
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    return res;
  }

  private consume(chunk: Uint8Array, onLine: LineSink, onOverlong: OverlongSink, res: TailResult): void {
    if (this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) return;
      this.skipping = false;
      this.lineNo++;
      chunk = chunk.subarray(nl + 1);
    }
    const { lines, rest } = splitLines(this.pending, chunk);
    for (const line of lines) {
      this.lineNo++;
      res.lines++;
      onLine(line, this.lineNo);
    }
    if (rest.length > this.maxLine) {
      onOverlong(this.lineNo + 1);
      this.pending = EMPTY_BYTES;
      this.skipping = true;
    } else {
      this.pending = rest;
    }
  }
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string };
  return err.code ?? err.message ?? String(e);
}

