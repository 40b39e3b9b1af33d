// The transcript source: discovers files under the roots, keeps a tailer per file and turns appended lines
// into model events. `refresh()` re-scans directories (only changed ones are re-read) and reads what was
// appended to any file; `refreshFiles(paths)` reads just the named files (for file-watch notifications).

import { Discovery, fileInfo, type FileInfo } from "./discover.ts";
import { lineToEvents, MAX_LINE_BYTES, type EventSink, type LineContext } from "./records.ts";
import { FileTailer } from "./tailer.ts";

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
    const ctx = t.ctx;
    const res = t.tailer.refresh(
      (line, lineNo) => lineToEvents(line, lineNo, ctx, out),
      (lineNo) => out.push({ type: "LineRejected", file: path, line: lineNo, reason: `line longer than ${this.maxLine} bytes` }),
    );
    this.stats.bytesRead += res.bytes;
    this.stats.linesRead += res.lines;
    if (res.gone) this.files.delete(path);
    if (res.error) this.stats.unreadable.set(path, res.error);
    else this.stats.unreadable.delete(path);
  }
}
