// A pure line splitter over byte chunks. It splits only at newline bytes (0x0A never occurs inside a
// multi-byte UTF-8 sequence), so a chunk that ends mid-line or mid-character leaves the unfinished bytes in
// `rest` for the next chunk, and every line is delivered whole.
import { Buffer } from "node:buffer";

const decoder = new TextDecoder("utf-8");
const EMPTY = new Uint8Array(0);

/** Receives one complete line as the byte range [start, end) of `buf` (newline and a trailing CR excluded). */
type ByteLineSink = (buf: Buffer, start: number, end: number) => void;

/**
 * Calls `onLine` for every complete line in pending + chunk and returns the unfinished rest (a copy, so the
 * caller may reuse `chunk`). Lines are byte ranges: nothing is decoded here.
 */
export function scanLines(pending: Uint8Array, chunk: Uint8Array, onLine: ByteLineSink): Uint8Array {
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

export { EMPTY as EMPTY_BYTES };
