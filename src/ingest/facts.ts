// The facts of one read of one transcript file, as the usage store keeps them: each response once (its largest
// usage; on a tie the later line), each tool call and tool result, prompt, API error and turn once (the first
// seen), what the lines say about their session (newest working directory and branch, earliest entry point, last
// title, 1M context once seen), and the lines that could not be used. Never message text, tool input or output.
import type {
  ApiErrorObserved,
  ModelEvent,
  PromptObserved,
  ResponseObserved,
  SessionMeta,
  ToolCallObserved,
  ToolResultObserved,
  TurnCompleted,
} from "../model/events.ts";
import { beats, noteWhere } from "../model/state.ts";
import { contextTokens, CONTEXT_200K } from "../model/tokens.ts";

/** Where a read of a file ended, and how to recognise the file next time. */
export interface FilePos {
  dev: number;
  ino: number;
  /** size and mtime when it was read. */
  size: number;
  mtimeMs: number;
  /** bytes of complete lines consumed: the next read starts here (an unfinished last line is read again). */
  offset: number;
  /** complete lines before `offset`. */
  lines: number;
  /** a hash of the file's first `headLen` bytes (a rewrite in place changes them). */
  headLen: number;
  headHash: number;
  /** a hash of the (up to 256) bytes before `offset`. */
  tailHash: number;
}

/** How many rejected lines of one file are kept with their reason (all are counted). */
const REJECTED_SAMPLES_PER_FILE = 50;

export interface FileFacts {
  path: string;
  pos: FilePos;
  /** true when the file was read again from its first byte (it was rewritten, truncated or replaced): these
   *  facts replace the file's earlier ones. */
  restart: boolean;
  /** the generation of the stored file this read continued, or -1 when it was not known to be stored. */
  gen: number;
  responses: ResponseObserved[];
  toolCalls: ToolCallObserved[];
  toolResults: ToolResultObserved[];
  prompts: PromptObserved[];
  apiErrors: ApiErrorObserved[];
  turns: TurnCompleted[];
  sessions: SessionMeta[];
  rejected: { line: number; reason: string }[];
  rejectedCount: number;
}

/** An event sink that collects one file's events into facts. */
export class FactCollector {
  private responses = new Map<string, ResponseObserved>();
  private toolCalls = new Map<string, ToolCallObserved>();
  private toolResults = new Map<string, ToolResultObserved>();
  private prompts = new Map<string, PromptObserved>();
  private apiErrors = new Map<string, ApiErrorObserved>();
  private turns = new Map<string, TurnCompleted>();
  private sessions = new Map<string, SessionMeta>();
  private rejected: { line: number; reason: string }[] = [];
  private rejectedSeen = new Set<number>();

  /** Number of events taken (for callers that want to know whether anything came). */
  events = 0;

  push(e: ModelEvent): void {
    this.events++;
    switch (e.type) {
      case "ResponseObserved": {
        const old = this.responses.get(e.key);
        if (!old || beats(e, old)) this.responses.set(e.key, e);
        const m = this.meta(e.sessionId);
        noteWhere(m, e.time, e.cwd, e.branch ?? null, e.entrypoint);
        if (e.agentId === null && contextTokens(e.usage) > CONTEXT_200K) m.window1M = true;
        return;
      }
      case "PromptObserved":
        if (!this.prompts.has(e.key)) this.prompts.set(e.key, e);
        noteWhere(this.meta(e.sessionId), e.time, e.cwd, e.branch ?? null, null);
        return;
      case "ToolCallObserved":
        if (!this.toolCalls.has(e.key)) this.toolCalls.set(e.key, e);
        return;
      case "ToolResultObserved":
        if (!this.toolResults.has(e.key)) this.toolResults.set(e.key, e);
        return;
      case "ApiErrorObserved":
        if (!this.apiErrors.has(e.key)) this.apiErrors.set(e.key, e);
        return;
      case "TurnCompleted":
        if (!this.turns.has(e.key)) this.turns.set(e.key, e);
        return;
      case "SessionTitled": {
        const m = this.meta(e.sessionId);
        // (a summary's title never replaces another; a /rename replaces a summary's)
        if (!e.weak) {
          m.title = e.title;
          delete m.titleWeak;
        } else if (m.title === null) {
          m.title = e.title;
          m.titleWeak = true;
        }
        return;
      }
      case "LineRejected":
        if (this.rejectedSeen.has(e.line)) return;
        this.rejectedSeen.add(e.line);
        if (this.rejected.length < REJECTED_SAMPLES_PER_FILE) this.rejected.push({ line: e.line, reason: e.reason });
        return;
      default:
        return;
    }
  }

  private meta(sessionId: string): SessionMeta {
    let m = this.sessions.get(sessionId);
    if (!m) {
      m = {
        type: "SessionMeta",
        sessionId,
        cwd: null,
        cwdTime: -Infinity,
        branch: null,
        branchTime: -Infinity,
        entrypoint: null,
        entrypointTime: Infinity,
        title: null,
        window1M: false,
      };
      this.sessions.set(sessionId, m);
    }
    return m;
  }

  /** The facts gathered, for a read that ended at `pos`. */
  facts(path: string, pos: FilePos, restart: boolean, gen: number): FileFacts {
    return {
      path,
      pos,
      restart,
      gen,
      responses: [...this.responses.values()],
      toolCalls: [...this.toolCalls.values()],
      toolResults: [...this.toolResults.values()],
      prompts: [...this.prompts.values()],
      apiErrors: [...this.apiErrors.values()],
      turns: [...this.turns.values()],
      sessions: [...this.sessions.values()],
      rejected: this.rejected,
      rejectedCount: this.rejectedSeen.size,
    };
  }
}

/** The facts as model events (sessions first, so their metadata is in place), for the in-memory model. */
export function factEvents(f: FileFacts): ModelEvent[] {
  return [...f.sessions, ...f.responses, ...f.prompts, ...f.toolCalls, ...f.toolResults, ...f.apiErrors, ...f.turns];
}
