// A reader thread: reads whole transcripts and hands their facts back (in the compact form of wire.ts: numbers in a
// buffer passed without a copy, text in one string). It never touches the store: one writer (the thread that owns
// the store) keeps the store's pages in one cache and never waits for a lock.
import { MAX_LINE_BYTES } from "./records.ts";
import { readWhole } from "./source.ts";
import { collectGarbage } from "../platform.ts";
import { WireWriter, type WireFacts } from "./wire.ts";
import { registerSecret } from "../shared/sanitize.ts";

export interface ReadRequest {
  paths: string[];
  maxLine?: number;
  /** the credentials the main thread registered (this thread's redactor is its own copy of sanitize.ts). */
  secrets?: string[];
}

export type ReadReply = { facts: WireFacts; bytes: number; lines: number; unreadable: [string, string][] } | { error: string };

declare const self: { onmessage: ((m: MessageEvent<ReadRequest>) => void) | null; postMessage(r: ReadReply, transfer?: ArrayBuffer[]): void };

let sinceCollect = 0;

self.onmessage = (m) => {
  try {
    const maxLine = m.data.maxLine ?? MAX_LINE_BYTES;
    for (const secret of m.data.secrets ?? []) registerSecret(secret);
    const out = new WireWriter();
    const unreadable: [string, string][] = [];
    let bytes = 0;
    let lines = 0;
    for (const p of m.data.paths) {
      const r = readWhole(p, maxLine);
      bytes += r.bytes;
      lines += r.lines;
      if (r.facts) out.add(r.facts);
      else if (r.error !== "gone") unreadable.push([p, r.error!]);
    }
    sinceCollect += bytes;
    if (sinceCollect > 16 * 1024 * 1024) {
      sinceCollect = 0;
      collectGarbage(false);
    }
    const facts = out.finish();
    self.postMessage({ facts, bytes, lines, unreadable }, [facts.nums.buffer as ArrayBuffer, facts.lengths.buffer as ArrayBuffer]);
  } catch (e) {
    self.postMessage({ error: String((e as Error)?.message ?? e) });
  }
};
