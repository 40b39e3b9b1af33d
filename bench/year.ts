// A year of heavy use as the usage store holds it: ~1.5 M responses in ~20,000 transcripts (sessions and subagents)
// spread over 365 days, with tool calls and results, prompts and session metadata, whose transcripts are long gone
// (Claude Code cleaned them up). Written straight into the store the CLI opens for `--root ROOT` under
// XDG_DATA_HOME=DATA, so that `bun run bench` can measure a warm start and the live dashboard's memory on it.
// Cached: made again only when missing or of another version.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FactCollector, type FileFacts } from "../src/ingest/facts.ts";
import { resolveRoots } from "../src/ingest/roots.ts";
import { dataDir, openUsageStore, storeFile } from "../src/ingest/store-open.ts";
import { rng } from "../src/synth/lines.ts";

const YEAR_VERSION = 1;
const MODELS = ["claude-opus-4-6", "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"];
const TOOLS = ["Read", "Bash", "Edit", "Grep"];

export interface YearStore {
  root: string;
  data: string;
  path: string;
  responses: number;
  files: number;
  bytes: number;
  /** --now for runs on it. */
  end: number;
  version: number;
}

/** The store file the CLI uses for these roots under this data directory (HOME only matters for the defaults). */
export function storePathFor(data: string, roots: string[], home: string): string {
  return storeFile(
    dataDir({ XDG_DATA_HOME: data }, home),
    resolveRoots({ flagRoots: roots, claudeConfigDir: undefined, home }),
    resolveRoots({ flagRoots: [], claudeConfigDir: undefined, home }),
  );
}

export function yearStore(dir: string, responses = 1_500_000, home = process.env.HOME ?? "/"): YearStore {
  const meta = join(dir, "year.json");
  if (existsSync(meta)) {
    const y = JSON.parse(readFileSync(meta, "utf8")) as YearStore;
    if (y.version === YEAR_VERSION && y.responses >= responses && existsSync(y.path)) return y;
  }
  const root = join(dir, "claude");
  const data = join(dir, "data");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(root, "projects"), { recursive: true });
  const path = storePathFor(data, [root], home);
  const { store } = openUsageStore({ path, roots: [root], now: Date.now() });
  const end = Date.parse("2026-11-26T12:00:00Z");
  const r = rng(2026);
  store.beginBulk({ holdRollup: true });
  let n = 0;
  let files = 0;
  let batch: FileFacts[] = [];
  while (n < responses) {
    const sid = `${String(files).padStart(8, "0")}-aaaa-4000-8000-${String(files).padStart(12, "0")}`;
    const agent = files % 3 === 0 ? null : `a${files}`;
    const cwd = `/home/dev/src/project-${files % 40}`;
    const c = new FactCollector();
    const start = end - r() * 365 * 86_400_000;
    const per = 40 + Math.floor(r() * 70);
    for (let i = 0; i < per; i++) {
      const time = Math.floor(start + i * 20_000);
      const usage = {
        uncached: 5,
        cacheWrite5m: Math.floor(r() * 3000),
        cacheWrite1h: 0,
        cacheRead: 20_000 + Math.floor(r() * 80_000),
        output: Math.floor(r() * 900),
      };
      c.push({
        type: "ResponseObserved",
        key: `msg_${files}_${i}|req_${files}_${i}`,
        requestId: `req_${files}_${i}`,
        time,
        sessionId: sid,
        agentId: agent,
        model: MODELS[i % 4]!,
        usage,
        cwd,
        branch: "main",
        entrypoint: "cli",
      });
      if (i % 4 !== 0) {
        const key = `toolu_${files}_${i}`;
        c.push({ type: "ToolCallObserved", key, time, sessionId: sid, agentId: agent, name: TOOLS[i % 4]! });
        c.push({ type: "ToolResultObserved", key, time: time + 900, sessionId: sid, agentId: agent, outcome: i % 29 === 0 ? "error" : "ok", reportedMs: 800 });
      }
      if (i % 10 === 0 && agent === null) c.push({ type: "PromptObserved", key: `p_${files}_${i}`, time: time - 1000, sessionId: sid, cwd, branch: "main" });
    }
    n += per;
    files++;
    batch.push(
      c.facts(
        join(root, "projects", `-home-dev-src-project-${files % 40}`, `${sid}.jsonl`),
        { dev: 1, ino: files, size: 1, mtimeMs: 1, offset: 1, lines: 1, headLen: 0, headHash: 0, tailHash: 0 },
        false,
        -1,
      ),
    );
    if (batch.length >= 300) {
      store.write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) store.write(batch);
  store.endBulk();
  store.markGone(
    store.files().map((f) => f.path),
    end,
  ); // their transcripts are long gone
  store.close();
  const y: YearStore = { root, data, path, responses: n, files, bytes: Bun.file(path).size, end, version: YEAR_VERSION };
  writeFileSync(meta, JSON.stringify(y, null, 2));
  return y;
}

if (import.meta.main) {
  const [d, n] = process.argv.slice(2);
  console.log(JSON.stringify(yearStore(d!, n ? Number(n) : undefined)));
}
