// A pure line splitter over byte chunks. It splits only at newline bytes (0x0A never occurs inside a
// multi-byte UTF-8 sequence), so a chunk that ends mid-line or mid-character leaves the unfinished bytes in
// `rest` for the next chunk, and every returned line is decoded whole.

const decoder = new TextDecoder("utf-8");
const EMPTY = new Uint8Array(0);

export interface SplitResult {
  /** complete lines, without their newline (a trailing CR is removed too). */
  lines: string[];
  /** bytes after the last newline: the start of an unfinished line. */
  rest: Uint8Array;
}

export function splitLines(pending: Uint8Array, chunk: Uint8Array): SplitResult {
  const nl = chunk.lastIndexOf(10);
  if (nl < 0) return { lines: [], rest: concat(pending, chunk) };
  const head = pending.length > 0 ? concat(pending, chunk.subarray(0, nl)) : chunk.subarray(0, nl);
  const text = decoder.decode(head);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return { lines, rest: nl + 1 < chunk.length ? chunk.slice(nl + 1) : EMPTY };
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export { EMPTY as EMPTY_BYTES };
