// Our dollars beside Claude Code's (issue 22): the judgement (reconcile), the facts it is given (sessionFacts, from a
// session's summed responses), the store's answer for sessions (claudeCodeChecks), and where it is shown: --json's
// sessions[], --report session (text and JSON) and the session popup. Prices by hand: Opus 4.6 $5 / $25 per Mtok in /
// out, Sonnet 4.5 $3 / $15 and above 200k tokens of input $6 / $22.50, an unknown Opus as Opus 5.5 ($4 / $20).
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { dashboardJson, type Diagnostics } from "../src/model/json-view.ts";
import { claudeCodeChecks, reconcile, sessionFacts, type SessionFacts } from "../src/model/reconcile.ts";
import { sessionReport } from "../src/model/report.ts";
import { selectActiveSessions, selectSession } from "../src/model/selectors.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { reportJson, reportText } from "../src/report-text.ts";
import { drawSessionPopup } from "../src/ui/widgets/session-popup.ts";
import { HAIKU, MIN, NOW, OPUS, response, SONNET, windowOpts } from "./builders.ts";

/** Facts of a session with nothing remarkable: one response of its own, nothing after the figure. */
function facts(o: Partial<SessionFacts> = {}): SessionFacts {
  return {
    responses: 1,
    after: { responses: 0, usd: 0 },
    earlier: null,
    copies: 0,
    own: { responses: 1, output: 20_000 },
    long: { responses: 0, premiumUSD: 0 },
    estimated: { responses: 0, usd: 0, models: [] },
    priceOverride: null,
    ...o,
  };
}

describe("reconcile: the judgement", () => {
  test("within 1 % of Claude Code's figure: not flagged, no causes, the delta signed ours − theirs", () => {
    const r = reconcile(1.0, 1.005, facts());
    expect(r.differs).toBe(false);
    expect(r.deltaUSD).toBeCloseTo(-0.005, 10);
    expect(r.deltaPercent).toBeCloseTo(-0.4975, 3);
    expect(r.causes).toEqual([]);
    // exactly 1 % is still agreement; just over is not
    expect(reconcile(10.1, 10, facts()).differs).toBe(false);
    expect(reconcile(10.11, 10, facts()).differs).toBe(true);
  });

  test("under half a cent apart is agreement whatever the share (the tables show cents)", () => {
    expect(reconcile(0.012, 0.01, facts()).differs).toBe(false);
    expect(reconcile(0.016, 0.01, facts()).differs).toBe(true);
  });

  test("Claude Code's figure 0: no percentage; flagged when ours is half a cent or more", () => {
    const r = reconcile(0.35, 0, facts());
    expect(r).toMatchObject({ differs: true, deltaPercent: null });
    expect(r.deltaUSD).toBeCloseTo(0.35, 10);
    expect(reconcile(0, 0, facts())).toEqual({ differs: false, deltaUSD: 0, deltaPercent: null, causes: [] });
  });

  test("ours higher: responses after its last figure, said with what they cost", () => {
    const r = reconcile(1.5, 1.0, facts({ responses: 2, after: { responses: 1, usd: 0.5 }, own: { responses: 2, output: 30_000 } }));
    expect(r.differs).toBe(true);
    expect(r.deltaPercent).toBeCloseTo(50, 10);
    expect(r.causes).toEqual(["1 response after Claude Code's last figure ($0.50 of ours)"]);
  });

  test("ours higher: responses at long-context rates, with what those rates add", () => {
    const r = reconcile(2.25, 1.2, facts({ long: { responses: 1, premiumUSD: 1.05 } }));
    expect(r.causes).toEqual(["1 response priced at long-context rates (+$1.05 in ours): Claude Code may price them otherwise"]);
  });

  test("ours lower: responses known only from progress copies", () => {
    const r = reconcile(1.01, 1.2, facts({ responses: 2, copies: 1 }));
    expect(r.differs).toBe(true);
    expect(r.causes).toEqual(["1 subagent response known only from progress copies: their output counts are placeholders, so ours under-counts"]);
  });

  test("ours lower: output counts that are placeholders (the average response has no more than a first streamed line)", () => {
    const r = reconcile(5.0, 6.0, facts({ responses: 5, own: { responses: 5, output: 15 } }));
    expect(r.causes).toEqual([
      "output averages 3 tokens over 5 responses: placeholder counts (some Claude Code versions wrote only the first streamed count), so ours under-counts",
    ]);
    // a short exchange (fewer than 3 responses) says nothing about placeholders
    expect(reconcile(1.0, 1.2, facts({ responses: 2, own: { responses: 2, output: 10 } })).causes[0]).toStartWith("possibly");
    // nor does an average above 13 tokens
    expect(reconcile(5.0, 6.0, facts({ responses: 5, own: { responses: 5, output: 70 } })).causes[0]).toStartWith("possibly");
  });

  test("either way: a model missing from the price table, and --price-per-mtok", () => {
    const estimated = facts({ estimated: { responses: 2, usd: 0.8, models: ["claude-opus-9-9"] } });
    const want = "2 responses of claude-opus-9-9 priced by estimate: not in the price table ($0.80 of ours)";
    expect(reconcile(0.8, 1.0, estimated).causes).toEqual([want]);
    expect(reconcile(1.2, 1.0, estimated).causes).toEqual([want]);
    const many = facts({ estimated: { responses: 4, usd: 0.8, models: ["m-a", "m-b", "m-c", "m-d"] } });
    expect(reconcile(0.8, 1.0, many).causes[0]).toContain("of m-a, m-b, m-c, … priced");
    expect(reconcile(2.0, 1.0, facts({ priceOverride: 10 })).causes).toEqual([
      "ours is priced at $10 per Mtok of input (--price-per-mtok), not at list prices",
    ]);
  });

  test("a cause is said only when it pushes the way the difference goes", () => {
    const all = facts({ responses: 3, copies: 1, after: { responses: 1, usd: 0.2 }, long: { responses: 1, premiumUSD: 0.3 } });
    expect(reconcile(1.5, 1.0, all).causes.map((c) => c.split(" ")[2])).toEqual(["after", "priced"]); // (after, long)
    expect(reconcile(0.5, 1.0, all).causes).toEqual([
      "1 subagent response known only from progress copies: their output counts are placeholders, so ours under-counts",
    ]);
  });

  test("nothing in the facts: one cause marked 'possibly', for the way the difference goes", () => {
    expect(reconcile(1.0, 1.1, facts()).causes).toEqual([
      "possibly calls Claude Code makes without writing a response to the transcript (e.g. titles, summaries)",
    ]);
    expect(reconcile(1.0, 0.8, facts()).causes).toEqual(["possibly a resumed session: Claude Code's figure is for its own run and may leave out earlier ones"]);
  });
});

describe("sessionFacts: from a session's summed responses", () => {
  const cell = (model: string, cls: number, responses: number, usage: Partial<{ uncached: number; output: number }>) => ({
    model,
    cls,
    responses,
    usage: { uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, ...usage },
  });

  test("our cost at each class's rates; long context and its premium; estimates; copies apart from own output", () => {
    const all = [
      cell(OPUS, 0, 1, { uncached: 100_000, output: 20_000 }), // $1.00
      cell(SONNET, 4, 1, { uncached: 300_000, output: 20_000 }), // band 2 (> 200k): long rates $2.25 (base $1.20)
      cell("claude-opus-9-9", 0, 2, { uncached: 100_000, output: 20_000 }), // as Opus 5.5: $0.80, an estimate
      cell(HAIKU, 8, 1, { uncached: 10_000, output: 7 }), // a progress copy: $0.010035
    ];
    const after = [cell(OPUS, 0, 1, { uncached: 50_000, output: 10_000 })]; // $0.50
    const { oursUSD, facts: f } = sessionFacts(all, after);
    expect(oursUSD).toBeCloseTo(1 + 2.25 + 0.8 + 0.010035, 10);
    expect(f.responses).toBe(5);
    expect(f.copies).toBe(1);
    expect(f.own).toEqual({ responses: 4, output: 20_000 + 20_000 + 20_000 });
    expect(f.long.responses).toBe(1);
    expect(f.long.premiumUSD).toBeCloseTo(1.05, 10);
    expect(f.estimated).toMatchObject({ responses: 2, models: ["claude-opus-9-9"] });
    expect(f.estimated.usd).toBeCloseTo(0.8, 10);
    expect(f.after.responses).toBe(1);
    expect(f.after.usd).toBeCloseTo(0.5, 10);
    expect(f.priceOverride).toBeNull();
    expect(sessionFacts(all, [], 10).facts.priceOverride).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Sessions in a store, with Claude Code's figures recorded as its status line gives them

const S = {
  agree: "11111111-0000-4000-8000-000000000001",
  after: "22222222-0000-4000-8000-000000000002",
  copies: "33333333-0000-4000-8000-000000000003",
  placeholder: "44444444-0000-4000-8000-000000000004",
  long: "55555555-0000-4000-8000-000000000005",
  estimated: "66666666-0000-4000-8000-000000000006",
  none: "77777777-0000-4000-8000-000000000007",
  lower: "88888888-0000-4000-8000-000000000008",
};

const ONE_DOLLAR = { uncached: 100_000, output: 20_000 }; // on Opus 4.6

function events(): ModelEvent[] {
  const at = (m: number) => NOW - m * MIN;
  return [
    response({ sessionId: S.agree, time: at(30), usage: ONE_DOLLAR }),
    response({ sessionId: S.after, time: at(30), usage: ONE_DOLLAR }),
    response({ sessionId: S.after, time: at(10), usage: { uncached: 50_000, output: 10_000 } }), // $0.50, after its figure
    response({ sessionId: S.copies, time: at(30), usage: ONE_DOLLAR }),
    { ...response({ sessionId: S.copies, time: at(25), agentId: "agent1", model: HAIKU, usage: { uncached: 10_000, output: 7 } }), copy: true },
    ...[0, 1, 2, 3, 4].map((i) => response({ sessionId: S.placeholder, time: at(40 - i), usage: { uncached: 200_000, output: 3 } })),
    response({ sessionId: S.long, time: at(30), model: SONNET, usage: { uncached: 300_000, output: 20_000 } }), // $2.25 at long-context rates, $1.20 at base ones
    response({ sessionId: S.estimated, time: at(30), model: "claude-opus-9-9", usage: ONE_DOLLAR }),
    response({ sessionId: S.none, time: at(30), usage: ONE_DOLLAR }),
    // (and an older response of it, 3 days back: out of the window, in the session's cost)
    response({ sessionId: S.lower, time: NOW - 72 * 60 * MIN, usage: ONE_DOLLAR }),
    response({ sessionId: S.lower, time: at(30), usage: ONE_DOLLAR }),
  ];
}

function store() {
  const st = memoryStore();
  st.putEvents("/t/session.jsonl", events());
  const fig = (sid: string, usd: number, minutesAgo = 20) => st.recordClaudeCodeCost(sid, NOW - minutesAgo * MIN, usd, "2.1.200", true);
  fig(S.agree, 1.004);
  fig(S.after, 1.0);
  fig(S.copies, 1.2);
  fig(S.placeholder, 6.0);
  fig(S.long, 1.2);
  fig(S.estimated, 1.0);
  fig(S.lower, 2.5);
  return { st, q: new StoreQueries(st) };
}

describe("claudeCodeChecks: the store's figures beside our cost of each whole session", () => {
  const { st, q } = store();
  const checks = claudeCodeChecks(q, Object.values(S), NOW);

  test("a session Claude Code gave no figure for is left out", () => {
    expect(checks.has(S.none)).toBe(false);
    expect(checks.size).toBe(7);
  });

  test("within 1 %: not flagged", () => {
    expect(checks.get(S.agree)).toMatchObject({ claudeCodeUSD: 1.004, at: NOW - 20 * MIN, differs: false, causes: [] });
    expect(checks.get(S.agree)!.oursUSD).toBeCloseTo(1, 10);
  });

  test("each cause the store can show, from the session's own facts", () => {
    expect(checks.get(S.after)!.causes).toEqual(["1 response after Claude Code's last figure ($0.50 of ours)"]);
    expect(checks.get(S.copies)!.causes).toEqual([
      "1 subagent response known only from progress copies: their output counts are placeholders, so ours under-counts",
    ]);
    expect(checks.get(S.placeholder)!.causes[0]).toStartWith("output averages 3 tokens over 5 responses: placeholder counts");
    expect(checks.get(S.long)!.causes).toEqual(["1 response priced at long-context rates (+$1.05 in ours): Claude Code may price them otherwise"]);
    expect(checks.get(S.estimated)!.causes).toEqual(["1 response of claude-opus-9-9 priced by estimate: not in the price table ($0.80 of ours)"]);
    for (const sid of [S.after, S.copies, S.placeholder, S.long, S.estimated]) expect(checks.get(sid)!.differs).toBe(true);
  });

  test("ours is the whole session, however old its responses", () => {
    const c = checks.get(S.lower)!;
    expect(c.oursUSD).toBeCloseTo(2, 10);
    expect(c.deltaPercent).toBeCloseTo(-20, 10);
    expect(c.causes).toEqual(["possibly calls Claude Code makes without writing a response to the transcript (e.g. titles, summaries)"]);
  });

  test("a figure seen after `now` is not known at `now`; --price-per-mtok prices ours and says so", () => {
    expect(claudeCodeChecks(q, [S.agree], NOW - 25 * MIN).size).toBe(0);
    const c = claudeCodeChecks(q, [S.agree], NOW, 10).get(S.agree)!;
    expect(c.oursUSD).toBeCloseTo(2, 10); // input at $10 instead of $5: every rate doubles
    expect(c.causes).toEqual(["ours is priced at $10 per Mtok of input (--price-per-mtok), not at list prices"]);
  });

  test("a resumed session: responses from before the run Claude Code's figure covers (it began total_duration_ms before)", () => {
    // (S.lower: $1 three days ago, $1 half an hour ago; this run's figure says $1 and that it began an hour ago)
    st.recordClaudeCodeCost(S.lower, NOW - 10 * MIN, 1.0, "2.1.200", true, NOW - 60 * MIN);
    const c = claudeCodeChecks(q, [S.lower], NOW).get(S.lower)!;
    expect(c).toMatchObject({ claudeCodeUSD: 1.0, differs: true });
    expect(c.causes).toEqual(["1 response from before this Claude Code run began (a resumed session: $1.00 of ours): its figure counts only its own run"]);
    // (a run that began before all of it: nothing earlier, so no resumed run to blame)
    st.recordClaudeCodeCost(S.lower, NOW - 5 * MIN, 1.5, "2.1.200", true, NOW - 80 * 60 * MIN);
    expect(claudeCodeChecks(q, [S.lower], NOW).get(S.lower)!.causes).toEqual(["possibly prices that differ from Claude Code's own table"]);
  });

  test("the newest figure counts (as the store keeps it)", () => {
    st.recordClaudeCodeCost(S.after, NOW - 5 * MIN, 1.5, "2.1.200", true);
    const c = claudeCodeChecks(q, [S.after], NOW).get(S.after)!;
    expect(c).toMatchObject({ claudeCodeUSD: 1.5, differs: false, causes: [] });
    st.recordClaudeCodeCost(S.after, NOW - 20 * MIN, 1.0, "2.1.200", true); // (an older one changes nothing)
    expect(claudeCodeChecks(q, [S.after], NOW).get(S.after)!.claudeCodeUSD).toBe(1.5);
  });
});

describe("where it is shown", () => {
  const { q } = store();
  const DIAG: Diagnostics = {
    roots: [],
    files: 0,
    filesDeferred: 0,
    bytesRead: 0,
    linesRead: 0,
    linesRejected: 0,
    rejected: [],
    unreadable: [],
    store: { state: "off", path: null, notice: null },
  };

  test("--json sessions[]: claudeCodeCostUSD and a reconciliation when Claude Code gave a figure, both null when not", () => {
    const json = dashboardJson(q, windowOpts(), DIAG, false);
    const by = new Map(json.sessions.map((s) => [s.sessionId, s]));
    expect(by.get(S.none)).toMatchObject({ costUSD: 1, claudeCodeCostUSD: null, reconciliation: null });
    expect(by.get(S.agree)).toMatchObject({
      costUSD: 1,
      claudeCodeCostUSD: 1.004,
      reconciliation: { claudeCodeAt: new Date(NOW - 20 * MIN).toISOString(), oursUSD: 1, deltaUSD: -0.004, deltaPercent: -0.4, differs: false, causes: [] },
    });
    // the window's cost and the whole session's are apart: the figure is set beside the whole session
    expect(by.get(S.lower)).toMatchObject({
      costUSD: 1,
      claudeCodeCostUSD: 2.5,
      reconciliation: { oursUSD: 2, deltaUSD: -0.5, deltaPercent: -20, differs: true },
    });
    expect(by.get(S.after)!.reconciliation).toMatchObject({
      deltaUSD: 0.5,
      deltaPercent: 50,
      differs: true,
      causes: ["1 response after Claude Code's last figure ($0.50 of ours)"],
    });
    expect(Object.keys(by.get(S.none)!)).not.toContain("claudeCode");
  });

  test("the session popup: 'Claude Code $X (ours $Y, +Z %: cause)', and nothing without a figure", () => {
    const draw = (sid: string) => {
      const g = new CellGrid(110, 40);
      drawSessionPopup(g, { session: selectSession(q, windowOpts(), sid)!, buckets: [], time: NOW, scroll: 0 });
      return g.toPlain();
    };
    expect(draw(S.after)).toContain("Claude Code $1.00 (ours $1.50, +50.0 %: 1 response after Claude Code's last figure ($0.50 of ours))");
    expect(draw(S.agree)).toContain("Claude Code $1.00 (ours $1.00, -0.4 %)");
    expect(draw(S.none)).not.toContain("Claude Code");
    // a long cause wraps onto the next line within the popup
    const text = draw(S.copies).split("\n");
    const i = text.findIndex((l) => l.includes("Claude Code $1.20 (ours $1.01, -15.8 %: 1 subagent response"));
    expect(i).toBeGreaterThan(0);
    expect(text[i + 1]).toContain("under-counts)");
    // the active list's views carry it too (the --json path)
    expect(selectActiveSessions(q, windowOpts()).find((v) => v.sessionId === S.long)!.claudeCode!.differs).toBe(true);
  });

  const ids = Object.values(S);
  const cells = q.sessionCells(-Infinity, NOW);
  const labels = q.labels(ids);
  const local = (t: number) => new Date(t).toISOString().slice(0, 16).replace("T", " ");

  test("--report session text: a 'Claude Code' column beside cost, ≠n on the rows that differ, footnote n with the causes", () => {
    const r = sessionReport(cells, labels, undefined, claudeCodeChecks(q, ids, NOW));
    const lines = reportText(r, { timeZone: "UTC", priceOverride: undefined, local }).trimEnd().split("\n");
    const head = lines[2]!.split(/\s{2,}/);
    expect(head.slice(head.indexOf("cost"))).toEqual(["cost", "Claude Code", "models"]);
    const row = (sid: string) => lines.find((l) => l.startsWith(sid.slice(0, 8)) && !l.startsWith(`${sid.slice(0, 8)}  Claude`))!;
    const ccCell = (sid: string) => row(sid).split(/\s{2,}/)[head.indexOf("Claude Code")]!;
    expect(ccCell(S.agree)).toBe("$1.00");
    expect(row(S.none).split(/\s{2,}/)).toHaveLength(head.length - 1); // (an empty cell)
    const marked = ids.filter((sid) => sid !== S.agree && sid !== S.none);
    const marks = marked.map((sid) => ccCell(sid).match(/^\$[\d.]+ (≠\d)$/)?.[1]);
    expect(new Set(marks).size).toBe(marked.length);
    const notes = lines.slice(lines.findIndex((l) => l.startsWith("Claude Code: its own figure")) + 1);
    expect(notes).toHaveLength(marked.length);
    const note = (sid: string) => notes.find((l) => l.startsWith(`${ccCell(sid).split(" ")[1]} ${sid.slice(0, 8)}  `))!;
    expect(note(S.after)).toEndWith("Claude Code $1.00, ours $1.50, +50.0 %: 1 response after Claude Code's last figure ($0.50 of ours)");
    expect(note(S.long)).toContain("long-context rates");
    expect(note(S.lower)).toContain("Claude Code $2.50, ours $2.00, -20.0 %: possibly calls");
    // the total row has no figure of Claude Code's (it gave some sessions only)
    const total = lines.find((l) => l.startsWith("8 sessions"))!;
    const at = lines[2]!.indexOf("Claude Code");
    expect(total.slice(at - 2, at + "Claude Code".length + 2).trim()).toBe("");
    expect(
      row(S.agree)
        .slice(at, at + "Claude Code".length)
        .trim(),
    ).toBe("$1.00"); // (right-aligned with the marked ones' figures)
  });

  test("--report session text without any figure (or without checks) has no such column, nor footnotes", () => {
    const none = sessionReport(
      cells.filter((c) => c.sessionId === S.none),
      labels,
    );
    const text = reportText(none, { timeZone: "UTC", priceOverride: undefined, local });
    expect(text).not.toContain("Claude Code");
    expect(reportText(sessionReport(cells, labels), { timeZone: "UTC", priceOverride: undefined, local })).not.toContain("Claude Code");
  });

  test("--report session JSON: each row's claudeCodeCostUSD and reconciliation (null without a figure)", () => {
    const r = sessionReport(cells, labels, undefined, claudeCodeChecks(q, ids, NOW));
    const json = reportJson(r, { now: NOW, timeZone: "UTC", priceOverride: undefined }, null);
    const by = new Map(json.rows.map((x: any) => [x.sessionId, x]));
    expect(by.get(S.none)).toMatchObject({ costUSD: 1, claudeCodeCostUSD: null, reconciliation: null });
    expect(by.get(S.agree)).toMatchObject({ costUSD: 1, claudeCodeCostUSD: 1.004, reconciliation: { oursUSD: 1, differs: false, causes: [] } });
    expect(by.get(S.placeholder)).toMatchObject({ claudeCodeCostUSD: 6, reconciliation: { differs: true, deltaPercent: -16.66 } });
    expect(Object.keys(json.totals)).not.toContain("claudeCodeCostUSD");
  });
});
