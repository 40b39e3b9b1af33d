// Typed builders for realistic Claude Code transcript lines (shapes follow fixtures/real/SCHEMA.md, Claude Code
// 2.1.x). Used by the tests, the built-in demo corpus and the benchmark's corpus generator, so all three go
// through the same parser as real transcripts.
import type { ResponseObserved, Usage } from "../model/events.ts";

/** A small seeded PRNG (mulberry32): the same seed gives the same corpus on every runtime. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;

export function uuidFrom(r: Rand): string {
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`;
}

export function idFrom(r: Rand, prefix: string, n = 24): string {
  const abc = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
  let s = prefix;
  for (let i = 0; i < n; i++) s += abc[Math.floor(r() * abc.length)];
  return s;
}

export interface SessionInfo {
  sessionId: string;
  cwd: string;
  version?: string;
  gitBranch?: string;
  entrypoint?: string;
  /** set for lines written by a subagent (in its own file). */
  agentId?: string;
}

export type Block =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

const iso = (t: number) => new Date(t).toISOString();

function envelope(s: SessionInfo, type: string, uuid: string, parentUuid: string | null, time: number) {
  return {
    parentUuid,
    isSidechain: s.agentId !== undefined,
    userType: "external",
    cwd: s.cwd,
    sessionId: s.sessionId,
    version: s.version ?? "2.1.81",
    gitBranch: s.gitBranch ?? "main",
    ...(s.agentId !== undefined ? { agentId: s.agentId } : {}),
    ...(s.entrypoint !== undefined ? { entrypoint: s.entrypoint } : {}),
    type,
    uuid,
    timestamp: iso(time),
  };
}

export interface ResponseSpec {
  session: SessionInfo;
  /** time of the first line; each further block line is written `blockGapMs` later. */
  time: number;
  model: string;
  messageId: string;
  /** omitted on some gateway setups; the key then falls back to the message id. */
  requestId?: string;
  usage: Usage;
  blocks: Block[];
  /** uuids for each line (one per block). */
  uuids: string[];
  parentUuid: string | null;
  blockGapMs?: number;
  /** "last" (2.1.78–2.1.81): earlier lines carry a placeholder output count and the last the final one;
   *  "all" (2.1.98+): every line carries the final usage; "split" (pre-2.0.76): no 5m/1h split object. */
  streaming?: "last" | "all" | "split";
  /** usage.speed: "fast" in fast mode (Opus); absent in versions before it. */
  speed?: "fast" | "standard";
}

/** One API response as Claude Code writes it: one line per content block, repeating id, requestId and usage. */
export function responseLines(spec: ResponseSpec): string[] {
  const gap = spec.blockGapMs ?? 350;
  const mode = spec.streaming ?? "last";
  const lines: string[] = [];
  let parent = spec.parentUuid;
  spec.blocks.forEach((block, i) => {
    const last = i === spec.blocks.length - 1;
    const u = spec.usage;
    const usage: Record<string, unknown> = {
      input_tokens: u.uncached,
      cache_creation_input_tokens: u.cacheWrite5m + u.cacheWrite1h,
      cache_read_input_tokens: u.cacheRead,
      output_tokens: last || mode === "all" ? u.output : Math.min(u.output, 1 + ((i * 7) % 12)),
      service_tier: "standard",
    };
    if (spec.speed !== undefined) usage.speed = spec.speed;
    if (mode !== "split") usage.cache_creation = { ephemeral_5m_input_tokens: u.cacheWrite5m, ephemeral_1h_input_tokens: u.cacheWrite1h };
    const uuid = spec.uuids[i] ?? `${spec.messageId}-${i}`;
    const env = envelope(spec.session, "assistant", uuid, parent, spec.time + i * gap);
    const rec = {
      ...env,
      message: {
        model: spec.model,
        id: spec.messageId,
        type: "message",
        role: "assistant",
        content: [block],
        stop_reason: last && mode !== "split" ? (block.type === "tool_use" ? "tool_use" : "end_turn") : null,
        stop_sequence: null,
        usage,
      },
      ...(spec.requestId !== undefined ? { requestId: spec.requestId } : {}),
    };
    lines.push(JSON.stringify(rec));
    parent = uuid;
  });
  return lines;
}

export function promptLine(s: SessionInfo, time: number, text: string, uuid: string, parentUuid: string | null): string {
  return JSON.stringify({
    ...envelope(s, "user", uuid, parentUuid, time),
    message: { role: "user", content: text },
    permissionMode: "default",
  });
}

export const REJECTION_TEXT =
  "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed.";

export function toolResultLine(
  s: SessionInfo,
  time: number,
  toolUseId: string,
  opts: { uuid: string; parentUuid: string | null; outcome?: "ok" | "error" | "rejected"; content?: string; toolUseResult?: unknown },
): string {
  const outcome = opts.outcome ?? "ok";
  const content = outcome === "rejected" ? REJECTION_TEXT : (opts.content ?? "ok");
  const block: Record<string, unknown> = { tool_use_id: toolUseId, type: "tool_result", content };
  if (outcome !== "ok") block.is_error = true;
  return JSON.stringify({
    ...envelope(s, "user", opts.uuid, opts.parentUuid, time),
    message: { role: "user", content: [block] },
    toolUseResult:
      outcome === "rejected"
        ? "User rejected tool use"
        : outcome === "error"
          ? `Error: ${content}`
          : (opts.toolUseResult ?? { stdout: content, stderr: "", interrupted: false, isImage: false }),
    sourceToolAssistantUUID: opts.parentUuid,
  });
}

/** The final API error shown to the user: a `<synthetic>` assistant line with isApiErrorMessage. */
export function apiErrorLine(s: SessionInfo, time: number, uuid: string, parentUuid: string | null, status = 529): string {
  const text = `API Error: ${status} {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`;
  return JSON.stringify({
    ...envelope(s, "assistant", uuid, parentUuid, time),
    message: {
      id: uuid,
      container: null,
      model: "<synthetic>",
      role: "assistant",
      stop_reason: "stop_sequence",
      stop_sequence: "",
      type: "message",
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: null },
      content: [{ type: "text", text }],
      context_management: null,
    },
    error: "unknown",
    isApiErrorMessage: true,
  });
}

/** A retry: `system` line with subtype api_error. */
export function retryLine(s: SessionInfo, time: number, uuid: string, parentUuid: string | null, attempt: number, status = 529): string {
  return JSON.stringify({
    ...envelope(s, "system", uuid, parentUuid, time),
    subtype: "api_error",
    level: "error",
    error: { status, error: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } },
    retryInMs: 500 * 2 ** attempt,
    retryAttempt: attempt,
    maxRetries: 10,
  });
}

export function customTitleLine(sessionId: string, title: string): string {
  return JSON.stringify({ type: "custom-title", customTitle: title, sessionId });
}

/**
 * The parent transcript's mirror of a subagent's response lines (2.1.x): one `progress` line with data.type
 * "agent_progress" per line of the subagent, the assistant line under data.message, its output count a placeholder.
 * `subagentLines` are the subagent's own lines (from responseLines with the subagent's SessionInfo).
 */
export function agentProgressLines(
  parent: SessionInfo,
  agentId: string,
  taskToolUseId: string,
  subagentLines: readonly string[],
  placeholderOutput = 7,
): string[] {
  return subagentLines.map((l, i) => {
    const own = JSON.parse(l) as { type: string; timestamp: string; uuid: string; requestId?: string; message: { usage?: Record<string, unknown> } };
    const message = own.message.usage
      ? { ...own.message, usage: { ...own.message.usage, output_tokens: Math.min(placeholderOutput, Number(own.message.usage.output_tokens)) } }
      : own.message;
    return JSON.stringify({
      ...envelope(parent, "progress", `${own.uuid}-progress-${i}`, null, Date.parse(own.timestamp)),
      data: {
        message: { type: own.type, timestamp: own.timestamp, message, ...(own.requestId !== undefined ? { requestId: own.requestId } : {}), uuid: own.uuid },
        normalizedMessages: [],
        type: "agent_progress",
        prompt: "Look into it",
        agentId,
      },
      toolUseID: `agent_msg_${own.uuid}`,
      parentToolUseID: taskToolUseId,
    });
  });
}

/** Filler that real files are full of: hook/bash progress lines and file-history snapshots. */
export function progressLine(s: SessionInfo, time: number, uuid: string, parentUuid: string | null, toolUseId: string, output: string): string {
  return JSON.stringify({
    ...envelope(s, "progress", uuid, parentUuid, time),
    data: { type: "bash_progress", output, fullOutput: output, elapsedTimeSeconds: 2, totalLines: output.split("\n").length },
    toolUseID: `bash-progress-${toolUseId}`,
    parentToolUseID: toolUseId,
  });
}

export function hookProgressLine(s: SessionInfo, time: number, uuid: string, parentUuid: string | null, toolUseId: string, hookEvent: string): string {
  return JSON.stringify({
    ...envelope(s, "progress", uuid, parentUuid, time),
    data: { type: "hook_progress", hookEvent, hookName: `${hookEvent}:Bash`, command: "bash ${CLAUDE_PROJECT_DIR}/.claude/hooks/check.sh" },
    parentToolUseID: toolUseId,
    toolUseID: toolUseId,
  });
}

export function snapshotLine(messageId: string, time: number, files: string[]): string {
  const tracked: Record<string, unknown> = {};
  files.forEach((f, i) => (tracked[f] = { backupFileName: `${messageId.slice(0, 16)}@v${i + 1}`, version: i + 1, backupTime: iso(time) }));
  return JSON.stringify({
    type: "file-history-snapshot",
    messageId,
    snapshot: { messageId, trackedFileBackups: tracked, timestamp: iso(time) },
    isSnapshotUpdate: false,
  });
}

/** An `api_request` as team telemetry maps it: request `req_<n>`, keyed `otel:req_<n>` (benchmarks and tests). */
export function teamResponse(
  n: number,
  time: number,
  sessionId: string,
  model: string,
  usage: Usage,
  meta: { user: string; terminal: string },
  extra: Partial<ResponseObserved> = {},
): ResponseObserved {
  return {
    type: "ResponseObserved",
    key: `otel:req_${n}`,
    requestId: `req_${n}`,
    time,
    sessionId,
    agentId: null,
    model,
    usage,
    cwd: null,
    entrypoint: null,
    origin: "team",
    ...meta,
    ...extra,
  };
}
