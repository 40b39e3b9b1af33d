// Facts passed between threads in two compact parts: every number in one Float64Array, handed over without a copy,
// and every string once in one long string. A reader thread's facts then cost the writing thread no parsing (JSON of
// the same facts took that thread about as long as storing them) and a fraction of the memory. The numbers carry the
// facts' key hashes too, computed by the reader. Decoding gives back FileFacts equal to the encoded ones.
import type {
  ApiErrorObserved,
  PromptObserved,
  ResponseObserved,
  SessionMeta,
  ToolCallObserved,
  ToolOutcome,
  ToolResultObserved,
  TurnCompleted,
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

const OUTCOMES: readonly ToolOutcome[] = ["ok", "error", "rejected"];
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

  add(f: FileFacts): void {
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
    for (const e of f.responses) {
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
    for (const e of f.toolCalls) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.str(e.name);
    }
    for (const e of f.toolResults) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.num(OUTCOMES.indexOf(e.outcome));
      this.opt(e.reportedMs);
    }
    for (const e of f.prompts) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.cwd);
      this.str(e.branch);
    }
    for (const e of f.apiErrors) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.str(e.agentId);
      this.opt(e.status);
      this.str(e.message);
      this.num(e.retry ? 1 : 0);
    }
    for (const e of f.turns) {
      this.key(e.key);
      this.num(e.time);
      this.str(e.sessionId);
      this.num(e.durationMs);
    }
    for (const m of f.sessions) {
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
    for (const r of f.rejected) {
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
  const strings: string[] = new Array(w.lengths.length);
  let at = 0;
  for (let i = 0; i < w.lengths.length; i++) {
    const end = at + w.lengths[i]!;
    strings[i] = w.text.slice(at, end);
    at = end;
  }
  const nums = w.nums;
  let i = 0;
  const num = () => nums[i++]!;
  const str = (): string => strings[nums[i++]!]!;
  const strOrNull = (): string | null => {
    const r = nums[i++]!;
    return r === NULL ? null : strings[r]!;
  };
  const strOpt = (): string | null | undefined => {
    const r = nums[i++]!;
    return r === NULL ? null : r === UNDEFINED ? undefined : strings[r]!;
  };
  const opt = (): number | null | undefined => {
    const tag = nums[i++]!;
    return tag === 0 ? undefined : tag === 1 ? null : nums[i++]!;
  };
  const out: FileFacts[] = [];
  while (i < nums.length) {
    const path = str();
    const pos = { dev: num(), ino: num(), size: num(), mtimeMs: num(), offset: num(), lines: num(), headLen: num(), headHash: num(), tailHash: num() };
    const restart = num() === 1;
    const gen = num();
    const rejectedCount = num();
    const [nr, nc, nt, np, na, nu, ns, nj] = [num(), num(), num(), num(), num(), num(), num(), num()];
    const responses: (ResponseObserved & Hashed)[] = [];
    for (let k = 0; k < nr; k++) {
      const key = str();
      const h = num();
      const requestId = strOpt();
      const time = num();
      const sessionId = str();
      const agentId = strOrNull();
      const model = str();
      const usage = { uncached: num(), cacheWrite5m: num(), cacheWrite1h: num(), cacheRead: num(), output: num() };
      const flags = num();
      const e: ResponseObserved & Hashed = {
        type: "ResponseObserved",
        key,
        requestId,
        time,
        sessionId,
        agentId,
        model,
        usage,
        cwd: strOrNull(),
        branch: strOpt(),
        entrypoint: strOrNull(),
        h,
      };
      if (flags & 1) e.fast = true;
      if (flags & 2) e.copy = true;
      if (requestId === undefined) delete e.requestId;
      if (e.branch === undefined) delete e.branch;
      responses.push(e);
    }
    const toolCalls: (ToolCallObserved & Hashed)[] = [];
    for (let k = 0; k < nc; k++) {
      const key = str();
      const h = num();
      toolCalls.push({ type: "ToolCallObserved", key, time: num(), sessionId: str(), agentId: strOrNull(), name: str(), h });
    }
    const toolResults: (ToolResultObserved & Hashed)[] = [];
    for (let k = 0; k < nt; k++) {
      const key = str();
      const h = num();
      const e: ToolResultObserved & Hashed = {
        type: "ToolResultObserved",
        key,
        time: num(),
        sessionId: str(),
        agentId: strOrNull(),
        outcome: OUTCOMES[num()]!,
        reportedMs: opt(),
        h,
      };
      if (e.reportedMs === undefined) delete e.reportedMs;
      toolResults.push(e);
    }
    const prompts: (PromptObserved & Hashed)[] = [];
    for (let k = 0; k < np; k++) {
      const key = str();
      const h = num();
      const e: PromptObserved & Hashed = { type: "PromptObserved", key, time: num(), sessionId: str(), cwd: strOrNull(), branch: strOpt(), h };
      if (e.branch === undefined) delete e.branch;
      prompts.push(e);
    }
    const apiErrors: (ApiErrorObserved & Hashed)[] = [];
    for (let k = 0; k < na; k++) {
      const key = str();
      const h = num();
      apiErrors.push({
        type: "ApiErrorObserved",
        key,
        time: num(),
        sessionId: str(),
        agentId: strOrNull(),
        status: opt() ?? null,
        message: str(),
        retry: num() === 1,
        h,
      });
    }
    const turns: (TurnCompleted & Hashed)[] = [];
    for (let k = 0; k < nu; k++) {
      const key = str();
      const h = num();
      turns.push({ type: "TurnCompleted", key, time: num(), sessionId: str(), durationMs: num(), h });
    }
    const flags = (f: number) => ({ window1M: (f & 1) === 1, ...((f & 2) === 2 ? { titleWeak: true } : {}) });
    const sessions: SessionMeta[] = [];
    for (let k = 0; k < ns; k++) {
      sessions.push({
        type: "SessionMeta",
        sessionId: str(),
        cwd: strOrNull(),
        cwdTime: num(),
        branch: strOrNull(),
        branchTime: num(),
        entrypoint: strOrNull(),
        entrypointTime: num(),
        title: strOrNull(),
        ...flags(num()),
      });
    }
    const rejected: { line: number; reason: string }[] = [];
    for (let k = 0; k < nj; k++) rejected.push({ line: num(), reason: str() });
    out.push({ path, pos, restart, gen, responses, toolCalls, toolResults, prompts, apiErrors, turns, sessions, rejected, rejectedCount });
  }
  return out;
}
