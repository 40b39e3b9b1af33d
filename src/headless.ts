// --headless: the telemetry receiver and the transcript ingest with no UI, for a server or a service manager.
// It logs one line a minute with counts, and stops cleanly on SIGTERM/SIGINT (the store flushed and closed).
import type { TranscriptSource } from "./ingest/source.ts";
import type { ModelEvent } from "./model/events.ts";
import { LiveIngest } from "./ingest/live-ingest.ts";
import { flushStoreMarkers } from "./ingest/usage-data.ts";

interface HeadlessCounts {
  requests: number;
  events: number;
  rejected: number;
}

interface HeadlessOptions {
  source: TranscriptSource | null;
  /** events received over OTLP, waiting to be applied. */
  queue: ModelEvent[];
  counts: HeadlessCounts;
  intervalSeconds: number;
  /** where the log lines go (stderr in the CLI). */
  log: (line: string) => void;
  /** stops the receiver and closes the store. */
  shutdown: () => Promise<void>;
  listening: string;
  /** the receiver's counts of clients cut off for sending too slowly, and of requests over one client's share. */
  receiver?: { slowClients: number; overClientCap: number };
  logEveryMs?: number;
  now?: () => number;
}

export function runHeadless(o: HeadlessOptions): Promise<number> {
  const now = o.now ?? Date.now;
  // Received events are already in the telemetry store; transcripts go to the usage store as they are read.
  const apply = () => {
    o.queue.length = 0;
  };
  o.log(`claude-dash: receiving OpenTelemetry at ${o.listening} (POST /v1/logs, /v1/metrics); reading transcripts: ${o.source ? "yes" : "no"}`);
  // The transcripts are followed as the dashboard follows them (file watch, poll, older history after the start);
  // what is read goes to the usage store, so the queue is only emptied here.
  const target = { apply: () => undefined, reload: () => undefined, status: null as string | null };
  const ingest = new LiveIngest(o.source, {
    intervalSeconds: Math.max(0.2, o.intervalSeconds),
    statusLine: () => null,
    onError: (e) => o.log(`claude-dash: ingest error: ${(e as Error)?.message ?? e}`),
  });
  ingest.start();
  const poll = setInterval(() => {
    ingest.frame(target);
    apply();
  }, 1000);
  let last = { ...o.counts };
  let lastReceiver = { slowClients: 0, overClientCap: 0, ...o.receiver };
  const minute = setInterval(() => {
    apply();
    const c = o.counts;
    const r = { slowClients: 0, overClientCap: 0, ...o.receiver };
    const slow = r.slowClients - lastReceiver.slowClients;
    const over = r.overClientCap - lastReceiver.overClientCap;
    o.log(
      `${new Date(now()).toISOString()} received ${c.requests - last.requests} requests, ${c.events - last.events} events (${c.rejected - last.rejected} rejected) in the last minute; ` +
        `transcripts: ${o.source ? `${o.source.stats.files} files followed` : "not read"}` +
        (slow > 0 || over > 0 ? `; ${slow} slow clients cut off, ${over} requests over one client's share` : ""),
    );
    last = { ...c };
    lastReceiver = r;
  }, o.logEveryMs ?? 60_000);
  return new Promise<number>((resolve) => {
    let done = false;
    // Stopped by a signal, it exits as a shell expects for it (SIGTERM 143, SIGINT 130), after a clean shutdown.
    const stop = async (signal?: NodeJS.Signals) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearInterval(minute);
      ingest.stop();
      // (the usage store's marker says what the store holds now, the last minute's writes included)
      flushStoreMarkers();
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      apply();
      try {
        await o.shutdown();
        o.log("claude-dash: stopped (telemetry flushed)");
        resolve(signal === "SIGTERM" ? 143 : signal === "SIGINT" ? 130 : 0);
      } catch (e) {
        o.log(`claude-dash: error while stopping: ${(e as Error)?.message ?? e}`);
        resolve(1);
      }
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
