// Subagent responses that the parent transcript mirrors as `agent_progress` lines: counted once under the usual key
// (message id + request id) whether or not the subagent's own file is there, in either read order; the own file's
// line wins (its output is real, the copy's a placeholder); responses known only from copies are counted and said so.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lineToEvents } from "../src/ingest/records.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { agentProgressLines, progressLine, promptLine, responseLines, type SessionInfo } from "../src/synth/lines.ts";
import type { ModelEvent, ResponseObserved, Usage } from "../src/model/events.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import { selectActiveSessions } from "../src/model/selectors.ts";
import { createState, reduce } from "../src/model/state.ts";
import { responseCost } from "../src/model/pricing.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { drawSessionPopup } from "../src/ui/widgets/session-popup.ts";
import { stateTotals } from "./oracle.ts";
import { noDiagnostics } from "./builders.ts";

const MIN = 60_000;
const NOW = Date.parse("2026-11-26T18:00:00Z");
const SESSION = "5e551011-aaaa-4bbb-8ccc-000000000001";
const AGENT = "a1b2c3d";
const parent: SessionInfo = { sessionId: SESSION, cwd: "/home/dev/src/shop" };
const sub: SessionInfo = { ...parent, agentId: AGENT };
const HAIKU = "claude-haiku-4-5-20251001";
const USAGES: Usage[] = [
  { uncached: 8, cacheWrite5m: 4000, cacheWrite1h: 0, cacheRead: 12_000, output: 640 },
  { uncached: 3, cacheWrite5m: 600, cacheWrite1h: 0, cacheRead: 16_000, output: 1210 },
];

/** The subagent's two responses (two lines each: a text block and a tool call), as its own file has them. */
const subLines = USAGES.flatMap((usage, i) =>
  responseLines({
    session: sub,
    time: NOW - (30 - i * 5) * MIN,
    model: HAIKU,
    messageId: `msg_sub${i}`,
    requestId: `req_sub${i}`,
    usage,
    blocks: [
      { type: "text", text: "looking" },
      { type: "tool_use", id: `toolu_sub${i}`, name: "Grep", input: { pattern: "x" } },
    ],
    uuids: [`s${i}a`, `s${i}b`],
    parentUuid: null,
  }),
);
const parentLines = [
  promptLine(parent, NOW - 31 * MIN, "find it", "p1", null),
  progressLine(parent, NOW - 31 * MIN, "bash-1", null, "toolu_bash", "ok\n"),
  ...agentProgressLines(parent, AGENT, "toolu_task", subLines),
];

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "claude-dash-copies-"));
  dir = join(root, "projects", "-home-dev-src-shop");
  mkdirSync(join(dir, SESSION, "subagents"), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const PARENT_FILE = () => join(dir, `${SESSION}.jsonl`);
const SUB_FILE = () => join(dir, SESSION, "subagents", `agent-${AGENT}.jsonl`);
const write = (f: string, ls: readonly string[]) => writeFileSync(f, `${ls.join("\n")}\n`);

function eventsOf(file: string, ls: readonly string[], agentId: string | null): ModelEvent[] {
  const out: ModelEvent[] = [];
  ls.forEach((l, i) => lineToEvents(l, i + 1, { file, fileSessionId: SESSION, fileAgentId: agentId }, out));
  return out;
}

const responsesOf = (events: ModelEvent[]) => events.filter((e): e is ResponseObserved => e.type === "ResponseObserved");
const OPTS = { now: NOW, windowHours: 12, bucketMinutes: 60, activeWindowHours: 1 };
const DIAG = noDiagnostics();

describe("reading a progress copy", () => {
  test("an agent_progress line with an assistant message is that response, from the subagent, marked a copy", () => {
    const copies = responsesOf(eventsOf("/p.jsonl", parentLines, null));
    // one per streamed line (the keys repeat, as the subagent's own lines do)
    expect(copies.map((e) => e.key)).toEqual(["msg_sub0|req_sub0", "msg_sub0|req_sub0", "msg_sub1|req_sub1", "msg_sub1|req_sub1"]);
    for (const e of copies) expect(e).toMatchObject({ sessionId: SESSION, agentId: AGENT, model: HAIKU, copy: true });
    expect(copies[1]!.usage).toEqual({ ...USAGES[0]!, output: 7 }); // (its last line: the input as the own file's, the output a placeholder)
    // the bash progress and the prompt are what they were
    expect(eventsOf("/p.jsonl", parentLines, null).filter((e) => e.type === "PromptObserved").length).toBe(1);
  });

  test("other progress lines, and a copied user message, give nothing; a broken copy is rejected, not fatal", () => {
    expect(eventsOf("/p.jsonl", [progressLine(parent, NOW, "b", null, "toolu_x", "agent_progress usage")], null)).toEqual([]);
    const userCopy = JSON.parse(parentLines[2]!);
    userCopy.data.message = {
      type: "user",
      timestamp: userCopy.timestamp,
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok", usage: 1 }] },
    };
    expect(eventsOf("/p.jsonl", [JSON.stringify(userCopy)], null)).toEqual([]);
    const broken = JSON.parse(parentLines[2]!);
    broken.data.message.message.usage.input_tokens = -5;
    const out = eventsOf("/p.jsonl", [JSON.stringify(broken)], null);
    expect(out.map((e) => e.type)).toEqual(["LineRejected"]);
    expect((out[0] as { reason: string }).reason).toContain("progress copy");
  });
});

describe("counting", () => {
  const ownTotals = () => {
    const s = createState();
    for (const e of eventsOf("/sub.jsonl", subLines, AGENT)) reduce(s, e);
    return stateTotals(s);
  };

  test("with the subagent's own file: each response once, its own output (not the placeholder), in either read order", () => {
    const p = eventsOf("/p.jsonl", parentLines, null);
    const o = eventsOf("/sub.jsonl", subLines, AGENT);
    const files: [string, ModelEvent[]][] = [
      ["/p.jsonl", p],
      ["/sub.jsonl", o],
    ];
    for (const order of [files, [...files].reverse()]) {
      const s = createState();
      for (const [, events] of order) for (const e of events) reduce(s, e);
      expect(stateTotals(s)).toEqual(ownTotals());
      expect([...s.responses.values()].every((r) => !r.copy)).toBe(true);
      // and in the store, files written in either order
      const store = memoryStore();
      for (const [f, events] of order) store.putEvents(f, events);
      const json = dashboardJson(new StoreQueries(store), OPTS, DIAG, false);
      expect(json.totals.output).toBe(640 + 1210);
      expect(json.totals.responses).toBe(2);
      expect(json.diagnostics.responsesFromProgressCopies).toBe(0);
      expect(json.sessions[0]!.subagents[0]!.fromCopy).toBe(false);
    }
  });

  test("without it (a checkpoint export): the responses still count from the copies, and --json and the detail say their output is under-counted", () => {
    write(PARENT_FILE(), parentLines);
    const store = memoryStore();
    new TranscriptSource([root], store).refresh();
    const q = new StoreQueries(store);
    const json = dashboardJson(q, OPTS, DIAG, false);
    expect(json.totals.responses).toBe(2);
    expect(json.totals.cacheRead).toBe(12_000 + 16_000);
    expect(json.totals.output).toBe(7 + 7);
    expect(json.totals.costUSD).toBeCloseTo(
      USAGES.reduce((n, u) => n + responseCost(HAIKU, { ...u, output: 7 }), 0),
      4,
    );
    expect(json.diagnostics.responsesFromProgressCopies).toBe(2);
    const [session] = selectActiveSessions(q, OPTS);
    expect(session!.subagents).toMatchObject([{ agentId: AGENT, fromCopy: true }]);
    const g = new CellGrid(110, 30);
    drawSessionPopup(g, { session: session!, buckets: [], time: NOW, scroll: 0 });
    expect(g.toPlain()).toContain("from the parent's copy; output under-counted");
  });

  test("the own file arriving later replaces the copies' facts: once each, real output, no longer marked", () => {
    write(PARENT_FILE(), parentLines);
    const store = memoryStore();
    const source = new TranscriptSource([root], store);
    source.refresh();
    write(SUB_FILE(), subLines);
    source.refresh();
    const json = dashboardJson(new StoreQueries(store), OPTS, DIAG, false);
    expect(json.totals.responses).toBe(2);
    expect(json.totals.output).toBe(640 + 1210);
    expect(json.diagnostics.responsesFromProgressCopies).toBe(0);
  });
});
