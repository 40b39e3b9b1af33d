// The dashboard's one-shot outputs: --json (each view), --report, --store-info, --json from a Prometheus-compatible
// engine, the diagnostics every JSON answer carries, and the footer's status line. Wiring only: each reads what the
// store (or the engine) answers and prints it through the output doors (writeOut: jsonText or printable).
import { TranscriptSource } from "./ingest/source.ts";
import { cleanText, jsonText, printable } from "./shared/sanitize.ts";
import { inspectStore, type StoreStatus } from "./ingest/store-open.ts";
import { StoreQueries } from "./ingest/store-query.ts";
import type { ModelEvent } from "./model/events.ts";
import { historyBucketMinutes, selectHistory } from "./model/history-view.ts";
import { dashboardJson, historyJson, jsonBucketMinutes, type Diagnostics } from "./model/json-view.ts";
import type { TeamSource } from "./model/insights-view.ts";
import { insightsJson, selectInsights } from "./model/insights/registry.ts";
import { createState, MAX_REJECTED_SAMPLES, reduce } from "./model/state.ts";
import { periodReport, REPORT_SLOT_MS, sessionReport } from "./model/report.ts";
import { claudeCodeChecks } from "./model/reconcile.ts";
import type { UsageQueries } from "./model/queries.ts";
import type { UsageStore } from "./ingest/store.ts";
import { storeInfo } from "./ingest/store-info.ts";
import { acknowledgeLoss, lossJson, lossNotice } from "./ingest/store-marker.ts";
import { reportJson, reportText, storeInfoJson, storeInfoText } from "./report-text.ts";
import { type Options } from "./options.ts";
import { env, writeErr, writeOut } from "./platform.ts";
import { selectAllowance } from "./model/allowance-view.ts";
import { count } from "./ui/format.ts";

/** `--json --view insights --prometheus URL`: INSIGHTS as the engine sums it; an engine that fails is one line, exit 1. */
export async function printPrometheusInsights(opts: Options, now: number): Promise<number> {
  const { PrometheusClient, PromError, promConnection, promInsights } = await import("./net/prometheus.ts");
  try {
    const conn = promConnection(opts.prometheus!, { headers: opts.prometheusHeaders, token: env("CLAUDE_DASH_PROMETHEUS_TOKEN") ?? null });
    const v = await promInsights(new PrometheusClient(conn), now, opts.insightsHours);
    writeOut(`${jsonText(v)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof PromError)) throw e;
    writeErr(`claude-dash: ${cleanText(e.message, 400)}\n`);
    return 1;
  }
}

/** `--json`: the view asked for (LIVE's numbers, HISTORY or INSIGHTS) as JSON. */
export function printJson(
  opts: Options,
  now: number,
  q: StoreQueries,
  early: readonly ModelEvent[],
  team: TeamSource | null,
  diag: Diagnostics,
  demo: boolean,
): number {
  const state = createState({ priceOverride: opts.pricePerMtok });
  for (const e of early) reduce(state, e);
  if (opts.view === "insights") {
    const allowanceView = selectAllowance(state, q, now, opts.allowance);
    const session = allowanceView.limits.find((l) => l.kind === "session");
    const v = selectInsights(
      state,
      q,
      {
        now,
        hours: opts.insightsHours,
        buckets: 48,
        timeZone: opts.tz,
        session: session ? { percent: session.percent, resetsAt: session.resetsAt } : null,
        source: opts.source,
      },
      team,
    );
    writeOut(`${jsonText(insightsJson(v, diag, demo))}\n`);
    return 0;
  }
  if (opts.view === "history") {
    const hours = opts.historyBucketMinutes ? (opts.historyBucketMinutes * 168) / 60 : opts.historyHours;
    const bucketMinutes = opts.historyBucketMinutes ?? historyBucketMinutes(hours, 168);
    const v = selectHistory(q, { now, hours, bucketMinutes, timeZone: opts.tz, priceOverride: opts.pricePerMtok });
    writeOut(`${jsonText(historyJson(v, { timeZone: opts.tz, priceOverride: opts.pricePerMtok }, diag, demo))}\n`);
    return 0;
  }
  const w = {
    now,
    windowHours: opts.windowHours,
    bucketMinutes: opts.bucketMinutes ?? jsonBucketMinutes(opts.windowHours),
    activeWindowHours: opts.activeWindowHours,
    priceOverride: opts.pricePerMtok,
  };
  const allowance = selectAllowance(state, q, now, opts.allowance);
  writeOut(`${jsonText(dashboardJson(q, w, diag, demo, allowance))}\n`);
  return 0;
}

/** The `--json` diagnostics: what was read this run, what could not be, and the store. */
export function diagnostics(data: Data, demo: boolean, roots: string[]): Diagnostics {
  const s = data.source?.stats;
  const rejected = data.store.rejectedLines(MAX_REJECTED_SAMPLES);
  return {
    roots: demo ? [] : roots,
    files: s?.files ?? 0,
    filesDeferred: s?.deferred ?? 0,
    bytesRead: s?.bytesRead ?? 0,
    linesRead: s?.linesRead ?? 0,
    unreadable: [...(data.source?.problems() ?? new Map<string, string>())].map(([path, reason]) => ({ path, reason })),
    linesRejected: rejected.count,
    rejected: rejected.samples,
    store: { state: data.status.state, path: data.status.path, notice: data.status.notice, loss: lossJson(data.status.loss) },
  };
}

/** `--report`: the cost table of all history (from --since when given), as text or JSON. */
export function printReport(q: UsageQueries, opts: Options, now: number, diag: Diagnostics): number {
  const from = opts.since ?? -Infinity;
  const report =
    opts.report === "session"
      ? (() => {
          const cells = q.sessionCells(from, now);
          const ids = [...new Set(cells.map((c) => c.sessionId))];
          return sessionReport(cells, q.labels(ids), opts.pricePerMtok, claudeCodeChecks(q, ids, now, opts.pricePerMtok));
        })()
      : periodReport(opts.report!, q.cells(from, now, REPORT_SLOT_MS), opts.tz, opts.pricePerMtok);
  const o = { now, timeZone: opts.tz, priceOverride: opts.pricePerMtok, since: opts.since };
  writeOut(opts.json ? `${jsonText(reportJson(report, o, diag))}\n` : printable(reportText(report, { ...o, local: localStamp(opts.tz) })));
  return 0;
}

/**
 * `--store-info`: the store as it is (nothing is created or changed). With `acknowledged` (--acknowledge-loss, at that
 * time), the loss of history the store's marker holds is marked read first, and said.
 */
export function printStoreInfo(path: string | null, roots: string[], json: boolean, tz: string | undefined, acknowledged: number | null): number {
  if (acknowledged !== null) {
    const r = path === null ? { acknowledged: null } : acknowledgeLoss(path, acknowledged);
    if ("error" in r) {
      writeErr(`claude-dash: --acknowledge-loss: ${cleanText(r.error, 300)}\n`);
      return 1;
    }
    if (json) writeOut(`${jsonText({ acknowledged: lossJson(r.acknowledged) })}\n`);
    else
      writeOut(
        printable(
          `${cleanText(
            r.acknowledged
              ? `claude-dash: acknowledged: ${lossNotice(r.acknowledged, { first: false }).replace(" · claude-dash --acknowledge-loss", "")}; it is no longer said on every run (--store-info still shows it)`
              : "claude-dash: no lost usage history to acknowledge",
            2000,
          )}\n`,
        ),
      );
    return 0;
  }
  const { store, status } = inspectStore(path);
  const info = storeInfo(store, status, roots);
  store?.close();
  writeOut(json ? `${jsonText(storeInfoJson(info))}\n` : printable(storeInfoText(info, localStamp(tz))));
  return 0;
}

/** "2026-11-26 17:58" in a zone. */
function localStamp(timeZone: string | undefined): (t: number) => string {
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return (t) => {
    const p: Record<string, string> = {};
    for (const x of fmt.formatToParts(t)) p[x.type] = x.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
}

export function statusLine(source: TranscriptSource | null, store: StoreStatus): string | null {
  if (!source) return "demo data";
  // A store that could not be used (or was repaired) is worth saying before the file counts.
  if (store.notice) return cleanText(store.notice, 200);
  const s = source.stats;
  const problems = [...source.problems()];
  // One problem is named (a root with no projects folder is the usual one); several are counted, and
  // `--json` lists them in diagnostics.unreadable.
  const first = problems[0];
  const note =
    problems.length === 1 && first
      ? ` · ${cleanText(`${first[0]}: ${first[1]}`, 120)}`
      : problems.length > 1
        ? ` · ${problems.length} unreadable (see --json)`
        : "";
  // (a first run of the live dashboard reads every transcript after its first frame: see deferFirstRun)
  if (s.files === 0 && s.deferred > 0) return `reading ${count(s.deferred)} transcript${s.deferred === 1 ? "" : "s"}…${note}`;
  return `${count(s.files)} file${s.files === 1 ? "" : "s"}${s.deferred ? ` (+${count(s.deferred)} older)` : ""}${note}`;
}

export interface Data {
  store: UsageStore;
  status: StoreStatus;
  /** null for the demo. */
  source: TranscriptSource | null;
}
