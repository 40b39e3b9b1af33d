// Team telemetry answered by its store: INSIGHTS summed in SQL (TeamQueries) equals INSIGHTS from the same events
// in memory, for every source and user filter; a version-1 store (JSON rows only) is upgraded with its facts; and
// memory follows the window, not the store.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { selectInsights } from "../src/model/insights/registry.ts";
import { createState, reduce } from "../src/model/state.ts";
import { TeamQueries, TelemetryStore } from "../src/net/telemetry-store.ts";
import { openDatabase } from "../src/sqlite.ts";
import { teamResponse } from "../src/synth/lines.ts";

const NOW = Date.parse("2026-11-26T18:00:00Z");
const MIN = 60_000;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "claude-dash-team-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A team's week: three users, sessions, models (one fast), tools with and without their own durations, prompts,
 *  errors and retries, some responses with Claude Code's cost and some without. */
function teamEvents(): ModelEvent[] {
  const out: ModelEvent[] = [];
  const users = ["ada@example.com", "bob@example.com", "cy@example.com"];
  for (let i = 0; i < 400; i++) {
    const user = users[i % 3]!;
    const sessionId = `s-${i % 17}`;
    const meta = { origin: "team" as const, user, terminal: (i % 17) % 2 ? "vscode" : "iTerm.app" };
    const time = NOW - (i * 23 + 7) * MIN;
    const model = ["claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5"][i % 3]!;
    const usage = { uncached: 10 + i, cacheWrite5m: 100 * (i % 5), cacheWrite1h: 0, cacheRead: 1000 + 37 * i, output: 50 + (i % 11) };
    out.push(
      teamResponse(i, time, sessionId, model, usage, meta, { ...(i % 7 === 0 ? { fast: true } : {}), ...(i % 4 === 0 ? {} : { reportedCostUSD: 0.001 * i }) }),
    );
    if (i % 3 === 0) out.push({ type: "PromptObserved", key: `otel:prompt:${i}`, time: time - 1000, sessionId, cwd: null, ...meta });
    if (i % 2 === 0) {
      const key = `toolu_${i}`;
      out.push({
        type: "ToolCallObserved",
        key,
        time: time + 100,
        sessionId,
        agentId: null,
        name: ["Read", "Bash", "mcp__github__create_issue"][i % 3]!,
        ...meta,
      });
      out.push({
        type: "ToolResultObserved",
        key,
        time: time + 900,
        sessionId,
        agentId: null,
        outcome: (["ok", "error", "rejected", "ok"] as const)[i % 4]!,
        ...(i % 8 === 0 ? { reportedMs: 321 } : {}),
        ...meta,
      });
    }
    if (i % 29 === 0)
      out.push({
        type: "ApiErrorObserved",
        key: `otel:err:${i}`,
        time: time + 5,
        sessionId,
        agentId: null,
        status: 529,
        message: "overloaded",
        retry: i % 58 === 0,
        ...meta,
      });
  }
  return out;
}

/** (sums of fractions in another order move the last bits: compared to 9 significant digits) */
const rounded = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isInteger(x) ? Number(x.toPrecision(9)) : x)));

function views(events: ModelEvent[], store: TelemetryStore, withLocal: boolean) {
  const local = memoryStore();
  // a transcript holding one of the team's responses (same request id): it counts once, from the transcript
  if (withLocal)
    local.putEvents("/t.jsonl", [
      { ...(events[0] as Extract<ModelEvent, { type: "ResponseObserved" }>), key: "msg_x|req_0", origin: undefined, user: undefined, terminal: undefined },
    ]);
  const q = new StoreQueries(local);
  const inMemory = createState();
  for (const e of events) reduce(inMemory, e);
  const team = new TeamQueries(store);
  const out: [unknown, unknown][] = [];
  for (const source of ["team", "both"] as const)
    for (const user of [undefined, "bob@example.com"])
      for (const hours of [24, 168]) {
        const o = { now: NOW, hours, buckets: 24, source, user, timeZone: "UTC" };
        out.push([rounded(selectInsights(inMemory, q, o)), rounded(selectInsights(createState(), q, o, team))]);
      }
  return out;
}

describe("INSIGHTS from the telemetry store", () => {
  test("equals INSIGHTS from the same events in memory: every source, user filter and window; a transcript's copy counts once", () => {
    const events = teamEvents();
    const store = new TelemetryStore(join(dir, "telemetry.sqlite"));
    store.append(events, []);
    for (const withLocal of [false, true]) for (const [mem, sql] of views(events, store, withLocal)) expect(sql).toEqual(mem);
    store.close();
  });

  test("a version-1 store (JSON rows only) is upgraded: its events' facts are summed like new ones", () => {
    const path = join(dir, "telemetry.sqlite");
    const events = teamEvents();
    const store = new TelemetryStore(path);
    store.append(events, []);
    store.close();
    const db = openDatabase(path);
    db.exec("DROP TABLE t_responses; DROP TABLE t_prompts; DROP TABLE t_calls; DROP TABLE t_results; DROP TABLE t_errors; PRAGMA user_version = 1;");
    db.close();
    const again = new TelemetryStore(path);
    for (const [mem, sql] of views(events, again, false)) expect(sql).toEqual(mem);
    again.close();
  });

  test("pruning removes the summed facts with the events", () => {
    const store = new TelemetryStore(join(dir, "telemetry.sqlite"));
    store.append(teamEvents(), []);
    store.prune(NOW, 1); // keep one day
    const v = selectInsights(createState(), null, { now: NOW, hours: 168, buckets: 24, source: "team" }, new TeamQueries(store));
    const oneDay = selectInsights(createState(), null, { now: NOW, hours: 24, buckets: 24, source: "team" }, new TeamQueries(store));
    expect(v.cost.totalUSD).toBeCloseTo(oneDay.cost.totalUSD, 9);
    store.close();
  });
});
