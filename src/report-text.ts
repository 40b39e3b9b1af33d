// The text (and JSON) of `--report` and `--store-info`: plain tables for a terminal or a pipe, no colour.
import type { StoreInfo } from "./ingest/store-info.ts";
import type { Report, ReportRow } from "./model/report.ts";
import { claudeCodeJson } from "./model/json-view.ts";
import { cleanText } from "./shared/sanitize.ts";
import { compact } from "./ui/format.ts";

const iso = (t: number) => new Date(t).toISOString();
const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** "$1,234.56". */
function dollars(n: number): string {
  const [int, frac] = n.toFixed(2).split(".");
  return `$${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac}`;
}

/** A model id without the vendor prefix and date suffix: claude-sonnet-4-5-20250929 → sonnet-4-5. */
function shortModel(model: string): string {
  return model.replace(/^claude-/, "").replace(/-\d{8}(?=$|-v\d)/, "");
}

const TITLES = { daily: "date", weekly: "week of", monthly: "month", session: "session" } as const;

/** "+12.5 %", "-0.3 %" (to a tenth). */
function percent(p: number): string {
  const r = Math.round(p * 10) / 10;
  return `${r < 0 ? "-" : "+"}${Math.abs(r).toFixed(1)} %`;
}

/** How our cost compares with Claude Code's: "ours $1.35, +12.5 %" (no % when its figure is 0). */
function oursBeside(c: { oursUSD: number; deltaPercent: number | null }): string {
  return `ours ${dollars(c.oursUSD)}${c.deltaPercent === null ? "" : `, ${percent(c.deltaPercent)}`}`;
}

/** The report as a table, one row a period (or session), with a total; sessions Claude Code gave a figure for have it
 *  in a column of its own (marked ≠n when it differs from ours, the causes in footnote n). */
export function reportText(
  r: Report,
  o: { timeZone: string | undefined; priceOverride: number | undefined; local: (t: number) => string; since?: number | null },
): string {
  const zone = o.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || "local time");
  const withCC = r.kind === "session" && r.rows.some((row) => row.claudeCode !== null);
  // (the footnotes: one for each session whose figure differs, numbered in the table's order)
  const differing = withCC ? r.rows.filter((row) => row.claudeCode?.differs) : [];
  const markOf = new Map(differing.map((row, i) => [row, `≠${i + 1}`]));
  const markW = Math.max(0, ...[...markOf.values()].map((m) => m.length));
  const ccCell = (row: ReportRow): string => {
    if (!row.claudeCode) return "";
    const mark = markOf.get(row) ?? "";
    return markW > 0 ? `${dollars(row.claudeCode.claudeCodeUSD)} ${mark.padEnd(markW)}` : dollars(row.claudeCode.claudeCodeUSD);
  };
  const head = [
    TITLES[r.kind],
    ...(r.kind === "session" ? ["last", "project · title"] : []),
    "responses",
    "input",
    "cache write",
    "cache read",
    "output",
    "effective",
    "cost",
    ...(withCC ? ["Claude Code"] : []),
    "models",
  ];
  const line = (row: Omit<ReportRow, "period" | "label">, first: string[], cc: string[]) => [
    ...first,
    String(row.responses),
    compact(row.uncached),
    compact(row.cacheWrite5m + row.cacheWrite1h),
    compact(row.cacheRead),
    compact(row.output),
    compact(row.effectiveTokens),
    dollars(row.costUSD),
    ...cc,
    row.models.map((m) => `${shortModel(m.model)} ${dollars(m.costUSD)}`).join(", "),
  ];
  const rows = r.rows.map((row) =>
    line(row, r.kind === "session" ? [row.period.slice(0, 8), o.local(row.last), cleanText(row.label ?? "", 40)] : [row.period], withCC ? [ccCell(row)] : []),
  );
  // (no total of Claude Code's figures: it gave them for some sessions only)
  const total = line(r.totals, r.kind === "session" ? [`${r.rows.length} session${r.rows.length === 1 ? "" : "s"}`, "", ""] : ["total"], withCC ? [""] : []);
  const table = [head, ...rows, total];
  const widths = head.map((_, i) => Math.max(...table.map((t) => [...(t[i] ?? "")].length)));
  const left = new Set([0, ...(r.kind === "session" ? [1, 2] : []), head.length - 1]);
  const fmt = (t: string[]) =>
    t
      .map((cell, i) => (i === t.length - 1 ? cell : left.has(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const kind = r.kind === "session" ? "per session" : r.kind;
  const note = o.priceOverride !== undefined ? `input at $${o.priceOverride}/Mtok` : "list prices";
  const out = [
    `claude-dash: cost ${kind}, ${o.since == null ? "all history" : `since ${o.local(o.since)}`} (${zone}); ${note}, an estimate${r.estimatedResponses > 0 ? `; ${r.estimatedResponses} responses of unknown models priced by family` : ""}`,
    "",
    fmt(head),
    ...rows.map(fmt),
    fmt(total),
  ];
  if (withCC) {
    out.push(
      "",
      "Claude Code: its own figure for the session, as its status line last reported it. ≠n: more than 1 % from ours (the whole session, all stored history), and why where the transcripts show it:",
    );
    for (const row of differing) {
      const c = row.claudeCode!;
      const causes = c.causes.map((x) => cleanText(x, 300)).join("; ");
      out.push(`${markOf.get(row)} ${row.period.slice(0, 8)}  Claude Code ${dollars(c.claudeCodeUSD)}, ${oursBeside(c)}: ${causes}`);
    }
  }
  if (r.rows.length === 0) out.splice(2, out.length - 2, "no usage stored yet");
  return `${out.join("\n")}\n`;
}

export function reportJson(
  r: Report,
  o: { now: number; timeZone: string | undefined; priceOverride: number | undefined; since?: number | null },
  diagnostics: unknown,
) {
  const usage = (x: Omit<ReportRow, "period" | "label">) => ({
    responses: x.responses,
    uncached: x.uncached,
    cacheWrite5m: x.cacheWrite5m,
    cacheWrite1h: x.cacheWrite1h,
    cacheRead: x.cacheRead,
    output: x.output,
    effectiveTokens: round(x.effectiveTokens),
    costUSD: round(x.costUSD, 4),
    models: x.models.map((m) => ({
      model: m.model,
      responses: m.responses,
      uncached: m.uncached,
      cacheWrite5m: m.cacheWrite5m,
      cacheWrite1h: m.cacheWrite1h,
      cacheRead: m.cacheRead,
      output: m.output,
      effectiveTokens: round(m.effectiveTokens),
      costUSD: round(m.costUSD, 4),
    })),
  });
  return {
    report: r.kind,
    now: iso(o.now),
    /** (null: all history) */
    since: o.since == null ? null : iso(o.since),
    timeZone: o.timeZone ?? null,
    rows: r.rows.map((row) =>
      r.kind === "session"
        ? { sessionId: row.period, label: row.label, first: iso(row.first), last: iso(row.last), ...usage(row), ...claudeCodeJson(row.claudeCode) }
        : { period: row.period, ...usage(row) },
    ),
    totals: usage(r.totals),
    cost: { estimate: true, priceOverridePerMtok: o.priceOverride ?? null, responsesPricedByFamily: r.estimatedResponses },
    diagnostics,
  };
}

const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} kB`);

export function storeInfoText(i: StoreInfo, local: (t: number) => string): string {
  const day = (t: number) => local(t).slice(0, 10);
  // What is known of what it holds: read from the store, or, when it could not be read, why not.
  const unread: Partial<Record<string, string>> = {
    none: "nothing stored yet",
    off: "nothing is kept (--no-store)",
    newer: "not read: written by a newer claude-dash",
    missing: "not read: the store is gone",
    damaged: "not read: the store is damaged or empty",
    refused: "not read: a symbolic link (or not a regular file) is not followed",
  };
  const known = i.first !== null || i.responses > 0 || i.files > 0 || i.state === "ok" || i.state === "read-only";
  const notRead = known ? null : (unread[i.state] ?? "not read: it cannot be opened");
  const lossLine = (l: NonNullable<StoreInfo["loss"]>) =>
    `${l.responses !== null ? (l.of !== null ? `${l.responses} of ${l.of}` : String(l.responses)) : l.atLeast !== null ? `at least ${l.atLeast}${l.upTo !== null ? ` (up to ${l.upTo})` : ""}${l.of !== null ? ` of ${l.of}` : ""}` : "an unknown number of"} responses' history, found ${day(l.at)}: the store was ${l.cause === "missing" ? "deleted" : l.cause}${l.movedTo ? ` (moved to ${l.movedTo})` : ""}`;
  const lines = [
    `usage store   ${i.path ?? "(none: --no-store)"}${i.path ? `  ${mb(i.sizeBytes)}` : ""}`,
    `state         ${i.state}${i.notice ? ` — ${i.notice}` : ""}`,
    `roots         ${i.roots.join(", ")}`,
    `span          ${notRead ?? (i.first === null || i.last === null ? "no responses stored yet" : `${local(i.first)} → ${local(i.last)}`)}`,
    notRead && i.marker
      ? `holds         unknown; its marker says ${i.marker.responses} responses from ${i.marker.files} transcripts on ${day(i.marker.at)}`
      : notRead
        ? `holds         unknown`
        : `holds         ${i.responses} responses in ${i.sessions} sessions, from ${i.files} transcripts`,
    ...(notRead ? [] : [`outlived      ${i.filesGone} of those transcripts are no longer on disk (their usage is kept here)`]),
    ...(i.loss ? [`lost          ${lossLine(i.loss)} — claude-dash --acknowledge-loss once you have read this`] : []),
    ...(!i.loss && i.acknowledged ? [`lost          ${lossLine(i.acknowledged)} (acknowledged ${day(i.acknowledged.acknowledgedAt)})`] : []),
    i.cleanup.days !== null
      ? `cleanup       Claude Code keeps transcripts ${i.cleanup.days} days (cleanupPeriodDays in ${i.cleanup.file})`
      : `cleanup       cleanupPeriodDays is not set: Claude Code deletes transcripts after 30 days; their usage stays here`,
    "",
    `To move the store, move the file with the -wal and .marker files beside it and set XDG_DATA_HOME; to forget the history, delete the store and its marker (the store alone gone is reported as lost history).`,
  ];
  // (paths and the notice come from the environment and the file system: no control character reaches the terminal)
  return `${lines.map((l) => cleanText(l, 2000)).join("\n")}\n`;
}

export function storeInfoJson(i: StoreInfo) {
  const lossJson = (l: NonNullable<StoreInfo["loss"]>) => ({ at: iso(l.at), responses: l.responses, of: l.of, cause: l.cause, movedTo: l.movedTo });
  return {
    ...i,
    first: i.first === null ? null : iso(i.first),
    last: i.last === null ? null : iso(i.last),
    marker: i.marker ? { ...i.marker, at: iso(i.marker.at) } : null,
    loss: i.loss ? lossJson(i.loss) : null,
    acknowledged: i.acknowledged ? { ...lossJson(i.acknowledged), acknowledgedAt: iso(i.acknowledged.acknowledgedAt) } : null,
  };
}
