// Facts passed between threads in two compact parts: every number in one Float64Array, handed over without a copy,
// and every string once in one long string. A reader thread's facts then cost the writing thread no parsing (JSON of
// the same facts took that thread about as long as storing them) and a fraction of the memory. The numbers carry the
// facts' key hashes too, computed by the reader. Decoding gives back FileFacts equal to the encoded ones.
import {
  type ApiErrorObserved,
  type PromptObserved,
  type ResponseObserved,
  type SessionMeta,
  type ToolCallObserved,
  type ToolResultObserved,
  type TurnCompleted,
  TOOL_OUTCOMES,
} from "../model/events.ts";
import type { FileFacts } from "./facts.ts";
import { keyId } from "./key-id.ts";

export interface WireFacts {
  /** the strings, one after another; `lengths` says where each ends. */
  text: string;
  lengths: Uint32Array;
  nums: Float64Array;
}

/** A fact with the hash of its key, as decoded from the wire (so the writer need not hash it again). */
export type Hashed = { h?: number };

/** string references: an index into the strings, or one of these. */
const NULL = -1;
const UNDEFINED = -2;

/** Builds one WireFacts from any number of files' facts. */
export class WireWriter {
  private nums = new Float64Array(1 << 16);
  private n = 0;
  private parts: string[] = [];
  private lengths: number[] = [];
  private index = new Map<string, number>();

  private num(x: number): void {
    if (this.n === this.nums.length) {
      const grown = new Float64Array(this.nums.length * 2);
      grown.set(this.nums);
      this.nums = grown;
    }
    this.nums[this.n++] = x;
  }

  /** A string that may repeat (ids, names, paths): stored once. */
  private str(s: string | null | undefined): void {
    if (s === null) return this.num(NULL);
    if (s === undefined) return this.num(UNDEFINED);
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.unique(s);
      this.index.set(s, i);
    }
    this.num(i);
  }

  /** A string that will not repeat (a fact's key): not looked up. */
  private unique(s: string): number {
    this.parts.push(s);
    this.lengths.push(s.length);
    return this.lengths.length - 1;
  }

  /** A number that may be null or missing. */
  private opt(x: number | null | undefined): void {
    if (x === undefined) this.num(0);
    else if (x === null) this.num(1);
    else {
      this.num(2);
      this.num(x);
    }
  }

  private key(k: string): void {
    this.num(this.unique(k));
    this.num(keyId(k));
  }

  /** One file's facts: its header, then each kind of fact in turn (readWire reads them back in the same order). */
  add(f: FileFacts): void {
    this.header(f);
    this.responses(f.responses);
    this.toolCalls(f.toolCalls);
    this.toolResults(f.toolResults);
    this.prompts(f.prompts);
    this.apiErrors(f.apiErrors);
    this.turns(f.turns);
    this.sessions(f.sessions);
    this.rejected(f.rejected);
  }

  /** The file's path, position and counters, then how many facts of each kind follow (so the reader can size them). */
  private header(f: FileFacts): void {
    this.str(f.path);
    const p = f.pos;
    for (const x of [p.dev, p.ino, p.size, p.mtimeMs, p.offset, p.lines, p.headLen, p.headHash, p.tailHash]) this.num(x);
    this.num(f.restart ? 1 : 0);
    this.num(f.gen);
    this.num(f.rejectedCount);
    for (const n of [
      f.responses.length,
      f.toolCalls.length,
      f.toolResults.length,
      f.prompts.length,
      f.apiErrors.length,
      f.turns.length,
      f.sessions.length,
      f.rejected.length,
    ])
      this.num(n);
  }

  /** Responses: most of a file's facts, and the ones with the most fields (the usage, and the flags in one number). */
  private responses(list: readonly ResponseObserved[]): void {
    for (const e of list) {
      this.key(e.key);
      this.str(e.requestId);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.str(e.model);
      const u = e.usage;
      this.num(u.uncached);
      this.num(u.cacheWrite5m);
      this.num(u.cacheWrite1h);
      this.num(u.cacheRead);
      this.num(u.output);
      this.num((e.fast ? 1 : 0) + (e.copy ? 2 : 0));
      this.str(e.cwd);
      this.str(e.branch);
      this.str(e.entrypoint);
    }
  }

  private toolCalls(list: readonly ToolCallObserved[]): void {
    for (const e of list) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.str(e.name);
    }
  }

  /** Tool results: the outcome as its index in TOOL_OUTCOMES. */
  private toolResults(list: readonly ToolResultObserved[]): void {
    for (const e of list) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.num(TOOL_OUTCOMES.indexOf(e.outcome));
      this.opt(e.reportedMs);
    }
  }

  private prompts(list: readonly PromptObserved[]): void {
    for (const e of list) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.cwd);
      this.str(e.branch);
    }
  }

  private apiErrors(list: readonly ApiErrorObserved[]): void {
    for (const e of list) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.opt(e.status);
      this.str(e.message);
      this.num(e.retry ? 1 : 0);
    }
  }

  private turns(list: readonly TurnCompleted[]): void {
    for (const e of list) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.num(e.durationMs);
    }
  }

  /** Sessions' metadata (no key: one per session and file); the two flags in one number. */
  private sessions(list: readonly SessionMeta[]): void {
    for (const m of list) {
      this.str(m.sessionId);
      this.str(m.cwd);
      this.num(m.cwdTime);
      this.str(m.branch);
      this.num(m.branchTime);
      this.str(m.entrypoint);
      this.num(m.entrypointTime);
      this.str(m.title);
      this.num((m.window1M ? 1 : 0) | (m.titleWeak ? 2 : 0));
    }
  }

  private rejected(list: readonly { line: number; reason: string }[]): void {
    for (const r of list) {
      this.num(r.line);
      this.str(r.reason);
    }
  }

  /** The facts added so far (the writer is spent). */
  finish(): WireFacts {
    return { text: this.parts.join(""), lengths: Uint32Array.from(this.lengths), nums: this.nums.slice(0, this.n) };
  }
}

/** The facts of a WireFacts, in the order they were added. */
export function readWire(w: WireFacts): FileFacts[] {
  const r = new WireReader(w.nums, stringsOf(w));
  const out: FileFacts[] = [];
  while (r.more()) out.push(r.file());
  return out;
}

/** The strings of a WireFacts, cut out of its one long string once (the facts refer to them by index). */
function stringsOf(w: WireFacts): string[] {
  const strings: string[] = new Array(w.lengths.length);
  let at = 0;
  for (let i = 0; i < w.lengths.length; i++) {
    const end = at + w.lengths[i]!;
    strings[i] = w.text.slice(at, end);
    at = end;
  }
  return strings;
}

/** A session's two flags, from the one number WireWriter wrote (titleWeak only when set, as the facts carry it). */
const sessionFlags = (f: number) => ({ window1M: (f & 1) === 1, ...((f & 2) === 2 ? { titleWeak: true } : {}) });

/**
 * Reads facts back in the order WireWriter wrote them: a cursor over the numbers, and one method per kind of fact.
 * Each fact is built with its fields in the order the readers made them, and a field left out when it was missing,
 * so a decoded fact equals the encoded one (and has the same shape for the engine).
 */
class WireReader {
  private i = 0;

  constructor(
    private readonly nums: Float64Array,
    private readonly strings: string[],
  ) {}

  more(): boolean {
    return this.i < this.nums.length;
  }

  private num(): number {
    return this.nums[this.i++]!;
  }

  private str(): string {
    return this.strings[this.nums[this.i++]!]!;
  }

  private strOrNull(): string | null {
    const r = this.nums[this.i++]!;
    return r === NULL ? null : this.strings[r]!;
  }

  private strOpt(): string | null | undefined {
    const r = this.nums[this.i++]!;
    return r === NULL ? null : r === UNDEFINED ? undefined : this.strings[r]!;
  }

  private opt(): number | null | undefined {
    const tag = this.nums[this.i++]!;
    return tag === 0 ? undefined : tag === 1 ? null : this.nums[this.i++]!;
  }

  /** One file's facts: the header WireWriter.header wrote, then each kind in turn. */
  file(): FileFacts {
    const path = this.str();
    const pos = {
      dev: this.num(),
      ino: this.num(),
      size: this.num(),
      mtimeMs: this.num(),
      offset: this.num(),
      lines: this.num(),
      headLen: this.num(),
      headHash: this.num(),
      tailHash: this.num(),
    };
    const restart = this.num() === 1;
    const gen = this.num();
    const rejectedCount = this.num();
    const [nr, nc, nt, np, na, nu, ns, nj] = [this.num(), this.num(), this.num(), this.num(), this.num(), this.num(), this.num(), this.num()];
    const responses = this.responses(nr);
    const toolCalls = this.toolCalls(nc);
    const toolResults = this.toolResults(nt);
    const prompts = this.prompts(np);
    const apiErrors = this.apiErrors(na);
    const turns = this.turns(nu);
    const sessions = this.sessions(ns);
    const rejected: { line: number; reason: string }[] = [];
    for (let k = 0; k < nj; k++) rejected.push({ line: this.num(), reason: this.str() });
    return { path, pos, restart, gen, responses, toolCalls, toolResults, prompts, apiErrors, turns, sessions, rejected, rejectedCount };
  }

  private responses(n: number): (ResponseObserved & Hashed)[] {
    const out: (ResponseObserved & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      const requestId = this.strOpt();
      const time = this.num();
      const sessionId = this.str();
      const agentId = this.strOrNull();
      const model = this.str();
      const usage = { uncached: this.num(), cacheWrite5m: this.num(), cacheWrite1h: this.num(), cacheRead: this.num(), output: this.num() };
      const flags = this.num();
      const e: ResponseObserved & Hashed = {
        type: "ResponseObserved",
        key,
        requestId,
        time,
        sessionId,
        agentId,
        model,
        usage,
        cwd: this.strOrNull(),
        branch: this.strOpt(),
        entrypoint: this.strOrNull(),
        h,
      };
      if (flags & 1) e.fast = true;
      if (flags & 2) e.copy = true;
      if (requestId === undefined) delete e.requestId;
      if (e.branch === undefined) delete e.branch;
      out.push(e);
    }
    return out;
  }

  private toolCalls(n: number): (ToolCallObserved & Hashed)[] {
    const out: (ToolCallObserved & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      out.push({ type: "ToolCallObserved", key, time: this.num(), sessionId: this.str(), agentId: this.strOrNull(), name: this.str(), h });
    }
    return out;
  }

  private toolResults(n: number): (ToolResultObserved & Hashed)[] {
    const out: (ToolResultObserved & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      const e: ToolResultObserved & Hashed = {
        type: "ToolResultObserved",
        key,
        time: this.num(),
        sessionId: this.str(),
        agentId: this.strOrNull(),
        outcome: TOOL_OUTCOMES[this.num()]!,
        reportedMs: this.opt(),
        h,
      };
      if (e.reportedMs === undefined) delete e.reportedMs;
      out.push(e);
    }
    return out;
  }

  private prompts(n: number): (PromptObserved & Hashed)[] {
    const out: (PromptObserved & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      const e: PromptObserved & Hashed = {
        type: "PromptObserved",
        key,
        time: this.num(),
        sessionId: this.str(),
        cwd: this.strOrNull(),
        branch: this.strOpt(),
        h,
      };
      if (e.branch === undefined) delete e.branch;
      out.push(e);
    }
    return out;
  }

  private apiErrors(n: number): (ApiErrorObserved & Hashed)[] {
    const out: (ApiErrorObserved & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      out.push({
        type: "ApiErrorObserved",
        key,
        time: this.num(),
        sessionId: this.str(),
        agentId: this.strOrNull(),
        status: this.opt() ?? null,
        message: this.str(),
        retry: this.num() === 1,
        h,
      });
    }
    return out;
  }

  private turns(n: number): (TurnCompleted & Hashed)[] {
    const out: (TurnCompleted & Hashed)[] = [];
    for (let k = 0; k < n; k++) {
      const key = this.str();
      const h = this.num();
      out.push({ type: "TurnCompleted", key, time: this.num(), sessionId: this.str(), durationMs: this.num(), h });
    }
    return out;
  }

  private sessions(n: number): SessionMeta[] {
    const out: SessionMeta[] = [];
    for (let k = 0; k < n; k++) {
      out.push({
        type: "SessionMeta",
        sessionId: this.str(),
        cwd: this.strOrNull(),
        cwdTime: this.num(),
        branch: this.strOrNull(),
        branchTime: this.num(),
        entrypoint: this.strOrNull(),
        entrypointTime: this.num(),
        title: this.strOrNull(),
        ...sessionFlags(this.num()),
      });
    }
    return out;
  }
}
