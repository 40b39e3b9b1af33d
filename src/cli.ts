#!/usr/bin/env bun
// claude-dash: wiring only. Flags → sources → model → output (--json, a --once frame, or the live dashboard).
import { existsSync } from "node:fs";
import { demoEvents, DEMO_BANNER } from "./ingest/demo.ts";
import { resolveRoots } from "./ingest/roots.ts";
import { TranscriptSource } from "./ingest/source.ts";
import { cleanText } from "./ingest/sanitize.ts";
import type { ModelEvent } from "./model/events.ts";
import { historyBucketMinutes, selectHistory } from "./model/history-view.ts";
import { dashboardJson, historyJson, insightsJson } from "./model/json-view.ts";
import { selectInsights } from "./model/insights-view.ts";
import { createState, reduce } from "./model/state.ts";
import { parseOptions, UsageError, type Options } from "./options.ts";
import { argv, env, home, readMacKeychain, runtime, terminalSize, wallClock, writeErr, writeOut } from "./platform.ts";
import { AllowanceClient } from "./net/allowance.ts";
import { KEYCHAIN_SERVICE, readAccessToken } from "./net/credentials.ts";
import { selectAllowance } from "./model/allowance-view.ts";
import { runHeadless } from "./headless.ts";
import { logsToEvents, metricsToEvents } from "./net/otlp-map.ts";
import { startOtlpReceiver } from "./net/otlp-receiver.ts";
import { defaultStorePath, TelemetryStore } from "./net/telemetry-store.ts";
import { DashboardApp } from "./ui/app.ts";
import { CellGrid } from "./ui/grid.ts";

const VERSION = "0.1.0";
/** Margin for clocks that disagree (a file's mtime against the timestamps written in it). */
const SKEW_MARGIN_MS = 24 * 3_600_000;
const HOUR = 3_600_000;

async function main(): Promise<number> {
  let opts: Options | null;
  try {
    opts = parseOptions(argv(), VERSION, writeOut);
  } catch (e) {
    if (e instanceof UsageError) {
      writeErr(`claude-dash: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!opts) return 0;
  const now = opts.now ?? wallClock();
  const state = createState({ priceOverride: opts.pricePerMtok });
  const sink = { push: (e: ModelEvent) => reduce(state, e) };
  const roots = resolveRoots({ flagRoots: opts.roots, claudeConfigDir: env("CLAUDE_CONFIG_DIR"), home: home() });
  // Roots the user named (flag or environment) must exist; the two defaults may well not.
  const named = opts.roots.length > 0 || (env("CLAUDE_CONFIG_DIR") ?? "").trim().length > 0;
  let demo = opts.demo;
  let source: TranscriptSource | null = null;
  if (!demo) {
    // Files last written before the earliest window cannot hold anything in it: leave them unread for now.
    // (HISTORY's span counts too: it is the first view, or one key away.)
    const historySpan = opts.historyBucketMinutes ? (opts.historyBucketMinutes * 1000) / 60 : opts.historyHours;
    const span = Math.max(opts.windowHours, opts.activeWindowHours, opts.view === "history" ? historySpan : 0, opts.view === "insights" ? opts.insightsHours : 0) * HOUR;
    source = new TranscriptSource(roots, { since: now - span - SKEW_MARGIN_MS, reportMissingRoots: named });
    source.refresh(sink);
    // The dashboard falls back to demo data when there is nothing to show; --json never does (scripts want truth).
    if (!opts.json && !named && source.stats.files === 0 && source.stats.deferred === 0) demo = true;
  }
  if (demo) {
    source = null;
    demoEvents(now, sink);
  }
  // The subscription allowance: never for demo data, never with --no-allowance. Its events wait in a queue
  // (the live dashboard applies them between frames).
  const allowanceEvents: ModelEvent[] = [];
  const client =
    opts.allowance && !demo
      ? new AllowanceClient({
          apiBase: opts.apiBase,
          fetch: globalThis.fetch,
          readToken: () => readAccessToken(roots, { keychain: () => readMacKeychain(KEYCHAIN_SERVICE) }),
          now: wallClock,
          emit: (e) => allowanceEvents.push(e),
          minIntervalMs: opts.allowanceInterval * 1000,
        })
      : null;
  const oneShot = (opts.json || opts.once || !terminalSize()) && !opts.headless;

  // Team telemetry: what earlier runs received comes from the store; new batches queue up for the next frame.
  const telemetryEvents: ModelEvent[] = [];
  const counts = { requests: 0, events: 0, rejected: 0 };
  let telemetry: { listening: string; stop: () => Promise<void> } | null = null;
  if (opts.otlp) {
    const started = await startTelemetry(opts, state, telemetryEvents, counts, wallClock());
    if (typeof started === "string") {
      writeErr(`claude-dash: ${started}\n`);
      return 1;
    }
    telemetry = started;
    if (opts.otlp.explicitHost && !isLoopback(opts.otlp.host))
      writeErr(`claude-dash: warning: receiving telemetry on ${opts.otlp.host}:${opts.otlp.port}, reachable from other machines${opts.otlpToken ? "" : " (no --otlp-token)"}\n`);
  }
  else if (opts.source !== "local" && !demo) loadStoredTelemetry(state);
  if (opts.headless && telemetry) {
    const t = telemetry;
    return runHeadless({
      state,
      source,
      queue: telemetryEvents,
      counts,
      intervalSeconds: opts.interval,
      log: (line) => writeErr(`${line}\n`),
      shutdown: () => t.stop(),
      listening: t.listening,
    });
  }
  if (client && oneShot) {
    // A one-shot answer waits up to 3 s for one request, so it shows the allowance too.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([client.fetchNow(), client.fetchProfile()]), new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer); // (a pending timer would keep the process alive)
    for (const e of allowanceEvents.splice(0)) reduce(state, e);
  }

  if (opts.json) {
    const diagnostics = {
      roots: demo ? [] : roots,
      files: source?.stats.files ?? 0,
      filesDeferred: source?.stats.deferred ?? 0,
      bytesRead: source?.stats.bytesRead ?? 0,
      linesRead: source?.stats.linesRead ?? 0,
      unreadable: [...(source?.problems() ?? new Map<string, string>())].map(([path, reason]) => ({ path, reason })),
    };
    if (opts.view === "insights") {
      const allowanceView = selectAllowance(state, wallClock(), opts.allowance);
      const session = allowanceView.limits.find((l) => l.kind === "session");
      const v = selectInsights(state, { now, hours: opts.insightsHours, buckets: 48, timeZone: opts.tz, session: session ? { percent: session.percent, resetsAt: session.resetsAt } : null, source: opts.source });
      writeOut(`${JSON.stringify(insightsJson(v, diagnostics, state, demo), null, 2)}\n`);
      return 0;
    }
    if (opts.view === "history") {
      const hours = opts.historyBucketMinutes ? (opts.historyBucketMinutes * 168) / 60 : opts.historyHours;
      const bucketMinutes = opts.historyBucketMinutes ?? historyBucketMinutes(hours, 168);
      const v = selectHistory(state, { now, hours, bucketMinutes, timeZone: opts.tz });
      writeOut(`${JSON.stringify(historyJson(v, { timeZone: opts.tz, priceOverride: opts.pricePerMtok }, diagnostics, state, demo), null, 2)}\n`);
      return 0;
    }
    const w = { now, windowHours: opts.windowHours, bucketMinutes: opts.bucketMinutes ?? 5, activeWindowHours: opts.activeWindowHours };
    const allowance = selectAllowance(state, wallClock(), opts.allowance);
    writeOut(`${JSON.stringify(dashboardJson(state, w, diagnostics, demo, allowance), null, 2)}\n`);
    return 0;
  }

  const noColor = (env("NO_COLOR") ?? "") !== "";
  const app = new DashboardApp(state, {
    windowHours: opts.windowHours,
    bucketMinutes: opts.bucketMinutes,
    activeWindowHours: opts.activeWindowHours,
    banner: demo ? DEMO_BANNER : null,
    account: null,
    still: noColor || opts.plain,
    historyHours: opts.historyHours,
    historyBucketMinutes: opts.historyBucketMinutes,
    timeZone: opts.tz,
    priceOverride: opts.pricePerMtok,
    allowance: opts.allowance,
    insightsHours: opts.insightsHours,
  });
  if (opts.view !== "live") app.dispatch({ type: "tab", tab: opts.view });
  app.dispatch({ type: "source", source: opts.source });
  app.status = statusLine(source);

  if (oneShot) {
    const size = terminalSize() ?? { columns: 152, rows: 48 };
    const grid = new CellGrid(opts.width ?? size.columns, opts.height ?? size.rows);
    app.render(grid, now, now);
    writeOut(opts.plain ? grid.toPlain() : grid.toAnsi(noColor ? "none" : "truecolor"));
    return 0;
  }

  if (runtime !== "bun") {
    writeErr("claude-dash: the live dashboard needs Bun (use --once or --json on this runtime)\n");
    return 2;
  }
  const { runLive } = await import("./ui/live.ts");
  return runLive(app, {
    source,
    allowance: client ? { client, events: allowanceEvents } : null,
    telemetry: telemetry ? { events: telemetryEvents, stop: telemetry.stop } : null,
    fps: opts.fps,
    intervalSeconds: opts.interval,
    pinnedNow: opts.now,
    statusLine,
  });
}

/** Opens the store (loading what it holds into the state) and starts the receiver; a message when it cannot. */
async function startTelemetry(
  opts: Options,
  state: ReturnType<typeof createState>,
  queue: ModelEvent[],
  counts: { requests: number; events: number; rejected: number },
  now: number,
): Promise<{ listening: string; stop: () => Promise<void> } | string> {
  const otlp = opts.otlp!;
  let store: TelemetryStore;
  try {
    store = new TelemetryStore(defaultStorePath(process.env, home()));
    store.prune(now, opts.otlpRetentionDays);
    for (const e of store.loadEvents()) reduce(state, e);
  } catch (e) {
    return `cannot open the telemetry store: ${(e as Error)?.message ?? e}`;
  }
  const metricState = store.loadMetricState();
  try {
    const receiver = await startOtlpReceiver({
      host: otlp.host,
      port: otlp.port,
      token: opts.otlpToken,
      onLogs: (req: unknown) => {
        const { events, rejected } = logsToEvents(req);
        store.append(events, []);
        queue.push(...events);
        counts.requests++;
        counts.events += events.length;
        counts.rejected += rejected;
        return rejected > 0 ? { rejected, message: `${rejected} log records could not be used` } : undefined;
      },
      onMetrics: (req: unknown) => {
        const { samples, rejected } = metricsToEvents(req, metricState);
        store.append([], samples, metricState);
        counts.requests++;
        counts.events += samples.length;
        counts.rejected += rejected;
        return rejected > 0 ? { rejected, message: `${rejected} data points could not be used` } : undefined;
      },
    });
    // Retention also applies to a receiver that runs for weeks: prune once an hour.
    const pruner = setInterval(() => {
      try {
        store.prune(Date.now(), opts.otlpRetentionDays);
      } catch {
        // the next hour tries again
      }
    }, 3_600_000);
    pruner.unref?.();
    return {
      listening: receiver.url,
      stop: async () => {
        clearInterval(pruner);
        await receiver.stop();
        store.close();
      },
    };
  } catch (e) {
    store.close();
    return `cannot listen on ${otlp.host}:${otlp.port}: ${(e as Error)?.message ?? e}`;
  }
}

/** Telemetry received by an earlier `--otlp` run on this machine, for INSIGHTS (when there is a store to read). */
function loadStoredTelemetry(state: ReturnType<typeof createState>): void {
  const path = defaultStorePath(process.env, home());
  if (!existsSync(path)) return;
  try {
    const store = new TelemetryStore(path);
    for (const e of store.loadEvents()) reduce(state, e);
    store.close();
  } catch {
    // an unreadable store only means no team data
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function statusLine(source: TranscriptSource | null): string | null {
  if (!source) return "demo data";
  const s = source.stats;
  const problems = [...source.problems()];
  // One problem is named (a root with no projects folder is the usual one); several are counted, and
  // `--json` lists them in diagnostics.unreadable.
  const first = problems[0];
  const note = problems.length === 1 && first ? ` · ${cleanText(`${first[0]}: ${first[1]}`, 120)}` : problems.length > 1 ? ` · ${problems.length} unreadable (see --json)` : "";
  return `${s.files} files${s.deferred ? ` (+${s.deferred} older)` : ""}${note}`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    writeErr(`claude-dash: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
