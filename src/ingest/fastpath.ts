// The ingest fast path: decide from a line's bytes whether it can matter, and avoid decoding or parsing what
// cannot. Most bytes of a transcript are text: tool output in user `tool_result` lines, and text, thinking and
// tool input in assistant lines. For those a small structural scanner extracts only the fields the model uses
// (a "skeleton" of the record) without materialising the text, and the skeleton goes through the same
// zod-validated code as a fully parsed line. Anything unusual falls back to decoding and JSON.parse, so the
// fast path can only be faster, never different (a test checks this on every real and generated line).
import type { Buffer } from "node:buffer";
import { z } from "zod";
import {
  AssistantSchema,
  common,
  IGNORED_TYPES,
  lineToEvents,
  rejecter,
  reportedMs,
  responseEvent,
  toolCallEvent,
  UserSchema,
  type AssistantRecord,
  type EventSink,
  type FlatRecord,
  type LineContext,
  type UserRecord,
} from "./records.ts";
import { guardOf } from "./guard.ts";
import { cleanText } from "../shared/sanitize.ts";

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
const TURN_DURATION = enc('"turn_duration"');
const AGENT_PROGRESS = enc('"agent_progress"');
const USAGE_KEY = enc('"usage"');

/**
 * Turns lines into events. Assistant lines and plain tool results are scanned into flat records, checked (a fast
 * check compiled from the zod schemas, and zod itself for a record it does not pass) and turned into events; other
 * lines take the full parse. Events come out in the order of the lines.
 */
export class LineProcessor {
  constructor(
    private readonly ctx: LineContext,
    private readonly out: EventSink,
  ) {}

  line(buf: Buffer, start: number, end: number, lineNo: number): void {
    try {
      this.take(buf, start, end, lineNo);
    } catch (e) {
      // Never let one line stop the rest of the file: it is reported like any line we could not use.
      this.out.push({ type: "LineRejected", file: this.ctx.file, line: lineNo, reason: cleanText(`could not be read: ${(e as Error)?.message ?? e}`, 120) });
    }
  }

  /** (Lines are turned into events as they come; kept for callers that end a run of lines.) */
  flush(): void {}

  private take(buf: Buffer, start: number, end: number, lineNo: number): void {
    // After a crash a file may hold NUL padding where a write was lost, the next line written right after it: the
    // padding is skipped and the line read.
    while (start < end && buf[start] === 0) start++;
    if (start >= end) return;
    const line = buf.subarray(start, end);
    const qt = byteQuickType(line);
    if (
      qt !== null &&
      ((IGNORED_TYPES.has(qt) && !(qt === "progress" && line.indexOf(AGENT_PROGRESS) >= 0 && line.indexOf(USAGE_KEY) >= 0)) ||
        (qt === "system" && line.indexOf(API_ERROR) < 0 && line.indexOf(TURN_DURATION) < 0))
    ) {
      if (!endsWithBraceBytes(line)) this.out.push({ type: "LineRejected", file: this.ctx.file, line: lineNo, reason: "not JSON (truncated or corrupt line)" });
      return;
    }
    if (qt === "assistant" || qt === "user" || qt === null) {
      const rec = skeleton(line);
      if (rec !== null) return emitRow(rec, lineNo, this.ctx, this.out);
    }
    lineToEvents(decoder.decode(line), lineNo, this.ctx, this.out);
  }
}

// ---- validation -------------------------------------------------------------------------------------------

/** A schema with its fast first check (see guard.ts): zod runs only on a record the check does not pass. */
interface Checked {
  schema: z.ZodType;
  guard: (v: unknown) => boolean;
  prefix: string;
}

const checked = (schema: z.ZodType, prefix = ""): Checked => ({ schema, guard: guardOf(schema), prefix });

const ASSISTANT = checked(AssistantSchema);
const USER = checked(UserSchema);
const TOOL_USE = checked(z.object({ id: z.string().min(1), name: z.string() }), "tool_use: ");
const TOOL_RESULT = checked(z.object({ tool_use_id: z.string().min(1), is_error: z.boolean().nullish() }), "tool_result: ");

/** Null when the record is valid, else its first problem, worded as zod words it. */
function problem(c: Checked, v: Record<string, unknown>): string | null {
  if (c.guard(v)) return null;
  const r = c.schema.safeParse(v);
  if (r.success) return null;
  const first = r.error.issues[0];
  return cleanText(`${c.prefix}${first ? `${first.path.map(String).join(".")}: ${first.message}` : "invalid record"}`, 120);
}

/** Turns the flat record of an assistant line or a plain tool-result line into events (validating it). */
function emitRow(r: FlatRecord, lineNo: number, ctx: LineContext, out: EventSink): void {
  const reject = rejecter(out, ctx, lineNo);
  const isAsst = r.type === "assistant";
  const bad = problem(isAsst ? ASSISTANT : USER, r);
  if (bad !== null) return reject(bad);
  const c = common(r as UserRecord, ctx);
  if (typeof c === "string") return reject(c);
  const blocks = r["message.content"] as Record<string, unknown>[];
  if (isAsst) {
    for (const b of blocks) {
      if (b.type !== "tool_use") continue;
      const why = problem(TOOL_USE, b);
      if (why !== null) reject(why);
      else out.push(toolCallEvent(b.id as string, b.name as string, c));
    }
    if (r["message.usage"] === true) out.push(responseEvent(r as AssistantRecord, c));
    return;
  }
  for (const b of blocks) {
    if (b.type !== "tool_result") continue;
    const why = problem(TOOL_RESULT, b);
    if (why !== null) reject(why);
    else
      out.push({
        type: "ToolResultObserved",
        key: b.tool_use_id as string,
        time: c.time,
        sessionId: c.sessionId,
        agentId: c.agentId,
        outcome: "ok",
        reportedMs: reportedMs(r as UserRecord),
      });
  }
}

/** Same rule as quickType, on bytes: the first `"type":"` is the top-level key when no `{` or `[` precedes it. */
function byteQuickType(line: Buffer): string | null {
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
  return symbol(line, s, e, true); // (interned: the few type names, not a new string per line)
}

function endsWithBraceBytes(line: Buffer): boolean {
  let i = line.length - 1;
  while (i >= 0 && line[i]! <= 32) i--;
  return i >= 0 && line[i] === RB;
}

// ---- the skeleton extractor ------------------------------------------------------------------------------

/**
 * How to read a member: a string ("sym" for one that repeats from line to line, such as a session id or a model,
 * which is interned rather than decoded again), a primitive, or a nested object whose members are written into
 * the same flat record under their paths (the object itself is marked `true`), or an array of small objects.
 */
type Field = "str" | "sym" | "isstr" | "prim" | Shape | { array: Shape };
interface Shape {
  /** output name of each member (its path in the flat record). */
  keys: string[];
  fields: Field[];
  /** member names as bytes, and the indexes of the names of each byte length (a cheap first filter). */
  names: Uint8Array[];
  byLength: (number[] | undefined)[];
}

function shape(spec: Record<string, Field>, prefix = ""): Shape {
  const keys = Object.keys(spec);
  const names = keys.map(enc);
  const byLength: (number[] | undefined)[] = [];
  names.forEach((n, i) => (byLength[n.length] ??= []).push(i));
  return { keys: keys.map((k) => prefix + k), names, fields: keys.map((k) => spec[k]!), byLength };
}

const BLOCK = shape({ type: "sym", id: "str", name: "sym", tool_use_id: "str", is_error: "prim" });
const CACHE_SPLIT = shape({ ephemeral_5m_input_tokens: "prim", ephemeral_1h_input_tokens: "prim" }, "message.usage.cache_creation.");
const USAGE = shape(
  {
    input_tokens: "prim",
    cache_creation_input_tokens: "prim",
    cache_read_input_tokens: "prim",
    output_tokens: "prim",
    speed: "sym",
    cache_creation: CACHE_SPLIT,
  },
  "message.usage.",
);
const MESSAGE = shape({ id: "str", model: "sym", usage: USAGE, content: { array: BLOCK } }, "message.");
// uuid only keys prompts and API errors, which take the full parse: here just its type is checked ("isstr").
const RECORD = shape({
  type: "sym",
  uuid: "isstr",
  sessionId: "sym",
  timestamp: "str",
  agentId: "sym",
  isSidechain: "prim",
  cwd: "sym",
  gitBranch: "sym",
  entrypoint: "sym",
  requestId: "str",
  isApiErrorMessage: "prim",
  apiErrorStatus: "prim",
  isMeta: "prim",
  isCompactSummary: "prim",
  message: MESSAGE,
  toolUseResult: shape({ durationMs: "prim", totalDurationMs: "prim", durationSeconds: "prim" }, "toolUseResult."),
});

/** Every row starts with all fields in one order, so all rows share one object shape (fast to read back). */
function newRow(): FlatRecord {
  return {
    type: undefined,
    sessionId: undefined,
    timestamp: undefined,
    uuid: undefined,
    agentId: undefined,
    isSidechain: undefined,
    cwd: undefined,
    gitBranch: undefined,
    entrypoint: undefined,
    requestId: undefined,
    isApiErrorMessage: undefined,
    apiErrorStatus: undefined,
    isMeta: undefined,
    isCompactSummary: undefined,
    message: undefined,
    "message.id": undefined,
    "message.model": undefined,
    "message.usage": undefined,
    "message.usage.input_tokens": undefined,
    "message.usage.cache_creation_input_tokens": undefined,
    "message.usage.cache_read_input_tokens": undefined,
    "message.usage.output_tokens": undefined,
    "message.usage.speed": undefined,
    "message.usage.cache_creation": undefined,
    "message.usage.cache_creation.ephemeral_5m_input_tokens": undefined,
    "message.usage.cache_creation.ephemeral_1h_input_tokens": undefined,
    "message.content": undefined,
    toolUseResult: undefined,
    "toolUseResult.durationMs": undefined,
    "toolUseResult.totalDurationMs": undefined,
    "toolUseResult.durationSeconds": undefined,
  };
}

/**
 * The fields the model uses from an assistant line or a user tool_result line, or null when the line needs the
 * full parse: an API error or synthetic message (their text matters), a prompt, a failed or rejected tool call
 * (its result text decides which), string content, or anything the scanner does not understand.
 */
function skeleton(b: Buffer): FlatRecord | null {
  const rec = newRow();
  const end = readObject(b, ws(b, 0), RECORD, rec);
  if (end < 0 || ws(b, end) !== b.length) return null;
  if (rec.message !== true) return null; // (the marker is not in the schema, so validation drops it)
  const blocks = rec["message.content"] as { type?: unknown; is_error?: unknown }[] | undefined;
  if (!Array.isArray(blocks)) return null;
  if (rec.type === "assistant") {
    if (rec.isApiErrorMessage === true || rec["message.model"] === "<synthetic>") return null;
    return rec;
  }
  if (rec.type === "user") {
    if (blocks.length === 0) return null;
    for (const x of blocks) if (x.type !== "tool_result" || x.is_error === true) return null;
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
  // Short strings (keys, ids) are found faster by a plain loop than by a native call.
  const n = b.length;
  const stop = Math.min(n, p + 48);
  let i = p + 1;
  for (; i < stop; i++) {
    const c = b[i]!;
    if (c === Q) return i + 1;
    if (c === BS) break;
  }
  let q = i;
  for (;;) {
    const j = b.indexOf(Q, q);
    if (j < 0) return -1;
    let k = j - 1;
    let slashes = 0;
    while (b[k] === BS) {
      slashes++;
      k--;
    }
    if ((slashes & 1) === 0) return j + 1;
    q = j + 1;
  }
}

/** Bytes that may stand outside strings inside a skipped array or object: structure, whitespace, literals. */
const OUTSIDE_STRINGS = new Uint8Array(256);
for (const c of "{}[]:,-+.0123456789eEtrufalsn \t\r\n") OUTSIDE_STRINGS[c.charCodeAt(0)] = 1;

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
      } else if (OUTSIDE_STRINGS[ch] === 0) return -1; // not JSON: let the full parse reject it
      p++;
    }
    return -1;
  }
  return literalEnd(b, p);
}

/** End of a number, true, false or null at p (JSON's grammar), or -1. */
function literalEnd(b: Buffer, p: number): number {
  const n = b.length;
  for (const word of LITERALS) {
    if (b[p] === word[0]) {
      for (let k = 1; k < word.length; k++) if (b[p + k] !== word[k]) return -1;
      return p + word.length;
    }
  }
  let i = p;
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (b[i]! >= 0x31 && b[i]! <= 0x39) while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
  else return -1;
  if (b[i] === 0x2e) {
    i++;
    const f = i;
    while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    if (i === f) return -1;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    const e = i;
    while (i < n && b[i]! >= 0x30 && b[i]! <= 0x39) i++;
    if (i === e) return -1;
  }
  return i;
}

const LITERALS = ["true", "false", "null"].map(enc);

/** Index of the field whose name equals the key bytes [s, e), or -1. */
function fieldIndex(b: Buffer, s: number, e: number, sh: Shape): number {
  const cands = sh.byLength[e - s];
  if (cands === undefined) return -1;
  outer: for (let c = 0; c < cands.length; c++) {
    const i = cands[c]!;
    const nm = sh.names[i]!;
    for (let k = 0; k < nm.length; k++) if (b[s + k] !== nm[k]) continue outer;
    return i;
  }
  return -1;
}

/** Interned decodings of short repeated strings, keyed by a hash of their bytes (verified on a hit). */
const symbols = new Map<number, { bytes: Uint8Array; text: string }>();

/** The hash symbols are found by (the one readValue computes as it scans a plain string). */
function hashBytes(b: Buffer, s: number, e: number): number {
  let h = 0;
  for (let i = s; i < e; i++) h = (Math.imul(h, 31) + b[i]!) | 0;
  return h;
}

function symbol(b: Buffer, s: number, e: number, ascii: boolean, h = hashBytes(b, s, e)): string {
  const len = e - s;
  if (len > 256) return b.toString(ascii ? "latin1" : "utf8", s, e);
  const hit = symbols.get(h);
  if (hit && hit.bytes.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (hit.bytes[i] !== b[s + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit.text;
  }
  if (symbols.size > 4096) symbols.clear();
  const text = b.toString(ascii ? "latin1" : "utf8", s, e);
  symbols.set(h, { bytes: Uint8Array.prototype.slice.call(b, s, e), text }); // a copy: b is a reused buffer
  return text;
}

/**
 * Reads the value at p for a wanted field into `into[key]`; returns the index after it, or -1 to send the line to the
 * full parse. Each kind of field has its own reader; a value not of the expected kind goes through JSON.parse, so
 * zod sees (and rejects) the real value.
 */
function readValue(b: Buffer, p: number, f: Field, into: Record<string, unknown>, key: string): number {
  if (f === "str" || f === "sym" || f === "isstr") return readString(b, p, f, into, key);
  if (f === "prim") return readPrim(b, p, into, key);
  if ("array" in f) return readArray(b, p, f.array, into, key);
  if (b[p] !== LB) return readJson(b, p, into, key);
  into[key] = true;
  return readObject(b, p, f, into);
}

/** A string: plain ASCII in one pass (most ids and names); else found to its end, then decoded or JSON-parsed. */
function readString(b: Buffer, p: number, f: "str" | "sym" | "isstr", into: Record<string, unknown>, key: string): number {
  if (b[p] !== Q) return readJson(b, p, into, key); // not a string: let zod see (and reject) the real value
  if (f !== "isstr") {
    // Most ids and names are plain ASCII: one pass finds the end, checks the bytes and hashes them.
    const n = b.length;
    let h = 0;
    let i = p + 1;
    for (; i < n; i++) {
      const c = b[i]!;
      if (c === Q || c === BS || c >= 0x80 || c < 0x20) break;
      h = (Math.imul(h, 31) + c) | 0;
    }
    if (i < n && b[i] === Q) {
      into[key] = f === "sym" ? symbol(b, p + 1, i, true, h) : b.toString("latin1", p + 1, i);
      return i + 1;
    }
  }
  const e = stringEnd(b, p);
  if (e < 0) return -1;
  if (f === "isstr") {
    into[key] = ""; // only its type is checked; the value is not used on this path
    return e;
  }
  let escaped = false;
  let ascii = true;
  for (let i = p + 1; i < e - 1; i++) {
    const c = b[i]!;
    if (c < 0x20) return -1; // a raw control character: not JSON
    if (c === BS) escaped = true;
    else if (c >= 0x80) ascii = false;
  }
  if (escaped) {
    try {
      into[key] = JSON.parse(decoder.decode(b.subarray(p, e)));
    } catch {
      return -1; // a bad escape: the full parse rejects the line
    }
  } else if (f === "sym") into[key] = symbol(b, p + 1, e - 1, ascii);
  else into[key] = b.toString(ascii ? "latin1" : "utf8", p + 1, e - 1); // (ASCII decodes the same, faster)
  return e;
}

/** A primitive: non-negative integers, true and false are read in place; anything else through JSON.parse. */
function readPrim(b: Buffer, p: number, into: Record<string, unknown>, key: string): number {
  const c = b[p]!;
  if (c >= 0x30 && c <= 0x39 && !(c === 0x30 && b[p + 1]! >= 0x30 && b[p + 1]! <= 0x39)) {
    let v = 0;
    let i = p;
    while (i < b.length) {
      const d = b[i]!;
      if (d < 0x30 || d > 0x39) break;
      v = v * 10 + (d - 0x30);
      i++;
    }
    const d = b[i];
    if ((d === COMMA || d === RB || d === RS || d === undefined || d <= 0x20) && i - p < 16) {
      into[key] = v;
      return i;
    }
  } else if (c === 0x74 && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) {
    into[key] = true;
    return p + 4;
  } else if (c === 0x66 && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 && b[p + 4] === 0x65) {
    into[key] = false;
    return p + 5;
  }
  return readJson(b, p, into, key);
}

/** An array of objects (content blocks), each read with the element's shape; any other element: full parse. */
function readArray(b: Buffer, p: number, sh: Shape, into: Record<string, unknown>, key: string): number {
  if (b[p] !== LS) return readJson(b, p, into, key);
  const list: Record<string, unknown>[] = [];
  into[key] = list;
  p = ws(b, p + 1);
  if (b[p] === RS) return p + 1;
  for (;;) {
    if (b[p] !== LB) return -1; // a non-object element: full parse
    const item: Record<string, unknown> = {};
    p = readObject(b, p, sh, item);
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

/**
 * Reads the object at p into `into`, keeping only the members named in `sh`. A key written with escapes, or a
 * wanted key given twice (JSON.parse would keep the last), sends the line to the full parse.
 */
function readObject(b: Buffer, p: number, sh: Shape, into: Record<string, unknown>): number {
  if (b[p] !== LB) return -1;
  const n = b.length;
  p = ws(b, p + 1);
  if (b[p] === RB) return p + 1;
  let seen = 0;
  for (;;) {
    if (b[p] !== Q) return -1;
    // The key's end (a key written with an escape goes to the full parse).
    let ke = p + 1;
    for (; ke < n; ke++) {
      const c = b[ke]!;
      if (c === Q) break;
      if (c === BS) return -1;
    }
    if (ke >= n) return -1;
    ke++;
    const fi = fieldIndex(b, p + 1, ke - 1, sh);
    if (fi >= 0) {
      if (seen & (1 << fi)) return -1;
      seen |= 1 << fi;
    }
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
