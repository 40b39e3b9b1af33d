// The facts in the store, one row each, and their copies. A fact seen in several files is one row, the winner (for a
// response the largest usage, on a tie within a file the later line; otherwise the earliest sighting; between files an
// exact tie goes to the file whose path sorts first, so the result does not depend on the order files are read in);
// the other files' sightings wait in `copies`, so that when a file's facts are removed (the file rewritten, or read
// again by a new parser) the best remaining copy takes over. Every change to a fact is also a change to the rollup
// (see store-rollup.ts), made here as the fact is written.
// What a row holds and reads back as is in store-fact-rows.ts.
import {
  type ApiErrorObserved,
  type ModelEvent,
  type PromptObserved,
  type ResponseObserved,
  type SessionMeta,
  type ToolCallObserved,
  type ToolResultObserved,
  type TurnCompleted,
  TOOL_OUTCOMES,
} from "../model/events.ts";
import { beats } from "../model/state.ts";
import { isCopy, isFast } from "../model/pricing.ts";
import type { SqlDatabase, SqlValue } from "../sqlite.ts";
import type { FileFacts } from "./facts.ts";
import { keyId } from "./key-id.ts";
import { redact } from "../shared/sanitize.ts";
import { clsOf, hashOf, laterMeta, type ResponseRow, readFact, type Tables, type ToolRow, usageOf } from "./store-fact-rows.ts";
import type { FileTable } from "./store-files.ts";
import type { Interned } from "./store-names.ts";
import type { Rollup } from "./store-rollup.ts";

export { usageOf } from "./store-fact-rows.ts";

const ID_SPACE = 2 ** 53;

/** What a copy is a copy of (the number stored in `copies.kind`). */
const Kind = {
  Response: 0,
  ToolCall: 1,
  ToolResult: 2,
  Prompt: 3,
  ApiError: 4,
  Turn: 5,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

/** The fact tables of one connection (responses, tools, prompts, errors, turns, sessions, copies, rejected). */
export class Facts {
  /**
   * `names` and `sessions`: the store's interned strings; `files`: its files (for their paths, which break ties);
   * `rollup`: kept in step with every fact written or removed.
   */
  constructor(
    private readonly db: SqlDatabase,
    private readonly names: Interned,
    private readonly sessions: Interned,
    private readonly files: FileTable,
    private readonly rollup: Rollup,
  ) {}

  private nameId(s: string): number {
    return this.names.id(s);
  }

  private name(id: number): string {
    return this.names.text(id);
  }

  private sessionRow(sid: string): number {
    return this.sessions.id(sid);
  }

  private sessionId(id: number): string {
    return this.sessions.text(id);
  }

  /**
   * The facts of several files, each kind together, in the order read (sorting them by key hash, so that each page of
   * a key index is written once, cost more than it saved once a first fill became one transaction; read order also
   * leaves the rows roughly in time order, which makes the time indexes quicker to build).
   */
  putAll(files: readonly (readonly [FileFacts, number])[]): void {
    const tools: [ToolCallObserved | undefined, ToolResultObserved | undefined, number][] = [];
    const sessions = new Map<string, SessionMeta>();
    for (const [f, file] of files) {
      for (const m of f.sessions) {
        const was = sessions.get(m.sessionId);
        sessions.set(m.sessionId, was ? laterMeta(was, m) : m);
      }
      for (const e of f.responses) this.putResponse(e, file);
      const results = new Map<string, ToolResultObserved>();
      for (const r of f.toolResults) results.set(r.key, r);
      for (const c of f.toolCalls) {
        tools.push([c, results.get(c.key), file]);
        results.delete(c.key);
      }
      for (const r of results.values()) tools.push([undefined, r, file]);
    }
    for (const [c, r, file] of tools) this.putTool(c, r, file);
    for (const [f, file] of files) {
      for (const e of f.prompts) this.putPrompt(e, file);
      for (const e of f.apiErrors) this.putApiError(e, file);
      for (const e of f.turns) this.putTurn(e, file);
      for (const r of f.rejected) this.db.run("INSERT OR IGNORE INTO rejected (file, line, reason) VALUES (?, ?, ?)", file, r.line, r.reason);
    }
    for (const m of sessions.values()) this.putSession(m);
  }

  private putSession(m: SessionMeta): void {
    const id = this.sessionRow(m.sessionId);
    const t = (x: number) => (Number.isFinite(x) ? x : null);
    this.db.run(
      `UPDATE sessions SET
         cwd = CASE WHEN ?2 IS NOT NULL AND (cwd_time IS NULL OR cwd_time <= ?3) THEN ?2 ELSE cwd END,
         cwd_time = CASE WHEN ?2 IS NOT NULL AND (cwd_time IS NULL OR cwd_time <= ?3) THEN ?3 ELSE cwd_time END,
         branch = CASE WHEN ?4 IS NOT NULL AND (branch_time IS NULL OR branch_time <= ?5) THEN ?4 ELSE branch END,
         branch_time = CASE WHEN ?4 IS NOT NULL AND (branch_time IS NULL OR branch_time <= ?5) THEN ?5 ELSE branch_time END,
         entrypoint = CASE WHEN ?6 IS NOT NULL AND (ep_time IS NULL OR ep_time > ?7) THEN ?6 ELSE entrypoint END,
         ep_time = CASE WHEN ?6 IS NOT NULL AND (ep_time IS NULL OR ep_time > ?7) THEN ?7 ELSE ep_time END,
         title = CASE WHEN ?10 = 1 THEN coalesce(title, ?8) ELSE coalesce(?8, title) END,
         window1m = max(window1m, ?9)
       WHERE id = ?1`,
      id,
      m.cwd === null ? null : redact(m.cwd),
      t(m.cwdTime),
      m.branch === null ? null : redact(m.branch),
      t(m.branchTime),
      m.entrypoint === null ? null : redact(m.entrypoint),
      t(m.entrypointTime),
      m.title,
      m.window1M ? 1 : 0,
      m.titleWeak ? 1 : 0,
    );
  }

  /** The row that holds `key` in `table`, or the free hash it would take. */
  private locate(table: Tables, key: string): { h: number; id: number | null } {
    for (let h = keyId(key); ; h = (h + 1) % ID_SPACE) {
      const r = this.db.get<{ id: number; key: string }>(`SELECT id, key FROM ${table} WHERE h = ?`, h);
      if (!r) return { h, id: null };
      if (r.key === key) return { h, id: r.id };
    }
  }

  private copy(kind: Kind, key: string, file: number, fact: ModelEvent): void {
    this.db.run("INSERT OR REPLACE INTO copies (kind, key, file, fact) VALUES (?, ?, ?, ?)", kind, key, file, JSON.stringify(fact));
  }

  private storedCopy<T>(kind: Kind, key: string, file: number): T | null {
    const r = this.db.get<{ fact: string }>("SELECT fact FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, file);
    return r ? (readFact(r.fact) as T | null) : null;
  }

  private responseParams(e: ResponseObserved, file: number): SqlValue[] {
    const u = e.usage;
    return [
      file,
      e.time,
      this.sessionRow(e.sessionId),
      e.agentId === null ? null : this.nameId(e.agentId),
      this.nameId(e.model),
      u.uncached,
      u.cacheWrite5m,
      u.cacheWrite1h,
      u.cacheRead,
      u.output,
      clsOf(e),
    ];
  }

  putResponse(e: ResponseObserved, file: number, h = hashOf(e)): void {
    const db = this.db;
    const sql =
      "INSERT INTO responses (h, key, file, time, session, agent, model, uncached, w5, w1, rd, out, cls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    const u = e.usage;
    const model = this.nameId(e.model);
    const agent = e.agentId === null ? null : this.nameId(e.agentId);
    const cls = clsOf(e);
    // (the common case, a new response, without building arrays of parameters)
    if (
      db
        .prepare(sql)
        .run(h, e.key, file, e.time, this.sessionRow(e.sessionId), agent, model, u.uncached, u.cacheWrite5m, u.cacheWrite1h, u.cacheRead, u.output, cls)
        .changes > 0
    ) {
      this.rollup.delta(e.time, model, cls, u, 1);
      return;
    }
    const params = this.responseParams(e, file);
    const at = this.locate("responses", e.key);
    if (at.id === null) {
      db.run(sql, at.h, e.key, ...params);
      this.rollup.delta(e.time, model, cls, e.usage, 1);
      return;
    }
    const id = at.id;
    const old = this.storedResponse(id)!;
    const replace = (cand: ResponseObserved, from: number) => {
      this.rollup.delta(old.e.time, old.model, clsOf(old.e), old.e.usage, -1);
      db.run(
        "UPDATE responses SET file = ?, time = ?, session = ?, agent = ?, model = ?, uncached = ?, w5 = ?, w1 = ?, rd = ?, out = ?, cls = ? WHERE id = ?",
        ...this.responseParams(cand, from),
        id,
      );
      this.rollup.delta(cand.time, this.nameId(cand.model), clsOf(cand), cand.usage, 1);
    };
    if (old.file === file) {
      if (beats(e, old.e)) replace(e, file);
      return;
    }
    // Seen in another file too: the better of this file's observations competes with the stored winner (an exact tie
    // goes to the file whose path sorts first, so the result does not depend on which file was read first).
    const mine = this.storedCopy<ResponseObserved>(Kind.Response, e.key, file);
    const cand = mine && !beats(e, mine) ? mine : e;
    if (beats(cand, old.e) || (!beats(old.e, cand) && this.files.filePath(file) < this.files.filePath(old.file))) {
      replace(cand, file);
      this.copy(Kind.Response, e.key, old.file, old.e);
      db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.Response, e.key, file);
    } else this.copy(Kind.Response, e.key, file, cand);
  }

  private storedResponse(id: number): { file: number; model: number; e: ResponseObserved } | null {
    const r = this.db.get<ResponseRow>("SELECT * FROM responses WHERE id = ?", id);
    return r ? { file: r.file, model: r.model, e: this.responseEvent(r) } : null;
  }

  /** A stored response row as the event that would reproduce it. */
  responseEvent(r: ResponseRow): ResponseObserved {
    const bar = r.key.indexOf("|");
    return {
      type: "ResponseObserved",
      key: r.key,
      requestId: bar >= 0 ? r.key.slice(bar + 1) : null,
      time: r.time,
      sessionId: this.sessionId(r.session),
      agentId: r.agent === null ? null : this.name(r.agent),
      model: this.name(r.model),
      usage: { uncached: r.uncached, cacheWrite5m: r.w5, cacheWrite1h: r.w1, cacheRead: r.rd, output: r.out },
      ...(isFast(r.cls) ? { fast: true } : {}),
      ...(isCopy(r.cls) ? { copy: true } : {}),
      cwd: null,
      entrypoint: null,
    };
  }

  /**
   * A tool call and its result (either may be missing), one row per tool_use id: the first file to give each part
   * holds it; another file's sighting of a part is kept as a copy.
   */
  private putTool(call: ToolCallObserved | undefined, result: ToolResultObserved | undefined, file: number, h = hashOf((call ?? result)!)): void {
    const e = (call ?? result)!;
    if (this.insertTool(call, result, file, h).changes > 0) {
      this.tallyTool(call, result);
      return;
    }
    const at = this.locate("tools", e.key);
    if (at.id === null) {
      this.tallyTool(call, result);
      this.insertTool(call, result, file, at.h);
      return;
    }
    // Seen before: each part competes with the stored one on its own. The row is read once and shared, so that the
    // result's step sees whether the call's step took the row (a row with a call says whose tool it is).
    const row = this.db.get<ToolRow>("SELECT * FROM tools WHERE id = ?", at.id)!;
    const was = { sessionId: this.sessionId(row.session), agentId: row.agent === null ? null : this.name(row.agent) };
    if (call) this.toolCallSighting(call, file, e.key, at.id, row, was);
    if (result) this.toolResultSighting(result, file, e.key, at.id, row, was);
  }

  /** A new row of `tools` with hash `h` (none when a row holds the hash already: `changes` is then 0). */
  private insertTool(call: ToolCallObserved | undefined, result: ToolResultObserved | undefined, file: number, h: number): { changes: number | bigint } {
    const e = (call ?? result)!;
    return this.db
      .prepare(
        "INSERT INTO tools (h, key, session, agent, call_file, call_time, name, result_file, result_time, outcome, ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .run(
        h,
        e.key,
        this.sessionRow(e.sessionId),
        e.agentId === null ? null : this.nameId(e.agentId),
        call ? file : null,
        call?.time ?? null,
        call ? this.nameId(call.name) : null,
        result ? file : null,
        result?.time ?? null,
        result ? TOOL_OUTCOMES.indexOf(result.outcome) : null,
        result?.reportedMs ?? null,
      );
  }

  /** A call and a result now held by the store, into the tallies (a result counts when it is an error or rejection). */
  private tallyTool(call: ToolCallObserved | undefined, result: ToolResultObserved | undefined): void {
    if (call) this.rollup.tally(call.time, 1, 1);
    if (result && result.outcome !== "ok") this.rollup.tally(result.time, result.outcome === "error" ? 2 : 3, 1);
  }

  /**
   * A tool call seen again (`row`: its stored row, `was`: whose tool the row says it is): the first file to give it
   * holds it, the stored call becoming a copy; otherwise this sighting is kept as a copy.
   */
  private toolCallSighting(call: ToolCallObserved, file: number, key: string, id: number, row: ToolRow, was: ToolOwner): void {
    const db = this.db;
    const wins = row.call_file === null || (row.call_file !== file && this.earlier(call.time, file, row.call_time!, row.call_file));
    if (!wins) {
      if (row.call_file !== file) this.copy(Kind.ToolCall, key, file, call);
      return;
    }
    if (row.call_file !== null) {
      this.copy(Kind.ToolCall, key, row.call_file, { type: "ToolCallObserved", key, time: row.call_time!, ...was, name: this.name(row.name!) });
      this.rollup.tally(row.call_time, 1, -1);
      db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.ToolCall, key, file);
    }
    // the call's sighting says whose tool it is
    db.run(
      "UPDATE tools SET call_file = ?, call_time = ?, name = ?, session = ?, agent = ? WHERE id = ?",
      file,
      call.time,
      this.nameId(call.name),
      this.sessionRow(call.sessionId),
      call.agentId === null ? null : this.nameId(call.agentId),
      id,
    );
    row.call_file = file;
    this.tallyTool(call, undefined);
  }

  /** A tool result seen again: as toolCallSighting; a result whose row has no call also says whose tool it is. */
  private toolResultSighting(result: ToolResultObserved, file: number, key: string, id: number, row: ToolRow, was: ToolOwner): void {
    const db = this.db;
    const wins = row.result_file === null || (row.result_file !== file && this.earlier(result.time, file, row.result_time!, row.result_file));
    if (!wins) {
      if (row.result_file !== file) this.copy(Kind.ToolResult, key, file, result);
      return;
    }
    if (row.result_file !== null) {
      const outcome = TOOL_OUTCOMES[row.outcome ?? 0] ?? "ok";
      this.copy(Kind.ToolResult, key, row.result_file, { type: "ToolResultObserved", key, time: row.result_time!, ...was, outcome, reportedMs: row.ms });
      if (outcome !== "ok") this.rollup.tally(row.result_time, outcome === "error" ? 2 : 3, -1);
      db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", Kind.ToolResult, key, file);
    }
    db.run(
      "UPDATE tools SET result_file = ?, result_time = ?, outcome = ?, ms = ? WHERE id = ?",
      file,
      result.time,
      TOOL_OUTCOMES.indexOf(result.outcome),
      result.reportedMs ?? null,
      id,
    );
    if (row.call_file === null)
      db.run(
        "UPDATE tools SET session = ?, agent = ? WHERE id = ?",
        this.sessionRow(result.sessionId),
        result.agentId === null ? null : this.nameId(result.agentId),
        id,
      );
    this.tallyTool(undefined, result);
  }

  /** Of two sightings of a fact in different files, the one that holds it: the earlier line, on a tie the file whose
   *  path sorts first (so the result does not depend on the order files are read in). */
  private earlier(time: number, file: number, oldTime: number, oldFile: number): boolean {
    return time < oldTime || (time === oldTime && this.files.filePath(file) < this.files.filePath(oldFile));
  }

  /** Inserts a fact whose earliest sighting wins (true when it was new); a sighting in another file is kept as a copy. */
  private putFirst(
    kind: Kind,
    table: "prompts" | "errors" | "turns",
    key: string,
    file: number,
    sql: string,
    params: SqlValue[],
    e: PromptObserved | ApiErrorObserved | TurnCompleted,
  ): boolean {
    if (this.db.run(sql, hashOf(e), key, file, ...params).changes > 0) return true;
    const at = this.locate(table, key);
    if (at.id === null) {
      this.db.run(sql, at.h, key, file, ...params);
      return true;
    }
    const old = this.db.get<Record<string, SqlValue>>(`SELECT * FROM ${table} WHERE id = ?`, at.id)!;
    const oldFile = old.file as number;
    if (oldFile === file) return false;
    if (!this.earlier(e.time, file, old.time as number, oldFile)) {
      this.copy(kind, key, file, e);
      return false;
    }
    // This sighting wins: the stored one becomes a copy, and this one takes its row.
    const was = this.firstEvent(table, old);
    this.copy(kind, key, oldFile, was);
    this.db.run(`DELETE FROM ${table} WHERE id = ?`, at.id);
    this.db.run(sql, at.h, key, file, ...params);
    this.db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, file);
    this.untally(was);
    return true;
  }

  /** A stored prompt, API error or turn row as its event. */
  private firstEvent(table: "prompts" | "errors" | "turns", r: Record<string, SqlValue>): PromptObserved | ApiErrorObserved | TurnCompleted {
    const base = { key: r.key as string, time: r.time as number, sessionId: this.sessionId(r.session as number) };
    if (table === "prompts") return { type: "PromptObserved", ...base, cwd: null };
    if (table === "turns") return { type: "TurnCompleted", ...base, durationMs: r.ms as number };
    return {
      type: "ApiErrorObserved",
      ...base,
      agentId: r.agent === null ? null : this.name(r.agent as number),
      status: r.status as number | null,
      message: r.message as string,
      retry: r.retry !== 0,
    };
  }

  /** Takes a prompt or an API error out of the tallies. */
  private untally(e: PromptObserved | ApiErrorObserved | TurnCompleted): void {
    if (e.type === "PromptObserved") this.rollup.tally(e.time, 0, -1);
    else if (e.type === "ApiErrorObserved") this.rollup.tally(e.time, e.retry ? 5 : 4, -1);
  }

  private putPrompt(e: PromptObserved, file: number): void {
    if (
      this.putFirst(
        Kind.Prompt,
        "prompts",
        e.key,
        file,
        "INSERT INTO prompts (h, key, file, time, session) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [e.time, this.sessionRow(e.sessionId)],
        e,
      )
    )
      this.rollup.tally(e.time, 0, 1);
  }

  private putApiError(e: ApiErrorObserved, file: number): void {
    const added = this.putFirst(
      Kind.ApiError,
      "errors",
      e.key,
      file,
      "INSERT INTO errors (h, key, file, time, session, agent, status, message, retry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [e.time, this.sessionRow(e.sessionId), e.agentId === null ? null : this.nameId(e.agentId), e.status, e.message, e.retry ? 1 : 0],
      e,
    );
    if (added) this.rollup.tally(e.time, e.retry ? 5 : 4, 1);
  }

  private putTurn(e: TurnCompleted, file: number): void {
    this.putFirst(
      Kind.Turn,
      "turns",
      e.key,
      file,
      "INSERT INTO turns (h, key, file, time, session, ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      [e.time, this.sessionRow(e.sessionId), e.durationMs],
      e,
    );
  }

  removeFacts(ids: readonly number[]): void {
    const db = this.db;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS gone_files (id INTEGER PRIMARY KEY)");
    db.exec("DELETE FROM temp.gone_files");
    for (const id of ids) db.run("INSERT OR IGNORE INTO temp.gone_files (id) VALUES (?)", id);
    const lost: { kind: Kind; key: string }[] = [];
    for (const r of db.query<ResponseRow>("SELECT * FROM responses WHERE file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.Response, key: r.key });
      this.rollup.delta(r.time, r.model, r.cls, usageOf(r), -1);
    }
    db.run("DELETE FROM responses WHERE file IN (SELECT id FROM temp.gone_files)");
    for (const r of db.query<{ key: string; time: number }>("SELECT key, time FROM prompts WHERE file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.Prompt, key: r.key });
      this.rollup.tally(r.time, 0, -1);
    }
    for (const r of db.query<{ key: string; time: number; retry: number }>(
      "SELECT key, time, retry FROM errors WHERE file IN (SELECT id FROM temp.gone_files)",
    )) {
      lost.push({ kind: Kind.ApiError, key: r.key });
      this.rollup.tally(r.time, r.retry ? 5 : 4, -1);
    }
    for (const r of db.query<{ key: string }>("SELECT key FROM turns WHERE file IN (SELECT id FROM temp.gone_files)"))
      lost.push({ kind: Kind.Turn, key: r.key });
    for (const table of ["prompts", "errors", "turns"]) db.run(`DELETE FROM ${table} WHERE file IN (SELECT id FROM temp.gone_files)`);
    for (const r of db.query<{ key: string; call_time: number }>("SELECT key, call_time FROM tools WHERE call_file IN (SELECT id FROM temp.gone_files)")) {
      lost.push({ kind: Kind.ToolCall, key: r.key });
      this.rollup.tally(r.call_time, 1, -1);
    }
    for (const r of db.query<{ key: string; result_time: number; outcome: number }>(
      "SELECT key, result_time, outcome FROM tools WHERE result_file IN (SELECT id FROM temp.gone_files)",
    )) {
      lost.push({ kind: Kind.ToolResult, key: r.key });
      if (r.outcome > 0) this.rollup.tally(r.result_time, r.outcome === 1 ? 2 : 3, -1);
    }
    db.run("UPDATE tools SET call_file = NULL, call_time = NULL, name = NULL WHERE call_file IN (SELECT id FROM temp.gone_files)");
    db.run("UPDATE tools SET result_file = NULL, result_time = NULL, outcome = NULL, ms = NULL WHERE result_file IN (SELECT id FROM temp.gone_files)");
    db.run("DELETE FROM tools WHERE call_file IS NULL AND result_file IS NULL");
    db.run("DELETE FROM copies WHERE file IN (SELECT id FROM temp.gone_files)");
    db.run("DELETE FROM rejected WHERE file IN (SELECT id FROM temp.gone_files)");
    db.run(
      "UPDATE files SET rejected = 0, offset = 0, lines = 0, size = -1, mtime = -1, reread = 0, gen = gen + 1 WHERE id IN (SELECT id FROM temp.gone_files)",
    );
    for (const { kind, key } of lost) this.promote(kind, key);
  }

  /** The best remaining copy of a fact (from another file) becomes its stored row (see putResponse and earlier). */
  private promote(kind: Kind, key: string): void {
    // (a copy that no longer reads back as a fact, a damaged row, is passed over: its file is read again if present)
    const rows = this.db.query<{ file: number; fact: string }>("SELECT file, fact FROM copies WHERE kind = ? AND key = ?", kind, key).flatMap((r) => {
      const f = readFact(r.fact);
      return f ? [{ file: r.file, f }] : [];
    });
    if (rows.length === 0) return;
    let best = rows[0]!;
    let bestFact = best.f;
    for (const r of rows.slice(1)) {
      const f = r.f;
      const better =
        kind === Kind.Response
          ? beats(f as ResponseObserved, bestFact as ResponseObserved) ||
            (!beats(bestFact as ResponseObserved, f as ResponseObserved) && this.files.filePath(r.file) < this.files.filePath(best.file))
          : this.earlier(f.time, r.file, bestFact.time, best.file);
      if (better) {
        best = r;
        bestFact = f;
      }
    }
    this.db.run("DELETE FROM copies WHERE kind = ? AND key = ? AND file = ?", kind, key, best.file);
    switch (bestFact.type) {
      case "ResponseObserved":
        return this.putResponse(bestFact, best.file);
      case "ToolCallObserved":
        return this.putTool(bestFact, undefined, best.file);
      case "ToolResultObserved":
        return this.putTool(undefined, bestFact, best.file);
      case "PromptObserved":
        return this.putPrompt(bestFact, best.file);
      case "ApiErrorObserved":
        return this.putApiError(bestFact, best.file);
      case "TurnCompleted":
        return this.putTurn(bestFact, best.file);
      default:
        return;
    }
  }
}

/** Whose tool a stored row says it is (a copy made of its call or result carries it). */
type ToolOwner = { sessionId: string; agentId: string | null };
