// The live dashboard on OpenTUI (Bun only). Placeholder: replaced by the live runner.
import type { TranscriptSource } from "../ingest/source.ts";
import type { DashboardApp } from "./app.ts";

export interface LiveOptions {
  source: TranscriptSource | null;
  fps: number;
  intervalSeconds: number;
  pinnedNow: number | null;
  statusLine: (source: TranscriptSource | null) => string | null;
}

export async function runLive(_app: DashboardApp, _o: LiveOptions): Promise<number> {
  return 0;
}
