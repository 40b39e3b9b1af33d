// Reading many transcripts on all cores: reader threads (read-worker.ts) take files in chunks, largest first, and
// hand back their facts; this thread, the store's one writer, stores them as they come. For a one-shot run this
// thread also reads chunks itself whenever it has nothing to store, so that one thread per core is busy (a thread more
// than there are cores only shares them: on two cores, two reader threads and a writer took a quarter longer). Used
// for a first run's backlog and the live dashboard's background read of older history (there this thread only
// stores, in short writes between frames).
import { availableParallelism } from "node:os";
import type { FileFacts } from "./facts.ts";
import type { ReadReply, ReadRequest } from "./read-worker.ts";
import { MAX_LINE_BYTES } from "./records.ts";
import { readWhole } from "./source.ts";
import { readWire, type WireFacts } from "./wire.ts";
import { collectGarbage } from "../platform.ts";
import { registeredSecrets } from "../shared/sanitize.ts";

/** Below this much to read, starting threads costs more than it saves. */
export const POOL_MIN_BYTES = 48 * 1024 * 1024;
/** Each request a thread takes holds about this much transcript. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Requests each thread has in hand (the next ones wait in its queue while this thread stores facts). */
const DEPTH = 2;
/** Facts are stored in writes of about this much transcript. (24 MB and 3 in hand took the same time over the 1 GB
 *  benchmark corpus and some 25 MB more memory at the peak: the facts waiting to be stored.) */
const WRITE_BYTES = 8 * 1024 * 1024;

interface PoolResult<T> {
  bytes: number;
  lines: number;
  unreadable: Map<string, string>;
  /** what `store` said of the files it stored (the others were not read, or not stored: another reader takes them). */
  stored: T[];
}

interface PoolOptions {
  maxLine?: number;
  /** transcript bytes per write (default 8 MB). */
  writeBytes?: number;
  /** this thread reads too when it has nothing to store (then one thread fewer is started). */
  readHere?: boolean;
  /** threads started ahead (startReaders), used first; the pool ends them. */
  started?: Worker[];
}

/** The script of a reader thread: read-worker.ts beside this file, or in the prebuilt bundle (scripts/build-bundles.ts)
 *  its bundle, read-worker.js, beside the dashboard's. */
const READER = new URL(import.meta.url.endsWith(".ts") ? "./read-worker.ts" : "./read-worker.js", import.meta.url).href;

/**
 * Starts `n` reader threads ahead of a read (they load their code while the files are being listed); none when
 * threads cannot start here. Whoever starts them ends them (readInThreads does, for those it is given).
 */
export function startReaders(n: number): Worker[] {
  const out: Worker[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(new Worker(READER, { type: "module" }));
  } catch {
    /* no threads here: the read starts its own, or reads on this thread */
  }
  return out;
}

/**
 * How many threads read at once: `wanted` (CLAUDE_DASH_THREADS) when it is a number, else one per core; at most 4
 * (beyond that the store's one writer is the limit). 1 reads on the calling thread only.
 */
export function readerThreads(wanted?: string): number {
  try {
    return Math.max(1, Math.min(4, Number(wanted) || availableParallelism()));
  } catch {
    return 1;
  }
}

/** Lets queued events (the threads' replies) in before going on. */
const yieldToEvents = (): Promise<void> => new Promise((r) => (typeof setImmediate === "function" ? setImmediate(r) : setTimeout(r, 0)));

/**
 * Reads the files with `threads` readers (with `readHere`, this thread and threads − 1 others); `store` stores each
 * batch of facts and says which files it stored. Rejects (with the first error) if a thread fails or cannot start,
 * or `store` throws.
 */
export function readInThreads<T>(
  files: readonly { path: string; size: number }[],
  threads: number,
  store: (batch: FileFacts[]) => T[],
  o: PoolOptions = {},
): Promise<PoolResult<T>> {
  const maxLine = o.maxLine;
  const writeBytes = o.writeBytes ?? WRITE_BYTES;
  const queue = [...files].sort((a, b) => b.size - a.size);
  let head = 0;
  const result: PoolResult<T> = { bytes: 0, lines: 0, unreadable: new Map(), stored: [] };
  const next = (): string[] => {
    const out: string[] = [];
    let bytes = 0;
    while (head < queue.length && (out.length === 0 || bytes + queue[head]!.size <= CHUNK_BYTES)) {
      const f = queue[head++]!;
      out.push(f.path);
      bytes += f.size;
    }
    return out;
  };
  const readHere = o.readHere === true;
  const started = Math.max(readHere ? 0 : 1, threads - (readHere ? 1 : 0));
  const ready = [...(o.started ?? [])];
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let busy = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      for (const w of workers) w.terminate();
      for (const w of ready) w.terminate();
      if (err === undefined) resolve(result);
      else reject(err);
    };
    // Facts waiting to be stored: replies from threads (decoded when stored) and this thread's own reads.
    let wires: WireFacts[] = [];
    let own: FileFacts[] = [];
    let pendingBytes = 0;
    const flush = () => {
      const facts = own.concat(wires.flatMap(readWire));
      wires = [];
      own = [];
      pendingBytes = 0;
      if (facts.length > 0) result.stored.push(...store(facts));
    };
    const settle = () => {
      if (busy === 0 && head >= queue.length) {
        flush();
        finish();
      }
    };
    const give = (w: Worker) => {
      const paths = next();
      if (paths.length === 0) return;
      busy++;
      w.postMessage({ paths, maxLine, secrets: registeredSecrets() } satisfies ReadRequest);
    };
    for (let i = 0; i < started; i++) {
      let w: Worker;
      try {
        w = ready.shift() ?? new Worker(READER, { type: "module" });
      } catch (e) {
        finish(e);
        return;
      }
      workers.push(w);
      w.onmessage = (m: MessageEvent<ReadReply>) => {
        busy--;
        if (done) return;
        const r = m.data;
        if ("error" in r) return finish(new Error(r.error));
        give(w); // the next request first: the thread reads while these facts are stored
        result.bytes += r.bytes;
        result.lines += r.lines;
        for (const [p, why] of r.unreadable) result.unreadable.set(p, why);
        wires.push(r.facts);
        pendingBytes += r.bytes;
        try {
          // (once every chunk is handed out, facts are stored as they come, while the last chunks are still read)
          if (pendingBytes >= writeBytes || head >= queue.length) flush();
          settle();
        } catch (e) {
          finish(e);
        }
      };
      w.onerror = (e) => finish(new Error(e.message || "a reader thread failed"));
    }
    // Enough requests in hand that the threads read on through one whole write.
    const depth = Math.max(DEPTH, Math.ceil(writeBytes / CHUNK_BYTES / Math.max(1, workers.length)) + 2);
    for (let d = 0; d < depth; d++) for (const w of workers) give(w);
    for (const w of ready.splice(0)) w.terminate(); // (started ahead, not needed)
    if (readHere) void readOnHere();
    else settle(); // (nothing to read)

    /** This thread's share: a chunk at a time, letting the threads' replies in between. */
    async function readOnHere(): Promise<void> {
      try {
        while (!done && head < queue.length) {
          for (const path of next()) {
            const r = readWhole(path, maxLine ?? MAX_LINE_BYTES);
            result.bytes += r.bytes;
            result.lines += r.lines;
            pendingBytes += r.bytes;
            if (r.facts) own.push(r.facts);
            else if (r.error !== "gone") result.unreadable.set(path, r.error!);
          }
          if (pendingBytes >= writeBytes || head >= queue.length) flush();
          // Reading leaves much short-lived garbage, and this thread's heap also holds the store's caches: a quick
          // collection after each chunk keeps the peak memory some 20 MB lower for no measurable time.
          collectGarbage(false);
          await yieldToEvents();
        }
        if (!done) settle();
      } catch (e) {
        finish(e);
      }
    }
  });
}
