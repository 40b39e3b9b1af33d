// A damaged store read page by page (store-salvage.ts): rows of our tables that no tree leads to any more (under a
// damaged page of a table's tree) may still sit whole on pages of their own. This file reads SQLite's file format —
// pages, cells, overflow chains, records — and tells which of our tables a row found so belongs to, by its columns.
import { Buffer } from "node:buffer";
import { closeSync, constants, openSync, readSync } from "node:fs";
import { entryAt, NOFOLLOW } from "./store-marker.ts";

/** The columns of our rowid tables (the first, the rowid itself, is stored as null), as prepareStore makes them. */
const COLUMNS: Record<string, string[]> = {
  dirs: ["id", "path", "inode", "mtime", "read_at", "entries"],
  files: ["id", "dir", "name", "dev", "ino", "size", "mtime", "offset", "lines", "head_len", "head_hash", "tail_hash", "gen", "reread", "gone", "rejected"],
  names: ["id", "s"],
  sessions: ["id", "sid", "cwd", "cwd_time", "branch", "branch_time", "entrypoint", "ep_time", "title", "window1m"],
  responses: ["id", "h", "key", "file", "time", "session", "agent", "model", "uncached", "w5", "w1", "rd", "out", "cls"],
  tools: ["id", "h", "key", "session", "agent", "call_file", "call_time", "name", "result_file", "result_time", "outcome", "ms"],
  prompts: ["id", "h", "key", "file", "time", "session"],
  errors: ["id", "h", "key", "file", "time", "session", "agent", "status", "message", "retry"],
  turns: ["id", "h", "key", "file", "time", "session", "ms"],
};

type Value = number | string | Uint8Array | null;

/** Which of our tables a row found on a page belongs to, by its number of columns and what the first ones hold. */
export function tableOf(v: Value[]): { table: string; columns: string[] } | null {
  if (v[0] !== null) return null;
  const text1 = typeof v[1] === "string";
  const keyed = typeof v[1] === "number" && typeof v[2] === "string"; // (h, key, …)
  let table: string | null = null;
  switch (v.length) {
    case 2:
      table = text1 ? "names" : null;
      break;
    case 6:
      table = text1 ? "dirs" : keyed ? "prompts" : null;
      break;
    case 7:
      table = keyed ? "turns" : null;
      break;
    case 10:
      table = text1 ? "sessions" : keyed ? "errors" : null;
      break;
    case 12:
      table = keyed ? "tools" : null;
      break;
    case 13: // (a response stored before the rate class was kept: it reads as class 0)
    case 14:
      table = keyed ? "responses" : null;
      break;
    case 16:
      table = typeof v[1] === "number" && typeof v[2] === "string" ? "files" : null;
      break;
  }
  return table === null ? null : { table, columns: COLUMNS[table]! };
}

/**
 * An SQLite file read page by page (its format: https://www.sqlite.org/fileformat2.html), for the rows of table leaf
 * pages that no tree leads to any more. Every length and pointer read from a page is checked against the file, so a
 * garbled page gives no rows, never an error or a loop.
 */
export class PageReader {
  private fd: number;
  readonly size: number;
  readonly count: number;
  /** the usable bytes of a page (its size less the bytes reserved at its end). */
  private usable: number;
  private head: Buffer;

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
    this.head = Buffer.alloc(100);
    readSync(this.fd, this.head, 0, 100, 0);
    const s = this.head.readUInt16BE(16);
    this.size = s === 1 ? 65536 : s;
    if (this.size < 512 || this.size > 65536 || (this.size & (this.size - 1)) !== 0) throw new Error("no page size");
    this.usable = this.size - this.head[20]!;
    if (this.usable < 480) throw new Error("no usable size");
    this.count = Math.floor(entrySize(path) / this.size);
  }

  close(): void {
    closeSync(this.fd);
  }

  page(n: number): Buffer | null {
    if (n < 1 || n > this.count) return null;
    const b = Buffer.alloc(this.size);
    return readSync(this.fd, b, 0, this.size, (n - 1) * this.size) === this.size ? b : null;
  }

  /** The pages on the free list, or null when the list cannot be read (its pointers lead outside the file, or loop). */
  freePages(): Set<number> | null {
    const free = new Set<number>();
    let trunk = this.head.readUInt32BE(32);
    const total = this.head.readUInt32BE(36);
    if (total > this.count) return null;
    while (trunk !== 0) {
      if (free.has(trunk) || free.size > this.count) return null;
      const p = this.page(trunk);
      if (!p) return null;
      free.add(trunk);
      const leaves = p.readUInt32BE(4);
      if (leaves > (this.usable - 8) / 4) return null;
      for (let i = 0; i < leaves; i++) {
        const leaf = p.readUInt32BE(8 + 4 * i);
        if (leaf < 1 || leaf > this.count) return null;
        free.add(leaf);
      }
      trunk = p.readUInt32BE(0);
    }
    return free;
  }

  /** The rows of page `n` if it is a table leaf page (none otherwise, or where it is garbled). */
  *tableLeafRows(n: number): Generator<{ rowid: number; values: Value[] }> {
    const p = this.page(n);
    if (!p) return;
    const at = n === 1 ? 100 : 0;
    if (p[at] !== 0x0d) return;
    const cells = p.readUInt16BE(at + 3);
    if (at + 8 + 2 * cells > this.usable) return;
    const maxLocal = this.usable - 35;
    const minLocal = Math.floor(((this.usable - 12) * 32) / 255) - 23;
    for (let i = 0; i < cells; i++) {
      const off = p.readUInt16BE(at + 8 + 2 * i);
      if (off < at + 8 || off >= this.usable) continue;
      const len = varint(p, off, this.usable);
      if (!len) continue;
      const id = varint(p, off + len.n, this.usable);
      if (!id) continue;
      const start = off + len.n + id.n;
      const total = len.v;
      let local = total;
      if (total > maxLocal) {
        local = minLocal + ((total - minLocal) % (this.usable - 4));
        if (local > maxLocal) local = minLocal;
      }
      if (start + local + (local < total ? 4 : 0) > this.usable || total > 64 * 1024 * 1024) continue;
      let payload: Buffer = p.subarray(start, start + local);
      if (local < total) {
        const rest = this.overflow(p.readUInt32BE(start + local), total - local);
        if (!rest) continue;
        payload = Buffer.concat([payload, rest]);
      }
      const values = record(payload);
      if (values) yield { rowid: id.v, values };
    }
  }

  /** `want` bytes of a payload continued on overflow pages from `first`, or null when the chain is broken. */
  private overflow(first: number, want: number): Buffer | null {
    const parts: Buffer[] = [];
    let got = 0;
    let next = first;
    for (let hops = 0; got < want; hops++) {
      if (hops > this.count) return null;
      const p = this.page(next);
      if (!p) return null;
      const take = Math.min(want - got, this.usable - 4);
      parts.push(p.subarray(4, 4 + take));
      got += take;
      next = p.readUInt32BE(0);
    }
    return Buffer.concat(parts);
  }
}

function entrySize(path: string): number {
  const e = entryAt(path);
  return e.kind === "file" ? e.size : 0;
}

/** An SQLite varint at `off` (its value, up to 2^53, and length), or null when it runs past `end`. */
function varint(b: Buffer, off: number, end: number): { v: number; n: number } | null {
  let v = 0;
  for (let i = 0; i < 9; i++) {
    if (off + i >= end) return null;
    const byte = b[off + i]!;
    if (i === 8) return { v: v * 256 + byte, n: 9 };
    v = v * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return { v, n: i + 1 };
  }
  return null;
}

/** The values of a record (its header of serial types, then the values), or null when it does not add up. */
function record(b: Buffer): Value[] | null {
  const h = varint(b, 0, b.length);
  if (!h || h.v > b.length || h.v < 1) return null;
  const types: number[] = [];
  for (let at = h.n; at < h.v; ) {
    const t = varint(b, at, h.v);
    if (!t) return null;
    types.push(t.v);
    at += t.n;
  }
  const out: Value[] = [];
  let at = h.v;
  for (const t of types) {
    const size = t >= 12 ? Math.floor((t - 12) / 2) : [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, -1, -1][t]!;
    if (size < 0 || at + size > b.length) return null;
    if (t === 0) out.push(null);
    else if (t <= 6) out.push(signed(b, at, size));
    else if (t === 7) out.push(b.readDoubleBE(at));
    else if (t === 8 || t === 9) out.push(t - 8);
    else if (t % 2 === 0) out.push(new Uint8Array(b.subarray(at, at + size)));
    else out.push(b.toString("utf8", at, at + size));
    at += size;
  }
  return out;
}

/** A big-endian two's complement integer of 1 to 8 bytes (as a number: our values are below 2^53). */
function signed(b: Buffer, at: number, size: number): number {
  if (size === 8) return Number(b.readBigInt64BE(at));
  if (size === 6) return b.readIntBE(at, 6);
  return b.readIntBE(at, size);
}
