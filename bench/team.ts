// A team's month of telemetry as the telemetry store holds it: 2.5 M events (responses, tool calls and results,
// prompts, API errors) from 40 developers over 30 days, written with TelemetryStore.append under XDG_DATA_HOME=DATA so
// that `bun run bench` can time `--json --view insights --source team` on it. Cached: made again only when missing or
// of another version. Prints the store's description as JSON.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelEvent } from "../src/model/events.ts";
import { rng, teamResponse } from "../src/synth/lines.ts";
import { defaultStorePath, TelemetryStore } from "../src/net/telemetry-store.ts";

const TEAM_VERSION = 2;
const DAY = 86_400_000;
const MODELS = ["claude-opus-4-6", "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"];
const TOOLS = ["Read", "Bash", "Edit", "Grep", "mcp__github__create_issue"];

export interface TeamStore {
  data: string;
  path: string;
  events: number;
  end: number;
  version: number;
}

export function teamStore(dir: string, events = 2_500_000): TeamStore {
  const meta = join(dir, "team.json");
  if (existsSync(meta)) {
    const t = JSON.parse(readFileSync(meta, "utf8")) as TeamStore;
    if (t.version === TEAM_VERSION && t.events >= events && existsSync(t.path)) return t;
  }
  rmSync(dir, { recursive: true, force: true });
  const data = join(dir, "data");
  mkdirSync(data, { recursive: true });
  const path = defaultStorePath({ XDG_DATA_HOME: data }, "/");
  const store = new TelemetryStore(path);
  const end = Date.parse("2026-11-26T18:00:00Z");
  const r = rng(42);
  let n = 0;
  let batch: ModelEvent[] = [];
  let i = 0;
  // (events arrive in time order, as a receiver gets them: 30 days from the oldest to `end`)
  const perEvent = (30 * DAY) / (events / 2.12);
  while (n < events) {
    const session = Math.floor(i / 60);
    const user = `dev${(session * 7919) % 40}@example.com`;
    const meta = { origin: "team" as const, user, terminal: session % 3 === 0 ? "vscode" : "iTerm.app" };
    const sessionId = `team-${session}`;
    const time = end - 30 * DAY + Math.floor(i * perEvent);
    const model = MODELS[Math.floor(r() * MODELS.length)]!;
    const usage = {
      uncached: Math.floor(r() * 50),
      cacheWrite5m: Math.floor(r() * 3000),
      cacheWrite1h: 0,
      cacheRead: Math.floor(r() * 80_000),
      output: Math.floor(r() * 900),
    };
    batch.push(teamResponse(i, time, sessionId, model, usage, meta, { reportedCostUSD: r() * 0.2 }));
    n++;
    if (r() < 0.45) {
      const key = `toolu_${i}`;
      batch.push({ type: "ToolCallObserved", key, time: time + 50, sessionId, agentId: null, name: TOOLS[Math.floor(r() * TOOLS.length)]!, ...meta });
      batch.push({
        type: "ToolResultObserved",
        key,
        time: time + 50 + Math.floor(r() * 4000),
        sessionId,
        agentId: null,
        outcome: r() < 0.9 ? "ok" : r() < 0.5 ? "error" : "rejected",
        ...meta,
      });
      n += 2;
    }
    if (r() < 0.2) {
      batch.push({ type: "PromptObserved", key: `otel:prompt:${i}`, time: time - 500, sessionId, cwd: null, ...meta });
      n++;
    }
    if (r() < 0.02) {
      batch.push({ type: "ApiErrorObserved", key: `otel:err:${i}`, time, sessionId, agentId: null, status: 529, message: "overloaded", retry: false, ...meta });
      n++;
    }
    i++;
    if (batch.length >= 20_000) {
      store.append(batch, []);
      batch = [];
    }
  }
  store.append(batch, []);
  store.close();
  const t: TeamStore = { data, path, events: n, end, version: TEAM_VERSION };
  writeFileSync(meta, JSON.stringify(t));
  return t;
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: bun bench/team.ts DIR");
  console.log(JSON.stringify(teamStore(dir)));
}
