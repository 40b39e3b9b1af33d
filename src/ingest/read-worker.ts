// A reader thread: reads whole transcripts and hands their facts back (as JSON: cheaper to pass between threads than
// objects). It never touches the store: one writer (the thread that owns the store) keeps the store's pages in one
// cache and never waits for a lock.
import type { FileFacts } from "./facts.ts";
import { MAX_LINE_BYTES } from "./records.ts";
import { readWhole } from "./source.ts";
import { collectGarbage } from "../platform.ts";

export interface ReadRequest {
  paths: string[];
  maxLine?: number;
}

export type ReadReply = { facts: string; bytes: number; lines: number; unreadable: [string, string][] } | { error: string };

declare const self: { onmessage: ((m: MessageEvent<ReadRequest>) => void) | null; postMessage(r: ReadReply): void };

let sinceCollect = 0;

self.onmessage = (m) => {
  try {
    const maxLine = m.data.maxLine ?? MAX_LINE_BYTES;
    const out: FileFacts[] = [];
    const unreadable: [string, string][] = [];
    let bytes = 0;
    let lines = 0;
    for (const p of m.data.paths) {
      const r = readWhole(p, maxLine);
      bytes += r.bytes;
      lines += r.lines;
      if (r.facts) out.push(r.facts);
      else if (r.error !== "gone") unreadable.push([p, r.error!]);
    }
    sinceCollect += bytes;
    if (sinceCollect > 16 * 1024 * 1024) {
      sinceCollect = 0;
      collectGarbage(false);
    }
    self.postMessage({ facts: JSON.stringify(out), bytes, lines, unreadable });
  } catch (e) {
    self.postMessage({ error: String((e as Error)?.message ?? e) });
  }
};
