// The ingest fast path: decide from a line's bytes whether it can matter, and avoid decoding or parsing what
// cannot. Most bytes of a transcript are text: tool output in user `tool_result` lines, and text, thinking and
// tool input in assistant lines. For those a small structural scanner extracts only the fields the model uses
// (a "skeleton" of the record) without materialising the text, and the skeleton goes through the same
// zod-validated code as a fully parsed line. Anything unusual falls back to decoding and JSON.parse, so the
// fast path can only be faster, never different (a test checks this on every real and generated line).
import type { Buffer } from "node:buffer";
import { endsWithBrace, IGNORED_TYPES, lineToEvents, recordToEvents, type EventSink, type LineContext } from "./records.ts";

const decoder = new TextDecoder("utf-8");
const enc = (s: string) => new TextEncoder().encode(s);

const Q = 0x22;
const BS = 0x5c;
const LB = 0x7b;
const RB = 0x7d;
const LS = 0x5b;
const RS = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const TYPE_KEY = enc('"type":"');
const API_ERROR = enc('"api_error"');
const TOOL_USE_ID = enc('"tool_use_id"');

/** Turns the line [start, end) of `buf` into events: the byte-level equivalent of lineToEvents. */
export function bytesToEvents(buf: Buffer, start: number, end: number, lineNo: number, ctx: LineContext, out: EventSink): void {
  if (start >= end) return;
  const line = buf.subarray(start, end);
  const qt = byteQuickType(line);
  if (qt !== null) {
    if (IGNORED_TYPES.has(qt) || (qt === "system" && line.indexOf(API_ERROR) < 0)) {
      if (!endsWithBraceBytes(line)) out.push({ type: "LineRejected", file: ctx.file, line: lineNo, reason: "not JSON (truncated or corrupt line)" });
      return;
    }
  }
  if (qt === "assistant" || qt === null || (qt === "user" && line.indexOf(TOOL_USE_ID) >= 0)) {
    const rec = skeleton(line);
    if (rec !== null) {
      recordToEvents(rec, lineNo, ctx, out);
      return;
    }
  }
  lineToEvents(decoder.decode(line), lineNo, ctx, out);
}

/** Same rule as quickType, on bytes: the first `"type":"` is the top-level key when no `{` or `[` precedes it. */
export function byteQuickType(line: Buffer): string | null {
  if (line[0] !== LB) return null;
  const i = line.indexOf(TYPE_KEY);
  if (i < 0) return null;
  const brace = line.indexOf(LB, 1);
  if (brace !== -1 && brace < i) return null;
  const bracket = line.indexOf(LS);
  if (bracket !== -1 && bracket < i) return null;
  const s = i + TYPE_KEY.length;
  const e = line.indexOf(Q, s);
  if (e < 0 || e - s > 40) return null;
  return line.toString("latin1", s, e);
}

function endsWithBraceBytes(line: Buffer): boolean {
  let i = line.length - 1;
  while (i >= 0 && line[i]! <= 32) i--;
  return i >= 0 && line[i] === RB;
}

// ---- the skeleton extractor ------------------------------------------------------------------------------

/** How to read a member: a string, a primitive (true/false/null/number), a small JSON value, or a nested shape. */
type Field = "str" | "prim" | "json" | Shape | { array: Shape };
interface Shape {
  names: Uint8Array[];
  keys: string[];
  fields: Field[];
}

function shape(spec: Record<string, Field>): Shape {
  const keys = Object.keys(spec);
  return { keys, names: keys.map(enc), fields: keys.map((k) => spec[k]!) };
}

const BLOCK = shape({ type: "str", id: "str", name: "str", tool_use_id: "str", is_error: "prim" });
const MESSAGE = shape({ id: "str", model: "str", usage: "json", content: { array: BLOCK } });
const RECORD = shape({
  type: "str",
  sessionId: "str",
  timestamp: "str",
  uuid: "str",
  agentId: "str",
  isSidechain: "prim",
  cwd: "str",
  entrypoint: "str",
  requestId: "str",
  isApiErrorMessage: "prim",
  apiErrorStatus: "prim",
  isMeta: "prim",
  isCompactSummary: "prim",
  message: MESSAGE,
});

/**
 * The fields the model uses from an assistant line or a user tool_result line, or null when the line needs the
 * full parse: an API error or synthetic message (their text matters), a prompt, a failed or rejected tool call
 * (its result text decides which), string content, or anything the scanner does not understand.
 */
export function skeleton(b: Buffer): Record<string, unknown> | null {
  const rec: Record<string, unknown> = {};
  const end = readObject(b, ws(b, 0), RECORD, rec);
  if (end < 0 || ws(b, end) !== b.length) return null;
  const msg = rec.message as { model?: unknown; content?: unknown } | undefined;
  if (!msg || !Array.isArray(msg.content)) return null;
  const blocks = msg.content as { type?: unknown; is_error?: unknown }[];
  if (rec.type === "assistant") {
    if (rec.isApiErrorMessage === true || msg.model === "<synthetic>") return null;
    return rec;
  }
  if (rec.type === "user") {
    if (blocks.length === 0 || blocks.some((x) => x.type !== "tool_result" || x.is_error === true)) return null;
    return rec;
  }
  return null;
}

function ws(b: Buffer, p: number): number {
  const n = b.length;
  while (p < n) {
    const c = b[p]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
    else break;
  }
  return p;
}

/** p is at an opening quote; returns the position after the closing quote, or -1. */
function stringEnd(b: Buffer, p: number): number {
  let q = p + 1;
  for (;;) {
    const i = b.indexOf(Q, q);
    if (i < 0) return -1;
    let k = i - 1;
    let slashes = 0;
    while (b[k] === BS) {
      slashes++;
      k--;
    }
    if ((slashes & 1) === 0) return i + 1;
    q = i + 1;
  }
}

function skipValue(b: Buffer, p: number): number {
  const c = b[p];
  if (c === Q) return stringEnd(b, p);
  const n = b.length;
  if (c === LB || c === LS) {
    let depth = 0;
    while (p < n) {
      const ch = b[p]!;
      if (ch === Q) {
        p = stringEnd(b, p);
        if (p < 0) return -1;
        continue;
      }
      if (ch === LB || ch === LS) depth++;
      else if (ch === RB || ch === RS) {
        depth--;
        if (depth === 0) return p + 1;
      }
      p++;
    }
    return -1;
  }
  const s = p;
  while (p < n) {
    const ch = b[p]!;
    if (ch === COMMA || ch === RB || ch === RS || ch <= 0x20) break;
    p++;
  }
  return p > s ? p : -1;
}

/** Index of the field whose name equals the key bytes [s, e), or -1. */
function fieldIndex(b: Buffer, s: number, e: number, sh: Shape): number {
  const len = e - s;
  const names = sh.names;
  outer: for (let i = 0; i < names.length; i++) {
    const nm = names[i]!;
    if (nm.length !== len) continue;
    for (let k = 0; k < len; k++) if (b[s + k] !== nm[k]) continue outer;
    return i;
  }
  return -1;
}

function readValue(b: Buffer, p: number, f: Field, into: Record<string, unknown>, key: string): number {
  if (f === "str") {
    if (b[p] !== Q) return readJson(b, p, into, key); // not a string: let zod see (and reject) the real value
    const e = stringEnd(b, p);
    if (e < 0) return -1;
    const slash = b.indexOf(BS, p + 1);
    into[key] = slash >= 0 && slash < e ? JSON.parse(decoder.decode(b.subarray(p, e))) : b.toString("utf8", p + 1, e - 1);
    return e;
  }
  if (f === "prim" || f === "json") return readJson(b, p, into, key);
  if ("array" in f) {
    if (b[p] !== LS) return readJson(b, p, into, key);
    const list: Record<string, unknown>[] = [];
    into[key] = list;
    p = ws(b, p + 1);
    if (b[p] === RS) return p + 1;
    for (;;) {
      if (b[p] !== LB) return -1; // a non-object element: full parse
      const item: Record<string, unknown> = {};
      p = readObject(b, p, f.array, item);
      if (p < 0) return -1;
      list.push(item);
      p = ws(b, p);
      if (b[p] === COMMA) {
        p = ws(b, p + 1);
        continue;
      }
      return b[p] === RS ? p + 1 : -1;
    }
  }
  if (b[p] !== LB) return readJson(b, p, into, key);
  const obj: Record<string, unknown> = {};
  into[key] = obj;
  return readObject(b, p, f, obj);
}

function readJson(b: Buffer, p: number, into: Record<string, unknown>, key: string): number {
  const e = skipValue(b, p);
  if (e < 0) return -1;
  try {
    into[key] = JSON.parse(decoder.decode(b.subarray(p, e)));
  } catch {
    return -1;
  }
  return e;
}

/** Reads the object at p into `into`, keeping only the members named in `sh`. */
function readObject(b: Buffer, p: number, sh: Shape, into: Record<string, unknown>): number {
  if (b[p] !== LB) return -1;
  p = ws(b, p + 1);
  if (b[p] === RB) return p + 1;
  for (;;) {
    if (b[p] !== Q) return -1;
    const ke = stringEnd(b, p);
    if (ke < 0) return -1;
    const fi = fieldIndex(b, p + 1, ke - 1, sh);
    p = ws(b, ke);
    if (b[p] !== COLON) return -1;
    p = ws(b, p + 1);
    p = fi < 0 ? skipValue(b, p) : readValue(b, p, sh.fields[fi]!, into, sh.keys[fi]!);
    if (p < 0) return -1;
    p = ws(b, p);
    if (b[p] === COMMA) {
      p = ws(b, p + 1);
      continue;
    }
    return b[p] === RB ? p + 1 : -1;
  }
}

export { endsWithBrace };
