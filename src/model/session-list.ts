// The sessions list as the user arranged it: sorted by a column, filtered to one project, searched. Pure.
import type { SessionView } from "./selectors.ts";
import type { SliceRow } from "./slice-view.ts";

export type SessionSort = "last" | "cost" | "effective" | "context";
export const SESSION_SORTS: readonly SessionSort[] = ["last", "cost", "effective", "context"];

interface Arrangement {
  sort: SessionSort;
  /** text searched in titles, projects, branches and ids (case-insensitive); "" for none */
  query: string;
  /** only this project's sessions; null for all */
  project: string | null;
}

const matches = (query: string, ...fields: (string | null | undefined)[]): boolean => {
  if (!query) return true;
  const q = query.toLowerCase();
  return fields.some((f) => f !== null && f !== undefined && f.toLowerCase().includes(q));
};

const byId = (a: { sessionId: string }, b: { sessionId: string }) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);

/** The sessions to show, in the order to show them (ties: newest first, then by id). */
export function arrangeSessions(list: readonly SessionView[], a: Arrangement): SessionView[] {
  const key: Record<SessionSort, (s: SessionView) => number> = {
    last: (s) => s.lastActivity,
    cost: (s) => s.costUSD,
    effective: (s) => s.effectiveTokens,
    context: (s) => s.contextTokens,
  };
  const k = key[a.sort];
  return list
    .filter((s) => (a.project === null || s.project === a.project) && matches(a.query, s.title, s.project, s.branch, s.sessionId, s.cwd))
    .sort((x, y) => k(y) - k(x) || y.lastActivity - x.lastActivity || byId(x, y));
}

/** A slice's rows with the same filter and, where the slice has the column, the same order (else by cost). */
export function arrangeSlice(rows: readonly SliceRow[], a: Arrangement): SliceRow[] {
  const key = a.sort === "effective" ? (r: SliceRow) => r.effectiveTokens : (r: SliceRow) => r.costUSD;
  return rows
    .filter((r) => (a.project === null || r.project === a.project) && matches(a.query, r.title, r.project, r.sessionId))
    .sort((x, y) => key(y) - key(x) || byId(x, y));
}
