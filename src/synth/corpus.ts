// Generates whole realistic sessions (prompts, multi-line streamed responses, tool calls and results,
// progress filler, cache behaviour, subagents in their own files, API errors) from a seeded PRNG.
// Used by the built-in demo and by the benchmark's 1 GB corpus.
import type { Usage } from "../model/events.ts";
import {
  apiErrorLine,
  customTitleLine,
  hookProgressLine,
  idFrom,
  progressLine,
  promptLine,
  responseLines,
  retryLine,
  snapshotLine,
  toolResultLine,
  uuidFrom,
  type Block,
  type Rand,
  type SessionInfo,
} from "./lines.ts";

export interface SessionPlan {
  sessionId: string;
  cwd: string;
  model: string;
  /** first line's time (epoch ms). */
  start: number;
  /** user turns; each is a prompt and several model/tool steps. */
  turns: number;
  /** typical pause between turns, minutes. */
  turnGapMinutes?: number;
  /** Task calls that spawn a subagent file. */
  subagents?: number;
  subagentModel?: string;
  /** grow the context past 200k (a 1M-context session). */
  bigContext?: boolean;
  /** end with a failed API call (retries then the final error). */
  endsWithApiError?: boolean;
  title?: string;
  /** share of cache writes that use the 1-hour TTL (0..1). */
  oneHourShare?: number;
  /** scales tool output sizes (1 = realistic). */
  outputScale?: number;
  entrypoint?: string;
  version?: string;
}

export interface GeneratedSession {
  sessionId: string;
  main: string[];
  agents: { agentId: string; lines: string[] }[];
  end: number;
}

const TOOLS = ["Read", "Read", "Read", "Edit", "Bash", "Bash", "Grep", "Glob", "Write", "TodoWrite"];
const WORDS =
  "the a function returns value file test build error module import export const type interface state model view render update config parse line token cache session window chart bucket total input output".split(
    " ",
  );

function words(r: Rand, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (i ? " " : "") + WORDS[Math.floor(r() * WORDS.length)];
  return s;
}

function fileBody(r: Rand, lines: number): string {
  let s = "";
  for (let i = 1; i <= lines; i++) s += `${String(i).padStart(6)}\u2192${"  ".repeat(Math.floor(r() * 4))}${words(r, 3 + Math.floor(r() * 9))}\n`;
  return s;
}

function int(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function splitWrite(r: Rand, total: number, oneHourShare: number): { w5: number; w1: number } {
  const w1 = r() < oneHourShare ? total : 0;
  return { w5: total - w1, w1 };
}

/** One session: its main file's lines and one file per subagent. */
export function generateSession(r: Rand, p: SessionPlan): GeneratedSession {
  const g = new SessionGenerator(r, p);
  for (let turn = 0; turn < p.turns; turn++) g.turn(turn);
  if (p.endsWithApiError) g.apiErrorEnding();
  return { sessionId: p.sessionId, main: g.main, agents: g.agents, end: g.t };
}

/**
 * A session being generated: the clock, the last line's uuid (the next line's parent) and the context size run on
 * from one step to the next, so the steps share them here rather than pass them around. Every draw from the PRNG
 * happens in the order it always has: the same seed gives the same bytes (the tests, demo and bench rely on it).
 */
class SessionGenerator {
  readonly main: string[] = [];
  readonly agents: { agentId: string; lines: string[] }[] = [];
  /** the time of the next line (epoch ms). */
  t: number;
  private readonly s: SessionInfo;
  private readonly oneHour: number;
  private readonly scale: number;
  private parent: string | null = null;
  private context: number;
  private lastCall = -Infinity;
  private subagentsLeft: number;

  constructor(
    private readonly r: Rand,
    private readonly p: SessionPlan,
  ) {
    this.s = { sessionId: p.sessionId, cwd: p.cwd, version: p.version ?? "2.1.81", entrypoint: p.entrypoint ?? "cli", gitBranch: "main" };
    this.oneHour = p.oneHourShare ?? 0.6;
    this.scale = p.outputScale ?? 1;
    this.t = p.start;
    this.context = int(r, 12_000, 22_000); // system prompt, tools, CLAUDE.md
    this.subagentsLeft = p.subagents ?? 0;
    if (p.title) this.main.push(customTitleLine(p.sessionId, p.title));
  }

  /** One model response's lines (main thread or subagent), with the context it leaves. */
  private respond(blocks: Block[], newTokens: number, output: number, session: SessionInfo, ctx: number, last: number) {
    const { r, p } = this;
    // Cache behaviour: a call within the TTL reads the previous prefix; after a pause it misses.
    const miss = this.t - last > 5 * 60_000 && r() < 0.85;
    const uncached = int(r, 1, 12);
    const write = miss ? ctx + newTokens : newTokens;
    const { w5, w1 } = splitWrite(r, write, this.oneHour);
    const usage: Usage = { uncached, cacheWrite5m: w5, cacheWrite1h: w1, cacheRead: miss ? 0 : ctx, output };
    const mid = idFrom(r, "msg_01");
    const uuids = blocks.map(() => uuidFrom(r));
    const lines = responseLines({
      session,
      time: this.t,
      model: session.agentId ? (p.subagentModel ?? "claude-haiku-4-5-20251001") : p.model,
      messageId: mid,
      requestId: idFrom(r, "req_011C"),
      usage,
      blocks,
      uuids,
      parentUuid: this.parent,
      blockGapMs: int(r, 200, 3000),
    });
    this.parent = uuids[uuids.length - 1]!;
    this.t += blocks.length * 1500;
    return { lines, ctx: ctx + newTokens + output };
  }

  /** One user turn: a pause, the prompt, then several model/tool steps. */
  turn(turn: number): void {
    const { r, p, s, main } = this;
    if (turn > 0) this.t += int(r, 1, Math.max(2, (p.turnGapMinutes ?? 6) * 2)) * 60_000 + int(r, 0, 59_000);
    const promptUuid = uuidFrom(r);
    main.push(snapshotLine(promptUuid, this.t, ["src/index.ts", "README.md"].slice(0, int(r, 0, 2))));
    main.push(promptLine(s, this.t, words(r, int(r, 6, 40)), promptUuid, this.parent));
    this.parent = promptUuid;
    this.t += int(r, 800, 4000);
    const steps = int(r, 2, 9);
    for (let step = 0; step < steps; step++) this.step(turn, step, steps);
  }

  /** One step of a turn: a response (thinking, text, tool calls; the last step of a turn calls none), then its tools. */
  private step(turn: number, step: number, steps: number): void {
    const { r, p, s, main } = this;
    const blocks: Block[] = [];
    if (r() < 0.5) blocks.push({ type: "thinking", thinking: words(r, int(r, 20, 120)) });
    blocks.push({ type: "text", text: words(r, int(r, 10, 140)) });
    const useTask = step === 1 && this.subagentsLeft > 0 && r() * (p.turns - turn) < this.subagentsLeft;
    const toolCount = step === steps - 1 && !useTask ? 0 : int(r, 1, 3);
    const calls: { id: string; name: string }[] = [];
    for (let k = 0; k < toolCount; k++) {
      const name = useTask && k === 0 ? "Task" : TOOLS[Math.floor(r() * TOOLS.length)]!;
      const id = idFrom(r, "toolu_01");
      calls.push({ id, name });
      blocks.push({
        type: "tool_use",
        id,
        name,
        input: name === "Bash" ? { command: `npm test -- ${words(r, 2)}`, description: words(r, 4) } : { file_path: `${p.cwd}/src/${words(r, 1)}.ts` },
      });
    }
    const output = int(r, 40, 900) + (blocks.length - 1) * int(r, 30, 400);
    const res = this.respond(blocks, int(r, 200, 6000), output, s, this.context, this.lastCall);
    main.push(...res.lines);
    this.context = p.bigContext ? Math.max(res.ctx, this.context + int(r, 3000, 20_000)) : res.ctx;
    if (!p.bigContext && this.context > 160_000) this.context = int(r, 30_000, 50_000); // auto-compact
    this.lastCall = this.t;
    for (const c of calls) this.toolCall(c);
    this.t += int(r, 500, 4000);
  }

  /** A tool call's hook progress and its result (a Task's result comes after its subagent's whole file). */
  private toolCall(c: { id: string; name: string }): void {
    const { r, s, main } = this;
    this.t += int(r, 50, c.name === "Bash" ? 12_000 : 1500);
    main.push(hookProgressLine(s, this.t - 900, uuidFrom(r), this.parent, c.id, "PreToolUse"));
    if (c.name === "Bash") main.push(progressLine(s, this.t - 500, uuidFrom(r), this.parent, c.id, words(r, int(r, 5, 40))));
    main.push(hookProgressLine(s, this.t - 20, uuidFrom(r), this.parent, c.id, "PostToolUse"));
    if (c.name === "Task") return this.subagent(c);
    const roll = r();
    const outcome = roll < 0.02 ? "rejected" : roll < 0.07 ? "error" : "ok";
    const body = c.name === "Read" ? fileBody(r, Math.round(int(r, 20, 260) * this.scale)) : words(r, Math.round(int(r, 5, 200) * this.scale));
    const u = uuidFrom(r);
    main.push(
      toolResultLine(s, this.t, c.id, { uuid: u, parentUuid: this.parent, outcome, content: outcome === "error" ? `Exit code 1\n${words(r, 12)}` : body }),
    );
    this.parent = u;
  }

  /**
   * A Task call's subagent: its own file (a prompt, then responses reading files, with its own context and cache),
   * then the Task's result in the main file. The main thread's chain of parents resumes where the call left it.
   */
  private subagent(c: { id: string; name: string }): void {
    const { r, p, s } = this;
    this.subagentsLeft--;
    const agentId = `a${idFrom(r, "", 16)
      .toLowerCase()
      .replace(/[^0-9a-f]/g, "0")}`;
    const a: SessionInfo = { ...s, agentId };
    const lines: string[] = [];
    let actx = int(r, 8000, 14_000);
    let alast = -Infinity;
    const saveParent = this.parent;
    this.parent = null;
    lines.push(promptLine(a, this.t, words(r, 30), uuidFrom(r), null));
    for (let k = 0, n = int(r, 4, 14); k < n; k++) {
      const id = idFrom(r, "toolu_01");
      const blocks2: Block[] = [{ type: "text", text: words(r, 20) }];
      if (k < n - 1) blocks2.push({ type: "tool_use", id, name: "Read", input: { file_path: `${p.cwd}/src/x.ts` } });
      const rr = this.respond(blocks2, int(r, 500, 8000), int(r, 50, 700), a, actx, alast);
      lines.push(...rr.lines);
      actx = rr.ctx;
      alast = this.t;
      if (k < n - 1) {
        this.t += int(r, 30, 800);
        const u = uuidFrom(r);
        lines.push(toolResultLine(a, this.t, id, { uuid: u, parentUuid: this.parent, content: fileBody(r, Math.round(int(r, 20, 200) * this.scale)) }));
        this.parent = u;
      }
    }
    this.agents.push({ agentId, lines });
    this.parent = saveParent;
    const u = uuidFrom(r);
    this.main.push(
      toolResultLine(s, this.t, c.id, {
        uuid: u,
        parentUuid: this.parent,
        content: words(r, 60),
        toolUseResult: { status: "completed", agentId, totalDurationMs: 40_000 },
      }),
    );
    this.parent = u;
  }

  /** The session's end in a failed API call: a prompt, three retries backing off, then the final error. */
  apiErrorEnding(): void {
    const { r, s, main } = this;
    const promptUuid = uuidFrom(r);
    main.push(promptLine(s, this.t, words(r, 12), promptUuid, this.parent));
    this.parent = promptUuid;
    for (let a = 1; a <= 3; a++) {
      this.t += 1000 * 2 ** a;
      const u = uuidFrom(r);
      main.push(retryLine(s, this.t, u, this.parent, a));
      this.parent = u;
    }
    this.t += 2000;
    main.push(apiErrorLine(s, this.t, uuidFrom(r), this.parent));
  }
}
