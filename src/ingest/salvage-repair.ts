// The first step of a salvage (store-salvage.ts): a private copy of the damaged file, opened so that its tables can be
// read — as it is, or with its header repaired (a zeroed or garbled header makes SQLite refuse the whole file, though
// every page after it may be whole). The damaged file itself is never changed: only the copy is repaired.
import { Buffer } from "node:buffer";
import { closeSync, constants, openSync, readSync, writeSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { entryAt, NOFOLLOW } from "./store-marker.ts";

/** The first 16 bytes of every SQLite file. */
const MAGIC = Buffer.from("SQLite format 3\0", "latin1");
/** Every page size SQLite allows, tried in this order when the header's own cannot be trusted. */
const PAGE_SIZES = [4096, 1024, 2048, 8192, 16384, 32768, 65536, 512];
/** Tables a file must hold to be read as one of our stores (a wrong page size gives no tables, or others). */
const TABLES = ["responses", "files"];

/** Copies a file into a new one made exclusively, 0600, never through a link. */
export function copyPrivately(from: string, to: string): void {
  const src = openSync(from, constants.O_RDONLY | NOFOLLOW);
  let dst: number | null = null;
  try {
    dst = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    const buf = Buffer.alloc(1 << 20);
    for (let at = 0; ; ) {
      const n = readSync(src, buf, 0, buf.length, at);
      if (n <= 0) break;
      for (let w = 0; w < n; ) w += writeSync(dst, buf, w, n - w, at + w);
      at += n;
    }
  } finally {
    closeSync(src);
    if (dst !== null) closeSync(dst);
  }
}

/** The copy opened so that its tables can be read: as it is, or with its header repaired (trying the page sizes). */
export function openReadable(path: string): DatabaseSync | null {
  const first = openIfOurs(path);
  if (first) return first;
  let header: Buffer;
  try {
    header = readHead(path);
  } catch {
    return null;
  }
  if (header.length < 100) return null;
  const stated = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  const sizes = [...new Set([...(PAGE_SIZES.includes(stated) ? [stated] : []), ...PAGE_SIZES])];
  const wal = entryAt(`${path}-wal`).kind === "file";
  // (the page size the header states first, then the others: the first with which our tables can be read is kept)
  for (const size of sizes) {
    try {
      writeHead(path, repaired(header, size, wal));
    } catch {
      return null;
    }
    const db = openIfOurs(path);
    if (db) return db;
  }
  return null;
}

/** The file at `path` opened, if SQLite reads it and it holds our tables; else null (and nothing left open). */
function openIfOurs(path: string): DatabaseSync | null {
  let db: DatabaseSync | null = null;
  try {
    db = new DatabaseSync(path);
    const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    if (TABLES.every((t) => names.has(t))) return db;
  } catch {
    /* not readable as it is */
  }
  try {
    db?.close();
  } catch {
    /* closed */
  }
  return null;
}

/**
 * A header as our stores write it, for pages of `size`: the fields SQLite checks before it reads a page set to what
 * prepareStore makes; the schema format and text encoding kept when valid, and the rest (the schema cookie, the user
 * version) as they were.
 */
function repaired(header: Buffer, size: number, wal: boolean): Buffer {
  const h = Buffer.from(header);
  MAGIC.copy(h, 0);
  h.writeUInt16BE(size === 65536 ? 1 : size, 16);
  h[18] = wal ? 2 : 1; // (write and read versions: WAL when there is a log to read)
  h[19] = wal ? 2 : 1;
  h[20] = 0; // reserved bytes per page: none in our stores
  h[21] = 64;
  h[22] = 32;
  h[23] = 32;
  h.writeUInt32BE(0, 28); // the page count: taken from the file's size
  if (h.readUInt32BE(44) < 1 || h.readUInt32BE(44) > 4) h.writeUInt32BE(4, 44);
  h.writeUInt32BE(0, 52); // no auto-vacuum
  if (h.readUInt32BE(56) < 1 || h.readUInt32BE(56) > 3) h.writeUInt32BE(1, 56);
  h.writeUInt32BE(0, 64);
  return h;
}

function readHead(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  try {
    const b = Buffer.alloc(100);
    const n = readSync(fd, b, 0, 100, 0);
    return b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function writeHead(path: string, h: Buffer): void {
  const fd = openSync(path, constants.O_WRONLY | NOFOLLOW);
  try {
    writeSync(fd, h, 0, h.length, 0);
  } finally {
    closeSync(fd);
  }
}
