// The dashboard's wiring (everything but the status line): flags → sources → model → output (--json, --report, a --once
// frame, --headless or the live dashboard). src/cli.ts starts it.
import type { RunLiveOptions } from "./ui/live-loop.ts";
import { existsSync, readFileSync, statSync } from "node:fs";
import { parsePricingFile } from "./model/pricing-file.ts";
import { usePriceRows } from "./model/pricing.ts";
import { demoAllowance, demoFiles, demoInstead, demoStatus, DEMO_BANNER } from "./ingest/demo.ts";
import { resolveRoots } from "./ingest/roots.ts";
import { TranscriptSource } from "./ingest/source.ts";
import { cleanText, jsonText, printable, registerSecret } from "./ingest/sanitize.ts";
import type { UsageStore } from "./ingest/store.ts";
import { dataDir, inspectStore, memoryStore, storeFile, type StoreStatus } from "./ingest/store-open.ts";
import { readerThreads } from "./ingest/pool.ts";
import { replaceUnderway, withUsage, type UsageData } from "./ingest/usage-data.ts";
import { StoreQueries } from "./ingest/store-query.ts";
import type { ModelEvent } from "./model/events.ts";
import { historyBucketMinutes, selectHistory } from "./model/history-view.ts";
import { dashboardJson, historyJson, jsonBucketMinutes, type Diagnostics } from "./model/json-view.ts";
import type { TeamSource } from "./model/insights-view.ts";
import { insightsJson, selectInsights } from "./panels/insights/registry.ts";
import { createState, MAX_REJECTED_SAMPLES, reduce } from "./model/state.ts";
import { periodReport, REPORT_SLOT_MS, sessionReport } from "./model/report.ts";
import { claudeCodeChecks } from "./model/reconcile.ts";
import type { UsageQueries } from "./model/queries.ts";
import { cleanupHint, storeInfo } from "./ingest/store-info.ts";
import { acknowledgeLoss, lossJson, lossNotice } from "./ingest/store-marker.ts";
import { reportJson, reportText, storeInfoJson, storeInfoText } from "./ui/report-text.ts";
import { MAX_BUCKETS, parseOptions, UsageError, type Options } from "./options.ts";
import { ConfigError, configPath, MAX_CONFIG_BYTES, parseConfig } from "./config.ts";
import { setTheme } from "./ui/theme.ts";
import { argv, env, home, runtime, stdoutIsTerminal, terminalSize, wallClock, writeErr, writeOut } from "./platform.ts";
import { readMacKeychain } from "./net/keychain.ts";
import { AllowanceClient } from "./net/allowance.ts";
import { KEYCHAIN_SERVICE, readAccessToken } from "./net/credentials.ts";
import { endpointFigures, selectAllowance } from "./model/allowance-view.ts";
import { runHeadless } from "./headless.ts";
import { INSIGHTS_MIN_HOURS } from "./model/insights-view.ts";
// (The OTLP receiver, the telemetry store and the drawing code load only when a run needs them: a --json start
// should not pay for node:http, protobufjs or the widgets.)

const VERSION = "0.1.0";
/** Margin for clocks that disagree (a file's mtime against the timestamps written in it). */
const SKEW_MARGIN_MS = 24 * 3_600_000;
const HOUR = 3_600_000;

export async function main(): Promise<number> {
  // Secrets from the environment are known before anything is printed (see registerCredentials).
  for (const name of ["CLAUDE_DASH_PROMETHEUS_TOKEN", "CLAUDE_DASH_OTLP_TOKEN"]) registerSecret(env(name));
  let opts: Options | null;
  // Defaults from the config file, which flags override; a bad file is a usage error naming its key.
  let config: { values: Record<string, unknown>; file: string; home: string } | null = null;
  const configFile = configPath(process.env, home());
  if (existsSync(configFile)) {
    const shown = configFile.startsWith(`${home()}/`) ? `~${configFile.slice(home().length)}` : configFile;
    try {
      // (a config is a few lines: a huge file, or one that is not a regular file, is refused before it is read)
      const st = statSync(configFile);
      if (!st.isFile()) throw new ConfigError(`${shown} is not a regular file`);
      if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`${shown} is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a config file of flags`);
      config = { values: parseConfig(readFileSync(configFile, "utf8"), shown), file: shown, home: home() };
    } catch (e) {
      writeErr(`claude-dash: ${e instanceof ConfigError ? e.message : `cannot read ${shown}: ${(e as Error)?.message ?? e}`}\n`);
      return 2;
    }
  }
  try {
    opts = parseOptions(argv(), VERSION, writeOut, config);
  } catch (e) {
    if (e instanceof UsageError) {
      writeErr(`claude-dash: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!opts) return 0;
  registerCredentials(opts);
  setTheme(opts.theme);
  // The receiver's token may come from the environment (a flag's value is visible to anyone who runs ps).
  if (opts.otlpToken === null && (env("CLAUDE_DASH_OTLP_TOKEN") ?? "") !== "") {
    const t = env("CLAUDE_DASH_OTLP_TOKEN")!;
    if (t.length < 8) {
      writeErr("claude-dash: CLAUDE_DASH_OTLP_TOKEN must be at least 8 characters\n");
      return 2;
    }
    opts = { ...opts, otlpToken: t };
  }
  if (opts.pricing !== null) {
    const problem = loadPricing(opts.pricing);
    if (problem) {
      writeErr(`claude-dash: --pricing ${cleanText(opts.pricing, 200)}: ${cleanText(problem, 300)}\n`);
      return 2;
    }
  }
  const now = opts.now ?? wallClock();
  // The team's usage from a Prometheus-compatible engine: summed there, nothing local to read.
  if (opts.prometheus !== null && opts.json && opts.view === "insights") return printPrometheusInsights(opts, now);
  if (opts.since !== null) {
    if (opts.since >= now) {
      writeErr(`claude-dash: --since must be before ${opts.now === null ? "now" : "--now"}\n`);
      return 2;
    }
    // --since sets the start of every view's window.
    const hours = (now - opts.since) / HOUR;
    if (opts.bucketMinutes !== null && (hours * 60) / opts.bucketMinutes > MAX_BUCKETS) {
      writeErr(`claude-dash: --bucket-minutes ${opts.bucketMinutes} would make more than ${MAX_BUCKETS} buckets since --since\n`);
      return 2;
    }
    opts = { ...opts, windowHours: hours, historyHours: hours, insightsHours: hours, historyBucketMinutes: null };
  }
  const roots = resolveRoots({ flagRoots: opts.roots, claudeConfigDir: env("CLAUDE_CONFIG_DIR"), home: home(), isDir });
  // Claude Code's OAuth token is a secret of this run whether or not the allowance is asked for: known before any
  // transcript text is read, stored or shown (the keychain is asked only by the allowance client, which registers it too).
  await readAccessToken(roots, { keychain: async () => null });
  // Roots the user named (flag or environment) must exist; the two defaults may well not.
  const named = opts.roots.length > 0 || (env("CLAUDE_CONFIG_DIR") ?? "").trim().length > 0;
  const storeAt = opts.store ? storeFile(dataDir(process.env, home()), roots, resolveRoots({ flagRoots: [], claudeConfigDir: undefined, home: home() })) : null;
  if (opts.storeInfo || opts.acknowledgeLoss) return printStoreInfo(storeAt, roots, opts.json, opts.tz, opts.acknowledgeLoss ? wallClock() : null);

  // What the run needs read: files last written before the earliest window it shows cannot hold anything in it, and
  // are left unread for now (HISTORY's and INSIGHTS' spans count when they are the first view, or one key away).
  const historySpan = opts.historyBucketMinutes ? (opts.historyBucketMinutes * 1000) / 60 : opts.historyHours;
  const span = opts.report
    ? Infinity
    : Math.max(opts.windowHours, opts.activeWindowHours, opts.view === "history" ? historySpan : 0, opts.view === "insights" ? Math.max(opts.insightsHours, INSIGHTS_MIN_HOURS) : 0) * HOUR;
  // A one-shot answer is made again from scratch if the store fails while it is made; the live dashboard and the
  // headless receiver start from a store that worked and deal with later failures themselves (and never wait for
  // another process's write: their reads wait in memory for the next try).
  const oneShot = (opts.json || opts.once || opts.report !== null || !terminalSize()) && !opts.headless;
  const load = { roots, storeAt, since: now - span - SKEW_MARGIN_MS, reportMissingRoots: named, clock: wallClock, threads: readerThreads(env("CLAUDE_DASH_THREADS")), shared: !oneShot };
  const o = opts;
  if (o.demo) return run(o, now, demoData(now), roots, true);
  const go = (data: Data & { source: TranscriptSource }) => {
    const nothing = data.source.stats.files === 0 && data.source.stats.deferred === 0 && new StoreQueries(data.store).span() === null;
    if (demoInstead({ nothing, named, json: o.json, report: o.report !== null, otlp: o.otlp !== null })) {
      // (the live dashboard keeps watching the real roots, and leaves the demo when a transcript appears)
      if (!oneShot) return run(o, now, demoData(now), roots, true, data);
      data.store.close();
      return run(o, now, demoData(now), roots, true);
    }
    return run(o, now, data, roots, false);
  };
  if (oneShot) return withUsage(load, go);
  return go(await withUsage(load, (d) => d));
}

/** The demo corpus in a store in memory (it is never kept). */
function demoData(now: number): { store: UsageStore; status: StoreStatus; source: null } {
  const store = memoryStore();
  for (const f of demoFiles(now)) store.putEvents(f.path, f.events);
  return { store, status: { state: "off", path: null, notice: null }, source: null };
}

interface Data {
  store: UsageStore;
  status: StoreStatus;
  /** null for the demo. */
  source: TranscriptSource | null;
}

/** Everything after the store is up to date: --report, --json, a --once frame, --headless or the live dashboard. */
async function run(opts: Options, now: number, data: Data, roots: string[], demo: boolean, waitingFor: Data | null = null): Promise<number> {
  const { source } = data;
  let { status } = data;
  const q = new StoreQueries(data.store);
  // Events for the in-memory model (the allowance, team telemetry; INSIGHTS adds the stored facts of its window).
  const early: ModelEvent[] = [];
  if (demo) demoAllowance(now, early);

  if (opts.report) return printReport(q, opts, now, diagnostics(data, demo, roots));

  // The subscription allowance: never for demo data, never with --no-allowance. Its events wait in a queue
  // (the live dashboard applies them between frames).
  const allowanceEvents: ModelEvent[] = [];
  const client = opts.allowance && (!demo || waitingFor) ? allowanceClient(opts, roots, allowanceEvents) : null;
  const oneShot = (opts.json || opts.once || !terminalSize()) && !opts.headless;

  // Team telemetry: what earlier runs received comes from the telemetry store; new batches queue up for the next frame.
  const telemetryEvents: ModelEvent[] = [];
  const counts = { requests: 0, events: 0, rejected: 0 };
  let telemetry: { listening: string; stop: () => Promise<void>; stats: { slowClients: number; overClientCap: number } } | null = null;
  // Team telemetry is read from its store, summed there over INSIGHTS' window (never loaded whole).
  let team: TeamSource | null = null;
  let teamProblem: string | null = null;
  if (opts.otlp) {
    const started = await startTelemetry(opts, telemetryEvents, counts, wallClock());
    if (typeof started === "string") {
      writeErr(`claude-dash: ${started}\n`);
      return 1;
    }
    telemetry = started;
    team = started.queries;
    if (opts.otlp.explicitHost && !isLoopback(opts.otlp.host))
      writeErr(`claude-dash: warning: receiving telemetry on ${opts.otlp.host}:${opts.otlp.port}, reachable from other machines${opts.otlpToken ? "" : " (no --otlp-token)"}\n`);
  } else if (opts.source !== "local" && !demo && (opts.view === "insights" || !oneShot)) ({ team, problem: teamProblem } = await loadStoredTelemetry()); // (only INSIGHTS shows it)
  if (opts.headless && telemetry) {
    const t = telemetry;
    return runHeadless({
      source,
      queue: telemetryEvents,
      counts,
      intervalSeconds: opts.interval,
      log: (line) => writeErr(`${line}\n`),
      shutdown: () => t.stop(),
      listening: t.listening,
      receiver: t.stats,
    });
  }
  if (client && oneShot) {
    // A one-shot answer waits up to 3 s for one request, so it shows the allowance too.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([client.fetchNow(), client.fetchProfile()]), new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer); // (a pending timer would keep the process alive)
    // What did not answer in time is given up: a request left waiting on a slow server would hold the process until
    // its own timeout, long after the output is out.
    client.cancel();
    early.push(...allowanceEvents.splice(0));
    // (what claude.ai said is kept, for the status line and later runs; never waited for: a busy store skips it)
    if (!demo || waitingFor)
      for (const e of early)
        if (e.type === "AllowanceFetched")
          try {
            (waitingFor ?? data).store.recordLimits(endpointFigures(e), false);
          } catch {
            /* the next run records it */
          }
  }

  if (opts.json) return printJson(opts, now, q, early, team, { ...diagnostics(data, demo, roots), ...(teamProblem ? { telemetry: teamProblem } : {}) }, demo);

  const noColor = (env("NO_COLOR") ?? "") !== "";
  const { DashboardApp } = await import("./ui/app.ts");
  const app = new DashboardApp(q, {
    windowHours: opts.windowHours,
    bucketMinutes: opts.bucketMinutes,
    activeWindowHours: opts.activeWindowHours,
    banner: demo ? DEMO_BANNER : null,
    account: null,
    still: noColor || opts.plain || opts.fps === 0,
    mono: noColor,
    historyHours: opts.historyHours,
    historyBucketMinutes: opts.historyBucketMinutes,
    timeZone: opts.tz,
    priceOverride: opts.pricePerMtok,
    allowance: opts.allowance,
    insightsHours: opts.insightsHours,
  });
  app.apply(early);
  app.useTeam(team);
  // A team's engine (--prometheus): INSIGHTS' fourth source; asked while shown, at --prometheus-interval.
  let promPoller: import("./net/prom-poller.ts").PromPoller | null = null;
  if (opts.prometheus !== null) {
    const { PrometheusClient, PromError, promConnection } = await import("./net/prometheus.ts");
    const { PromPoller } = await import("./net/prom-poller.ts");
    let conn;
    try {
      conn = promConnection(opts.prometheus, { headers: opts.prometheusHeaders, token: env("CLAUDE_DASH_PROMETHEUS_TOKEN") ?? null });
    } catch (e) {
      if (!(e instanceof PromError)) throw e;
      writeErr(`claude-dash: ${e.message}\n`);
      return 2;
    }
    const poller = new PromPoller(new PrometheusClient(conn), opts.prometheusInterval * 1000, wallClock);
    promPoller = poller;
    app.prom = { state: poller.state, get version() { return poller.version; }, url: conn.shown };
    if (oneShot && opts.view === "insights" && opts.source === "prometheus") await poller.refresh(now, opts.insightsHours);
  }
  if (opts.view !== "live") app.dispatch({ type: "tab", tab: opts.view });
  app.dispatch({ type: "source", source: opts.source });
  // The live dashboard says once per store, in its first minute, that Claude Code's cleanup is on (see --store-info).
  const hint = !oneShot && !demo && source ? cleanupHint(data.store, roots, wallClock()) : null;
  const hintUntil = wallClock() + 60_000;
  let demoShown = demo;
  const statusOf = (src: TranscriptSource | null) =>
    demoShown
      ? demoStatus(opts.demo ? [] : roots, home(), waitingFor !== null)
      : hint && wallClock() < hintUntil
        ? hint
        : teamProblem
          ? `${teamProblem} · ${statusLine(src, status)}`
          : statusLine(src, status);
  app.status = statusOf(source);

  if (oneShot) {
    const size = terminalSize() ?? { columns: 152, rows: 48 };
    const { CellGrid } = await import("./ui/grid.ts");
    const { MIN_WIDTH, MIN_HEIGHT } = await import("./ui/layout.ts");
    const [w, h] = [opts.width ?? size.columns, opts.height ?? size.rows];
    // A frame that cannot be drawn is an error, not a frame saying so: a script must not take it for output.
    if (w < MIN_WIDTH || h < MIN_HEIGHT) {
      const flag = opts.width !== null && w < MIN_WIDTH ? `--width ${w}` : opts.height !== null && h < MIN_HEIGHT ? `--height ${h}` : null;
      writeErr(`claude-dash: ${flag ?? `a ${w}×${h} terminal`} is too small for a frame: --once needs at least ${MIN_WIDTH}×${MIN_HEIGHT}\n`);
      return flag ? 2 : 1;
    }
    const grid = new CellGrid(w, h);
    app.render(grid, now, now);
    // Escape codes only where they mean something: a terminal, or when asked for (--color always).
    const styled = opts.color === "always" || (opts.color === "auto" && stdoutIsTerminal());
    writeOut(opts.plain || !styled ? grid.toPlain() : grid.toAnsi(noColor ? "none" : "truecolor"));
    return 0;
  }

  // The terminal backend: OpenTUI on Bun (its native core loads through Bun's FFI), the portable ANSI one elsewhere
  // and whenever OpenTUI cannot load (said once in the footer).
  if (opts.backend === "opentui" && runtime !== "bun") {
    writeErr("claude-dash: --backend opentui needs Bun (its native core loads through Bun's FFI); --backend ansi runs here\n");
    return 2;
  }
  const useAnsi = async (note: string | null) => {
    const { runAnsiLive } = await import("./ui/ansi-live.ts");
    return (o: RunLiveOptions) => runAnsiLive(app, { ...o, color: !noColor, note });
  };
  let runWith: (o: RunLiveOptions) => Promise<number>;
  if (opts.backend === "ansi" || runtime !== "bun") runWith = await useAnsi(null);
  else {
    try {
      const { runLive } = await import("./ui/live.ts");
      runWith = (o) => runLive(app, o);
    } catch (e) {
      runWith = await useAnsi(`OpenTUI could not load (${cleanText((e as Error)?.message ?? String(e), 80)}): drawing with --backend ansi`);
    }
  }
  let current: UsageData | null = source ? { store: data.store, status, source } : null;
  if (waitingFor) {
    current = { store: waitingFor.store, status: waitingFor.status, source: waitingFor.source! };
    status = waitingFor.status;
  }
  const realQueries = waitingFor ? new StoreQueries(waitingFor.store) : null;
  return runWith({
    source: waitingFor ? waitingFor.source : source,
    demoUntil: realQueries
      ? {
          ready: () => realQueries.span() !== null,
          end: () => {
            demoShown = false;
            app.endDemo(realQueries);
          },
        }
      : null,
    allowance: client ? { client, events: allowanceEvents } : null,
    telemetry: telemetry ? { events: telemetryEvents, stop: telemetry.stop } : null,
    fps: opts.fps,
    intervalSeconds: opts.interval,
    pinnedNow: opts.now,
    exportDir: opts.exportDir,
    prometheus: promPoller,
    statusLine: statusOf,
    threads: readerThreads(env("CLAUDE_DASH_THREADS")),
    // A store that fails under the dashboard is replaced (see withUsage), and the dashboard goes on reading from it.
    recover: (e) => {
      if (!current) return null;
      const next = replaceUnderway(e, current, { roots, storeAt: status.path, clock: wallClock });
      if (!next) return null;
      current = next;
      status = next.status;
      app.useQueries(new StoreQueries(next.store));
      return next.source;
    },
  });
}

/**
 * Every credential this run holds, registered with the one redactor (sanitize.ts) so that no output — stdout, stderr,
 * a frame, an export, the stores — carries it or a run of 8 of its characters: the OTLP token, the engine's bearer
 * token, its headers' values (a header named like a credential whatever its length, others from 8 characters), and
 * the user-info of the --prometheus and --api-base URLs (the password, and the Basic credential made of it).
 */
function registerCredentials(opts: Options): void {
  registerSecret(opts.otlpToken);
  for (const h of opts.prometheusHeaders) {
    const i = h.indexOf(":");
    const [name, value] = [h.slice(0, i).trim(), h.slice(i + 1).trim()];
    const credential = /auth|token|key|secret|pass|cookie|session/i.test(name);
    if (credential || value.length >= 8) registerSecret(value);
    const scheme = /^(?:bearer|basic|token|apikey)\s+(\S+)$/i.exec(value);
    if (scheme) registerSecret(scheme[1]);
  }
  for (const raw of [opts.prometheus, opts.apiBase]) {
    let u: URL;
    try {
      u = new URL(raw ?? "");
    } catch {
      continue;
    }
    if (!u.password) continue;
    const [user, password] = [safeDecode(u.username), safeDecode(u.password)];
    for (const p of new Set([u.password, password])) registerSecret(p);
    let latin = "";
    for (const byte of new TextEncoder().encode(`${user}:${password}`)) latin += String.fromCharCode(byte);
    registerSecret(btoa(latin));
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The allowance client for these roots' credentials; its events go to `events`. */
function allowanceClient(opts: Options, roots: string[], events: ModelEvent[]): AllowanceClient {
  return new AllowanceClient({
    apiBase: opts.apiBase,
    fetch: globalThis.fetch,
    readToken: () => readAccessToken(roots, { keychain: () => readMacKeychain(KEYCHAIN_SERVICE) }),
    now: wallClock,
    emit: (e) => events.push(e),
    minIntervalMs: opts.allowanceInterval * 1000,
  });
}

/** `--json --view insights --prometheus URL`: INSIGHTS as the engine sums it; an engine that fails is one line, exit 1. */
async function printPrometheusInsights(opts: Options, now: number): Promise<number> {
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
function printJson(opts: Options, now: number, q: StoreQueries, early: readonly ModelEvent[], team: TeamSource | null, diag: Diagnostics, demo: boolean): number {
  const state = createState({ priceOverride: opts.pricePerMtok });
  for (const e of early) reduce(state, e);
  if (opts.view === "insights") {
    const allowanceView = selectAllowance(state, q, now, opts.allowance);
    const session = allowanceView.limits.find((l) => l.kind === "session");
    const v = selectInsights(state, q, { now, hours: opts.insightsHours, buckets: 48, timeZone: opts.tz, session: session ? { percent: session.percent, resetsAt: session.resetsAt } : null, source: opts.source }, team);
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
  const w = { now, windowHours: opts.windowHours, bucketMinutes: opts.bucketMinutes ?? jsonBucketMinutes(opts.windowHours), activeWindowHours: opts.activeWindowHours, priceOverride: opts.pricePerMtok };
  const allowance = selectAllowance(state, q, now, opts.allowance);
  writeOut(`${jsonText(dashboardJson(q, w, diag, demo, allowance))}\n`);
  return 0;
}

/** Opens the telemetry store (INSIGHTS asks it for sums) and starts the receiver; a message when it cannot. */
async function startTelemetry(
  opts: Options,
  queue: ModelEvent[],
  counts: { requests: number; events: number; rejected: number },
  now: number,
): Promise<{ listening: string; stop: () => Promise<void>; stats: { slowClients: number; overClientCap: number }; queries: TeamSource } | string> {
  const otlp = opts.otlp!;
  const { defaultStorePath, TelemetryStore, TeamQueries } = await import("./net/telemetry-store.ts");
  const { logsToEvents, metricsToEvents } = await import("./net/otlp-map.ts");
  const { MetricCounters } = await import("./net/metrics-exposition.ts");
  const counters = new MetricCounters();
  const { startOtlpReceiver } = await import("./net/otlp-receiver.ts");
  let store: InstanceType<typeof TelemetryStore>;
  try {
    store = new TelemetryStore(defaultStorePath(process.env, home()));
    store.prune(now, opts.otlpRetentionDays);
  } catch (e) {
    return `cannot open the telemetry store: ${(e as Error)?.message ?? e}`;
  }
  const metricState = store.loadMetricState();
  try {
    const receiver = await startOtlpReceiver({
      host: otlp.host,
      port: otlp.port,
      token: opts.otlpToken,
      onScrape: () => counters.text(),
      onLogs: (req) => {
        const { events, rejected } = logsToEvents(req);
        store.append(events, []);
        queue.push(...events);
        counts.requests++;
        counts.events += events.length;
        counts.rejected += rejected;
        return rejected > 0 ? { rejected, message: `${rejected} log records could not be used` } : undefined;
      },
      onMetrics: (req) => {
        const { samples, rejected } = metricsToEvents(req, metricState);
        counters.add(samples);
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
      stats: receiver.stats,
      queries: new TeamQueries(store),
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
/** Team data received by earlier runs; a store that cannot be read is said (footer, --json diagnostics), not hidden. */
async function loadStoredTelemetry(): Promise<{ team: TeamSource | null; problem: string | null }> {
  const { defaultStorePath, TelemetryStore, TeamQueries, telemetryStoreAt, REFUSED } = await import("./net/telemetry-store.ts");
  const path = defaultStorePath(process.env, home());
  // (a link at its path is not "no store": it is refused, and said)
  if (!telemetryStoreAt(path)) return { team: null, problem: null };
  try {
    // (kept open for the run: a headless receiver elsewhere may be adding to it, and INSIGHTS sums it as it goes)
    return { team: new TeamQueries(new TelemetryStore(path)), problem: null };
  } catch (e) {
    const why = cleanText((e as Error)?.message ?? String(e), 300);
    if ((e as { code?: string }).code === REFUSED) return { team: null, problem: `team telemetry not shown: the telemetry store is not used: ${why}` };
    return { team: null, problem: `team telemetry not shown: the telemetry store ${path} cannot be read (${cleanText((e as Error)?.message ?? String(e), 120)})` };
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a --pricing file into the price table; says why not when it cannot. */
function loadPricing(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return `cannot read it (${(e as { code?: string }).code ?? (e as Error).message})`;
  }
  const rows = parsePricingFile(text);
  if (typeof rows === "string") return rows;
  usePriceRows(rows);
  return null;
}

/** The `--json` diagnostics: what was read this run, what could not be, and the store. */
function diagnostics(data: Data, demo: boolean, roots: string[]): Diagnostics {
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
function printReport(q: UsageQueries, opts: Options, now: number, diag: Diagnostics): number {
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
function printStoreInfo(path: string | null, roots: string[], json: boolean, tz: string | undefined, acknowledged: number | null): number {
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
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return (t) => {
    const p: Record<string, string> = {};
    for (const x of fmt.formatToParts(t)) p[x.type] = x.value;
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function statusLine(source: TranscriptSource | null, store: StoreStatus): string | null {
  if (!source) return "demo data";
  // A store that could not be used (or was repaired) is worth saying before the file counts.
  if (store.notice) return cleanText(store.notice, 200);
  const s = source.stats;
  const problems = [...source.problems()];
  // One problem is named (a root with no projects folder is the usual one); several are counted, and
  // `--json` lists them in diagnostics.unreadable.
  const first = problems[0];
  const note = problems.length === 1 && first ? ` · ${cleanText(`${first[0]}: ${first[1]}`, 120)}` : problems.length > 1 ? ` · ${problems.length} unreadable (see --json)` : "";
  return `${s.files} files${s.deferred ? ` (+${s.deferred} older)` : ""}${note}`;
}
