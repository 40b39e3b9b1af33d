// Generates a benchmark corpus: realistic Claude Code transcripts (the same builders as the demo and the tests)
// laid out like ~/.claude/projects, until the requested size is reached. Deterministic for a seed.
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generateSession } from "../src/synth/corpus.ts";
import { rng, uuidFrom } from "../src/synth/lines.ts";

export interface CorpusInfo {
  root: string;
  bytes: number;
  files: number;
  sessions: number;
  lines: number;
  /** a main session file to append to in the refresh benchmark. */
  sampleFile: string;
  sampleSessionId: string;
  sampleCwd: string;
  /** the newest line's time: --now for the benchmark runs. */
  end: number;
  /** CORPUS_VERSION when it was generated: an older corpus is generated again. */
  version?: number;
  shape?: CorpusShape;
}

/** 2: directory mtimes are those of their newest file. 3: two shapes. */
const CORPUS_VERSION = 3;

/**
 * "big": ~2,600 files of ~400 KB per GB (long sessions). "small": the shape of a heavy user's disk, ~12,000 files of
 * ~80 KB per GB: many short sessions, most with several small subagent files, and less tool output per call.
 */
export type CorpusShape = "big" | "small";

const MODELS = ["claude-opus-4-6", "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001"];
const PROJECTS = Array.from({ length: 40 }, (_, i) => `/home/dev/src/project-${String(i).padStart(2, "0")}`);

function lastTime(lines: string[]): number | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /"timestamp":"([^"]+)"/.exec(lines[i]!);
    if (m) return Date.parse(m[1]!);
  }
  return null;
}

export function generateCorpus(dir: string, targetBytes: number, seed = 1, shape: CorpusShape = "big"): CorpusInfo {
  const meta = join(dir, "corpus.json");
  if (existsSync(meta)) {
    const info = JSON.parse(readFileSync(meta, "utf8")) as CorpusInfo;
    if (info.bytes >= targetBytes && info.version === CORPUS_VERSION && (info.shape ?? "big") === shape) return info;
  }
  const small = shape === "small";
  const r = rng(seed);
  const root = join(dir, "claude");
  rmSync(root, { recursive: true, force: true });
  const end = Date.parse("2026-11-26T12:00:00Z");
  const span = 30 * 24 * 3_600_000;
  let bytes = 0;
  let files = 0;
  let sessions = 0;
  let lines = 0;
  let sample: { file: string; sessionId: string; cwd: string } | null = null;
  // Directories get the time of their newest file, as on a real machine (not the moment this ran), so the
  // live poll sees them as quiet the way it would in use.
  const dirTimes = new Map<string, number>();
  while (bytes < targetBytes) {
    const cwd = PROJECTS[Math.floor(r() * PROJECTS.length)]!;
    const sessionId = uuidFrom(r);
    const g = generateSession(rng(Math.floor(r() * 2 ** 31)), {
      sessionId,
      cwd,
      model: MODELS[Math.floor(r() * MODELS.length)]!,
      start: end - Math.floor(r() * span) - 3 * 3_600_000,
      turns: small ? 1 + Math.floor(r() * 3) : 2 + Math.floor(r() * 12),
      turnGapMinutes: 2 + Math.floor(r() * 8),
      subagents: small ? (r() < 0.75 ? 1 + Math.floor(r() * 6) : 0) : r() < 0.4 ? 1 + Math.floor(r() * 3) : 0,
      outputScale: small ? 0.5 : 1,
      subagentModel: r() < 0.5 ? "claude-haiku-4-5-20251001" : "claude-sonnet-4-5-20250929",
      endsWithApiError: r() < 0.03,
      bigContext: r() < 0.05,
      title: r() < 0.2 ? `task ${sessions}` : undefined,
    });
    const pdir = join(root, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
    mkdirSync(pdir, { recursive: true });
    const write = (path: string, ls: string[]) => {
      const text = `${ls.join("\n")}\n`;
      writeFileSync(path, text);
      // Like a real transcript, the file was last written when its last line was.
      const last = lastTime(ls);
      if (last !== null) {
        utimesSync(path, last / 1000, last / 1000);
        for (let d = dirname(path); d.startsWith(root); d = dirname(d)) dirTimes.set(d, Math.max(dirTimes.get(d) ?? 0, last));
      }
      bytes += Buffer.byteLength(text);
      files++;
      lines += ls.length;
    };
    const mainPath = join(pdir, `${sessionId}.jsonl`);
    write(mainPath, g.main);
    if (g.agents.length > 0) {
      const adir = join(pdir, sessionId, "subagents");
      mkdirSync(adir, { recursive: true });
      for (const a of g.agents) write(join(adir, `agent-${a.agentId}.jsonl`), a.lines);
    }
    sessions++;
    if (!sample && g.main.length > 100) sample = { file: mainPath, sessionId, cwd };
  }
  for (const [d, t] of dirTimes) utimesSync(d, t / 1000, t / 1000);
  const info: CorpusInfo = {
    root,
    bytes,
    files,
    sessions,
    lines,
    sampleFile: sample!.file,
    sampleSessionId: sample!.sessionId,
    sampleCwd: sample!.cwd,
    end,
    version: CORPUS_VERSION,
    shape,
  };
  writeFileSync(meta, JSON.stringify(info, null, 2));
  return info;
}

// `bun bench/generate.ts DIR BYTES`: the benchmark generates in a child process, so that its own memory stays
// small (Linux counts the parent's memory at spawn in a child's peak RSS).
if (import.meta.main) {
  const [d, b, shape] = process.argv.slice(2);
  generateCorpus(d!, Number(b), 1, shape === "small" ? "small" : "big");
}
