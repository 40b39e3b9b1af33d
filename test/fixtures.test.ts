// Integration over every real recorded transcript in test/fixtures/real: everything parses, and the totals
// equal those of a deliberately simple second counter written here from SCHEMA.md (JSON.parse every line, key
// by message.id + requestId, keep the largest usage). Also facts read off the files by hand (PROVENANCE.md).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { lineToEvents } from "../src/ingest/records.ts";
import { fileInfo } from "../src/ingest/discover.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { UsageStore } from "../src/ingest/store.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import { selectActiveSessions } from "../src/model/selectors.ts";
import { createState, reduce, type ModelState } from "../src/model/state.ts";
import { stateTotals } from "./oracle.ts";
import { noDiagnostics } from "./builders.ts";

const FIXTURES = resolve(import.meta.dir, "fixtures/real");
const EVER = { from: -Infinity, to: Infinity };
const ALL_TIME = { now: Date.parse("2027-01-01T00:00:00Z"), windowHours: 24 * 366 * 3, bucketMinutes: 1440, activeWindowHours: 24 * 366 * 3 };
const DIAG = noDiagnostics();

function jsonlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) jsonlFiles(p, out);
    else if (e.name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

/**
 * One response at Anthropic's published prices for the models in these fixtures (USD per Mtok: input, output; cache
 * writes 1.25× and 2×, reads 0.1× of input). Sonnet 4 and 4.5 bill a request whose input (input + cache writes + cache
 * reads) exceeds 200,000 tokens whole at $6 / $22.50.
 */
function listPrice(model: string, [u, w5, w1, r, o]: number[]): number {
  const table: Record<string, [number, number]> = {
    "claude-3-5-haiku-20241022": [0.8, 4],
    "claude-haiku-4-5-20251001": [1, 5],
    "claude-opus-4-1-20250805": [15, 75],
    "claude-opus-4-5-20251101": [5, 25],
    "claude-opus-4-6": [5, 25],
    "claude-sonnet-4-20250514": [3, 15],
    "claude-sonnet-4-5-20250929": [3, 15],
  };
  let [input, output] = table[model]!;
  if (/^claude-sonnet-4-(2025|5-)/.test(model) && u! + w5! + w1! + r! > 200_000) [input, output] = [6, 22.5];
  return (u! * input + w5! * input * 1.25 + w1! * input * 2 + r! * input * 0.1 + o! * output) / 1e6;
}

/** The simple counter: no shared code with src/ingest. */
function simpleCount(files: string[]) {
  const best = new Map<string, { u: number[]; total: number; model: string }>();
  const toolUses = new Set<string>();
  const toolOutcome = new Map<string, "error" | "rejected" | "ok">();
  let apiErrors = 0;
  let retries = 0;
  let firstLineOutput = 0;
  for (const f of files) {
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const o = JSON.parse(line);
      if (o.type === "system" && o.subtype === "api_error") retries++;
      if (o.type === "assistant" && o.isApiErrorMessage) apiErrors++;
      if (o.type === "user" && Array.isArray(o.message?.content)) {
        for (const b of o.message.content) {
          if (b.type !== "tool_result" || toolOutcome.has(b.tool_use_id)) continue;
          const text =
            typeof b.content === "string" ? b.content : Array.isArray(b.content) ? b.content.map((x: { text?: string }) => x.text ?? "").join("") : "";
          toolOutcome.set(
            b.tool_use_id,
            !b.is_error ? "ok" : /doesn't want to (proceed|take this action)/.test(text) || o.toolUseResult === "User rejected tool use" ? "rejected" : "error",
          );
        }
      }
      if (o.type !== "assistant" || o.isApiErrorMessage || o.message?.model === "<synthetic>" || !o.message?.usage) continue;
      for (const b of o.message.content ?? []) if (b.type === "tool_use") toolUses.add(b.id);
      const u = o.message.usage;
      const split = u.cache_creation && (u.cache_creation.ephemeral_5m_input_tokens != null || u.cache_creation.ephemeral_1h_input_tokens != null);
      const v = [
        u.input_tokens ?? 0,
        split ? (u.cache_creation.ephemeral_5m_input_tokens ?? 0) : (u.cache_creation_input_tokens ?? 0),
        split ? (u.cache_creation.ephemeral_1h_input_tokens ?? 0) : 0,
        u.cache_read_input_tokens ?? 0,
        u.output_tokens ?? 0,
      ];
      const total = v.reduce((a, b) => a + b, 0);
      const key = o.requestId ? `${o.message.id}|${o.requestId}` : o.message.id;
      const old = best.get(key);
      if (!old) firstLineOutput += v[4]!;
      if (!old || total > old.total) best.set(key, { u: v, total, model: o.message.model });
    }
  }
  const sum = [0, 0, 0, 0, 0];
  let costUSD = 0;
  for (const { u, model } of best.values()) {
    u.forEach((x, i) => (sum[i]! += x));
    costUSD += listPrice(model, u);
  }
  const outcomes = [...toolOutcome.values()];
  return {
    responses: best.size,
    uncached: sum[0]!,
    cacheWrite5m: sum[1]!,
    cacheWrite1h: sum[2]!,
    cacheRead: sum[3]!,
    output: sum[4]!,
    costUSD,
    firstLineOutput,
    toolCalls: toolUses.size,
    toolErrors: outcomes.filter((x) => x === "error").length,
    toolRejections: outcomes.filter((x) => x === "rejected").length,
    apiErrors,
    retries,
  };
}

let home: string;
let state: ModelState;
let store: UsageStore;
let q: StoreQueries;
let source: TranscriptSource;
let files: string[];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "claude-dash-fixtures-"));
  mkdirSync(join(home, "claude"));
  symlinkSync(FIXTURES, join(home, "claude", "projects")); // also exercises following a symlinked projects dir
  files = jsonlFiles(FIXTURES);
  state = createState();
  store = memoryStore();
  q = new StoreQueries(store);
  source = new TranscriptSource([join(home, "claude")], store);
  source.refresh({ push: (e: ModelEvent) => reduce(state, e) });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("every real fixture", () => {
  test("is found and read whole, and no line is rejected", () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(source.stats.files).toBe(files.length);
    expect(source.stats.bytesRead).toBe(files.reduce((a, f) => a + statSync(f).size, 0));
    expect(store.rejectedLines(50)).toEqual({ count: 0, samples: [] });
  });

  test("response count and token totals equal the simple counter's", () => {
    const simple = simpleCount(files);
    const t = stateTotals(state);
    expect({
      responses: t.responses,
      uncached: t.uncached,
      cacheWrite5m: t.cacheWrite5m,
      cacheWrite1h: t.cacheWrite1h,
      cacheRead: t.cacheRead,
      output: t.output,
    }).toEqual({
      responses: simple.responses,
      uncached: simple.uncached,
      cacheWrite5m: simple.cacheWrite5m,
      cacheWrite1h: simple.cacheWrite1h,
      cacheRead: simple.cacheRead,
      output: simple.output,
    });
    // Keeping the first line of each response, as some tools do, loses much of the output (here 43 %: many of
    // these versions wrote only placeholders, see SCHEMA.md §8; the generated corpus shows the ~4x of current ones).
    expect(simple.firstLineOutput).toBeLessThan(t.output * 0.7);
  });

  test("all-time cost is the published prices' to the cent: $94.36, long-context requests billed whole at the long rates", () => {
    const simple = simpleCount(files);
    expect(simple.costUSD.toFixed(2)).toBe("94.36");
    expect(stateTotals(state).costUSD.toFixed(2)).toBe("94.36");
    expect(dashboardJson(q, ALL_TIME, DIAG, false).totals.costUSD.toFixed(2)).toBe("94.36");
  });

  test("tool calls, errors, rejections, API errors and retries equal the simple counter's", () => {
    const simple = simpleCount(files);
    const c = q.counts(EVER.from, EVER.to);
    expect(c).toMatchObject({
      toolCalls: simple.toolCalls,
      toolErrors: simple.toolErrors,
      toolRejections: simple.toolRejections,
      apiErrors: simple.apiErrors,
      apiRetries: simple.retries,
    });
  });

  test("the byte fast path gives the same state as parsing every line with JSON.parse", () => {
    const slow = memoryStore();
    for (const f of files) {
      const info = fileInfo(f);
      const ctx = { file: f, fileSessionId: info.sessionId, fileAgentId: info.agentId };
      const events: ModelEvent[] = [];
      // (a file whose last line has no newline: that line is read too, as the source reads a whole-object tail)
      readFileSync(f, "utf8")
        .split("\n")
        .forEach((line, i) => lineToEvents(line, i + 1, ctx, events));
      slow.putEvents(f, events);
    }
    const diag = noDiagnostics();
    const strip = (j: ReturnType<typeof dashboardJson>) => ({ ...j, diagnostics: null });
    expect(strip(dashboardJson(q, ALL_TIME, diag, false))).toEqual(strip(dashboardJson(new StoreQueries(slow), ALL_TIME, diag, false)));
  });
});

describe("facts read off the fixtures by hand", () => {
  const session = (id: string) => selectActiveSessions(q, ALL_TIME).find((s) => s.sessionId === id)!;

  test("a 217-response main session (ae4a77f8) with its subagent and compaction files", () => {
    const main = [...state.responses.values()].filter((r) => r.sessionId === "ae4a77f8-aedd-4bc1-888f-c94edc91af04");
    expect(main.filter((r) => r.agentId === null).length).toBe(217);
    const s = session("ae4a77f8-aedd-4bc1-888f-c94edc91af04");
    expect(s.subagents.map((a) => a.agentId).sort()).toEqual(["aac57f5", "acompact-946d2b"]);
    expect(s.subagents.find((a) => a.agentId === "aac57f5")!.model).toBe("claude-sonnet-4-5-20250929");
  });

  test("the Sonnet 4 session with 286k–535k tokens of context gets the 1M window", () => {
    const s = [...state.sessions.values()].find((x) => x.responses.some((r) => r.model === "claude-sonnet-4-20250514" && r.usage.cacheRead > 280_000))!;
    expect(session(s.sessionId).contextWindow).toBe(1_000_000);
    expect(session(s.sessionId).contextTokens).toBeGreaterThan(200_000);
  });

  test("rejections: 2 in sniffly fed8ce56 (both wordings), 2 parallel ones in spotter short.jsonl", () => {
    const rejectedIn = (file: string) => {
      const events: ModelEvent[] = [];
      const info = fileInfo(file);
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((l, i) => lineToEvents(l, i + 1, { file, fileSessionId: info.sessionId, fileAgentId: info.agentId }, events));
      return events.filter((e) => e.type === "ToolResultObserved" && e.outcome === "rejected").length;
    };
    expect(rejectedIn(join(FIXTURES, "chiphuyen__sniffly/-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl"))).toBe(2);
    expect(rejectedIn(join(FIXTURES, "marot__spotter/short.jsonl"))).toBe(2);
  });

  test("API errors: the synthetic 500 in ad/ac80fffbb8 is the session's last error, retries are counted apart", () => {
    const errs = [...state.apiErrors.values()];
    const final = errs.filter((e) => !e.retry);
    expect(final.length).toBe(1);
    expect(final[0]!.status).toBe(500);
    expect(final[0]!.message).toContain("API Error: 500");
    expect(errs.filter((e) => e.retry).length).toBe(6); // 5 in long-conversation, 1 in 1e/868c83dbb7
  });

  test("prompts: tiny-conversation has the user's two typed messages and nothing else", () => {
    const file = join(FIXTURES, "obra__episodic-memory/tiny-conversation.jsonl");
    const events: ModelEvent[] = [];
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((l, i) => lineToEvents(l, i + 1, { file, fileSessionId: null, fileAgentId: null }, events));
    expect(events.filter((e) => e.type === "PromptObserved").length).toBe(2);
  });
});
