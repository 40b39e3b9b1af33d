// `--store-info`: where the usage store is, what it holds and how much of it outlived its transcripts; and whether
// Claude Code's own cleanup (`cleanupPeriodDays`, 30 days by default) is configured in its settings files.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { StoreStatus } from "./store-open.ts";
import type { StoreLoss } from "./store-marker.ts";
import type { UsageStore } from "./store.ts";

export interface StoreInfo {
  path: string | null;
  state: string;
  notice: string | null;
  /** the store's files (database, write-ahead log) in bytes. */
  sizeBytes: number;
  roots: string[];
  first: number | null;
  last: number | null;
  responses: number;
  sessions: number;
  /** transcripts whose facts it holds, and how many of them are no longer on disk. */
  files: number;
  filesGone: number;
  cleanup: CleanupSetting;
  /** what the store's marker says it held when last written (null: no marker). */
  marker: { responses: number; files: number; at: number } | null;
  /** usage history lost and not yet acknowledged, and the last loss acknowledged (with when). */
  loss: StoreLoss | null;
  acknowledged: (StoreLoss & { acknowledgedAt: number }) | null;
}

interface CleanupSetting {
  /** the days set, or null when no settings file sets it (Claude Code then deletes transcripts after 30 days). */
  days: number | null;
  /** the file that sets it. */
  file: string | null;
  /** the settings files looked at. */
  checked: string[];
}

/** Claude Code's settings files that can set cleanupPeriodDays, most specific first. */
function settingsFiles(roots: readonly string[], platform: string): string[] {
  const files: string[] = [];
  for (const r of roots) files.push(join(r, "settings.local.json"), join(r, "settings.json"));
  if (platform === "darwin") files.push("/Library/Application Support/ClaudeCode/managed-settings.json");
  else if (platform !== "win32") files.push("/etc/claude-code/managed-settings.json");
  return files;
}

/** Whether Claude Code's settings files set cleanupPeriodDays (a file that cannot be read or parsed is skipped). */
function cleanupSetting(roots: readonly string[], platform = process.platform): CleanupSetting {
  const checked = settingsFiles(roots, platform);
  for (const file of checked) {
    if (!existsSync(file)) continue;
    try {
      const v = (JSON.parse(readFileSync(file, "utf8")) as { cleanupPeriodDays?: unknown }).cleanupPeriodDays;
      if (typeof v === "number" && Number.isFinite(v)) return { days: v, file, checked };
    } catch {
      // not JSON: Claude Code would not read it either
    }
  }
  return { days: null, file: null, checked };
}

/**
 * The hint the dashboard shows once per store (in its first minute) when Claude Code's cleanup is left at its default:
 * null when cleanupPeriodDays is set, the store is not a file, or the hint was shown before (it is marked shown now).
 */
export function cleanupHint(store: UsageStore, roots: readonly string[], now: number): string | null {
  if (store.kind !== "file" || store.meta("cleanup-hint") !== null) return null;
  if (cleanupSetting(roots).days !== null) return null;
  try {
    store.setMeta("cleanup-hint", new Date(now).toISOString());
  } catch {
    return null; // (a store that cannot be written cannot remember it either)
  }
  return "Claude Code deletes transcripts after 30 days (cleanupPeriodDays is not set): claude-dash keeps their usage · see --store-info";
}

function size(path: string): number {
  let n = 0;
  for (const p of [path, `${path}-wal`]) {
    try {
      n += statSync(p).size;
    } catch {
      // absent
    }
  }
  return n;
}

export function storeInfo(store: UsageStore | null, status: StoreStatus, roots: readonly string[]): StoreInfo {
  const info: StoreInfo = {
    path: status.path,
    state: status.state,
    notice: status.notice,
    sizeBytes: status.path ? size(status.path) : 0,
    roots: [...roots],
    first: null,
    last: null,
    responses: 0,
    sessions: 0,
    files: 0,
    filesGone: 0,
    cleanup: cleanupSetting(roots),
    marker: status.marker ? { responses: status.marker.responses, files: status.marker.files, at: status.marker.at } : null,
    loss: status.loss ?? null,
    acknowledged: status.marker?.acknowledged ?? null,
  };
  if (!store) return info;
  const r = store.db.get<{ n: number; first: number | null; last: number | null }>(
    "SELECT count(*) AS n, min(time) AS first, max(time) AS last FROM responses",
  );
  info.responses = r?.n ?? 0;
  info.first = r?.first ?? null;
  info.last = r?.last ?? null;
  info.sessions = store.db.get<{ n: number }>("SELECT count(DISTINCT session) AS n FROM responses")?.n ?? 0;
  const files = store.files();
  info.files = files.length;
  info.filesGone = files.filter((f) => !existsSync(f.path)).length;
  return info;
}
