// Reading many transcripts on all cores: reader threads (read-worker.ts) take files in chunks, largest first, and
// hand back their facts; this thread, the store's one writer, stores them as they come. Used for a first run's backlog
// and the live dashboard's background read of older history.
import { availableParallelism } from "node:os";
import type { FileFacts } from "./facts.ts";
import type { ReadReply, ReadRequest } from "./read-worker.ts";

/** Below this much to read, starting threads costs more than it saves. */
export const POOL_MIN_BYTES = 48 * 1024 * 1024;
/** Each request a thread takes holds about this much transcript. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Requests each thread has in hand (the next ones wait in its queue while this thread stores facts). */
const DEPTH = 3;
/** Facts are stored in transactions of about this much transcript (fewer, larger transactions write fewer pages). */
const WRITE_BYTES = 24 * 1024 * 1024;

export interface PoolResult {
  bytes: number;
  lines: number;
  unreadable: Map<string, string>;
  /** the files whose facts were stored (the others were not read, or not stored: another reader takes them). */
  stored: string[];
}

/**
 * How many reader threads to use: `wanted` (CLAUDE_DASH_THREADS) when it is a number, else one per core; at most 4
 * (beyond that the store's one writer is the limit). 1 reads on the calling thread only.
 */
export function readerThreads(wanted?: string): number {
  try {
    return Math.max(1, Math.min(4, Number(wanted) || availableParallelism()));
  } catch {
    return 1;
  }
}

/**
 * Reads the files with `threads` reader threads; `store` stores each batch of facts and says which files it stored.
 * Rejects (with the first error) if a thread fails or cannot start, or `store` throws.
 */
export function readInThreads(
  files: readonly { path: string; size: number }[],
  threads: number,
  store: (batch: FileFacts[]) => string[],
  o: { maxLine?: number; writeBytes?: number } = {},
): Promise<PoolResult> {
  const maxLine = o.maxLine;
  const writeBytes = o.writeBytes ?? WRITE_BYTES;
  const queue = [...files].sort((a, b) => b.size - a.size);
  const result: PoolResult = { bytes: 0, lines: 0, unreadable: new Map(), stored: [] };
  const next = (): string[] => {
    const out: string[] = [];
    let bytes = 0;
    while (queue.length > 0 && (out.length === 0 || bytes + queue[0]!.size <= CHUNK_BYTES)) {
      const f = queue.shift()!;
      out.push(f.path);
      bytes += f.size;
    }
    return out;
  };
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let busy = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      for (const w of workers) w.terminate();
      if (err === undefined) resolve(result);
      else reject(err);
    };
    let pending: FileFacts[] = [];
    let pendingBytes = 0;
    const flush = () => {
      if (pending.length > 0) result.stored.push(...store(pending));
      pending = [];
      pendingBytes = 0;
    };
    const give = (w: Worker) => {
      const paths = next();
      if (paths.length === 0) return;
      busy++;
      w.postMessage({ paths, maxLine } satisfies ReadRequest);
    };
    for (let i = 0; i < Math.max(1, threads); i++) {
      let w: Worker;
      try {
        w = new Worker(new URL("./read-worker.ts", import.meta.url).href, { type: "module" });
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
        try {
          const batch = JSON.parse(r.facts) as FileFacts[];
          for (const f of batch) revive(f);
          pending.push(...batch);
          pendingBytes += r.bytes;
          if (pendingBytes >= writeBytes || busy === 0) flush();
        } catch (e) {
          return finish(e);
        }
        if (busy === 0 && queue.length === 0) finish();
      };
      w.onerror = (e) => finish(new Error(e.message || "a reader thread failed"));
    }
    for (let d = 0; d < DEPTH; d++) for (const w of workers) give(w);
    if (busy === 0) finish(); // nothing to read
  });
}

/** JSON has no NaN or infinities: a position's unknown mtime and a session's missing times come back as null. */
function revive(f: FileFacts): void {
  if (f.pos.mtimeMs === null) f.pos.mtimeMs = Number.NaN;
  for (const m of f.sessions) {
    if (m.cwdTime === null) m.cwdTime = -Infinity;
    if (m.branchTime === null) m.branchTime = -Infinity;
    if (m.entrypointTime === null) m.entrypointTime = Infinity;
  }
}
