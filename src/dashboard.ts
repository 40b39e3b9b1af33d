// The dashboard's wiring (everything but the status line): flags → sources → model → output (--json, --report, a --once
// frame, --headless or the live dashboard). src/cli.ts starts it.
import type { RunLiveOptions } from "./ui/live-loop.ts";
import { existsSync, readFileSync, statSync } from "node:fs";
import { parsePricingFile } from "./model/pricing-file.ts";
import { usePriceRows } from "./model/pricing.ts";
import { demoAllowance, demoFiles, demoInstead, demoStatus, DEMO_BANNER } from "./ingest/demo.ts";
import { resolveRoots } from "./ingest/roots.ts";
import { TranscriptSource } from "./ingest/source.ts";
import { cleanText, registerSecret } from "./shared/sanitize.ts";
import type { UsageStore } from "./ingest/store.ts";
import { dataDir, memoryStore, storeFile, type StoreStatus } from "./ingest/store-open.ts";
import { readerThreads } from "./ingest/pool.ts";
import { markStoreNow, replaceUnderway, withUsage, type UsageData } from "./ingest/usage-data.ts";
import { StoreQueries } from "./ingest/store-query.ts";
import type { ModelEvent } from "./model/events.ts";
import type { TeamSource } from "./model/insights-view.ts";
import { cleanupHint } from "./ingest/store-info.ts";
import { MAX_BUCKETS, parseOptions, UsageError, type Options } from "./options.ts";
import { ConfigError, configPath, MAX_CONFIG_BYTES, parseConfig } from "./config.ts";
import { setTheme } from "./ui/theme.ts";
import { argv, env, home, runtime, stdoutIsTerminal, terminalSize, wallClock, writeErr, writeOut } from "./platform.ts";
import { readMacKeychain } from "./net/keychain.ts";
import { AllowanceClient } from "./net/allowance.ts";
import { KEYCHAIN_SERVICE, readAccessToken } from "./net/credentials.ts";
import { endpointFigures } from "./model/allowance-view.ts";
import { runHeadless } from "./headless.ts";
import { diagnostics, printJson, printPrometheusInsights, printReport, printStoreInfo, statusLine, type Data } from "./dashboard-output.ts";
import { teamInput, type TeamInput } from "./dashboard-team.ts";
import { INSIGHTS_MIN_HOURS } from "./model/insights-view.ts";
// (The OTLP receiver, the telemetry store and the drawing code load only when a run needs them: a --json start
// should not pay for node:http, protobufjs or the widgets.)

const VERSION = "0.1.0";
/** Margin for clocks that disagree (a file's mtime against the timestamps written in it). */
const SKEW_MARGIN_MS = 24 * 3_600_000;
const HOUR = 3_600_000;
/** How long a one-shot run (--json, --report, --once) waits for its allowance request (see oneAllowanceAnswer). */
const ONE_SHOT_ALLOWANCE_WAIT_MS = 3000;

export async function main(): Promise<number> {
  // Secrets from the environment are known before anything is printed (see registerCredentials).
  for (const name of ["CLAUDE_DASH_PROMETHEUS_TOKEN", "CLAUDE_DASH_OTLP_TOKEN"]) registerSecret(env(name));
  let opts: Options | null;
  const config = readConfigFile();
  if (typeof config === "number") return config;
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
  const settled = settleOptions(opts);
  if (typeof settled === "number") return settled;
  opts = settled;
  const now = opts.now ?? wallClock();
  // The team's usage from a Prometheus-compatible engine: summed there, nothing local to read.
  if (opts.prometheus !== null && opts.json && opts.view === "insights") return printPrometheusInsights(opts, now);
  const windowed = sinceWindows(opts, now);
  if (typeof windowed === "number") return windowed;
  opts = windowed;
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
    : Math.max(
        opts.windowHours,
        opts.activeWindowHours,
        opts.view === "history" ? historySpan : 0,
        opts.view === "insights" ? Math.max(opts.insightsHours, INSIGHTS_MIN_HOURS) : 0,
      ) * HOUR;
  // (see OutputMode: one-shot answers are made again if the store fails; the others start from a store that worked)
  const mode = outputMode(opts);
  const oneShot = isOneShot(mode);
  const load = {
    roots,
    storeAt,
    since: now - span - SKEW_MARGIN_MS,
    reportMissingRoots: named,
    clock: wallClock,
    threads: readerThreads(env("CLAUDE_DASH_THREADS")),
    shared: !oneShot,
    deferFirstRun: mode === "live",
  };
  const o = opts;
  if (o.demo) return run(o, now, demoData(now), roots, true, mode);
  const go = (data: Data & { source: TranscriptSource }) => {
    const nothing = data.source.stats.files === 0 && data.source.stats.deferred === 0 && new StoreQueries(data.store).span() === null;
    if (demoInstead({ nothing, named, json: o.json, report: o.report !== null, otlp: o.otlp !== null })) {
      // (the live dashboard keeps watching the real roots, and leaves the demo when a transcript appears)
      if (!oneShot) return run(o, now, demoData(now), roots, true, mode, data);
      data.store.close();
      return run(o, now, demoData(now), roots, true, mode);
    }
    return run(o, now, data, roots, false, mode);
  };
  if (oneShot) return withUsage(load, go);
  return go(await withUsage(load, (d) => d));
}

/**
 * The flags made ready to run: credentials registered, the theme set, the OTLP token from the environment, a --pricing
 * file read; an exit code (2, said in one line) when one of them cannot be used.
 */
function settleOptions(given: Options): Options | number {
  let opts = given;
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
  return opts;
}

/** --since sets the start of every view's window; an exit code (2) when it is not before now or makes too many buckets. */
function sinceWindows(opts: Options, now: number): Options | number {
  if (opts.since === null) return opts;
  if (opts.since >= now) {
    writeErr(`claude-dash: --since must be before ${opts.now === null ? "now" : "--now"}\n`);
    return 2;
  }
  const hours = (now - opts.since) / HOUR;
  if (opts.bucketMinutes !== null && (hours * 60) / opts.bucketMinutes > MAX_BUCKETS) {
    writeErr(`claude-dash: --bucket-minutes ${opts.bucketMinutes} would make more than ${MAX_BUCKETS} buckets since --since\n`);
    return 2;
  }
  return { ...opts, windowHours: hours, historyHours: hours, insightsHours: hours, historyBucketMinutes: null };
}

/** Defaults from the config file, which flags override; a bad file is a usage error naming its key (exit 2). */
function readConfigFile(): { values: Record<string, unknown>; file: string; home: string } | null | number {
  const configFile = configPath(process.env, home());
  if (!existsSync(configFile)) return null;
  const shown = configFile.startsWith(`${home()}/`) ? `~${configFile.slice(home().length)}` : configFile;
  try {
    // (a config is a few lines: a huge file, or one that is not a regular file, is refused before it is read)
    const st = statSync(configFile);
    if (!st.isFile()) throw new ConfigError(`${shown} is not a regular file`);
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigError(`${shown} is larger than ${MAX_CONFIG_BYTES / 1024} KiB: not a config file of flags`);
    return { values: parseConfig(readFileSync(configFile, "utf8"), shown), file: shown, home: home() };
  } catch (e) {
    writeErr(`claude-dash: ${e instanceof ConfigError ? e.message : `cannot read ${shown}: ${(e as Error)?.message ?? e}`}\n`);
    return 2;
  }
}

/** The demo corpus in a store in memory (it is never kept). */
function demoData(now: number): { store: UsageStore; status: StoreStatus; source: null } {
  const store = memoryStore();
  for (const f of demoFiles(now)) store.putEvents(f.path, f.events);
  return { store, status: { state: "off", path: null, notice: null }, source: null };
}

/**
 * What a run prints, decided once: the --report table, --json, one frame (--once, or no terminal to run in), the
 * headless receiver (--otlp --headless), or the live dashboard. The first three are one-shot answers: made from scratch
 * again if the store fails while they are made; the others start from a store that worked and deal with later
 * failures themselves (and never wait for another process's write: their reads wait in memory for the next try).
 */
type OutputMode = "report" | "json" | "frame" | "headless" | "live";

function outputMode(opts: Options): OutputMode {
  if (opts.report !== null) return "report";
  if (opts.headless) return "headless";
  if (opts.json) return "json";
  return opts.once || !terminalSize() ? "frame" : "live";
}

const isOneShot = (mode: OutputMode): boolean => mode === "report" || mode === "json" || mode === "frame";

/** Everything after the store is up to date, in the run's output mode. */
async function run(opts: Options, now: number, data: Data, roots: string[], demo: boolean, mode: OutputMode, waitingFor: Data | null = null): Promise<number> {
  const q = new StoreQueries(data.store);
  // Events for the in-memory model (the allowance, team telemetry; INSIGHTS adds the stored facts of its window).
  const early: ModelEvent[] = [];
  if (demo) demoAllowance(now, early);
  if (mode === "report") return printReport(q, opts, now, diagnostics(data, demo, roots));
  // The subscription allowance: never for demo data, never with --no-allowance. Its events wait in a queue
  // (the live dashboard applies them between frames).
  const allowanceEvents: ModelEvent[] = [];
  const client = opts.allowance && (!demo || waitingFor) ? allowanceClient(opts, roots, allowanceEvents) : null;
  // (earlier runs' team data only where it is shown: INSIGHTS, or the live dashboard, one key away)
  const team = await teamInput(opts, opts.source !== "local" && !demo && (opts.view === "insights" || !isOneShot(mode)));
  if (typeof team === "number") return team;
  if (mode === "headless" && team.telemetry) {
    const t = team.telemetry;
    return runHeadless({
      source: data.source,
      queue: team.events,
      counts: team.counts,
      intervalSeconds: opts.interval,
      log: (line) => writeErr(`${line}\n`),
      shutdown: () => t.stop(),
      listening: t.listening,
      receiver: t.stats,
    });
  }
  if (client && isOneShot(mode)) await oneAllowanceAnswer(client, allowanceEvents, early, !demo || waitingFor ? (waitingFor ?? data).store : null);
  if (mode === "json")
    return printJson(opts, now, q, early, team.team, { ...diagnostics(data, demo, roots), ...(team.problem ? { telemetry: team.problem } : {}) }, demo);
  const made = await dashboardApp(opts, now, q, demo, early, team.team, mode);
  if (typeof made === "number") return made;
  const { app, promPoller, noColor } = made;
  // The live dashboard says once per store, in its first minute, that Claude Code's cleanup is on (see --store-info).
  const hint = mode === "live" && !demo && data.source ? cleanupHint(data.store, roots, wallClock()) : null;
  const hintUntil = wallClock() + 60_000;
  const shown = { demo, status: waitingFor ? waitingFor.status : data.status };
  const statusOf = (src: TranscriptSource | null) =>
    shown.demo
      ? demoStatus(opts.demo ? [] : roots, home(), waitingFor !== null)
      : hint && wallClock() < hintUntil
        ? hint
        : team.problem
          ? `${team.problem} · ${statusLine(src, shown.status)}`
          : statusLine(src, shown.status);
  app.status = statusOf(data.source);
  if (mode === "frame") return printFrame(app, opts, now, noColor);
  return runLiveDashboard({ opts, app, data, roots, waitingFor, shown, statusOf, client, allowanceEvents, team, promPoller, noColor });
}

/**
 * A one-shot answer waits up to 3 s for one allowance request, so it shows the allowance too; what did not answer in
 * time is given up (a request left waiting on a slow server would hold the process long after the output is out).
 * What claude.ai said is recorded in `store` (null: the demo's, not kept), never waiting for it: a busy store skips it.
 */
async function oneAllowanceAnswer(client: AllowanceClient, queued: ModelEvent[], early: ModelEvent[], store: UsageStore | null): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.all([client.fetchNow(), client.fetchProfile()]), new Promise((r) => (timer = setTimeout(r, ONE_SHOT_ALLOWANCE_WAIT_MS)))]);
  clearTimeout(timer); // (a pending timer would keep the process alive)
  client.cancel();
  early.push(...queued.splice(0));
  if (store)
    for (const e of early)
      if (e.type === "AllowanceFetched")
        try {
          store.recordLimits(endpointFigures(e), false);
        } catch {
          /* the next run records it */
        }
}

/** The dashboard's app for a frame or the live dashboard (and --prometheus's poller); an exit code for a bad engine. */
async function dashboardApp(opts: Options, now: number, q: StoreQueries, demo: boolean, early: ModelEvent[], team: TeamSource | null, mode: OutputMode) {
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
    let conn: ReturnType<typeof promConnection>;
    try {
      conn = promConnection(opts.prometheus, { headers: opts.prometheusHeaders, token: env("CLAUDE_DASH_PROMETHEUS_TOKEN") ?? null });
    } catch (e) {
      if (!(e instanceof PromError)) throw e;
      writeErr(`claude-dash: ${e.message}\n`);
      return 2;
    }
    const poller = new PromPoller(new PrometheusClient(conn), opts.prometheusInterval * 1000, wallClock);
    promPoller = poller;
    app.prom = {
      state: poller.state,
      get version() {
        return poller.version;
      },
      url: conn.shown,
    };
    if (mode === "frame" && opts.view === "insights" && opts.source === "prometheus") await poller.refresh(now, opts.insightsHours);
  }
  if (opts.view !== "live") app.dispatch({ type: "tab", tab: opts.view });
  app.dispatch({ type: "source", source: opts.source });
  return { app, promPoller, noColor };
}

type App = import("./ui/app.ts").DashboardApp;

/** --once (or no terminal): one frame, as text or with its escape codes. */
async function printFrame(app: App, opts: Options, now: number, noColor: boolean): Promise<number> {
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

/** The live dashboard: a terminal backend, the sources it watches, and what to do when the store fails under it. */
async function runLiveDashboard(c: {
  opts: Options;
  app: App;
  data: Data;
  roots: string[];
  waitingFor: Data | null;
  shown: { demo: boolean; status: StoreStatus };
  statusOf: (src: TranscriptSource | null) => string | null;
  client: AllowanceClient | null;
  allowanceEvents: ModelEvent[];
  team: TeamInput;
  promPoller: import("./net/prom-poller.ts").PromPoller | null;
  noColor: boolean;
}): Promise<number> {
  const { opts, app, data, waitingFor, shown } = c;
  const runWith = await liveBackend(opts, app, c.noColor);
  if (typeof runWith === "number") return runWith;
  let current: UsageData | null = waitingFor
    ? { store: waitingFor.store, status: waitingFor.status, source: waitingFor.source! }
    : data.source
      ? { store: data.store, status: data.status, source: data.source }
      : null;
  const realQueries = waitingFor ? new StoreQueries(waitingFor.store) : null;
  return runWith({
    source: waitingFor ? waitingFor.source : data.source,
    demoUntil: realQueries
      ? {
          ready: () => realQueries.span() !== null,
          end: () => {
            shown.demo = false;
            app.endDemo(realQueries);
          },
        }
      : null,
    allowance: c.client ? { client: c.client, events: c.allowanceEvents } : null,
    telemetry: c.team.telemetry ? { events: c.team.events, stop: c.team.telemetry.stop } : null,
    fps: opts.fps,
    intervalSeconds: opts.interval,
    pinnedNow: opts.now,
    exportDir: opts.exportDir,
    prometheus: c.promPoller,
    statusLine: c.statusOf,
    threads: readerThreads(env("CLAUDE_DASH_THREADS")),
    historyRead: () => {
      if (current) markStoreNow(current.store);
    },
    // A store that fails under the dashboard is replaced (see withUsage), and the dashboard goes on reading from it.
    recover: (e) => {
      if (!current) return null;
      const next = replaceUnderway(e, current, { roots: c.roots, storeAt: shown.status.path, clock: wallClock });
      if (!next) return null;
      current = next;
      shown.status = next.status;
      app.useQueries(new StoreQueries(next.store));
      return next.source;
    },
  });
}

/**
 * The terminal backend: OpenTUI on Bun (its native core loads through Bun's FFI), the portable ANSI one elsewhere and
 * whenever OpenTUI cannot load (said once in the footer); an exit code when --backend asks for what cannot run here.
 */
async function liveBackend(opts: Options, app: App, noColor: boolean): Promise<((o: RunLiveOptions) => Promise<number>) | number> {
  if (opts.backend === "opentui" && runtime !== "bun") {
    writeErr("claude-dash: --backend opentui needs Bun (its native core loads through Bun's FFI); --backend ansi runs here\n");
    return 2;
  }
  const useAnsi = async (note: string | null) => {
    const { runAnsiLive } = await import("./ui/ansi-live.ts");
    return (o: RunLiveOptions) => runAnsiLive(app, { ...o, color: !noColor, note });
  };
  if (opts.backend === "ansi" || runtime !== "bun") return useAnsi(null);
  try {
    const { runLive } = await import("./ui/live.ts");
    return (o) => runLive(app, o);
  } catch (e) {
    return useAnsi(`OpenTUI could not load (${cleanText((e as Error)?.message ?? String(e), 80)}): drawing with --backend ansi`);
  }
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
