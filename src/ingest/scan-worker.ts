// Worker entry for the parallel cold scan: receives a ScanJob, answers with its ScanResult.
import { scanFiles, type ScanJob } from "./scan.ts";

declare const self: { onmessage: ((m: { data: ScanJob }) => void) | null; postMessage(v: unknown): void };

self.onmessage = (m) => {
  try {
    self.postMessage({ ok: true, result: scanFiles(m.data) });
  } catch (e) {
    self.postMessage({ ok: false, error: String((e as Error)?.message ?? e) });
  }
};
