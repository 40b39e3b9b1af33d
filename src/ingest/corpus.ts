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
} from "./synth.ts";

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
  const s: SessionInfo = { sessionId: p.sessionId, cwd: p.cwd, version: p.version ?? "2.1.81", entrypoint: p.entrypoint ?? "cli", gitBranch: "main" };
  const main: string[] = [];
  const agents: { agentId: string; lines: string[] }[] = [];
  const oneHour = p.oneHourShare ?? 0.6;
  const scale = p.outputScale ?? 1;
  let t = p.start;
  let parent: string | null = null;
  let context = int(r, 12_000, 22_000); // system prompt, tools, CLAUDE.md
  let lastCall = -Infinity;
  let subagentsLeft = p.subagents ?? 0;
  if (p.title) main.push(customTitleLine(p.sessionId, p.title));

  const respond = (blocks: Block[], newTokens: number, output: number, session: SessionInfo, ctx: number, last: number) => {
    // Cache behaviour: a call within the TTL reads the previous prefix; after a pause it misses.
    const miss = t - last > 5 * 60_000 && r() < 0.85;
    const uncached = int(r, 1, 12);
    const write = miss ? ctx + newTokens : newTokens;
    const { w5, w1 } = splitWrite(r, write, oneHour);
    const usage: Usage = { uncached, cacheWrite5m: w5, cacheWrite1h: w1, cacheRead: miss ? 0 : ctx, output };
    const mid = idFrom(r, "msg_01");
    const uuids = blocks.map(() => uuidFrom(r));
    const lines = responseLines({
      session,
      time: t,
      model: session.agentId ? (p.subagentModel ?? "claude-haiku-4-5-20251001") : p.model,
      messageId: mid,
      requestId: idFrom(r, "req_011C"),
      usage,
      blocks,
      uuids,
      parentUuid: parent,
      blockGapMs: int(r, 200, 3000),
    });
    parent = uuids[uuids.length - 1]!;
    t += blocks.length * 1500;
    return { lines, ctx: ctx + newTokens + output };
  };

  for (let turn = 0; turn < p.turns; turn++) {
    if (turn > 0) t += int(r, 1, Math.max(2, (p.turnGapMinutes ?? 6) * 2)) * 60_000 + int(r, 0, 59_000);
    const promptUuid = uuidFrom(r);
    main.push(snapshotLine(promptUuid, t, ["src/index.ts", "README.md"].slice(0, int(r, 0, 2))));
    main.push(promptLine(s, t, words(r, int(r, 6, 40)), promptUuid, parent));
    parent = promptUuid;
    t += int(r, 800, 4000);
    const steps = int(r, 2, 9);
    for (let step = 0; step < steps; step++) {
      const blocks: Block[] = [];
      if (r() < 0.5) blocks.push({ type: "thinking", thinking: words(r, int(r, 20, 120)) });
      blocks.push({ type: "text", text: words(r, int(r, 10, 140)) });
      const useTask = step === 1 && subagentsLeft > 0 && r() * (p.turns - turn) < subagentsLeft;
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
      const res = respond(blocks, int(r, 200, 6000), output, s, context, lastCall);
      main.push(...res.lines);
      context = p.bigContext ? Math.max(res.ctx, context + int(r, 3000, 20_000)) : res.ctx;
      if (!p.bigContext && context > 160_000) context = int(r, 30_000, 50_000); // auto-compact
      lastCall = t;
      for (const c of calls) {
        t += int(r, 50, c.name === "Bash" ? 12_000 : 1500);
        main.push(hookProgressLine(s, t - 900, uuidFrom(r), parent, c.id, "PreToolUse"));
        if (c.name === "Bash") main.push(progressLine(s, t - 500, uuidFrom(r), parent, c.id, words(r, int(r, 5, 40))));
        main.push(hookProgressLine(s, t - 20, uuidFrom(r), parent, c.id, "PostToolUse"));
        if (c.name === "Task") {
          subagentsLeft--;
          const agentId = `a${idFrom(r, "", 16)
            .toLowerCase()
            .replace(/[^0-9a-f]/g, "0")}`;
          const a: SessionInfo = { ...s, agentId };
          const lines: string[] = [];
          let actx = int(r, 8000, 14_000);
          let alast = -Infinity;
          const saveParent = parent;
          parent = null;
          lines.push(promptLine(a, t, words(r, 30), uuidFrom(r), null));
          for (let k = 0, n = int(r, 4, 14); k < n; k++) {
            const id = idFrom(r, "toolu_01");
            const blocks2: Block[] = [{ type: "text", text: words(r, 20) }];
            if (k < n - 1) blocks2.push({ type: "tool_use", id, name: "Read", input: { file_path: `${p.cwd}/src/x.ts` } });
            const rr = respond(blocks2, int(r, 500, 8000), int(r, 50, 700), a, actx, alast);
            lines.push(...rr.lines);
            actx = rr.ctx;
            alast = t;
            if (k < n - 1) {
              t += int(r, 30, 800);
              const u = uuidFrom(r);
              lines.push(toolResultLine(a, t, id, { uuid: u, parentUuid: parent, content: fileBody(r, Math.round(int(r, 20, 200) * scale)) }));
              parent = u;
            }
          }
          agents.push({ agentId, lines });
          parent = saveParent;
          const u = uuidFrom(r);
          main.push(
            toolResultLine(s, t, c.id, {
              uuid: u,
              parentUuid: parent,
              content: words(r, 60),
              toolUseResult: { status: "completed", agentId, totalDurationMs: 40_000 },
            }),
          );
          parent = u;
          continue;
        }
        const roll = r();
        const outcome = roll < 0.02 ? "rejected" : roll < 0.07 ? "error" : "ok";
        const body = c.name === "Read" ? fileBody(r, Math.round(int(r, 20, 260) * scale)) : words(r, Math.round(int(r, 5, 200) * scale));
        const u = uuidFrom(r);
        main.push(toolResultLine(s, t, c.id, { uuid: u, parentUuid: parent, outcome, content: outcome === "error" ? `Exit code 1\n${words(r, 12)}` : body }));
        parent = u;
      }
      t += int(r, 500, 4000);
    }
  }
  if (p.endsWithApiError) {
    const promptUuid = uuidFrom(r);
    main.push(promptLine(s, t, words(r, 12), promptUuid, parent));
    parent = promptUuid;
    for (let a = 1; a <= 3; a++) {
      t += 1000 * 2 ** a;
      const u = uuidFrom(r);
      main.push(retryLine(s, t, u, parent, a));
      parent = u;
    }
    t += 2000;
    main.push(apiErrorLine(s, t, uuidFrom(r), parent));
  }
  return { sessionId: p.sessionId, main, agents, end: t };
}
