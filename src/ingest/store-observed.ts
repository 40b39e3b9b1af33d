// What Claude Code tells us, beside the transcripts: the official limits it reports (its status line payload, or the
// usage endpoint), kept as they change (`limits_seen`), and its own dollar figure per session (`cc_costs`).
import type { LimitSeen } from "../model/queries.ts";
import type { SqlDatabase } from "../sqlite.ts";
import type { Interned } from "./store-names.ts";
import { redact } from "../shared/sanitize.ts";

const ORIGIN_CODE = { statusline: 1, endpoint: 2 } as const;

/** Epoch ms bounds as SQLite integers (±Infinity would bind as REAL and compare oddly with NULLs). */
const clampTime = (t: number) => Math.max(-8.64e15, Math.min(8.64e15, t));

/** The `limits_seen` and `cc_costs` tables of one connection. */
export class Observed {
  /** `sessions`: the store's session ids; `changed` is called after each write (see UsageStore.version). */
  constructor(
    private readonly db: SqlDatabase,
    private readonly sessions: Interned,
    private readonly changed: () => void,
  ) {}

  /**
   * Official limits as seen (Claude Code's status line payload, or the usage endpoint). A figure equal to the last one
   * of its kind only moves that row's time (the status line runs after every response: the table keeps changes, not
   * repeats). With `wait` false nothing waits for another process's write lock: false when the store was busy.
   */
  recordLimits(seen: readonly LimitSeen[], wait = false): boolean {
    if (seen.length === 0) return true;
    const body = () => {
      for (const l of seen) {
        // (a figure out of all reason is not kept: it would stand for a window for ever; nor one whose window had reset
        // when it was seen: it says nothing of the window then current; a reset time beyond the next 8 days is not
        // one, and the figure is kept without it)
        if (!Number.isFinite(l.time) || !Number.isFinite(l.percent) || l.percent < 0 || l.percent > 1000) continue;
        if (l.resetsAt !== null && Number.isFinite(l.resetsAt) && l.resetsAt <= l.time) continue;
        const resetsAt = l.resetsAt !== null && Number.isFinite(l.resetsAt) && l.resetsAt < l.time + 8 * 86_400_000 ? Math.round(l.resetsAt) : null;
        const last = this.db.get<{ time: number; percent: number; resets_at: number | null; origin: number }>(
          "SELECT time, percent, resets_at, origin FROM limits_seen WHERE kind = ? ORDER BY time DESC LIMIT 1",
          l.kind,
        );
        if (last && last.time >= l.time) continue; // (an older figure than the newest kept says nothing new)
        const session = l.sessionId ? this.sessions.id(l.sessionId) : null;
        const origin = ORIGIN_CODE[l.origin];
        if (last && last.percent === l.percent && last.resets_at === resetsAt && last.origin === origin)
          this.db.run("UPDATE limits_seen SET time = ?, session = ? WHERE kind = ? AND time = ?", l.time, session, l.kind, last.time);
        else
          this.db.run(
            "INSERT OR REPLACE INTO limits_seen (kind, time, percent, resets_at, origin, session) VALUES (?, ?, ?, ?, ?, ?)",
            l.kind,
            l.time,
            l.percent,
            resetsAt,
            origin,
            session,
          );
      }
    };
    const ok = wait ? (this.db.transaction(body), true) : this.db.tryTransaction(() => (body(), true)) === true;
    if (ok) this.changed();
    return ok;
  }

  /** The newest official figure of each kind of limit. */
  latestLimits(): LimitSeen[] {
    return this.db
      .query<{ kind: string; time: number; percent: number; resets_at: number | null; origin: number; session: number | null }>(
        "SELECT kind, max(time) AS time, percent, resets_at, origin, session FROM limits_seen GROUP BY kind",
      )
      .map((r) => ({
        kind: r.kind,
        time: r.time,
        percent: r.percent,
        resetsAt: r.resets_at,
        origin: r.origin === 2 ? "endpoint" : "statusline",
        sessionId: r.session === null ? null : this.sessions.text(r.session),
      }));
  }

  /** Figures of one kind seen from `from` to `to`, oldest first (the insights' quota history, the limit last seen). */
  limitsSeen(kind: string, from: number, to: number): LimitSeen[] {
    return this.db
      .query<{ time: number; percent: number; resets_at: number | null; origin: number }>(
        "SELECT time, percent, resets_at, origin FROM limits_seen WHERE kind = ? AND time > ? AND time <= ? ORDER BY time",
        kind,
        clampTime(from),
        clampTime(to),
      )
      .map((r) => ({ kind, time: r.time, percent: r.percent, resetsAt: r.resets_at, origin: r.origin === 2 ? "endpoint" : "statusline", sessionId: null }));
  }

  /**
   * Claude Code's own dollar figure for a session (cost.total_cost_usd): the newest seen is kept, with when the Claude
   * Code run it covers began (`started`: the figure's time less cost.total_duration_ms), when known.
   */
  recordClaudeCodeCost(sessionId: string, time: number, usd: number, version: string | null, wait = false, started: number | null = null): boolean {
    if (!Number.isFinite(usd) || usd < 0 || !Number.isFinite(time)) return true;
    const body = () => {
      const id = this.sessions.id(sessionId);
      this.db.run(
        "INSERT INTO cc_costs (session, time, usd, version, started) VALUES (?, ?, ?, ?, ?) ON CONFLICT (session) DO UPDATE SET time = excluded.time, usd = excluded.usd, version = excluded.version, started = excluded.started WHERE excluded.time >= cc_costs.time",
        id,
        time,
        usd,
        version === null ? null : redact(version),
        started !== null && Number.isFinite(started) && started <= time ? Math.round(started) : null,
      );
    };
    const ok = wait ? (this.db.transaction(body), true) : this.db.tryTransaction(() => (body(), true)) === true;
    if (ok) this.changed();
    return ok;
  }

  /** Claude Code's figures for these sessions (those it reported), by session id. */
  claudeCodeCosts(sessionIds: readonly string[]): Map<string, { usd: number; time: number; started: number | null }> {
    const out = new Map<string, { usd: number; time: number; started: number | null }>();
    for (const sid of sessionIds) {
      const r = this.db.get<{ usd: number; time: number; started: number | null }>(
        "SELECT c.usd, c.time, c.started FROM cc_costs c JOIN sessions s ON s.id = c.session WHERE s.sid = ?",
        redact(sid),
      );
      if (r) out.set(sid, { usd: r.usd, time: r.time, started: r.started });
    }
    return out;
  }
}
