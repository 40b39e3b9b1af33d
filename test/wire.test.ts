// Facts cross from a reader thread to the writer in wire.ts's compact form: what the writer gets back must equal what
// the reader collected, for the demo corpus's files and for the awkward values (unknown mtimes, open-ended session
// times, missing optional fields, any text in a key), with each fact's key hash computed on the reader's side.
import { describe, expect, test } from "bun:test";
import { FactCollector, type FileFacts } from "../src/ingest/facts.ts";
import { demoFiles } from "../src/ingest/demo.ts";
import { keyId } from "../src/ingest/key-id.ts";
import { readWire, WireWriter } from "../src/ingest/wire.ts";

const NOW = Date.parse("2026-11-26T18:00:00Z");
const POS = {
  dev: 2049,
  ino: 1234567,
  size: 90_000,
  mtimeMs: 1764100000123.456,
  offset: 89_000,
  lines: 35,
  headLen: 256,
  headHash: 987654321,
  tailHash: 123456789,
};

/** The facts without the key hashes the decoder adds (checked separately). */
function withoutHashes(files: FileFacts[]): FileFacts[] {
  const strip = (events: object[]) => events.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== "h")));
  return files.map(
    (f) =>
      ({
        ...f,
        responses: strip(f.responses),
        toolCalls: strip(f.toolCalls),
        toolResults: strip(f.toolResults),
        prompts: strip(f.prompts),
        apiErrors: strip(f.apiErrors),
        turns: strip(f.turns),
      }) as FileFacts,
  );
}

function roundTrip(files: FileFacts[]): FileFacts[] {
  const w = new WireWriter();
  for (const f of files) w.add(f);
  return readWire(w.finish());
}

describe("facts on the wire", () => {
  test("the demo corpus's facts come back equal, each with its key's hash", () => {
    const files = demoFiles(NOW).map(({ path, events }, i) => {
      const c = new FactCollector();
      for (const e of events) c.push(e);
      return c.facts(path, { ...POS, ino: POS.ino + i }, i % 3 === 0, i % 5 === 0 ? -1 : i);
    });
    expect(files.reduce((n, f) => n + f.responses.length + f.toolCalls.length + f.toolResults.length + f.prompts.length, 0)).toBeGreaterThan(1000);
    const back = roundTrip(files);
    expect(withoutHashes(back)).toStrictEqual(files);
    for (const f of back) for (const e of [...f.responses, ...f.toolCalls, ...f.toolResults, ...f.prompts]) expect((e as { h?: number }).h).toBe(keyId(e.key));
  });

  test("awkward values survive: NaN mtime, open-ended times, nulls and missing fields, any characters", () => {
    const odd = 'kéy\u0000with\nnewline|\u{1F600}"quote\\';
    const f: FileFacts = {
      path: "/home/dév/.claude/projects/-x/ünïcode \u{1F600}.jsonl",
      pos: { ...POS, mtimeMs: Number.NaN, size: 0 },
      restart: true,
      gen: -1,
      responses: [
        {
          type: "ResponseObserved",
          key: odd,
          requestId: null,
          time: NOW,
          sessionId: "s",
          agentId: null,
          model: "",
          usage: { uncached: 0, cacheWrite5m: 2 ** 40, cacheWrite1h: 1, cacheRead: 0, output: 7 },
          cwd: null,
          branch: null,
          entrypoint: null,
        },
        {
          type: "ResponseObserved",
          key: "m|r",
          time: NOW + 1,
          sessionId: "s",
          agentId: "a",
          model: "claude-opus-4-6",
          usage: { uncached: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0 },
          fast: true,
          cwd: "/x",
          entrypoint: "cli",
        },
      ],
      toolCalls: [{ type: "ToolCallObserved", key: "", time: 0, sessionId: "s", agentId: "a", name: "Read" }],
      toolResults: [
        { type: "ToolResultObserved", key: "", time: 1, sessionId: "s", agentId: null, outcome: "rejected", reportedMs: null },
        { type: "ToolResultObserved", key: "t2", time: 2, sessionId: "s", agentId: null, outcome: "error", reportedMs: 12.5 },
        { type: "ToolResultObserved", key: "t3", time: 3, sessionId: "s", agentId: null, outcome: "ok" },
      ],
      prompts: [{ type: "PromptObserved", key: "p", time: -5, sessionId: "s", cwd: null }],
      apiErrors: [
        { type: "ApiErrorObserved", key: "e", time: 9, sessionId: "s", agentId: null, status: null, message: "overloaded\u001b[31m", retry: true },
        { type: "ApiErrorObserved", key: "e2", time: 9, sessionId: "s", agentId: "a", status: 529, message: "", retry: false },
      ],
      turns: [{ type: "TurnCompleted", key: "t", time: 10, sessionId: "s", durationMs: 1234.5 }],
      sessions: [
        {
          type: "SessionMeta",
          sessionId: "s",
          cwd: null,
          cwdTime: -Infinity,
          branch: null,
          branchTime: -Infinity,
          entrypoint: null,
          entrypointTime: Infinity,
          title: null,
          window1M: false,
        },
        {
          type: "SessionMeta",
          sessionId: odd,
          cwd: "/x",
          cwdTime: 5,
          branch: "main",
          branchTime: 6,
          entrypoint: "cli",
          entrypointTime: 1,
          title: "A title",
          window1M: true,
        },
      ],
      rejected: [{ line: 3, reason: "not JSON (truncated or corrupt line)" }],
      rejectedCount: 12,
    };
    const empty: FileFacts = {
      ...f,
      path: "/empty.jsonl",
      responses: [],
      toolCalls: [],
      toolResults: [],
      prompts: [],
      apiErrors: [],
      turns: [],
      sessions: [],
      rejected: [],
      rejectedCount: 0,
    };
    const [a, b] = roundTrip([f, empty]);
    expect(withoutHashes([a!, b!])).toStrictEqual([f, empty]);
    expect(Number.isNaN(a!.pos.mtimeMs)).toBe(true);
    expect(a!.sessions[0]!.cwdTime).toBe(-Infinity);
    expect(a!.sessions[0]!.entrypointTime).toBe(Infinity);
    expect("reportedMs" in a!.toolResults[2]!).toBe(false);
    expect("requestId" in a!.responses[1]!).toBe(false);
    expect("fast" in a!.responses[0]!).toBe(false); // (a normal response carries no speed)
    expect(a!.responses[0]!.key).toBe(odd);
  });

  test("nothing in, nothing out", () => {
    expect(roundTrip([])).toEqual([]);
  });
});
