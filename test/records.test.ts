// lineToEvents / quickType: the boundary between transcript lines and model events. Lines are built with the
// typed builders in src/synth/lines.ts (shapes from fixtures/real/SCHEMA.md) and tweaked where a case needs a
// shape the builders do not make.
import { describe, expect, test } from "bun:test";
import type { ModelEvent, Usage } from "../src/model/events.ts";
import { lineToEvents, parseTime, quickType, type LineContext } from "../src/ingest/records.ts";
import { LineProcessor } from "../src/ingest/fastpath.ts";
import {
  apiErrorLine,
  customTitleLine,
  progressLine,
  promptLine,
  REJECTION_TEXT,
  responseLines,
  retryLine,
  snapshotLine,
  toolResultLine,
  type Block,
  type ResponseSpec,
  type SessionInfo,
} from "../src/synth/lines.ts";

const SESSION = "3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f";
const FILE = `/home/me/.claude/projects/-home-me-app/${SESSION}.jsonl`;
const CTX: LineContext = { file: FILE, fileSessionId: SESSION, fileAgentId: null };
const AGENT_FILE = `/home/me/.claude/projects/-home-me-app/${SESSION}/subagents/agent-ad3cc42681e554516.jsonl`;
const AGENT_CTX: LineContext = { file: AGENT_FILE, fileSessionId: SESSION, fileAgentId: "ad3cc42681e554516" };

const S: SessionInfo = { sessionId: SESSION, cwd: "/home/me/app", entrypoint: "cli" };
const T0 = Date.parse("2026-02-10T21:12:02.480Z");

/** C0/C1 controls (ESC, BEL…), DEL and bidi overrides: none may reach the screen. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Runs lineToEvents, asserting it does not throw, and returns the events. */
function events(line: string, lineNo = 7, ctx: LineContext = CTX): ModelEvent[] {
  const out: ModelEvent[] = [];
  expect(() => lineToEvents(line, lineNo, ctx, out)).not.toThrow();
  return out;
}

function only<T extends ModelEvent["type"]>(evs: ModelEvent[], type: T): Extract<ModelEvent, { type: T }>[] {
  return evs.filter((e): e is Extract<ModelEvent, { type: T }> => e.type === type);
}

/** Parses a builder's line, lets `fn` change the record, and serialises it again. */
function tweak(line: string, fn: (rec: Record<string, any>) => void): string {
  const rec = JSON.parse(line) as Record<string, any>;
  fn(rec);
  return JSON.stringify(rec);
}

/** Asserts the line produced exactly one LineRejected carrying this file and line number, and nothing else. */
function expectRejectedOnce(evs: ModelEvent[], lineNo: number, file = FILE): void {
  expect(evs.length).toBe(1);
  const e = evs[0]!;
  expect(e.type).toBe("LineRejected");
  if (e.type !== "LineRejected") return;
  expect(e.file).toBe(file);
  expect(e.line).toBe(lineNo);
  expect(e.reason.length).toBeGreaterThan(0);
}

const USAGE: Usage = { uncached: 3, cacheWrite5m: 1200, cacheWrite1h: 800, cacheRead: 45000, output: 640 };

function response(over: Partial<ResponseSpec> = {}): string[] {
  const blocks: Block[] = over.blocks ?? [
    { type: "thinking", thinking: "Let me look." },
    { type: "text", text: "I'll read the file." },
    { type: "tool_use", id: "toolu_01AbCdEf", name: "Read", input: { file_path: "/home/me/app/a.ts" } },
  ];
  return responseLines({
    session: S,
    time: T0,
    model: "claude-opus-4-7",
    messageId: "msg_01XyZ",
    requestId: "req_011Abc",
    usage: USAGE,
    blocks,
    uuids: blocks.map((_, i) => `uuid-r-${i}`),
    parentUuid: "uuid-prompt",
    ...over,
  });
}

describe("assistant responses", () => {
  test("a streamed response of several lines gives one ResponseObserved per line, all with the key message.id|requestId", () => {
    const lines = response();
    expect(lines.length).toBe(3);
    const rs = lines.flatMap((l, i) => only(events(l, 10 + i), "ResponseObserved"));
    expect(rs.length).toBe(3);
    for (const r of rs) {
      expect(r.key).toBe("msg_01XyZ|req_011Abc");
      expect(r.sessionId).toBe(SESSION);
      expect(r.agentId).toBeNull();
      expect(r.model).toBe("claude-opus-4-7");
      expect(r.cwd).toBe("/home/me/app");
      expect(r.entrypoint).toBe("cli");
      // the input side is repeated on every line
      expect(r.usage.uncached).toBe(3);
      expect(r.usage.cacheWrite5m).toBe(1200);
      expect(r.usage.cacheWrite1h).toBe(800);
      expect(r.usage.cacheRead).toBe(45000);
    }
    // each line carries its own write time; the last line carries the final output count
    expect(rs.map((r) => r.time)).toEqual([T0, T0 + 350, T0 + 700]);
    expect(rs[2]!.usage).toEqual(USAGE);
    expect(rs[0]!.usage.output).toBeLessThan(USAGE.output);
  });

  test("without requestId (gateway setups) the key is message.id alone", () => {
    const lines = responseLines({
      session: S,
      time: T0,
      model: "claude-sonnet-4-5-20250929",
      messageId: "msg_gateway",
      usage: USAGE,
      blocks: [{ type: "text", text: "hi" }],
      uuids: ["u1"],
      parentUuid: null,
    });
    const rs = only(events(lines[0]!), "ResponseObserved");
    expect(rs.map((r) => r.key)).toEqual(["msg_gateway"]);
  });

  test("usage with the cache_creation split keeps 5-minute and 1-hour writes apart", () => {
    const [line] = response({ blocks: [{ type: "text", text: "done" }], streaming: "all" });
    const [r] = only(events(line!), "ResponseObserved");
    expect(r!.usage).toEqual({ uncached: 3, cacheWrite5m: 1200, cacheWrite1h: 800, cacheRead: 45000, output: 640 });
  });

  test("usage without the cache_creation object (pre-1.0.98) counts the whole cache write as 5-minute", () => {
    const [line] = response({ blocks: [{ type: "text", text: "done" }], streaming: "split" });
    expect(JSON.parse(line!).message.usage.cache_creation).toBeUndefined();
    const [r] = only(events(line!), "ResponseObserved");
    expect(r!.usage).toEqual({ uncached: 3, cacheWrite5m: 2000, cacheWrite1h: 0, cacheRead: 45000, output: 640 });
  });

  test("a null cache_creation object also counts the whole cache write as 5-minute", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage.cache_creation = null;
    });
    const [r] = only(events(line), "ResponseObserved");
    expect(r!.usage.cacheWrite5m).toBe(2000);
    expect(r!.usage.cacheWrite1h).toBe(0);
  });

  test("missing usage fields count as 0 instead of rejecting the line", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage = { input_tokens: 10, output_tokens: 2 };
    });
    const evs = events(line);
    expect(only(evs, "LineRejected")).toEqual([]);
    expect(only(evs, "ResponseObserved")[0]!.usage).toEqual({ uncached: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 2 });
  });

  test("tool_use blocks become ToolCallObserved with the tool_use id and name", () => {
    const lines = response({
      blocks: [
        { type: "tool_use", id: "toolu_01Read", name: "Read", input: { file_path: "/a" } },
        { type: "tool_use", id: "toolu_02Bash", name: "Bash", input: { command: "ls" } },
        { type: "tool_use", id: "toolu_03Mcp", name: "mcp__github__create_issue", input: {} },
      ],
    });
    const calls = lines.flatMap((l) => only(events(l), "ToolCallObserved"));
    expect(calls.map((c) => [c.key, c.name, c.sessionId, c.agentId])).toEqual([
      ["toolu_01Read", "Read", SESSION, null],
      ["toolu_02Bash", "Bash", SESSION, null],
      ["toolu_03Mcp", "mcp__github__create_issue", SESSION, null],
    ]);
    expect(calls.map((c) => c.time)).toEqual([T0, T0 + 350, T0 + 700]);
  });

  test("text and thinking blocks produce no tool call", () => {
    const lines = response({
      blocks: [
        { type: "thinking", thinking: "hmm" },
        { type: "text", text: "answer" },
      ],
    });
    expect(lines.flatMap((l) => only(events(l), "ToolCallObserved"))).toEqual([]);
  });

  test("a malformed tool_use block is reported, but the response's usage still counts", () => {
    const line = tweak(response({ blocks: [{ type: "tool_use", id: "toolu_x", name: "Read", input: {} }] })[0]!, (r) => {
      delete r.message.content[0].id;
    });
    const evs = events(line, 12);
    expect(only(evs, "ToolCallObserved")).toEqual([]);
    expect(only(evs, "ResponseObserved").length).toBe(1);
    const rej = only(evs, "LineRejected");
    expect(rej.length).toBe(1);
    expect(rej[0]!.line).toBe(12);
  });

  test("lines in a subagent file are attributed to the agent (from the line's agentId)", () => {
    const lines = responseLines({
      session: { ...S, agentId: "ad3cc42681e554516" },
      time: T0,
      model: "claude-haiku-4-5-20251001",
      messageId: "msg_sub",
      requestId: "req_sub",
      usage: USAGE,
      blocks: [{ type: "tool_use", id: "toolu_sub", name: "Grep", input: {} }],
      uuids: ["u"],
      parentUuid: null,
    });
    const evs = events(lines[0]!, 1, AGENT_CTX);
    expect(only(evs, "ResponseObserved")[0]!.agentId).toBe("ad3cc42681e554516");
    expect(only(evs, "ToolCallObserved")[0]!.agentId).toBe("ad3cc42681e554516");
  });

  test("agentId falls back to the agent id from the file name when the line has none", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.isSidechain = true;
      delete r.agentId;
    });
    const [r] = only(events(line, 1, AGENT_CTX), "ResponseObserved");
    expect(r!.agentId).toBe("ad3cc42681e554516");
  });

  test("1.0.x inline sidechain lines (isSidechain, no agentId, main file) are not attributed to the main thread", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.isSidechain = true;
    });
    const [r] = only(events(line), "ResponseObserved");
    expect(r!.agentId).not.toBeNull();
  });

  test("sessionId falls back to the session id from the file name when the line has none", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      delete r.sessionId;
    });
    const [r] = only(events(line), "ResponseObserved");
    expect(r!.sessionId).toBe(SESSION);
  });

  test("a line with no session id anywhere is rejected once", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      delete r.sessionId;
    });
    expectRejectedOnce(events(line, 4, { file: "/r/projects/p/agent-a1.jsonl", fileSessionId: null, fileAgentId: "a1" }), 4, "/r/projects/p/agent-a1.jsonl");
  });

  test("the line's own sessionId wins over the file name (subagent files carry the parent session id)", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.sessionId = "11111111-2222-4333-8444-555555555555";
    });
    expect(only(events(line), "ResponseObserved")[0]!.sessionId).toBe("11111111-2222-4333-8444-555555555555");
  });
});

describe("tool results", () => {
  const result = (opts: Parameters<typeof toolResultLine>[3]): ModelEvent[] => events(toolResultLine(S, T0, "toolu_01AbCdEf", opts), 20);

  test("a normal result is ToolResultObserved with outcome ok, keyed by the tool_use id", () => {
    const evs = result({ uuid: "u-res", parentUuid: "uuid-r-2" });
    expect(evs).toEqual([{ type: "ToolResultObserved", key: "toolu_01AbCdEf", time: T0, sessionId: SESSION, agentId: null, outcome: "ok", reportedMs: null }]);
  });

  test("a duration the tool reports itself is kept (durationMs, totalDurationMs, or durationSeconds); a bad one is ignored", () => {
    const withResult = (tur: unknown) => only(result({ uuid: "u", parentUuid: null, toolUseResult: tur }), "ToolResultObserved")[0]!.reportedMs;
    expect(withResult({ durationMs: 412, filenames: [] })).toBe(412);
    expect(withResult({ totalDurationMs: 75_000, status: "completed" })).toBe(75_000);
    expect(withResult({ durationSeconds: 2.5, results: [] })).toBe(2500);
    expect(withResult({ durationMs: "soon" })).toBeNull();
  });

  test("is_error with an ordinary error text is outcome error", () => {
    const [r] = only(result({ uuid: "u", parentUuid: null, outcome: "error", content: "File does not exist." }), "ToolResultObserved");
    expect(r!.outcome).toBe("error");
  });

  test('the user pressing No ("The user doesn\'t want to proceed with this tool use…") is outcome rejected', () => {
    const [r] = only(result({ uuid: "u", parentUuid: null, outcome: "rejected" }), "ToolResultObserved");
    expect(r!.outcome).toBe("rejected");
  });

  test("a rejection with feedback appended is still rejected", () => {
    const line = tweak(toolResultLine(S, T0, "toolu_fb", { uuid: "u", parentUuid: null, outcome: "error", content: "x" }), (r) => {
      r.message.content[0].content = `${REJECTION_TEXT.replace(/\.$/, "")}. To tell you how to proceed, the user said:\nuse pnpm instead`;
      r.toolUseResult = `Error: ${r.message.content[0].content}`;
    });
    expect(only(events(line), "ToolResultObserved")[0]!.outcome).toBe("rejected");
  });

  test('the 1.0.x text "The user doesn\'t want to take this action right now…" is outcome rejected', () => {
    const text = "The user doesn't want to take this action right now. STOP what you are doing and wait for the user to tell you how to proceed.";
    const line = toolResultLine(S, T0, "toolu_old", { uuid: "u", parentUuid: null, outcome: "error", content: text });
    const fixed = tweak(line, (r) => {
      r.toolUseResult = text; // 1.0.17: no "Error: " prefix
    });
    expect(only(events(fixed), "ToolResultObserved")[0]!.outcome).toBe("rejected");
  });

  test('toolUseResult "User rejected tool use" (sibling of a rejected call) is outcome rejected, whatever the content says', () => {
    const line = tweak(toolResultLine(S, T0, "toolu_sib", { uuid: "u", parentUuid: null, outcome: "error", content: "Cancelled" }), (r) => {
      r.toolUseResult = "User rejected tool use";
    });
    expect(only(events(line), "ToolResultObserved")[0]!.outcome).toBe("rejected");
  });

  test("a rejection text given as an array of text blocks is still rejected", () => {
    const line = tweak(toolResultLine(S, T0, "toolu_arr", { uuid: "u", parentUuid: null, outcome: "error", content: "x" }), (r) => {
      r.message.content[0].content = [{ type: "text", text: REJECTION_TEXT }];
      r.toolUseResult = { some: "object" };
    });
    expect(only(events(line), "ToolResultObserved")[0]!.outcome).toBe("rejected");
  });

  test("is_error absent means ok even if the text looks like an error", () => {
    const [r] = only(result({ uuid: "u", parentUuid: null, content: "Error: nothing" }), "ToolResultObserved");
    expect(r!.outcome).toBe("ok");
  });

  test("a tool result is never counted as a prompt", () => {
    for (const outcome of ["ok", "error", "rejected"] as const) {
      expect(only(result({ uuid: "u", parentUuid: null, outcome }), "PromptObserved")).toEqual([]);
    }
  });

  test("a tool result inside a subagent file carries the agent id", () => {
    const line = toolResultLine({ ...S, agentId: "ad3cc42681e554516" }, T0, "toolu_a", { uuid: "u", parentUuid: null });
    expect(only(events(line, 3, AGENT_CTX), "ToolResultObserved")[0]!.agentId).toBe("ad3cc42681e554516");
  });
});

describe("prompts", () => {
  test("a typed prompt is PromptObserved with its uuid, time, session, cwd and git branch", () => {
    const evs = events(promptLine(S, T0, "fix the failing test", "uuid-p1", null));
    expect(evs).toEqual([{ type: "PromptObserved", key: "uuid-p1", time: T0, sessionId: SESSION, cwd: "/home/me/app", branch: "main" }]);
  });

  test("a prompt given as text blocks (e.g. with a pasted image) is a prompt", () => {
    const line = tweak(promptLine(S, T0, "x", "uuid-p2", null), (r) => {
      r.message.content = [
        { type: "text", text: "what is in this screenshot?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      ];
    });
    expect(only(events(line), "PromptObserved").map((p) => p.key)).toEqual(["uuid-p2"]);
  });

  test('a prompt whose text mentions "type":"progress" is still a prompt', () => {
    for (const text of ['why does {"type":"progress"} show up?', 'grep for "type":"progress" lines']) {
      const evs = events(promptLine(S, T0, text, "uuid-q", null));
      expect(only(evs, "PromptObserved").map((p) => p.key)).toEqual(["uuid-q"]);
    }
  });

  const notPrompts: [string, (r: Record<string, any>) => void][] = [
    ["isMeta (skill body, caveat)", (r) => (r.isMeta = true)],
    ["isCompactSummary", (r) => (r.isCompactSummary = true)],
    ["a 1.0.x inline sidechain line (isSidechain, no agentId)", (r) => (r.isSidechain = true)],
    ["<local-command-stdout>", (r) => (r.message.content = "<local-command-stdout>Set model to opus</local-command-stdout>")],
    [
      "<local-command-caveat> (even without isMeta)",
      (r) =>
        (r.message.content =
          "<local-command-caveat>Caveat: The messages below were generated by the user while running local commands.</local-command-caveat>"),
    ],
    ["[Request interrupted by user]", (r) => (r.message.content = "[Request interrupted by user]")],
    ["[Request interrupted by user for tool use]", (r) => (r.message.content = [{ type: "text", text: "[Request interrupted by user for tool use]" }])],
    ["an empty text", (r) => (r.message.content = "   ")],
  ];
  for (const [name, fn] of notPrompts) {
    test(`not a prompt: ${name}`, () => {
      const line = tweak(promptLine(S, T0, "hello", "uuid-x", null), fn);
      expect(events(line)).toEqual([]);
    });
  }

  test("not a prompt: a user line in a subagent file (the Task prompt)", () => {
    const line = promptLine({ ...S, agentId: "ad3cc42681e554516" }, T0, "Search the codebase for X", "uuid-sub", null);
    expect(events(line, 1, AGENT_CTX)).toEqual([]);
  });

  test("not a prompt: a user line without agentId in a subagent file (agent id from the file name)", () => {
    const line = tweak(promptLine(S, T0, "Search the codebase for X", "uuid-sub", null), (r) => {
      r.isSidechain = true;
    });
    expect(events(line, 1, AGENT_CTX)).toEqual([]);
  });
});

describe("API errors", () => {
  test('the final <synthetic> isApiErrorMessage line is ApiErrorObserved, retry false, status 529 parsed from "API Error: 529"', () => {
    const evs = events(apiErrorLine(S, T0, "uuid-err", "uuid-p"), 30);
    expect(evs.length).toBe(1);
    const e = evs[0]!;
    expect(e.type).toBe("ApiErrorObserved");
    if (e.type !== "ApiErrorObserved") return;
    expect(e.key).toBe("uuid-err");
    expect(e.time).toBe(T0);
    expect(e.sessionId).toBe(SESSION);
    expect(e.agentId).toBeNull();
    expect(e.status).toBe(529);
    expect(e.retry).toBe(false);
    expect(e.message).toContain("API Error: 529");
  });

  test("a 500 error line gives status 500", () => {
    const [e] = only(events(apiErrorLine(S, T0, "uuid-500", null, 500)), "ApiErrorObserved");
    expect(e!.status).toBe(500);
  });

  test("an API error line produces no ResponseObserved (its zero usage is not an API call)", () => {
    expect(only(events(apiErrorLine(S, T0, "u", null)), "ResponseObserved")).toEqual([]);
  });

  test('<synthetic> "No response requested." (no isApiErrorMessage) produces nothing', () => {
    const line = tweak(apiErrorLine(S, T0, "uuid-nrr", null), (r) => {
      delete r.isApiErrorMessage;
      delete r.error;
      r.message.content = [{ type: "text", text: "No response requested." }];
    });
    expect(events(line)).toEqual([]);
  });

  test("a system/api_error retry line is ApiErrorObserved with retry true and the HTTP status", () => {
    const evs = events(retryLine(S, T0, "uuid-retry", "uuid-p", 3), 31);
    expect(evs.length).toBe(1);
    const e = evs[0]!;
    expect(e.type).toBe("ApiErrorObserved");
    if (e.type !== "ApiErrorObserved") return;
    expect(e.key).toBe("uuid-retry");
    expect(e.retry).toBe(true);
    expect(e.status).toBe(529);
    expect(e.sessionId).toBe(SESSION);
    expect(e.message).toContain("Overloaded");
    expect(e.message).toContain("3/10");
  });

  test("a network-error retry (error {}, cause.code ECONNRESET) has no status and names the cause", () => {
    const line = tweak(retryLine(S, T0, "uuid-net", null, 1), (r) => {
      r.error = {};
      r.cause = { code: "ECONNRESET", path: "https://api.anthropic.com/v1/messages", errno: 0 };
    });
    const [e] = only(events(line), "ApiErrorObserved");
    expect(e!.status).toBeNull();
    expect(e!.retry).toBe(true);
    expect(e!.message).toContain("ECONNRESET");
  });

  test("turn_duration is a TurnCompleted with its wall time; compact_boundary produces nothing", () => {
    const turn = tweak(retryLine(S, T0, "u", null, 1), (r) => {
      r.subtype = "turn_duration";
      r.durationMs = 1234;
      delete r.error;
    });
    const compact = tweak(retryLine(S, T0, "u", null, 1), (r) => {
      r.subtype = "compact_boundary";
      r.content = "Conversation compacted";
      r.compactMetadata = { trigger: "auto", preTokens: 150000 };
      delete r.error;
    });
    expect(events(turn)).toEqual([{ type: "TurnCompleted", key: "u", time: T0, sessionId: S.sessionId, durationMs: 1234 }]);
    expect(events(compact)).toEqual([]);
  });

  test("escape sequences and control characters in an API error text are stripped", () => {
    const line = tweak(apiErrorLine(S, T0, "u", null), (r) => {
      r.message.content[0].text = "API Error: 529 \u001b]0;pwned\u0007\u001b[31mOverloaded\u001b[0m\r\n\u009b2J\u202eevil";
    });
    const [e] = only(events(line), "ApiErrorObserved");
    expect(e!.status).toBe(529);
    expect(e!.message).not.toMatch(CONTROL);
    expect(e!.message).toContain("Overloaded");
  });

  test("escape sequences in a retry line's error message are stripped", () => {
    const line = tweak(retryLine(S, T0, "u", null, 2), (r) => {
      r.error.error.error.message = "\u001b[2J\u001b[HOver\u0000loaded\u0007";
    });
    const [e] = only(events(line), "ApiErrorObserved");
    expect(e!.message).not.toMatch(CONTROL);
    expect(e!.message).toContain("loaded");
  });
});

describe("titles", () => {
  test("custom-title becomes SessionTitled", () => {
    expect(events(customTitleLine(SESSION, "Refactor the tailer"))).toEqual([{ type: "SessionTitled", sessionId: SESSION, title: "Refactor the tailer" }]);
  });

  test("a custom-title without sessionId takes the session id from the file name", () => {
    const line = tweak(customTitleLine(SESSION, "t"), (r) => {
      delete r.sessionId;
    });
    expect(events(line)).toEqual([{ type: "SessionTitled", sessionId: SESSION, title: "t" }]);
  });

  test("escape sequences and bidi overrides in a title are stripped", () => {
    const [e] = only(events(customTitleLine(SESSION, "\u001b[2J\u001b]8;;http://x\u0007my\u202e title\u009b")), "SessionTitled");
    expect(e!.title).not.toMatch(CONTROL);
    expect(e!.title).toContain("my");
    expect(e!.title).toContain("title");
  });

  test("escape sequences in a tool name are stripped", () => {
    const [line] = response({ blocks: [{ type: "tool_use", id: "toolu_esc", name: "mcp__x__\u001b[31mred", input: {} }] });
    const [c] = only(events(line!), "ToolCallObserved");
    expect(c!.name).not.toMatch(CONTROL);
  });
});

describe("lines that produce nothing", () => {
  test("unknown record types pass silently", () => {
    expect(events(JSON.stringify({ type: "brand-new-record", sessionId: SESSION, payload: { nested: [1, { type: "user" }] } }))).toEqual([]);
    expect(events(JSON.stringify({ type: "permission-mode", permissionMode: "plan", sessionId: SESSION }))).toEqual([]);
    expect(events(JSON.stringify({ type: "attachment", sessionId: SESSION, timestamp: "2026-01-01T00:00:00Z", attachment: { type: "hook_success" } }))).toEqual(
      [],
    );
  });

  test("progress and file-history-snapshot lines produce nothing", () => {
    expect(events(progressLine(S, T0, "u", null, "toolu_1", "compiling…\n"))).toEqual([]);
    expect(events(snapshotLine("uuid-p1", T0, ["src/a.ts", "src/b.ts"]))).toEqual([]);
  });

  test("unknown fields on known records are ignored: the events are the same as without them", () => {
    const [plain] = response({ blocks: [{ type: "tool_use", id: "toolu_u", name: "Edit", input: {} }] });
    const extra = tweak(plain!, (r) => {
      r.futureTopLevel = { deep: [1, 2, { x: null }] };
      r.message.futureMessageField = "x";
      r.message.usage.server_tool_use = { web_search_requests: 1 };
      r.message.usage.iterations = [];
      r.message.usage.speed = "standard";
      r.message.usage.service_tier = "standard";
      r.message.content[0].caller = { type: "direct" };
    });
    expect(events(extra)).toEqual(events(plain!));
  });

  test('usage.speed "fast" marks a fast-mode response; any other value, or one of another type, is a normal one', () => {
    const [plain] = response({ blocks: [{ type: "text", text: "x" }] });
    const withSpeed = (v: unknown) => only(events(tweak(plain!, (r) => (r.message.usage.speed = v))), "ResponseObserved")[0]!;
    expect(withSpeed("fast").fast).toBe(true);
    for (const v of ["standard", "normal", 7, null, { x: 1 }]) {
      const e = withSpeed(v);
      expect("fast" in e).toBe(false);
      expect(e.usage).toEqual(only(events(plain!), "ResponseObserved")[0]!.usage);
    }
  });

  test("an empty line and a whitespace-only line produce nothing", () => {
    expect(events("")).toEqual([]);
    expect(events("   \t ")).toEqual([]);
  });
});

describe("rejected lines", () => {
  test("malformed JSON is rejected once with the file and line number", () => {
    expectRejectedOnce(events('{"type":"user","message":{"content":"hi"', 42), 42);
    expectRejectedOnce(events("this is not json", 43), 43);
    expectRejectedOnce(events('{"type":"assistant",,}', 44), 44);
  });

  test("a torn assistant line (cut mid-record) is rejected once", () => {
    const [line] = response();
    expectRejectedOnce(events(line!.slice(0, Math.floor(line!.length / 2)), 5), 5);
  });

  test("a truncated progress line (cut mid-record) is rejected once", () => {
    const line = progressLine(S, T0, "u", null, "toolu_1", "building");
    expectRejectedOnce(events(line.slice(0, line.length - 30), 9), 9);
  });

  test("a truncated file-history-snapshot line is rejected once", () => {
    const line = snapshotLine("uuid-p1", T0, ["src/a.ts"]);
    expectRejectedOnce(events(line.slice(0, 60), 10), 10);
  });

  test("a progress line that lost its beginning (starts mid-record) is rejected once", () => {
    const line = progressLine(S, T0, "u", null, "toolu_1", "building");
    const tail = line.slice(line.indexOf('"sessionId"') + 3); // `ssionId":"…","type":"progress",…}`
    expect(tail.endsWith("}")).toBe(true);
    expectRejectedOnce(events(tail, 11), 11);
  });

  test("JSON that is not an object is rejected once", () => {
    let n = 50;
    for (const line of ["42", '"a string"', "[1,2,3]", '[{"type":"user"}]', "null", "true"]) {
      expectRejectedOnce(events(line, n), n);
      n++;
    }
  });

  test("an object without a string type is rejected once", () => {
    expectRejectedOnce(events('{"sessionId":"x","message":{}}', 60), 60);
    expectRejectedOnce(events('{"type":7}', 61), 61);
  });

  test("an assistant line whose usage has a string where a number belongs is rejected once (and counts nothing)", () => {
    const line = tweak(response({ blocks: [{ type: "tool_use", id: "toolu_s", name: "Read", input: {} }] })[0]!, (r) => {
      r.message.usage.input_tokens = "1200";
    });
    expectRejectedOnce(events(line, 70), 70);
  });

  test("an assistant line with a negative token count is rejected once", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage.output_tokens = -5;
    });
    expectRejectedOnce(events(line, 71), 71);
  });

  test.each([1e308, 1e20, 2 ** 53 + 1, 10_000_001, 1.5])("a token count of %p is rejected with its reason (both readers), not added up", (n) => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage.input_tokens = n;
    });
    const slow = events(line, 73);
    expectRejectedOnce(slow, 73);
    expect((slow[0] as { reason: string }).reason).toMatch(/token count|expected int/i);
    // the byte reader: the same verdict
    const fast: ModelEvent[] = [];
    new LineProcessor({ file: "/f.jsonl", fileSessionId: null, fileAgentId: null }, { push: (e: ModelEvent) => fast.push(e) }).line(
      Buffer.from(line),
      0,
      Buffer.byteLength(line),
      73,
    );
    expect(fast.map((e) => e.type)).toEqual(["LineRejected"]);
    // 10,000,000 itself is a count
    const ok = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage.cache_read_input_tokens = 10_000_000;
    });
    expect(only(events(ok), "ResponseObserved")[0]!.usage.cacheRead).toBe(10_000_000);
  });

  test("an assistant line without message.id is rejected once", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      delete r.message.id;
    });
    expectRejectedOnce(events(line, 72), 72);
  });

  test("a bad timestamp is rejected once, for every kind of event line", () => {
    const bad = (l: string) =>
      tweak(l, (r) => {
        r.timestamp = "yesterday afternoon";
      });
    expectRejectedOnce(events(bad(response({ blocks: [{ type: "text", text: "x" }] })[0]!), 80), 80);
    expectRejectedOnce(events(bad(promptLine(S, T0, "hi", "u", null)), 81), 81);
    expectRejectedOnce(events(bad(toolResultLine(S, T0, "toolu_t", { uuid: "u", parentUuid: null })), 82), 82);
    expectRejectedOnce(events(bad(apiErrorLine(S, T0, "u", null)), 83), 83);
    expectRejectedOnce(events(bad(retryLine(S, T0, "u", null, 1)), 84), 84);
  });

  test("a missing timestamp is rejected once", () => {
    const line = tweak(promptLine(S, T0, "hi", "u", null), (r) => {
      delete r.timestamp;
    });
    expectRejectedOnce(events(line, 85), 85);
  });

  test("a rejection reason never carries control characters from the line", () => {
    const line = tweak(response({ blocks: [{ type: "text", text: "x" }] })[0]!, (r) => {
      r.message.usage = { "\u001b[31mevil": 1, input_tokens: "\u001b[2J" };
    });
    const evs = events(line, 86);
    expectRejectedOnce(evs, 86);
    const e = evs[0]!;
    if (e.type === "LineRejected") expect(e.reason).not.toMatch(CONTROL);
  });
});

describe("quickType", () => {
  test("reads the top-level type of builder lines without parsing", () => {
    expect(quickType(promptLine(S, T0, "hi", "u", null))).toBe("user");
    expect(quickType(response()[0]!)).toBe("assistant");
    expect(quickType(retryLine(S, T0, "u", null, 1))).toBe("system");
    expect(quickType(progressLine(S, T0, "u", null, "toolu_1", "x"))).toBe("progress");
    expect(quickType(snapshotLine("m", T0, []))).toBe("file-history-snapshot");
    expect(quickType(customTitleLine(SESSION, "t"))).toBe("custom-title");
  });

  test('never returns a nested type: null when an object or array comes before the first "type"', () => {
    expect(quickType('{"message":{"type":"progress"},"type":"user"}')).toBeNull();
    expect(quickType('{"content":[{"type":"progress"}],"type":"user"}')).toBeNull();
    expect(quickType('[{"type":"progress"}]')).toBeNull();
  });

  test('is not fooled by subtype or by "type" inside a string value', () => {
    expect(quickType('{"subtype":"turn_duration","type":"system"}')).toBe("system");
    const quoted = JSON.stringify({ text: 'he wrote "type":"progress" here', type: "user" });
    expect(quickType(quoted)).toBe("user");
    // a brace inside a string before the real key makes it give up (null = parse fully), never guess wrong
    const braced = JSON.stringify({ text: 'he wrote {"type":"progress"} here', type: "user" });
    expect(quickType(braced)).not.toBe("progress");
  });

  test('returns null when there is no "type":" at all', () => {
    expect(quickType('{"a":1}')).toBeNull();
    expect(quickType('{"type": "user"}')).toBeNull(); // spaced: left to the full parser
    expect(quickType("")).toBeNull();
  });
});

describe("timestamps", () => {
  test("Claude Code's form is read as Date.parse reads it: every day of 1970–2100, leap days, days that do not exist", () => {
    const pad = (x: number, w: number) => String(x).padStart(w, "0");
    let checked = 0;
    for (let y = 1970; y <= 2100; y++)
      for (let mo = 1; mo <= 12; mo++)
        for (let da = 1; da <= 31; da++) {
          const s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(da, 2)}T${pad((y * 7 + da) % 24, 2)}:${pad((da * 13) % 60, 2)}:${pad((mo * 11 + da) % 60, 2)}.${pad((y * 3 + da) % 1000, 3)}Z`;
          const want = Date.parse(s); // NaN for 30 February, 31 April…
          expect(Object.is(parseTime(s), want)).toBe(true);
          checked++;
        }
    expect(checked).toBe(131 * 12 * 31);
    for (const s of [
      "1600-02-29T00:00:00.000Z",
      "1900-02-29T00:00:00.000Z",
      "2000-02-29T23:59:59.999Z",
      "0001-01-01T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
    ])
      expect(Object.is(parseTime(s), Date.parse(s))).toBe(true);
    // other forms go through Date.parse
    for (const s of ["2026-11-26T18:00:00Z", "2026-11-26T18:00:00.000+01:00", "2026-13-01T00:00:00.000Z", "yesterday", ""])
      expect(Object.is(parseTime(s), Date.parse(s))).toBe(true);
  });
});
