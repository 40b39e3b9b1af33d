#!/usr/bin/env bun
// claude-dash: wiring only. Flags → sources → model → output.
import { demoEvents, DEMO_BANNER } from "./ingest/demo.ts";
import { resolveRoots } from "./ingest/roots.ts";
import { TranscriptSource } from "./ingest/source.ts";
import { dashboardJson } from "./model/json-view.ts";
import { createState, reduce } from "./model/state.ts";
import { parseOptions, UsageError } from "./options.ts";
import { argv, env, home, wallClock, writeErr, writeOut } from "./platform.ts";
import { textReport } from "./ui/report.ts";

const VERSION = "0.1.0";
/** Margin for clocks that disagree (a file's mtime against the timestamps written in it). */
const SKEW_MARGIN_MS = 24 * 3_600_000;

function main(): number {
  let opts;
  try {
    opts = parseOptions(argv(), VERSION, writeOut);
  } catch (e) {
    if (e instanceof UsageError) {
      writeErr(`claude-dash: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!opts) return 0;
  const now = opts.now ?? wallClock();
  const state = createState();
  const sink = { push: (e: Parameters<typeof reduce>[1]) => reduce(state, e) };
  const roots = resolveRoots({ flagRoots: opts.roots, claudeConfigDir: env("CLAUDE_CONFIG_DIR"), home: home() });
  let demo = opts.demo;
  let source: TranscriptSource | null = null;
  let named = false;
  if (!demo) {
    // Files last written before the earliest window cannot hold anything in it: leave them unread.
    const span = Math.max(opts.windowHours, opts.activeWindowHours) * 3_600_000;
    // Roots the user named (flag or environment) must exist; the two defaults may well not.
    named = opts.roots.length > 0 || (env("CLAUDE_CONFIG_DIR") ?? "").trim().length > 0;
    source = new TranscriptSource(roots, { since: now - span - SKEW_MARGIN_MS, reportMissingRoots: named });
    source.refresh(sink);
    // The dashboard falls back to demo data when there is nothing to show; --json never does (scripts want truth).
    if (!opts.json && !named && source.stats.files === 0 && source.stats.deferred === 0) demo = true;
  }
  if (demo) demoEvents(now, sink);
  const diagnostics = {
    roots: demo ? [] : roots,
    files: demo ? 0 : (source?.stats.files ?? 0),
    filesDeferred: demo ? 0 : (source?.stats.deferred ?? 0),
    bytesRead: demo ? 0 : (source?.stats.bytesRead ?? 0),
    linesRead: demo ? 0 : (source?.stats.linesRead ?? 0),
    unreadable: demo ? [] : [...(source?.problems() ?? new Map<string, string>())].map(([path, reason]) => ({ path, reason })),
  };
  const view = dashboardJson(state, { now, windowHours: opts.windowHours, bucketMinutes: opts.bucketMinutes, activeWindowHours: opts.activeWindowHours }, diagnostics, demo);
  if (opts.json) writeOut(`${JSON.stringify(view, null, 2)}\n`);
  else writeOut(textReport(view, demo ? DEMO_BANNER : null));
  return 0;
}

process.exitCode = main();
