// Team telemetry mapping: hand-built OTLP/JSON requests shaped like Claude Code's export, turned into model events
// and metric samples. Covers every event, every number form, both places an event name can be, tolerance (unknown
// events and attributes skipped, a bad record rejected alone), idempotent keys, cumulative → delta, and the dedupe of
// a response seen both in a transcript and over OTLP.
import { describe, expect, test } from "bun:test";
import type { ModelEvent, ResponseObserved } from "../src/model/events.ts";
import { createState, reduce, reduceAll } from "../src/model/state.ts";
import { decodeLogs, decodeMetrics } from "../src/net/otlp-decode.ts";
import { logsToEvents as mapLogs, MetricState, metricsToEvents as mapMetrics } from "../src/net/otlp-map.ts";
import { stateTotals } from "./oracle.ts";

// As the receiver does it: the body is decoded (typed, with records that have a field of the wrong type left out and
// counted), then mapped. The rejected count is the sum, as the sender hears it.
const utf8 = new TextEncoder();
function logsToEvents(req: unknown) {
  const d = decodeLogs(utf8.encode(JSON.stringify(req)), "json");
  const r = mapLogs(d.request);
  return { events: r.events, rejected: r.rejected + d.rejected };
}
function metricsToEvents(req: unknown, state: MetricState) {
  const d = decodeMetrics(utf8.encode(JSON.stringify(req)), "json");
  const r = mapMetrics(d.request, state);
  return { ...r, rejected: r.rejected + d.rejected };
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

type AnyValue = Record<string, unknown>;
type KeyValue = { key: string; value: AnyValue };

const T0_MS = Date.UTC(2025, 5, 1, 12, 0, 0);
const ns = (ms: number, extra = 0): string => (BigInt(ms) * 1_000_000n + BigInt(extra)).toString();

const s = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
const i = (key: string, v: string | number): KeyValue => ({ key, value: { intValue: v } });
const d = (key: string, v: number | string): KeyValue => ({ key, value: { doubleValue: v } });
const b = (key: string, v: boolean): KeyValue => ({ key, value: { boolValue: v } });

const RESOURCE: KeyValue[] = [s("service.name", "claude-code"), s("service.version", "2.1.0"), s("os.type", "linux")];

/** Attributes every Claude Code event carries. */
function std(session = "sess-1", email = "ada@example.com"): KeyValue[] {
  return [s("session.id", session), s("user.email", email), s("user.account_uuid", "acc-1"), s("terminal.type", "vscode"), s("app.version", "2.1.0")];
}

interface RecordOpts {
  /** the event name in the body (default) or only in the event.name attribute. */
  via?: "body" | "attr" | "attr-prefixed";
  timeMs?: number;
  timeExtraNs?: number;
  observedMs?: number;
  noTime?: boolean;
}

function record(event: string, attributes: KeyValue[], o: RecordOpts = {}): Record<string, unknown> {
  const via = o.via ?? "body";
  const attrs = [...attributes];
  if (via === "attr") attrs.push(s("event.name", event));
  if (via === "attr-prefixed") attrs.push(s("event.name", `claude_code.${event}`));
  const rec: Record<string, unknown> = {
    observedTimeUnixNano: o.observedMs !== undefined ? ns(o.observedMs) : ns((o.timeMs ?? T0_MS) + 5),
    body: via === "body" ? { stringValue: `claude_code.${event}` } : undefined,
    attributes: attrs,
  };
  if (!o.noTime) rec.timeUnixNano = ns(o.timeMs ?? T0_MS, o.timeExtraNs ?? 0);
  return rec;
}

function logs(records: unknown[], resource: KeyValue[] = RESOURCE): unknown {
  return { resourceLogs: [{ resource: { attributes: resource }, scopeLogs: [{ scope: { name: "com.anthropic.claude_code.events" }, logRecords: records }] }] };
}

function apiRequest(extra: KeyValue[] = [], o: RecordOpts = {}): Record<string, unknown> {
  return record(
    "api_request",
    [
      ...std(),
      s("model", "claude-sonnet-4-5-20250929"),
      s("input_tokens", "12"),
      s("output_tokens", "340"),
      s("cache_read_tokens", "5000"),
      s("cache_creation_tokens", "800"),
      s("cost_usd", "0.0123"),
      s("duration_ms", "2100"),
      ...extra,
    ],
    o,
  );
}

function only<T extends ModelEvent["type"]>(events: ModelEvent[], type: T): Extract<ModelEvent, { type: T }>[] {
  return events.filter((e): e is Extract<ModelEvent, { type: T }> => e.type === type);
}

// ---------------------------------------------------------------------------------------------------------------
// Logs

describe("logsToEvents: each event", () => {
  test("api_request → ResponseObserved keyed by request id, usage split, team origin, user and terminal", () => {
    const { events, rejected } = logsToEvents(logs([apiRequest([s("request_id", "req_1")])]));
    expect(rejected).toBe(0);
    expect(events).toEqual([
      {
        type: "ResponseObserved",
        key: "otel:req_1",
        requestId: "req_1",
        time: T0_MS,
        sessionId: "sess-1",
        agentId: null,
        model: "claude-sonnet-4-5-20250929",
        usage: { uncached: 12, cacheWrite5m: 800, cacheWrite1h: 0, cacheRead: 5000, output: 340 },
        cwd: null,
        entrypoint: null,
        origin: "team",
        user: "ada@example.com",
        terminal: "vscode",
        // Claude Code's own figure, shown beside the cost priced here
        reportedCostUSD: 0.0123,
      },
    ]);
  });

  test('api_request: speed "fast" marks fast mode; a cost_usd that is not a sane number is left out, not fatal', () => {
    const fast = only(logsToEvents(logs([apiRequest([s("request_id", "req_f"), s("speed", "fast")])])).events, "ResponseObserved")[0]!;
    expect(fast.fast).toBe(true);
    const normal = only(logsToEvents(logs([apiRequest([s("request_id", "req_n"), s("speed", "normal")])])).events, "ResponseObserved")[0]!;
    expect("fast" in normal).toBe(false);
    for (const bad of ["-1", "1e308", "abc"]) {
      const { events, rejected } = logsToEvents(logs([apiRequest([s("request_id", "req_b"), s("cost_usd", bad)])]));
      expect(rejected).toBe(0);
      expect("reportedCostUSD" in only(events, "ResponseObserved")[0]!).toBe(false);
    }
  });

  test("api_request without a request id gets a deterministic key from session, time and model", () => {
    const { events } = logsToEvents(logs([apiRequest([], { timeExtraNs: 123 })]));
    const [r] = only(events, "ResponseObserved");
    expect(r!.requestId).toBeNull();
    expect(r!.key).toBe(`otel:resp:sess-1:${ns(T0_MS, 123)}:claude-sonnet-4-5-20250929`);
  });

  test("user_prompt → PromptObserved keyed by session + timestamp, or + event.sequence when present", () => {
    const a = logsToEvents(logs([record("user_prompt", [...std(), s("prompt_length", "42")])])).events;
    expect(a).toEqual([
      {
        type: "PromptObserved",
        key: `otel:prompt:sess-1:${ns(T0_MS)}`,
        time: T0_MS,
        sessionId: "sess-1",
        cwd: null,
        origin: "team",
        user: "ada@example.com",
        terminal: "vscode",
      },
    ]);
    const bEv = logsToEvents(logs([record("user_prompt", [...std(), i("event.sequence", 7)])])).events;
    expect((bEv[0] as { key: string }).key).toBe(`otel:prompt:sess-1:${ns(T0_MS)}#7`);
  });

  test("tool_result → ToolCallObserved + ToolResultObserved sharing a key; outcome from success; call timed before the result", () => {
    const ok = record("tool_result", [...std(), s("tool_name", "Bash"), s("success", "true"), s("duration_ms", "250")], { timeMs: T0_MS + 1000 });
    const bad = record("tool_result", [...std(), s("tool_name", "Read"), b("success", false), s("error", "ENOENT"), i("duration_ms", 3)], {
      timeMs: T0_MS + 2000,
    });
    const { events, rejected } = logsToEvents(logs([ok, bad]));
    expect(rejected).toBe(0);
    const calls = only(events, "ToolCallObserved");
    const results = only(events, "ToolResultObserved");
    expect(calls.map((c) => [c.name, c.time])).toEqual([
      ["Bash", T0_MS + 750],
      ["Read", T0_MS + 1997],
    ]);
    expect(results.map((r) => [r.outcome, r.reportedMs, r.time])).toEqual([
      ["ok", 250, T0_MS + 1000],
      ["error", 3, T0_MS + 2000],
    ]);
    expect(calls.map((c) => c.key)).toEqual(results.map((r) => r.key));
    expect(calls[0]!.key).toBe(`otel:tool:sess-1:${ns(T0_MS + 1000)}:Bash`);
    expect(results.every((r) => r.origin === "team" && r.user === "ada@example.com")).toBe(true);
  });

  test("tool_result with a tool_use_id is keyed by it (the transcript's key: one call seen both ways counts once)", () => {
    const { events } = logsToEvents(logs([record("tool_result", [...std(), s("tool_name", "Edit"), s("success", "true"), s("tool_use_id", "toolu_01")])]));
    expect(events.map((e) => [e.type, (e as { key: string }).key])).toEqual([
      ["ToolCallObserved", "toolu_01"],
      ["ToolResultObserved", "toolu_01"],
    ]);
    // A transcript call with the same id, reduced in either order: one call, one result.
    const transcript: ModelEvent[] = [
      { type: "ToolCallObserved", key: "toolu_01", time: T0_MS - 10, sessionId: "sess-1", agentId: null, name: "Edit" },
      { type: "ToolResultObserved", key: "toolu_01", time: T0_MS, sessionId: "sess-1", agentId: null, outcome: "ok" },
    ];
    for (const order of [
      [...transcript, ...events],
      [...events, ...transcript],
    ]) {
      const st = createState();
      reduceAll(st, order);
      expect([st.toolCalls.size, st.toolResults.size]).toEqual([1, 1]);
    }
  });

  test("tool_decision reject → a rejected ToolResultObserved (with its call, for the name); accept → nothing", () => {
    const reject = record("tool_decision", [...std(), s("tool_name", "Bash"), s("decision", "reject"), s("source", "user_reject")]);
    const accept = record("tool_decision", [...std(), s("tool_name", "Bash"), s("decision", "accept"), s("source", "config")], { timeMs: T0_MS + 1 });
    const { events, rejected } = logsToEvents(logs([reject, accept]));
    expect(rejected).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["ToolCallObserved", "ToolResultObserved"]);
    const [res] = only(events, "ToolResultObserved");
    expect(res!.outcome).toBe("rejected");
    expect(res!.reportedMs).toBeNull();
    expect(only(events, "ToolCallObserved")[0]!.name).toBe("Bash");
  });

  test("a tool_result carrying decision reject: skipped without a tool_use_id (the tool_decision records it), rejected with one", () => {
    const noId = record("tool_result", [...std(), s("tool_name", "Bash"), s("success", "false"), s("decision", "reject")]);
    expect(logsToEvents(logs([noId]))).toEqual({ events: [], rejected: 0 });
    const withId = record("tool_result", [...std(), s("tool_name", "Bash"), s("success", "false"), s("decision", "reject"), s("tool_use_id", "toolu_9")]);
    const decision = record("tool_decision", [...std(), s("tool_name", "Bash"), s("decision", "reject"), s("tool_use_id", "toolu_9")]);
    const st = createState();
    reduceAll(st, logsToEvents(logs([withId, decision])).events);
    expect([...st.toolResults.values()].map((r) => r.outcome)).toEqual(["rejected"]);
  });

  test("api_error → ApiErrorObserved: status from status_code, message from error, the attempt count in the message, retry false", () => {
    const { events } = logsToEvents(
      logs([
        record("api_error", [
          ...std(),
          s("model", "claude-opus-4-1"),
          s("error", "Overloaded"),
          s("status_code", "529"),
          s("attempt", "11"),
          s("duration_ms", "90000"),
        ]),
        record("api_error", [...std(), s("error", "Connection error."), s("status_code", "undefined"), i("attempt", 1)], { timeMs: T0_MS + 1 }),
        record("api_error", [...std(), i("status_code", 401)], { timeMs: T0_MS + 2 }),
      ]),
    );
    expect(only(events, "ApiErrorObserved").map((e) => [e.status, e.message, e.retry, e.origin])).toEqual([
      [529, "Overloaded (after 11 attempts)", false, "team"],
      [null, "Connection error.", false, "team"],
      [401, "HTTP 401", false, "team"],
    ]);
    expect((events[0] as { key: string }).key).toBe(`otel:err:sess-1:${ns(T0_MS)}`);
  });
});

describe("logsToEvents: values and names", () => {
  test("numbers as intValue (string and number), doubleValue and stringValue all read the same", () => {
    const forms: KeyValue[][] = [
      [i("input_tokens", "12"), i("output_tokens", "340")],
      [i("input_tokens", 12), i("output_tokens", 340)],
      [d("input_tokens", 12), d("output_tokens", 340.0)],
      [s("input_tokens", "12"), s("output_tokens", " 340 ")],
    ];
    for (const f of forms) {
      const rec = record("api_request", [...std(), s("model", "claude-haiku-4-5"), s("request_id", "r"), ...f]);
      const [r] = only(logsToEvents(logs([rec])).events, "ResponseObserved");
      expect(r!.usage).toEqual({ uncached: 12, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 340 });
    }
  });

  test("an absurd token count (1e308, 1e20, 2^53+1, over 10 M) rejects its record; the rest of the batch maps", () => {
    for (const n of [1e308, 1e20, 2 ** 53 + 1, 10_000_001]) {
      const bad = record("api_request", [...std(), s("model", "claude-haiku-4-5"), s("request_id", "bad"), d("input_tokens", n), i("output_tokens", 3)]);
      const good = record("api_request", [
        ...std(),
        s("model", "claude-haiku-4-5"),
        s("request_id", "good"),
        i("input_tokens", 10_000_000),
        i("output_tokens", 3),
      ]);
      const { events, rejected } = logsToEvents(logs([bad, good]));
      expect(rejected).toBe(1);
      expect(only(events, "ResponseObserved").map((e) => e.requestId)).toEqual(["good"]);
    }
  });

  test("timestamps as numbers, and the observed time when timeUnixNano is absent or zero", () => {
    const asNumber = { ...apiRequest([s("request_id", "a")]), timeUnixNano: T0_MS * 1e6 };
    const observedOnly = apiRequest([s("request_id", "b")], { noTime: true, observedMs: T0_MS + 7 });
    const zero = { ...apiRequest([s("request_id", "c")], { observedMs: T0_MS + 9 }), timeUnixNano: "0" };
    const { events } = logsToEvents(logs([asNumber, observedOnly, zero]));
    expect(events.map((e) => (e as ResponseObserved).time)).toEqual([T0_MS, T0_MS + 7, T0_MS + 9]);
  });

  test("the event name from the body, the event.name attribute, or the attribute with the prefix", () => {
    const recs = [
      record("user_prompt", std(), { via: "body", timeMs: T0_MS }),
      record("user_prompt", std(), { via: "attr", timeMs: T0_MS + 1 }),
      record("user_prompt", std(), { via: "attr-prefixed", timeMs: T0_MS + 2 }),
    ];
    const { events, rejected } = logsToEvents(logs(recs));
    expect(rejected).toBe(0);
    expect(events.map((e) => [e.type, (e as { time: number }).time])).toEqual([
      ["PromptObserved", T0_MS],
      ["PromptObserved", T0_MS + 1],
      ["PromptObserved", T0_MS + 2],
    ]);
  });

  test("record attributes override the resource's; the resource supplies what the record lacks (session, user)", () => {
    const resource = [...RESOURCE, s("session.id", "from-resource"), s("user.account_uuid", "acc-res"), s("terminal.type", "iTerm.app")];
    const rec = record("user_prompt", [s("terminal.type", "tmux")]);
    const [p] = logsToEvents(logs([rec], resource)).events;
    expect(p).toMatchObject({ sessionId: "from-resource", user: "acc-res", terminal: "tmux" });
  });

  test("user is the email, else the account uuid", () => {
    const rec = record("user_prompt", [s("session.id", "x"), s("user.account_uuid", "acc-7")]);
    expect(logsToEvents(logs([rec])).events[0]).toMatchObject({ user: "acc-7", terminal: null });
  });
});

describe("logsToEvents: tolerance", () => {
  test("unknown events, records without a name, and unknown or malformed attributes are skipped without failing the batch", () => {
    const recs = [
      record("api_request_body", [...std(), s("body", "{}")]),
      record("some_future_event", std()),
      { timeUnixNano: ns(T0_MS), body: { stringValue: "not a claude code event" }, attributes: std() },
      record("user_prompt", [
        ...std(),
        { key: "weird.array", value: { arrayValue: { values: [{ stringValue: "a" }] } } },
        { key: "weird.kv", value: { kvlistValue: { values: [] } } },
        { key: "broken", value: { stringValue: 5 } } as unknown as KeyValue,
        { nokey: true } as unknown as KeyValue,
        s("brand.new.attribute", "x"),
      ]),
    ];
    const { events, rejected } = logsToEvents(logs(recs));
    expect(rejected).toBe(0);
    expect(events.map((e) => e.type)).toEqual(["PromptObserved"]);
  });

  test("a record missing session.id (or what its event needs) is rejected while the rest of the batch maps", () => {
    const noSession = record("api_request", [s("model", "claude-sonnet-4-5"), s("input_tokens", "1")]);
    const noModel = record("api_request", [...std(), s("input_tokens", "1")], { timeMs: T0_MS + 1 });
    const badTokens = record("api_request", [...std(), s("model", "m"), s("input_tokens", "-5")], { timeMs: T0_MS + 2 });
    const noTool = record("tool_result", [...std(), s("success", "true")], { timeMs: T0_MS + 3 });
    const noTime = record("user_prompt", std(), { noTime: true, observedMs: 0 });
    (noTime as { observedTimeUnixNano?: unknown }).observedTimeUnixNano = undefined;
    const badTimestamp = { ...record("user_prompt", std()), timeUnixNano: "yesterday" };
    const good = apiRequest([s("request_id", "req_ok")], { timeMs: T0_MS + 4 });
    const prompt = record("user_prompt", std(), { timeMs: T0_MS + 5 });
    const { events, rejected } = logsToEvents(logs([noSession, noModel, badTokens, noTool, noTime, badTimestamp, good, "not a record", prompt]));
    expect(rejected).toBe(7);
    expect(events.map((e) => e.type)).toEqual(["ResponseObserved", "PromptObserved"]);
  });

  test("malformed request shapes are refused whole by the decoder (the receiver answers 400) or map to nothing", () => {
    for (const req of [null, 42, "x", [], { resourceLogs: "nope" }, { resourceLogs: [null] }, { resourceLogs: [{ scopeLogs: [{ logRecords: 7 }] }] }]) {
      let events: ModelEvent[] = [];
      try {
        events = logsToEvents(req).events;
      } catch (e) {
        expect((e as Error).name).toBe("OtlpDecodeError");
      }
      expect(events).toEqual([]);
    }
    expect(logsToEvents({})).toEqual({ events: [], rejected: 0 });
    expect(logsToEvents({ resourceLogs: [] })).toEqual({ events: [], rejected: 0 });
  });

  test("re-delivery of the same request gives identical events (keys), and reducing it again changes nothing", () => {
    const req = logs([
      apiRequest([s("request_id", "req_1")]),
      apiRequest([], { timeMs: T0_MS + 1 }),
      record("user_prompt", std(), { timeMs: T0_MS + 2 }),
      record("tool_result", [...std(), s("tool_name", "Bash"), s("success", "true"), s("duration_ms", "10")], { timeMs: T0_MS + 3 }),
      record("tool_decision", [...std(), s("tool_name", "Write"), s("decision", "reject")], { timeMs: T0_MS + 4 }),
      record("api_error", [...std(), s("status_code", "500"), s("error", "boom")], { timeMs: T0_MS + 5 }),
    ]);
    const first = logsToEvents(req).events;
    const again = logsToEvents(structuredClone(req)).events;
    expect(again).toEqual(first);
    const st = createState();
    expect(reduceAll(st, first)).toBe(first.length);
    const version = st.version;
    expect(reduceAll(st, again)).toBe(0);
    expect(st.version).toBe(version);
  });
});

describe("a response seen in a transcript and over OTLP counts once", () => {
  const transcript: ResponseObserved = {
    type: "ResponseObserved",
    key: "msg_01|req_1",
    requestId: "req_1",
    time: T0_MS - 500,
    sessionId: "sess-1",
    agentId: null,
    model: "claude-sonnet-4-5-20250929",
    usage: { uncached: 12, cacheWrite5m: 800, cacheWrite1h: 0, cacheRead: 5000, output: 340 },
    cwd: "/home/ada/project",
    entrypoint: "cli",
  };
  const telemetry = () => logsToEvents(logs([apiRequest([s("request_id", "req_1")])])).events;

  test("transcript first, then telemetry", () => {
    const st = createState();
    reduce(st, transcript);
    reduceAll(st, telemetry());
    expect(stateTotals(st).responses).toBe(1);
    expect(stateTotals(st).output).toBe(340);
  });

  test("telemetry first, then transcript", () => {
    const st = createState();
    reduceAll(st, telemetry());
    reduce(st, transcript);
    expect(stateTotals(st).responses).toBe(1);
    expect(stateTotals(st).output).toBe(340);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Metrics

const DELTA = 1;
const CUMULATIVE = 2;

interface Point {
  attrs?: KeyValue[];
  startMs: number;
  timeMs: number;
  asInt?: string | number;
  asDouble?: number | string;
}

function metrics(name: string, temporality: number, points: Point[], resource: KeyValue[] = [...RESOURCE, ...std()]): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: resource },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                unit: "tokens",
                sum: {
                  aggregationTemporality: temporality,
                  isMonotonic: true,
                  dataPoints: points.map((p) => ({
                    attributes: p.attrs ?? [],
                    startTimeUnixNano: ns(p.startMs),
                    timeUnixNano: ns(p.timeMs),
                    ...(p.asInt !== undefined ? { asInt: p.asInt } : {}),
                    ...(p.asDouble !== undefined ? { asDouble: p.asDouble } : {}),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

const MIN = 60_000;
const tokenAttrs = (type: string): KeyValue[] => [s("type", type), s("model", "claude-sonnet-4-5")];

describe("metricsToEvents", () => {
  test("delta token usage passes through as samples with user, session, model and type", () => {
    const req = metrics("claude_code.token.usage", DELTA, [
      { attrs: tokenAttrs("input"), startMs: T0_MS, timeMs: T0_MS + MIN, asInt: "120" },
      { attrs: tokenAttrs("output"), startMs: T0_MS, timeMs: T0_MS + MIN, asInt: 45 },
      { attrs: tokenAttrs("cacheRead"), startMs: T0_MS, timeMs: T0_MS + MIN, asDouble: 9000 },
    ]);
    const r = metricsToEvents(req, new MetricState());
    expect(r.rejected).toBe(0);
    expect(r.events).toEqual([]);
    expect(r.samples.map(({ key: _key, ...rest }) => rest)).toEqual([
      {
        name: "claude_code.token.usage",
        time: T0_MS + MIN,
        user: "ada@example.com",
        sessionId: "sess-1",
        model: "claude-sonnet-4-5",
        type: "input",
        value: 120,
      },
      {
        name: "claude_code.token.usage",
        time: T0_MS + MIN,
        user: "ada@example.com",
        sessionId: "sess-1",
        model: "claude-sonnet-4-5",
        type: "output",
        value: 45,
      },
      {
        name: "claude_code.token.usage",
        time: T0_MS + MIN,
        user: "ada@example.com",
        sessionId: "sess-1",
        model: "claude-sonnet-4-5",
        type: "cacheRead",
        value: 9000,
      },
    ]);
  });

  test("cost and session count; unknown metrics and non-counters are skipped; a point without a value is rejected", () => {
    const cost = metrics("claude_code.cost.usage", DELTA, [{ attrs: [s("model", "claude-opus-4-1")], startMs: T0_MS, timeMs: T0_MS + MIN, asDouble: 0.25 }]);
    const sessions = metrics("claude_code.session.count", DELTA, [{ startMs: T0_MS, timeMs: T0_MS + MIN, asInt: "1" }]);
    const unknown = metrics("some.other.metric", DELTA, [{ startMs: T0_MS, timeMs: T0_MS + MIN, asInt: 5 }]);
    const noValue = metrics("claude_code.cost.usage", DELTA, [{ startMs: T0_MS, timeMs: T0_MS + 2 * MIN }]);
    const gauge = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "claude_code.cost.usage", gauge: { dataPoints: [] } }] }] }] };
    const st = new MetricState();
    const got = [cost, sessions, unknown, noValue, gauge].map((req) => metricsToEvents(req, st));
    expect(got.map((g) => g.samples.map((x) => [x.name, x.value, x.type]))).toEqual([
      [["claude_code.cost.usage", 0.25, null]],
      [["claude_code.session.count", 1, null]],
      [],
      [],
      [],
    ]);
    expect(got.map((g) => g.rejected)).toEqual([0, 0, 0, 1, 0]);
  });

  test("cumulative points become deltas per series, with a counter reset (start time changes, or the value drops)", () => {
    const st = new MetricState();
    const point = (startMs: number, timeMs: number, value: number, type = "input"): unknown =>
      metrics("claude_code.token.usage", CUMULATIVE, [{ attrs: tokenAttrs(type), startMs, timeMs, asInt: String(value) }]);
    const values = (req: unknown) => metricsToEvents(req, st).samples.map((x) => x.value);
    expect(values(point(T0_MS, T0_MS + MIN, 100))).toEqual([100]); // first sight: everything since start
    expect(values(point(T0_MS, T0_MS + 2 * MIN, 250))).toEqual([150]);
    expect(values(point(T0_MS, T0_MS + 2 * MIN, 250))).toEqual([]); // re-delivered: nothing
    expect(values(point(T0_MS, T0_MS + 3 * MIN, 250))).toEqual([]); // no change: no sample
    expect(values(point(T0_MS, T0_MS + 3 * MIN, 40, "output"))).toEqual([40]); // another series
    expect(values(point(T0_MS + 4 * MIN, T0_MS + 5 * MIN, 30))).toEqual([30]); // process restarted: new start time
    expect(values(point(T0_MS + 4 * MIN, T0_MS + 6 * MIN, 70))).toEqual([40]);
    expect(values(point(T0_MS + 4 * MIN, T0_MS + 7 * MIN, 5))).toEqual([5]); // dropped without a new start: a reset
    expect(values(point(T0_MS + 4 * MIN, T0_MS + 8 * MIN, 12))).toEqual([7]);
    expect(st.size).toBe(2);
  });

  test("the metric state survives JSON (for the store) and pruning forgets old series", () => {
    const st = new MetricState();
    const req = (timeMs: number, value: number) => metrics("claude_code.cost.usage", CUMULATIVE, [{ startMs: T0_MS, timeMs, asDouble: value }]);
    metricsToEvents(req(T0_MS + MIN, 1.5), st);
    const copy = MetricState.fromJSON(JSON.parse(JSON.stringify(st)));
    expect(metricsToEvents(req(T0_MS + 2 * MIN, 2), copy).samples.map((x) => x.value)).toEqual([0.5]);
    expect(copy.prune(T0_MS + 3 * MIN)).toBe(1);
    expect(copy.size).toBe(0);
    expect(MetricState.fromJSON("garbage").size).toBe(0);
  });

  test("re-delivery of delta points gives identical sample keys", () => {
    const req = metrics("claude_code.token.usage", DELTA, [{ attrs: tokenAttrs("input"), startMs: T0_MS, timeMs: T0_MS + MIN, asInt: "120" }]);
    const a = metricsToEvents(req, new MetricState()).samples;
    const b2 = metricsToEvents(structuredClone(req), new MetricState()).samples;
    expect(b2).toEqual(a);
    expect(a[0]!.key.length).toBeGreaterThan(0);
  });

  test("temporality by enum name too", () => {
    const st = new MetricState();
    const req = (timeMs: number, v: number) => {
      const r = metrics("claude_code.session.count", CUMULATIVE, [{ startMs: T0_MS, timeMs, asInt: v }]) as {
        resourceMetrics: { scopeMetrics: { metrics: { sum: { aggregationTemporality: unknown } }[] }[] }[];
      };
      r.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum.aggregationTemporality = "AGGREGATION_TEMPORALITY_CUMULATIVE";
      return r;
    };
    metricsToEvents(req(T0_MS + MIN, 2), st);
    expect(metricsToEvents(req(T0_MS + 2 * MIN, 3), st).samples.map((x) => x.value)).toEqual([1]);
  });
});
