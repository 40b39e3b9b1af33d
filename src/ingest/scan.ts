// Reading a set of whole files into events, as one unit of work that can run on another thread: the cold
// start splits the transcripts into contiguous ranges, scans each range in a worker, and applies the results
// in file order, which gives exactly the state a sequential scan gives (see Compactor).
import type { ModelEvent, ResponseObserved } from "../model/events.ts";
import { isLarger } from "../model/tokens.ts";
import { fileInfo } from "./discover.ts";
import { LineProcessor } from "./fastpath.ts";
import type { EventSink } from "./records.ts";
import { FileTailer, type TailerState } from "./tailer.ts";

export interface ScanJob {
  files: string[];
  maxLine: number;
}

export interface ScanResult {
  events: ModelEvent[];
  tailers: TailerState[];
  bytes: number;
  lines: number;
  unreadable: [string, string][];
}

/**
 * Collects events while dropping those the reducer would ignore: a later line of a response replaces the kept
 * usage and time only when its usage is larger (as the reducer does), and keyed events keep their first copy.
 * Order of first occurrence is preserved, so applying the compacted list gives the same state as the full one.
 */
export class Compactor implements EventSink {
  readonly events: ModelEvent[] = [];
  private responses = new Map<string, ResponseObserved>();
  private keys = new Set<string>();

  push(e: ModelEvent): void {
    switch (e.type) {
      case "ResponseObserved": {
        const old = this.responses.get(e.key);
        if (!old) {
          const copy = { ...e };
          this.responses.set(e.key, copy);
          this.events.push(copy);
        } else if (isLarger(e.usage, old.usage)) {
          old.usage = e.usage;
          old.time = e.time;
        }
        return;
      }
      case "PromptObserved":
      case "ToolCallObserved":
      case "ToolResultObserved":
      case "ApiErrorObserved": {
        const k = `${e.type}\u0000${e.key}`;
        if (this.keys.has(k)) return;
        this.keys.add(k);
        this.events.push(e);
        return;
      }
      default:
        this.events.push(e);
    }
  }
}

export function scanFiles(job: ScanJob): ScanResult {
  const out = new Compactor();
  const res: ScanResult = { events: out.events, tailers: [], bytes: 0, lines: 0, unreadable: [] };
  for (const path of job.files) {
    const info = fileInfo(path);
    const ctx = { file: path, fileSessionId: info.sessionId, fileAgentId: info.agentId };
    const t = new FileTailer(path, job.maxLine);
    const lines = new LineProcessor(ctx, out);
    const r = t.refreshBytes(
      (buf, start, end, lineNo) => lines.line(buf, start, end, lineNo),
      (lineNo) => {
        lines.flush();
        out.push({ type: "LineRejected", file: path, line: lineNo, reason: `line longer than ${job.maxLine} bytes` });
      },
    );
    lines.flush();
    res.bytes += r.bytes;
    res.lines += r.lines;
    if (r.error) res.unreadable.push([path, r.error]);
    if (!r.gone) res.tailers.push(t.snapshot());
  }
  return res;
}
