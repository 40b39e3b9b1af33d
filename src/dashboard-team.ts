// Team telemetry for a dashboard run: the OTLP receiver (--otlp) with the telemetry store it writes, or what earlier
// runs received (read from that store; INSIGHTS sums it there). Wiring only.
import { cleanText } from "./shared/sanitize.ts";
import type { ModelEvent } from "./model/events.ts";
import type { TeamSource } from "./model/insights-view.ts";
import { type Options } from "./options.ts";
import { home, wallClock, writeErr } from "./platform.ts";

/** Team telemetry for this run: the receiver's (--otlp), else what earlier runs received (the telemetry store). */
export interface TeamInput {
  team: TeamSource | null;
  problem: string | null;
  telemetry: { listening: string; stop: () => Promise<void>; stats: { slowClients: number; overClientCap: number } } | null;
  /** new batches, queued for the next frame */
  events: ModelEvent[];
  counts: { requests: number; events: number; rejected: number };
}

/** Team telemetry: the receiver (--otlp), or earlier runs' (only INSIGHTS shows it); an exit code when it cannot start. */
export async function teamInput(opts: Options, storedToo: boolean): Promise<TeamInput | number> {
  const out: TeamInput = { team: null, problem: null, telemetry: null, events: [], counts: { requests: 0, events: 0, rejected: 0 } };
  if (opts.otlp) {
    const started = await startTelemetry(opts, out.events, out.counts, wallClock());
    if (typeof started === "string") {
      writeErr(`claude-dash: ${started}\n`);
      return 1;
    }
    out.telemetry = started;
    out.team = started.queries;
    if (opts.otlp.explicitHost && !isLoopback(opts.otlp.host))
      writeErr(
        `claude-dash: warning: receiving telemetry on ${opts.otlp.host}:${opts.otlp.port}, reachable from other machines${opts.otlpToken ? "" : " (no --otlp-token)"}\n`,
      );
  } else if (storedToo) {
    // (read from its store, summed there over INSIGHTS' window: never loaded whole)
    ({ team: out.team, problem: out.problem } = await loadStoredTelemetry());
  }
  return out;
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
    return {
      team: null,
      problem: `team telemetry not shown: the telemetry store ${path} cannot be read (${cleanText((e as Error)?.message ?? String(e), 120)})`,
    };
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
