// The transcript source: discovers files under the roots, keeps a tailer per file and turns appended lines
// into model events. `refresh()` re-scans directories (only changed ones are re-read) and reads what was
// appended to any file; `refreshFiles(paths)` reads just the named files (for file-watch notifications).

import { Discovery, fileInfo, type FileInfo } from "./discover.ts";
import { LineProcessor } from "./fastpath.ts";
import { MAX_LINE_BYTES, type EventSink, type LineContext } from "./records.ts";
import { statSync } from "node:fs";
import { startWorker, type WorkerHandle } from "../platform.ts";
import { scanFiles, type ScanJob, type ScanResult } from "./scan.ts";
import { FileTailer } from "./tailer.ts";

/** Below this many bytes a cold scan is not worth starting threads for. */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

export interface SourceStats {
  files: number;
  bytesRead: number;
  linesRead: number;
  /** files that could not be read at the last attempt, with the reason. */
  unreadable: Map<string, string>;
}

interface Tracked {
  tailer: FileTailer;
  ctx: LineContext;
}

export class TranscriptSource {
  private discovery: Discovery;
  private files = new Map<string, Tracked>();
  readonly stats: SourceStats = { files: 0, bytesRead: 0, linesRead: 0, unreadable: new Map() };

  constructor(
    readonly roots: readonly string[],
    private readonly maxLine = MAX_LINE_BYTES,
  ) {
    this.discovery = new Discovery(roots);
  }

  /** Problems seen while listing directories and reading files. */
  problems(): Map<string, string> {
    const all = new Map(this.discovery.problems);
    for (const [k, v] of this.stats.unreadable) all.set(k, v);
    return all;
  }

  /** Scans for new and vanished files and reads everything appended since the last call. */
  refresh<S extends EventSink>(out: S): S {
    const present = this.discovery.scan();
    const keep = new Set(present);
    for (const p of this.files.keys()) if (!keep.has(p)) this.files.delete(p);
    for (const p of present) this.readFile(p, out);
    this.stats.files = this.files.size;
    return out;
  }

  /**
   * The first read of everything, on `threads` threads when there is enough to read: the files (sorted) are cut
   * into contiguous ranges of about equal size, each range is scanned in a worker, and the results are applied
   * in file order, so the state is exactly what `refresh` would build. Later refreshes continue from the
   * workers' offsets. Falls back to `refresh` when workers are unavailable or fail.
   */
  async initialScan<S extends EventSink>(out: S, threads: number): Promise<S> {
    const present = this.discovery.scan();
    const sizes = present.map((p) => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    const n = Math.min(threads, Math.ceil(total / (PARALLEL_MIN_BYTES / 2)));
    if (this.files.size > 0 || n < 2 || total < PARALLEL_MIN_BYTES) return this.refresh(out);
    const ranges: string[][] = [];
    let acc = 0;
    let cur: string[] = [];
    present.forEach((p, i) => {
      cur.push(p);
      acc += sizes[i]!;
      if (acc >= (total * (ranges.length + 1)) / n && ranges.length < n - 1) {
        ranges.push(cur);
        cur = [];
      }
    });
    ranges.push(cur);
    const workers: WorkerHandle[] = [];
    let results: ScanResult[];
    try {
      for (let i = 0; i < ranges.length; i++) {
        const w = startWorker(new URL("./scan-worker.ts", import.meta.url));
        if (!w) throw new Error("no workers");
        workers.push(w);
      }
      const replies = await Promise.all(
        ranges.map((files, i) => workers[i]!.run<{ ok: boolean; result?: ScanResult; error?: string }>({ files, maxLine: this.maxLine } satisfies ScanJob)),
      );
      results = replies.map((r) => {
        if (!r.ok || !r.result) throw new Error(r.error ?? "worker failed");
        return r.result;
      });
    } catch {
      results = ranges.map((files) => scanFiles({ files, maxLine: this.maxLine }));
    } finally {
      for (const w of workers) w.stop();
    }
    for (const r of results) {
      for (const e of r.events) out.push(e);
      for (const st of r.tailers) {
        const info = fileInfo(st.path);
        this.files.set(st.path, {
          tailer: FileTailer.restore(st, this.maxLine),
          ctx: { file: st.path, fileSessionId: info.sessionId, fileAgentId: info.agentId },
        });
      }
      this.stats.bytesRead += r.bytes;
      this.stats.linesRead += r.lines;
      for (const [p, why] of r.unreadable) this.stats.unreadable.set(p, why);
    }
    this.stats.files = this.files.size;
    return out;
  }

  /** Reads only the given files (new ones are tracked when they are transcripts). */
  refreshFiles<S extends EventSink>(paths: readonly string[], out: S): S {
    for (const p of paths) if (p.endsWith(".jsonl")) this.readFile(p, out);
    this.stats.files = this.files.size;
    return out;
  }

  private readFile(path: string, out: EventSink): void {
    let t = this.files.get(path);
    if (!t) {
      const info: FileInfo = fileInfo(path);
      t = { tailer: new FileTailer(path, this.maxLine), ctx: { file: path, fileSessionId: info.sessionId, fileAgentId: info.agentId } };
      this.files.set(path, t);
    }
    const lines = new LineProcessor(t.ctx, out);
    const res = t.tailer.refreshBytes(
      (buf, start, end, lineNo) => lines.line(buf, start, end, lineNo),
      (lineNo) => {
        lines.flush();
        out.push({ type: "LineRejected", file: path, line: lineNo, reason: `line longer than ${this.maxLine} bytes` });
      },
    );
    lines.flush();
    this.stats.bytesRead += res.bytes;
    this.stats.linesRead += res.lines;
    if (res.gone) this.files.delete(path);
    if (res.error) this.stats.unreadable.set(path, res.error);
    else this.stats.unreadable.delete(path);
  }
}
