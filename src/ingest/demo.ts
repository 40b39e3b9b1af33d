// The built-in demo corpus: a week of plausible activity generated relative to `now` from a fixed seed, fed
// through the same line parser as real transcripts. Shown by `--demo`, and by the dashboard when no
// transcript exists (always with a clear "demo data" banner).
import { generateSession, type GeneratedSession, type SessionPlan } from "../synth/corpus.ts";
import type { ModelEvent } from "../model/events.ts";
import { lineToEvents, type EventSink, type LineContext } from "./records.ts";
import { rng, uuidFrom } from "../synth/lines.ts";

const MIN = 60_000;

interface DemoSession extends Omit<SessionPlan, "sessionId" | "start"> {
  /** when its last line should be written, relative to now. */
  endsAgoMinutes: number;
}

const PLANS: DemoSession[] = [
  {
    cwd: "/home/dev/src/claude-dash",
    model: "claude-opus-4-6",
    turns: 14,
    turnGapMinutes: 4,
    subagents: 2,
    subagentModel: "claude-sonnet-4-5-20250929",
    title: "render pipeline",
    endsAgoMinutes: 1,
  },
  { cwd: "/home/dev/src/api-gateway", model: "claude-sonnet-4-5-20250929", turns: 8, turnGapMinutes: 5, endsWithApiError: true, endsAgoMinutes: 9 },
  { cwd: "/home/dev/src/ml-notebooks", model: "claude-opus-4-6", turns: 10, turnGapMinutes: 3, bigContext: true, subagents: 1, endsAgoMinutes: 24 },
  { cwd: "/home/dev/src/claude-dash", model: "claude-haiku-4-5-20251001", turns: 5, turnGapMinutes: 2, endsAgoMinutes: 47 },
  {
    cwd: "/home/dev/src/website",
    model: "claude-sonnet-4-5-20250929",
    turns: 12,
    turnGapMinutes: 8,
    subagents: 1,
    title: "pricing page",
    endsAgoMinutes: 3 * 60 + 10,
  },
  { cwd: "/home/dev/src/infra", model: "claude-opus-4-5-20251101", turns: 9, turnGapMinutes: 6, oneHourShare: 0.1, endsAgoMinutes: 6 * 60 + 30 },
  { cwd: "/home/dev/src/api-gateway", model: "claude-sonnet-4-5-20250929", turns: 16, turnGapMinutes: 5, subagents: 3, endsAgoMinutes: 9 * 60 + 45 },
  { cwd: "/home/dev/src/website", model: "claude-opus-4-6", turns: 10, turnGapMinutes: 7, endsAgoMinutes: 26 * 60 },
  { cwd: "/home/dev/src/ml-notebooks", model: "claude-sonnet-4-5-20250929", turns: 12, turnGapMinutes: 6, subagents: 2, endsAgoMinutes: 2 * 24 * 60 + 200 },
  { cwd: "/home/dev/src/infra", model: "claude-haiku-4-5-20251001", turns: 8, turnGapMinutes: 4, endsAgoMinutes: 3 * 24 * 60 + 500 },
  { cwd: "/home/dev/src/claude-dash", model: "claude-opus-4-6", turns: 15, turnGapMinutes: 5, subagents: 2, endsAgoMinutes: 4 * 24 * 60 + 90 },
  { cwd: "/home/dev/src/api-gateway", model: "claude-opus-4-1-20250805", turns: 6, turnGapMinutes: 9, endsAgoMinutes: 5 * 24 * 60 + 300 },
  { cwd: "/home/dev/src/website", model: "claude-sonnet-4-5-20250929", turns: 10, turnGapMinutes: 6, endsAgoMinutes: 6 * 24 * 60 + 60 },
];

const DEMO_SEED = 20261126;

/** Each demo session's lines, timed so that its last line falls `endsAgoMinutes` before `now`. */
function demoSessions(now: number): GeneratedSession[] {
  return PLANS.map((plan, i) => {
    const seed = DEMO_SEED + i * 7919;
    const sessionId = uuidFrom(rng(seed ^ 0x5eed));
    const dryRun = generateSession(rng(seed), { ...plan, sessionId, start: 0 });
    const start = Math.floor((now - plan.endsAgoMinutes * MIN - dryRun.end) / 1000) * 1000;
    return generateSession(rng(seed), { ...plan, sessionId, start });
  });
}

/** The demo corpus's files, each as the events its lines give. */
export function demoFiles(now: number): { path: string; events: ModelEvent[] }[] {
  const out: { path: string; events: ModelEvent[] }[] = [];
  for (const g of demoSessions(now)) {
    const feed = (path: string, lines: string[], agentId: string | null) => {
      const ctx: LineContext = { file: path, fileSessionId: g.sessionId, fileAgentId: agentId };
      const events: ModelEvent[] = [];
      lines.forEach((line, i) => lineToEvents(line, i + 1, ctx, events));
      out.push({ path, events });
    };
    feed(`demo/${g.sessionId}.jsonl`, g.main, null);
    for (const a of g.agents) feed(`demo/${g.sessionId}/subagents/agent-${a.agentId}.jsonl`, a.lines, a.agentId);
  }
  return out;
}

/** The allowance the usage endpoint would report for this much use. */
export function demoAllowance<S extends EventSink>(now: number, out: S): S {
  // The allowance, as the usage endpoint would report it for this much use.
  const minute = (t: number) => Math.floor(t / MIN) * MIN;
  out.push({ type: "AccountIdentified", label: "demo@example.com · Max" });
  out.push({
    type: "AllowanceFetched",
    time: now - 90_000,
    limits: [
      { kind: "session", percent: 62, resetsAt: minute(now + 103 * MIN) },
      { kind: "weekly", percent: 31, resetsAt: minute(now + 4 * 24 * 60 * MIN + 17 * MIN) },
      { kind: "weekly_opus", percent: 18, resetsAt: minute(now + 4 * 24 * 60 * MIN + 17 * MIN) },
    ],
  });
  return out;
}

export const DEMO_BANNER = "DEMO DATA — no Claude Code transcripts were found; showing a generated example. Use --root DIR or set CLAUDE_CONFIG_DIR.";

/** The footer's line for the demo: where transcripts were looked for (and, live, that they are still watched for). */
export function demoStatus(roots: readonly string[], home: string, live: boolean): string {
  if (roots.length === 0) return "demo data (--demo)";
  const named = roots.map((r) => (home && (r === home || r.startsWith(`${home}/`)) ? `~${r.slice(home.length)}` : r)).join(", ");
  return live
    ? `demo data · watching ${named} for Claude Code transcripts: the dashboard switches to them when one appears`
    : `demo data · no Claude Code transcripts in ${named}`;
}

/**
 * Whether the dashboard shows the demo instead of real data: only when there is nothing at all to show, no root was
 * named, and the run is neither for a script (--json, --report) nor receiving team telemetry (--otlp: the team lead's
 * set-up, whose real data arrives over the network; demo data must never mix with it).
 */
export function demoInstead(o: { nothing: boolean; named: boolean; json: boolean; report: boolean; otlp: boolean }): boolean {
  return o.nothing && !o.named && !o.json && !o.report && !o.otlp;
}
