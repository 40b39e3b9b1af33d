// `claude-dash statusline` as Claude Code runs it: a payload on stdin, one line on stdout, exit 0 — run as a subprocess
// with its own HOME, data dir and root, a pinned clock (--now) and TZ=UTC. What a user would notice:
//   the line's figures (our session and today's dollars, the official limits with pace and reset, context, burn);
//   what Claude Code told us kept in the store (limits, its own dollars) and shown again, with their age, when a later
//   payload has none;
//   an old Claude Code's payload; every bad input (empty, garbage, huge, binary, escapes) still a clean line and exit 0;
//   colour (NO_COLOR, --color), width, --format, bad flags (exit 2, one line naming the flag);
//   the first call on an empty store reads today's files and the session's, not the history;
//   a store held by another process's write, and ten calls at once, still answered.
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promptLine, responseLines, type SessionInfo } from "../src/synth/lines.ts";
import { until } from "./until.ts";
import { openUsageStore } from "../src/ingest/store-open.ts";

const REPO = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const NOW = "2026-11-26T18:00:00Z";
const T = (iso: string) => Date.parse(iso);
const OPUS = "claude-opus-4-6";
const SONNET = "claude-sonnet-4-6";
const HAIKU = "claude-haiku-4-5-20251001";

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `claude-dash-statusline-${prefix}-`));
  temps.push(d);
  return d;
}
/**
 * The resident helpers these tests started, by PID: `statusline --serve` processes whose environment names one of this
 * file's runtime folders (each test's XDG_RUNTIME_DIR is a temp folder of its own), so another run's helpers (a second
 * `bun test` beside this one) are never touched. Where there is no /proc (macOS), every helper of this clock is taken.
 */
function ownHelpers(runtimeDirs: readonly string[] = temps): number[] {
  const pids = Bun.spawnSync(["pgrep", "-f", `statusline --serve --now ${NOW}`], { stdout: "pipe" })
    .stdout.toString()
    .split("\n")
    .filter(Boolean)
    .map(Number);
  if (!existsSync("/proc/self/environ")) return pids;
  return pids.filter((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      return runtimeDirs.some((d) => env.includes(`XDG_RUNTIME_DIR=${d}`));
    } catch {
      return false; // (gone meanwhile)
    }
  });
}
function killHelpers(signal: NodeJS.Signals, runtimeDirs?: readonly string[]): void {
  for (const pid of ownHelpers(runtimeDirs))
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
}

afterAll(() => {
  // (helpers started by these tests go by themselves when idle; none is left behind either way)
  killHelpers("SIGTERM");
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

// The corpus. Prices: Opus $5/$25, Sonnet $3/$15, Haiku $1/$5 per million input/output tokens; each response reads
// 100k uncached input and writes 10k output: Opus $0.75, Sonnet $0.45, Haiku $0.15.
const S = { id: "5e55105e-0000-4000-8000-000000000001", cwd: "/home/dev/src/shop", dir: "-home-dev-src-shop" }; // the calling session
const U = { id: "5e55105e-0000-4000-8000-000000000002", cwd: "/home/dev/src/api", dir: "-home-dev-src-api" }; // another session today
const Y = { id: "5e55105e-0000-4000-8000-000000000003", cwd: "/home/dev/src/web", dir: "-home-dev-src-web" }; // yesterday's

function lines(s: { id: string; cwd: string }, rs: { id: string; time: string; model: string }[], agentId?: string): string[] {
  const info: SessionInfo = { sessionId: s.id, cwd: s.cwd, ...(agentId ? { agentId } : {}) };
  const out = agentId ? [] : [promptLine(info, T(rs[0]!.time) - 60_000, "go", `p-${s.id}`, null)];
  for (const r of rs)
    out.push(
      ...responseLines({
        session: info,
        time: T(r.time) - 500,
        blockGapMs: 500,
        model: r.model,
        messageId: `msg_${r.id}`,
        requestId: `req_${r.id}`,
        usage: { uncached: 100_000, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 10_000 },
        blocks: [
          { type: "thinking", thinking: "hmm" },
          { type: "text", text: `done ${r.id}` },
        ],
        uuids: [`${r.id}-1`, `${r.id}-2`],
        parentUuid: null,
      }),
    );
  return out;
}

function put(path: string, text: string[], mtime: number): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `${text.join("\n")}\n`);
  utimesSync(path, new Date(mtime), new Date(mtime));
}

interface World {
  root: string;
  home: string;
  xdg: string;
  transcript: string;
}

/** A machine: a root with the three sessions' transcripts, an empty HOME and data dir. */
function world(): World {
  const root = join(tempDir("root"), "claude");
  const home = tempDir("home");
  const xdg = join(tempDir("data"), "xdg");
  const transcript = join(root, "projects", S.dir, `${S.id}.jsonl`);
  put(
    transcript,
    lines(S, [
      { id: "s1", time: "2026-11-26T16:00:00Z", model: OPUS },
      { id: "s2", time: "2026-11-26T17:40:00Z", model: OPUS },
    ]),
    T("2026-11-26T17:40:00Z"),
  );
  put(
    join(root, "projects", S.dir, S.id, "subagents", "agent-explore.jsonl"),
    lines(S, [{ id: "s3", time: "2026-11-26T17:45:00Z", model: HAIKU }], "explore"),
    T("2026-11-26T17:45:00Z"),
  );
  put(join(root, "projects", U.dir, `${U.id}.jsonl`), lines(U, [{ id: "u1", time: "2026-11-26T10:00:00Z", model: SONNET }]), T("2026-11-26T10:00:00Z"));
  put(join(root, "projects", Y.dir, `${Y.id}.jsonl`), lines(Y, [{ id: "y1", time: "2026-11-25T12:00:00Z", model: SONNET }]), T("2026-11-25T12:00:00Z"));
  return { root, home, xdg, transcript };
}

function payload(w: World, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hook_event_name: "Status",
    session_id: S.id,
    transcript_path: w.transcript,
    cwd: S.cwd,
    model: { id: OPUS, display_name: "Opus 4.6" },
    workspace: { current_dir: S.cwd, project_dir: S.cwd },
    version: "2.1.90",
    output_style: { name: "default" },
    cost: { total_cost_usd: 1.7, total_duration_ms: 7_200_000, total_api_duration_ms: 600_000, total_lines_added: 10, total_lines_removed: 2 },
    context_window: {
      total_input_tokens: 300_000,
      total_output_tokens: 30_000,
      context_window_size: 200_000,
      used_percentage: 62,
      remaining_percentage: 38,
      current_usage: { input_tokens: 4_000, output_tokens: 1_000, cache_creation_input_tokens: 20_000, cache_read_input_tokens: 100_000 },
    },
    exceeds_200k_tokens: false,
    rate_limits: {
      five_hour: { used_percentage: 42, resets_at: T("2026-11-26T20:00:00Z") / 1000 },
      seven_day: { used_percentage: 31, resets_at: T("2026-11-29T09:00:00Z") / 1000 },
    },
    ...extra,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** (the resident helper is off unless a test turns it on: each call is then answered in its own process) */
function envOf(w: World, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    HOME: w.home,
    XDG_DATA_HOME: w.xdg,
    XDG_RUNTIME_DIR: "",
    CLAUDE_CONFIG_DIR: w.root,
    NO_COLOR: "1",
    TZ: "UTC",
    COLUMNS: "",
    CLAUDE_DASH_NO_SERVER: "1",
    ...extra,
  };
}

function statusline(w: World, stdin: string | Uint8Array, args: string[] = [], extra: Record<string, string> = {}): Run {
  const p = Bun.spawnSync([BUN, "src/cli.ts", "statusline", "--now", NOW, ...args], {
    cwd: REPO,
    env: envOf(w, extra),
    stdin: typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin,
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

async function statuslineAsync(w: World, stdin: string, extra: Record<string, string> = {}): Promise<Run> {
  const p = Bun.spawn([BUN, "src/cli.ts", "statusline", "--now", NOW], {
    cwd: REPO,
    env: envOf(w, extra),
    stdin: new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** One clean line: exit 0, nothing on stderr, no control character at all (NO_COLOR is set). */
function line(r: Run): string {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith("\n")).toBe(true);
  const text = r.stdout.slice(0, -1);
  expect(text).not.toContain("\n");
  expect(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)).toBe(false);
  return text;
}

function storeOf(w: World) {
  const dir = join(w.xdg, "claude-dash");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite"))!;
  return openUsageStore({ path: join(dir, file), roots: [w.root], now: T(NOW) }).store;
}

describe("the line", () => {
  test("model, our session and today's dollars, the 5-hour and weekly windows with pace and reset, context, burn", () => {
    const w = world();
    // session: Opus 0.75 × 2 + its subagent's Haiku 0.15 = $1.65; today: + the other session's Sonnet 0.45 = $2.10
    // (yesterday's $0.45 is not today's); burn: the last 30 minutes (Opus 0.75 + Haiku 0.15) × 2 = $1.8/h;
    // 5-hour window 15:00–20:00: 60 % gone; weekly 11-22 09:00 – 11-29 09:00: 105 of 168 hours, 62.5 % gone.
    // The limit at this pace: the window's $1.65 is 42 %, so the limit is ~$3.93; the other $2.28 at $1.8/h lasts
    // 1.27 h: 19:15 (before the reset at 20:00).
    expect(line(statusline(w, JSON.stringify(payload(w))))).toBe(
      "Opus 4.6 │ $1.65* session │ $2.10 today │ 5h 42% (60% gone) limit ~19:15 ↻20:00 │ week 31% (63% gone) ↻Sun 09:00 │ ctx 62% │ $1.8/h",
    );
  });

  test("Claude Code's own figure beside ours (the cc segment) and a mark when they differ by more than 1 %", () => {
    const w = world();
    expect(line(statusline(w, JSON.stringify(payload(w)), ["--format", "{session} {cc}"]))).toBe("$1.65* session cc $1.70");
    expect(line(statusline(w, JSON.stringify(payload(w, { cost: { total_cost_usd: 1.655 } })), ["--format", "{session} {cc}"]))).toBe("$1.65 session cc $1.66");
  });

  test("what Claude Code said is kept: a later payload without rate_limits shows the recorded figures with their age", () => {
    const w = world();
    line(statusline(w, JSON.stringify(payload(w))));
    const store = storeOf(w);
    try {
      const limits = store.latestLimits().map((l) => [l.kind, l.percent, l.resetsAt, l.origin, l.sessionId]);
      expect(limits.sort()).toEqual([
        ["session", 42, T("2026-11-26T20:00:00Z"), "statusline", S.id],
        ["weekly", 31, T("2026-11-29T09:00:00Z"), "statusline", S.id],
      ]);
      // (the run it covers began cost.total_duration_ms, two hours, before the figure)
      expect(store.claudeCodeCosts([S.id]).get(S.id)).toEqual({ usd: 1.7, time: T(NOW), started: T(NOW) - 7_200_000 });
    } finally {
      store.close();
    }
    const { rate_limits: _, ...older } = payload(w);
    const later = Bun.spawnSync([BUN, "src/cli.ts", "statusline", "--now", "2026-11-26T18:05:00Z", "--format", "{5h} │ {week}"], {
      cwd: REPO,
      env: envOf(w),
      stdin: new TextEncoder().encode(JSON.stringify(older)),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(line({ code: later.exitCode ?? -1, stdout: later.stdout.toString(), stderr: later.stderr.toString() })).toBe(
      "5h 42% (5m ago, 62% gone) limit ~19:20 ↻20:00 │ week 31% (5m ago, 63% gone) ↻Sun 09:00",
    );
  });

  test("without official limits: the 5-hour block estimated from the transcripts, marked ~; with a limit seen before, its % and when the pace reaches it", () => {
    const w = world();
    const { rate_limits: _, ...none } = payload(w);
    // Blocks: 10:00 (the other session) opens 10:00–15:00; 16:00 opens 16:00–21:00, which holds $1.65 so far; at the
    // last 30 minutes' $1.8/h it reaches $1.65 + 3 h × $1.8 = $7.05 by 21:00.
    expect(line(statusline(w, JSON.stringify(none), ["--format", "{5h} │ {burn}"]))).toBe("5h ~$1.65→$7.05 ↻21:00 │ $1.8/h");
    // Yesterday the status line said 10 % of a window (11:00–16:00) that held $0.45 when seen: a limit of ~$4.50.
    // Today's block is then ~37 % of it, and $2.85 more at $1.8/h is 1.58 h away: 19:35.
    const seen = payload(w, {
      session_id: Y.id,
      transcript_path: join(w.root, "projects", Y.dir, `${Y.id}.jsonl`),
      rate_limits: { five_hour: { used_percentage: 10, resets_at: T("2026-11-25T16:00:00Z") / 1000 } },
    });
    const r = Bun.spawnSync([BUN, "src/cli.ts", "statusline", "--now", "2026-11-25T13:00:00Z"], {
      cwd: REPO,
      env: envOf(w),
      stdin: new TextEncoder().encode(JSON.stringify(seen)),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.exitCode).toBe(0);
    expect(line(statusline(w, JSON.stringify(none), ["--format", "{5h}"]))).toBe("5h ~37% (40% gone) limit ~19:35 ↻21:00");
  });

  test("an old Claude Code's payload (no rate_limits, no context percentage, no cost) still gives the line", () => {
    const w = world();
    const old = {
      session_id: S.id,
      transcript_path: w.transcript,
      cwd: S.cwd,
      model: { id: "claude-opus-4-1-20250805", display_name: "Opus" },
      workspace: { current_dir: S.cwd, project_dir: S.cwd },
      version: "1.0.80",
    };
    const text = line(statusline(w, JSON.stringify(old), ["--format", "{model} │ {session} │ {today} │ {context} │ {cc}"]));
    expect(text).toBe("Opus │ $1.65 session │ $2.10 today");
  });

  test("fields of the wrong type are dropped one by one; the rest still counts", () => {
    const w = world();
    const odd = payload(w, {
      model: { id: 42, display_name: ["x"] },
      cost: "lots",
      context_window: { used_percentage: "62" },
      rate_limits: { five_hour: { used_percentage: 42, resets_at: "soon" }, seven_day: null },
    });
    expect(line(statusline(w, JSON.stringify(odd), ["--format", "{model} │ {session} │ {5h} │ {week} │ {context} │ {cc}"]))).toBe(
      "$1.65 session │ 5h 42% limit ~19:15",
    );
  });
});

describe("bad input is normal input", () => {
  const cases: [string, string | Uint8Array][] = [
    ["empty stdin", ""],
    ["garbage", "{{{ not json"],
    ["a JSON array", "[1,2,3]"],
    ["JSON null", "null"],
    ["binary junk", new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 37 + 11) % 256))],
    ["a huge payload (2 MB)", JSON.stringify({ session_id: S.id, filler: "x".repeat(2 * 1024 * 1024) })],
  ];
  for (const [name, input] of cases)
    test(`${name}: a line from local data, exit 0, no stack trace`, () => {
      const w = world();
      line(statusline(w, JSON.stringify(payload(w)))); // (the store has today's figures)
      const text = line(statusline(w, input));
      expect(text).toContain("$2.10 today");
      expect(text).not.toContain(" at ");
    });

  test("escape sequences, bells, bidi overrides and newlines in display_name and cwd never reach the terminal", () => {
    const w = world();
    const hostile = payload(w, {
      model: { id: OPUS, display_name: "Op\u001b[31mus\u0007 \u202e4.6\nrm -rf" },
      cwd: "/tmp/\u001b]0;pwned\u0007\u009b2J",
      workspace: { current_dir: "/tmp/\u001b]52;c;aGk=\u0007x", project_dir: "/tmp" },
    });
    for (const color of ["never", "always"]) {
      const r = statusline(w, JSON.stringify(hostile), ["--format", "full", "--color", color]);
      expect(r.code).toBe(0);
      // (with colour, the only ESC bytes are our own SGR sequences)
      const text = r.stdout.replace(/\u001b\[[0-9;]*m/g, "");
      expect(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)).toBe(false);
      expect(text.trimEnd()).not.toContain("\n");
    }
  });

  test("a transcript_path outside Claude Code's projects folders is not read", () => {
    const w = world();
    const elsewhere = join(tempDir("elsewhere"), `${S.id}.jsonl`);
    put(elsewhere, lines(S, [{ id: "x1", time: "2026-11-26T17:00:00Z", model: OPUS }]), T("2026-11-26T17:00:00Z"));
    const text = line(
      statusline(w, JSON.stringify(payload(w, { session_id: "5e55105e-0000-4000-8000-0000000000ff", transcript_path: elsewhere })), [
        "--format",
        "{session} │ {today}",
      ]),
    );
    expect(text).toBe("$0.00* session │ $2.10 today"); // (Claude Code says $1.70: nothing of it was read)
  });
});

describe("how it looks", () => {
  test("colour unless NO_COLOR; --color always and never decide", () => {
    const w = world();
    const p = JSON.stringify(payload(w));
    expect(statusline(w, p).stdout).not.toContain("\u001b");
    expect(statusline(w, p, [], { NO_COLOR: "" }).stdout).toContain("\u001b[32m42%");
    expect(statusline(w, p, ["--color", "always"]).stdout).toContain("\u001b[");
    expect(statusline(w, p, ["--color", "never"], { NO_COLOR: "" }).stdout).not.toContain("\u001b");
  });

  test("fits the width it is given (--width, else COLUMNS), shedding the least important segments first", () => {
    const w = world();
    const p = JSON.stringify(payload(w));
    for (const width of [20, 40, 60, 80]) {
      const text = line(statusline(w, p, ["--width", String(width)]));
      expect([...text].length).toBeLessThanOrEqual(width);
      expect(text).toContain("42%");
    }
    expect([...line(statusline(w, p, [], { COLUMNS: "50" }))].length).toBeLessThanOrEqual(50);
  });

  test("--format takes a preset or a template; the config file's statusline-format is the default", () => {
    const w = world();
    const p = JSON.stringify(payload(w));
    expect(line(statusline(w, p, ["--format", "compact"]))).toBe("Opus 4.6 · $1.65* session · 5h 42% (60% gone) limit ~19:15 ↻20:00 · ctx 62%");
    expect(line(statusline(w, p, ["--format", "[{model}] {{x}} {today}"]))).toBe("[Opus 4.6] {x} $2.10 today");
    const cfg = tempDir("cfg");
    mkdirSync(join(cfg, "claude-dash"));
    writeFileSync(join(cfg, "claude-dash", "config.toml"), 'statusline-format = "{model} {today}"\n');
    expect(line(statusline(w, p, [], { XDG_CONFIG_HOME: cfg }))).toBe("Opus 4.6 $2.10 today");
  });

  test("a bad flag exits 2 with one line naming it", () => {
    const w = world();
    for (const [args, flag] of [
      [["--format", "{nope}"], "--format"],
      [["--width", "5"], "--width"],
      [["--color", "sometimes"], "--color"],
      [["--bogus"], "--bogus"],
      [["--write"], "--write"],
    ] as [string[], string][]) {
      const r = statusline(w, "", args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(flag);
    }
  });
});

describe("what it reads, and never waiting", () => {
  test("the first call on an empty store reads today's files and the session's, not the history", () => {
    const w = world();
    line(statusline(w, JSON.stringify(payload(w))));
    const store = storeOf(w);
    try {
      const read = store
        .files()
        .map((f) => f.path.slice(w.root.length + "/projects/".length))
        .sort();
      expect(read).toEqual([`${U.dir}/${U.id}.jsonl`, `${S.dir}/${S.id}.jsonl`, `${S.dir}/${S.id}/subagents/agent-explore.jsonl`]);
    } finally {
      store.close();
    }
  });

  test("later calls read what the session appended", () => {
    const w = world();
    line(statusline(w, JSON.stringify(payload(w))));
    writeFileSync(
      w.transcript,
      `${lines(S, [{ id: "s4", time: "2026-11-26T17:50:00Z", model: OPUS }])
        .slice(1)
        .join("\n")}\n`,
      { flag: "a" },
    );
    expect(line(statusline(w, JSON.stringify(payload(w)), ["--format", "{session} │ {today}"]))).toBe("$2.40* session │ $2.85 today");
  });

  test("a store held by another process's write is answered from what it holds, at once", () => {
    const w = world();
    line(statusline(w, JSON.stringify(payload(w))));
    writeFileSync(
      w.transcript,
      `${lines(S, [{ id: "s5", time: "2026-11-26T17:55:00Z", model: OPUS }])
        .slice(1)
        .join("\n")}\n`,
      { flag: "a" },
    );
    const dir = join(w.xdg, "claude-dash");
    const db = new Database(join(dir, readdirSync(dir).find((f) => f.endsWith(".sqlite"))!));
    db.exec("BEGIN IMMEDIATE; INSERT INTO meta (k, v) VALUES ('held', 'yes')");
    try {
      // (the new response cannot be stored while the write lock is held: the line shows what the store has)
      const r = statusline(w, JSON.stringify(payload(w)), ["--format", "{session} │ {5h}"]);
      expect(line(r)).toBe("$1.65* session │ 5h 42% (60% gone) limit ~19:15 ↻20:00");
    } finally {
      db.exec("ROLLBACK");
      db.close();
    }
    expect(line(statusline(w, JSON.stringify(payload(w)), ["--format", "{session}"]))).toBe("$2.40* session");
  });

  test("ten calls at once all answer", async () => {
    const w = world();
    line(statusline(w, JSON.stringify(payload(w))));
    const runs = await Promise.all(Array.from({ length: 10 }, () => statuslineAsync(w, JSON.stringify(payload(w)))));
    for (const r of runs) expect(line(r)).toContain("$1.65* session │ $2.10 today");
  });
});

describe("--install", () => {
  test("prints the snippet for CLAUDE_CONFIG_DIR; --write merges it, keeping the other keys; an existing statusLine needs --force", () => {
    const w = world();
    const cfg = join(tempDir("cfg"), "claude");
    mkdirSync(cfg);
    const settings = join(cfg, "settings.json");
    const before = '{\n    "model": "opus",\n    "permissions": { "allow": ["Bash(ls:*)"] }\n}\n';
    writeFileSync(settings, before);
    const env = { CLAUDE_CONFIG_DIR: cfg };
    const shown = statusline(w, "", ["--install"], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(settings);
    expect(shown.stdout).toContain('"statusLine"');
    const wrote = statusline(w, "", ["--install", "--write"], env);
    expect(wrote.code).toBe(0);
    const after = JSON.parse(require("node:fs").readFileSync(settings, "utf8"));
    expect(after.model).toBe("opus");
    expect(after.permissions).toEqual({ allow: ["Bash(ls:*)"] });
    expect(after.statusLine.type).toBe("command");
    expect(after.statusLine.command).toContain("statusline");
    writeFileSync(settings, '{ "statusLine": { "type": "command", "command": "my-own-line" } }\n');
    const refused = statusline(w, "", ["--install", "--write"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--force");
    expect(require("node:fs").readFileSync(settings, "utf8")).toBe('{ "statusLine": { "type": "command", "command": "my-own-line" } }\n');
    expect(statusline(w, "", ["--install", "--write", "--force"], env).code).toBe(0);
    expect(JSON.parse(require("node:fs").readFileSync(settings, "utf8")).statusLine.command).toContain("statusline");
  });
});

describe("the resident helper", () => {
  /** A world whose calls use the helper (in a runtime folder of its own), going away 4 s after its last request. */
  function served(): { w: World; env: Record<string, string>; dir: string; run: string } {
    const w = world();
    const run = tempDir("run");
    return { w, env: { CLAUDE_DASH_NO_SERVER: "", XDG_RUNTIME_DIR: run, CLAUDE_DASH_SERVER_IDLE_MS: "4000" }, dir: join(run, "claude-dash"), run };
  }
  const sockets = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sock")) : []);

  test("the first call answers itself and starts a helper; later calls get the same line from it; it goes away when idle", async () => {
    const { w, env, dir } = served();
    const p = JSON.stringify(payload(w));
    const alone = line(statusline(w, p, [], { CLAUDE_DASH_NO_SERVER: "1", XDG_RUNTIME_DIR: "" }));
    expect(line(statusline(w, p, [], env))).toBe(alone);
    expect(await until(() => sockets(dir).length === 1, "the helper's socket")).toBe(true);
    // (a 0600 socket in a 0700 folder: only this user can ask)
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, sockets(dir)[0]!)).mode & 0o777).toBe(0o600);
    for (let i = 0; i < 3; i++) expect(line(statusline(w, p, [], env))).toBe(alone);
    // bad input reaches the helper as it reaches a call: still a line, from what the store holds
    for (const [input, note] of [
      ["", "no payload"],
      ["{{{", "unreadable payload"],
      [JSON.stringify({ filler: "x".repeat(2 * 1024 * 1024) }), "payload too large"],
    ] as const) {
      const text = line(statusline(w, input, [], env));
      expect(text).toContain("$2.10 today");
      expect(text).toEndWith(note);
    }
    // what the helper records is what a call records
    const { rate_limits: _, ...older } = payload(w);
    expect(line(statusline(w, JSON.stringify(older), [], env))).toContain("5h 42% (<1m ago, 60% gone)");
    // idle for 4 s: it goes, and takes its socket with it
    expect(await until(() => sockets(dir).length === 0, "the idle helper to go, with its socket")).toBe(true);
  }, 90_000);

  test("a helper killed without a word leaves a socket nobody answers: the next call answers itself and starts another", async () => {
    const { w, env, dir, run } = served();
    const p = JSON.stringify(payload(w));
    line(statusline(w, p, [], env));
    expect(await until(() => sockets(dir).length === 1, "the helper's socket")).toBe(true);
    const running = () => ownHelpers([run]).length > 0;
    expect(ownHelpers([run])).toHaveLength(1);
    killHelpers("SIGKILL", [run]);
    expect(await until(() => !running(), "the killed helper to be gone")).toBe(true);
    expect(sockets(dir)).toHaveLength(1); // (left behind)
    const text = line(statusline(w, p, [], env));
    expect(text).toContain("$1.65* session");
    expect(await until(running, "a new helper")).toBe(true);
    expect(line(statusline(w, p, [], env))).toBe(text);
    killHelpers("SIGTERM", [run]);
  }, 90_000);

  test("ten calls at once through the helper all answer the same line", async () => {
    const { w, env, dir, run } = served();
    const p = JSON.stringify(payload(w));
    line(statusline(w, p, [], env));
    expect(await until(() => sockets(dir).length === 1, "the helper's socket")).toBe(true);
    const runs = await Promise.all(Array.from({ length: 10 }, () => statuslineAsync(w, p, env)));
    for (const r of runs) expect(line(r)).toContain("$1.65* session │ $2.10 today");
    killHelpers("SIGTERM", [run]);
  }, 90_000);
});

describe("runtimes", () => {
  test("Deno prints what Bun prints (a fresh store each, then the other's store)", () => {
    const DENO = join(REPO, "node_modules", ".bin", "deno");
    const w = world();
    const p = new TextEncoder().encode(JSON.stringify(payload(w)));
    const runWith = (cmd: string[], xdg: string) => {
      const r = Bun.spawnSync([...cmd, "statusline", "--now", NOW, "--color", "always"], {
        cwd: REPO,
        env: { ...envOf(w), XDG_DATA_HOME: xdg },
        stdin: p,
        stdout: "pipe",
        stderr: "pipe",
      });
      return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
    };
    const bunData = join(tempDir("bun"), "xdg");
    const denoData = join(tempDir("deno"), "xdg");
    const DENO_RUN = [DENO, "run", "--allow-read", "--allow-env", "--allow-write", "src/cli.ts"];
    const bun = runWith([BUN, "src/cli.ts"], bunData);
    const deno = runWith(DENO_RUN, denoData);
    expect(deno.err).toBe("");
    expect(deno.code).toBe(0);
    expect(deno.out).toBe(bun.out);
    expect(runWith(DENO_RUN, bunData).out).toBe(runWith([BUN, "src/cli.ts"], denoData).out);
  });
});
