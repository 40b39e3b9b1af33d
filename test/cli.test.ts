// The command line, run as a subprocess the way a user or a script runs it: flags, exit codes, the --json
// contract, the demo fallback, a transcript written with the synth builders, and Bun/Deno parity.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { HELP_FLAGS } from "../src/ui/widgets/help.ts";
import { joinStore } from "../src/ingest/store-open.ts";
import { apiErrorLine, customTitleLine, progressLine, promptLine, responseLines, retryLine, toolResultLine, type SessionInfo } from "../src/synth/lines.ts";

const REPO = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const DENO = join(REPO, "node_modules", ".bin", "deno");
const PINNED = ["--now", "2026-11-26T18:00:00Z"];
const DEMO_ARGS = ["--json", "--demo", ...PINNED];

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `claude-dash-${prefix}-`));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** An empty home, so the default roots (~/.claude, ~/.config/claude) hold no transcripts. */
const HOME = tempDir("home");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], cmd: string[] = [BUN, "src/cli.ts"]): Run {
  const p = Bun.spawnSync([...cmd, ...args], {
    cwd: REPO,
    env: { ...process.env, HOME, XDG_DATA_HOME: join(HOME, ".local", "share"), CLAUDE_CONFIG_DIR: "", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

function runJson(args: string[]): { run: Run; json: any } {
  const r = run(args);
  if (r.code !== 0) throw new Error(`claude-dash ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return { run: r, json: JSON.parse(r.stdout) };
}

const sorted = (o: object) => Object.keys(o).sort();

const CONTRACT = {
  top: ["now", "demo", "window", "totals", "buckets", "sessions", "counts", "allowance", "diagnostics"],
  window: ["from", "to", "bucketMinutes"],
  totals: ["responses", "uncached", "cacheWrite5m", "cacheWrite1h", "cacheRead", "output", "effectiveTokens", "costUSD"],
  bucket: ["start", "uncached", "cacheWrite5m", "cacheWrite1h", "cacheRead", "newInput", "cacheMiss", "output", "responses"],
  session: [
    "sessionId",
    "project",
    "title",
    "cwd",
    "branch",
    "lastActivity",
    "model",
    "contextTokens",
    "contextWindow",
    "mainFresh1h",
    "subFresh1h",
    "mainFreshWindow",
    "subFreshWindow",
    "effectiveTokens",
    "costUSD",
    "apiErrorLast",
    "lastApiError",
    "subagents",
    "claudeCodeCostUSD",
    "reconciliation",
  ],
  subagent: ["agentId", "model", "peakContext", "effectiveTokens", "costUSD", "fromCopy"],
  lastApiError: ["time", "status", "message"],
  counts: ["prompts", "toolCalls", "toolErrors", "toolRejections", "apiErrors", "apiRetries"],
  diagnostics: ["roots", "files", "filesDeferred", "bytesRead", "linesRead", "unreadable", "linesRejected", "rejected", "store", "responsesFromProgressCopies"],
};

describe("--json --demo", () => {
  const first = runJson(DEMO_ARGS);
  const d = first.json;

  test("exits 0 with nothing on stderr", () => {
    expect(first.run.code).toBe(0);
    expect(first.run.stderr).toBe("");
  });

  test("has exactly the contract's top-level keys and nested field names", () => {
    expect(sorted(d)).toEqual([...CONTRACT.top].sort());
    expect(sorted(d.window)).toEqual([...CONTRACT.window].sort());
    expect(sorted(d.totals)).toEqual([...CONTRACT.totals].sort());
    expect(d.buckets.length).toBeGreaterThan(0);
    for (const b of d.buckets) expect(sorted(b)).toEqual([...CONTRACT.bucket].sort());
    for (const s of d.sessions) {
      expect(sorted(s)).toEqual([...CONTRACT.session].sort());
      for (const a of s.subagents) expect(sorted(a)).toEqual([...CONTRACT.subagent].sort());
      if (s.lastApiError !== null) expect(sorted(s.lastApiError)).toEqual([...CONTRACT.lastApiError].sort());
    }
    expect(d.sessions.some((s: any) => s.subagents.length > 0)).toBe(true);
    expect(sorted(d.counts)).toEqual([...CONTRACT.counts].sort());
    expect(sorted(d.diagnostics)).toEqual([...CONTRACT.diagnostics].sort());
  });

  test("says it is demo data, pinned to the given clock with the default 12 h / 5 min window", () => {
    expect(d.demo).toBe(true);
    expect(d.now).toBe("2026-11-26T18:00:00.000Z");
    expect(d.window).toEqual({ from: "2026-11-26T06:00:00.000Z", to: "2026-11-26T18:00:00.000Z", bucketMinutes: 5 });
    expect(d.buckets.length).toBe(144);
    expect(d.buckets[0].start).toBe("2026-11-26T06:00:00.000Z");
  });

  test("shows active sessions, one ending in an API error and one with a 1M context window", () => {
    expect(d.sessions.length).toBeGreaterThan(0);
    const errored = d.sessions.filter((s: any) => s.apiErrorLast === true);
    expect(errored.length).toBeGreaterThan(0);
    expect(errored[0].lastApiError).not.toBeNull();
    expect(d.sessions.some((s: any) => s.contextWindow === 1_000_000)).toBe(true);
    const times = d.sessions.map((s: any) => Date.parse(s.lastActivity));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  test("bucket sums agree with the totals", () => {
    expect(d.totals.responses).toBeGreaterThan(0);
    const sum = (k: string) => d.buckets.reduce((n: number, b: any) => n + b[k], 0);
    for (const k of ["responses", "uncached", "cacheWrite5m", "cacheWrite1h", "cacheRead", "output"]) expect(sum(k)).toBe(d.totals[k]);
    expect(sum("newInput") + sum("cacheMiss")).toBe(d.totals.uncached + d.totals.cacheWrite5m + d.totals.cacheWrite1h);
  });

  test("is deterministic: the same output twice", () => {
    expect(run(DEMO_ARGS).stdout).toBe(first.run.stdout);
  });

  test("Deno prints byte-identical output", () => {
    const deno = run(DEMO_ARGS, [DENO, "run", "--allow-read", "--allow-env", "src/cli.ts"]);
    expect(deno.stderr).toBe("");
    expect(deno.code).toBe(0);
    expect(deno.stdout).toBe(first.run.stdout);
  }, 60_000);
});

describe("flags", () => {
  test.each([
    [["--bucket-minutes", "0"], "--bucket-minutes"],
    [["--bucket-minutes", "abc"], "--bucket-minutes"],
    [["--window-hours", "-1"], "--window-hours"],
    [["--now", "yesterday"], "--now"],
    [["--frobnicate"], "--frobnicate"],
    [["--window-hours"], "--window-hours"],
    [["--root"], "--root"],
    [["--now"], "--now"],
    [["--now", "2026-02-30"], "--now"],
    [["--now", "2026-01-01T00:00:00"], "--now"],
    [["--json=maybe"], "--json"],
    [["--demo=yes"], "--demo"],
    [["--bucket-minutes", "2.5"], "--bucket-minutes"],
    [["extra"], '"extra"'],
    [["--pricing", "/nonexistent/prices.json"], "--pricing"],
  ])("%p exits 2 with one line on stderr naming %s", (args, flag) => {
    const r = run(["--json", ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain(flag);
  });

  test("--pricing: a bad file exits 2 naming the file and its first bad entry; a good one prices with it", () => {
    const dir = tempDir("pricing");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ "claude-opus-4-6": { input_cost_per_token: "five", output_cost_per_token: 2.5e-5 } }));
    const r = run(["--json", "--demo", ...PINNED, "--pricing", bad]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      `claude-dash: --pricing ${bad}: entry "claude-opus-4-6": input_cost_per_token must be a price per token (a number from 0 to 1)`,
    ]);
    // Opus 4.6 at twice its list price: the demo's Opus cost doubles, the rest stays
    const good = join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({ "claude-opus-4-6": { input_cost_per_token: 1e-5, output_cost_per_token: 5e-5, litellm_provider: "anthropic", mode: "chat" } }),
    );
    const base = runJson(["--json", "--demo", ...PINNED]).json;
    const priced = runJson(["--json", "--demo", ...PINNED, "--pricing", good]).json;
    expect(priced.totals.costUSD).toBeGreaterThan(base.totals.costUSD);
    expect(priced.totals.responses).toBe(base.totals.responses);
  });

  test("--help exits 0 and describes the flags", () => {
    const r = run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const flag of ["--json", "--demo", "--root", "--now", "--window-hours", "--bucket-minutes"]) expect(r.stdout).toContain(flag);
  });

  test("every flag the in-app help lists is a real flag", () => {
    const r = run(["--help"]);
    for (const [keys] of HELP_FLAGS) {
      for (const flag of keys.match(/--[a-z-]+/g)!) expect(r.stdout).toContain(flag.replace(/^--no-/, "--"));
    }
  });
});

describe("without transcripts", () => {
  test("--json --root <empty dir> reports zeros and no demo data", () => {
    const empty = tempDir("empty");
    const { json } = runJson(["--json", "--root", empty, ...PINNED]);
    expect(json.demo).toBe(false);
    expect(json.totals).toEqual({ responses: 0, uncached: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, effectiveTokens: 0, costUSD: 0 });
    expect(json.sessions).toEqual([]);
    expect(json.counts).toEqual({ prompts: 0, toolCalls: 0, toolErrors: 0, toolRejections: 0, apiErrors: 0, apiRetries: 0 });
    expect(json.diagnostics.roots).toEqual([empty]);
    expect(json.diagnostics.files).toBe(0);
    expect(json.buckets.every((b: any) => b.responses === 0)).toBe(true);
  });

  test("--json with an empty home does not fall back to demo data", () => {
    const { json } = runJson(["--json", ...PINNED]);
    expect(json.demo).toBe(false);
    expect(json.totals.responses).toBe(0);
  });

  test("a --root with no projects folder is named in the footer, even on a narrow terminal", () => {
    const empty = tempDir("noprojects");
    const missing = join(empty, "nope");
    for (const [root, reason] of [
      [empty, "no projects folder in it"],
      [missing, "not found"],
    ] as const) {
      const r = run(["--once", "--plain", "--root", root, "--width", "120", "--height", "30", ...PINNED]);
      expect(r.code).toBe(0);
      const footer = r.stdout.trimEnd().split("\n").at(-1)!;
      expect(footer).toContain("? help");
      expect(footer).toContain(`0 files · ${root}: ${reason}`);
    }
  });

  test("the dashboard frame shows the DEMO DATA banner", () => {
    const r = run(["--once", "--plain", ...PINNED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("DEMO DATA");
    expect(r.stdout.split("\n")[0]).toContain("DEMO DATA");
  });
});

describe("text from transcripts", () => {
  test("is painted without control characters (an escape sequence in a cwd or model cannot reach the terminal)", () => {
    const root = tempDir("evil");
    mkdirSync(join(root, "projects", "x"), { recursive: true });
    const line = JSON.stringify({
      type: "assistant",
      sessionId: "s1",
      timestamp: "2026-11-26T17:59:00.000Z",
      cwd: "/home/\u001b[31mEVIL\u001b[0m",
      requestId: "r",
      message: { id: "m", model: "claude-opus-4-6\u001b]0;pwned\u0007", content: [], usage: { input_tokens: 1, output_tokens: 1 } },
    });
    writeFileSync(join(root, "projects", "x", "s1.jsonl"), `${line}\n`);
    const plain = run(["--once", "--plain", "--root", root, ...PINNED]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("EVIL");
    expect(plain.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    // in colour, the only escape sequences are our own SGR colour codes
    const ansi = run(["--once", "--color", "always", "--root", root, ...PINNED]);
    expect(ansi.stdout).toContain("EVIL");
    expect(ansi.stdout.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe("--json --root <dir with a transcript>", () => {
  const MAIN = "1a1a1a1a-0000-4000-8000-000000000001";
  const COPY = "9f9f9f9f-0000-4000-8000-000000000009";
  const OPUS = "claude-opus-4-6";
  const HAIKU = "claude-haiku-4-5-20251001";
  const cwd = "/home/dev/src/shop";
  const t = (hms: string) => Date.parse(`2026-11-26T${hms}Z`);
  const main: SessionInfo = { sessionId: MAIN, cwd };
  const sub: SessionInfo = { sessionId: MAIN, cwd, agentId: "abc123" };
  const copy: SessionInfo = { sessionId: COPY, cwd };

  const r1 = (s: SessionInfo) =>
    responseLines({
      session: s,
      time: t("17:00:05"),
      model: OPUS,
      messageId: "msg_r1",
      requestId: "req_r1",
      usage: { uncached: 3, cacheWrite5m: 1200, cacheWrite1h: 800, cacheRead: 15_000, output: 420 },
      blocks: [
        { type: "text", text: "Let me run the tests." },
        { type: "tool_use", id: "toolu_a", name: "Bash", input: { command: "bun test" } },
      ],
      uuids: ["a1", "a2"],
      parentUuid: "u1",
      streaming: "last",
    });

  const mainLines = [
    promptLine(main, t("17:00:00"), "fix the failing checkout tests", "u1", null),
    ...r1(main),
    progressLine(main, t("17:00:10"), "g1", "a2", "toolu_a", "running…"),
    toolResultLine(main, t("17:00:20"), "toolu_a", { uuid: "u2", parentUuid: "a2", outcome: "ok", content: "2 failed" }),
    ...responseLines({
      session: main,
      time: t("17:01:00"),
      model: OPUS,
      messageId: "msg_r2",
      requestId: "req_r2",
      usage: { uncached: 5, cacheWrite5m: 300, cacheWrite1h: 0, cacheRead: 17_000, output: 150 },
      blocks: [
        { type: "thinking", thinking: "The fixture is stale." },
        { type: "tool_use", id: "toolu_b", name: "Edit", input: { file_path: "a.ts" } },
      ],
      uuids: ["b1", "b2"],
      parentUuid: "u2",
      streaming: "all",
    }),
    toolResultLine(main, t("17:01:30"), "toolu_b", { uuid: "u3", parentUuid: "b2", outcome: "rejected" }),
    '{"type":"assistant","message":{"id":"msg_torn","usage":{"input_tokens":9', // a corrupt line: rejected, counted
    // an old-format response without requestId and without the 5m/1h split: the whole write counts as 5-minute
    ...responseLines({
      session: main,
      time: t("17:02:00"),
      model: OPUS,
      messageId: "msg_r3",
      usage: { uncached: 2, cacheWrite5m: 200, cacheWrite1h: 300, cacheRead: 17_300, output: 60 },
      blocks: [{ type: "text", text: "I will wait." }],
      uuids: ["c1"],
      parentUuid: "u3",
      streaming: "split",
    }),
    retryLine(main, t("17:03:00"), "u4", "c1", 1),
    apiErrorLine(main, t("17:03:30"), "u5", "u4", 529),
    customTitleLine(MAIN, "checkout flow"),
  ];
  const CORRUPT_LINE_NO = mainLines.findIndex((l) => l.includes("msg_torn")) + 1;
  // a half-written last line (no newline yet): neither counted nor rejected
  const TORN_TAIL = '{"parentUuid":"u5","isSidechain":false,"type":"assistant","message":{"id":"msg_r9","usage":{"input_tok';

  const subLines = [
    promptLine(sub, t("17:00:25"), "Find the checkout fixtures", "s0", null), // a subagent's task prompt is not a user prompt
    ...responseLines({
      session: sub,
      time: t("17:00:30"),
      model: HAIKU,
      messageId: "msg_r4",
      requestId: "req_r4",
      usage: { uncached: 10, cacheWrite5m: 2000, cacheWrite1h: 0, cacheRead: 0, output: 90 },
      blocks: [{ type: "text", text: "Found them." }],
      uuids: ["s1"],
      parentUuid: "s0",
    }),
  ];
  // another session's file repeating response r1 (as a resumed session does): counted once
  const copyLines = r1(copy);

  const root = tempDir("root");
  const project = join(root, "projects", "-home-dev-src-shop");
  const mainPath = join(project, `${MAIN}.jsonl`);
  const subPath = join(project, MAIN, "subagents", "agent-abc123.jsonl");
  const copyPath = join(project, `${COPY}.jsonl`);
  mkdirSync(join(project, MAIN, "subagents"), { recursive: true });
  writeFileSync(mainPath, `${mainLines.join("\n")}\n${TORN_TAIL}`);
  writeFileSync(subPath, `${subLines.join("\n")}\n`);
  writeFileSync(copyPath, `${copyLines.join("\n")}\n`);

  const { json } = runJson(["--json", "--root", root, ...PINNED]);

  test("totals count each response once, with the largest usage", () => {
    expect(json.demo).toBe(false);
    expect(json.totals).toEqual({
      responses: 4,
      uncached: 3 + 5 + 2 + 10,
      cacheWrite5m: 1200 + 300 + 500 + 2000,
      cacheWrite1h: 800,
      cacheRead: 15_000 + 17_000 + 17_300,
      output: 420 + 150 + 60 + 90,
      // r1 6703 + r2 2830 + r3 2657 + r4 2960
      effectiveTokens: 15_150,
      // µ$: r1 33515 + r2 14150 + r3 13285 (Opus 4.6) + r4 2960 (Haiku 4.5) = $0.06391
      costUSD: 0.0639,
    });
  });

  test("counts prompts, tool calls and outcomes, API errors and retries", () => {
    expect(json.counts).toEqual({ prompts: 1, toolCalls: 2, toolErrors: 0, toolRejections: 1, apiErrors: 1, apiRetries: 1 });
  });

  test("shows the session with its title, context, fresh tokens, subagent and API error", () => {
    expect(json.sessions.length).toBe(1);
    const s = json.sessions[0];
    expect(s).toMatchObject({
      sessionId: MAIN,
      project: "shop",
      title: "checkout flow",
      lastActivity: "2026-11-26T17:03:30.000Z",
      model: OPUS,
      contextTokens: 2 + 500 + 17_300,
      contextWindow: 200_000,
      mainFresh1h: 2003 + 305 + 502,
      subFresh1h: 2010,
      mainFreshWindow: 2810,
      subFreshWindow: 2010,
      effectiveTokens: 15_150,
      // the session's cost is its responses' (the whole total here), its subagent's is r4's alone
      costUSD: 0.0639,
      apiErrorLast: true,
      subagents: [{ agentId: "abc123", model: HAIKU, peakContext: 2010, effectiveTokens: 2960, costUSD: 0.003, fromCopy: false }],
    });
    expect(s.lastApiError).toMatchObject({ time: "2026-11-26T17:03:30.000Z", status: 529 });
    expect(s.lastApiError.message).toContain("529");
  });

  test("puts each response in the bucket of its final line", () => {
    const b = (iso: string) => json.buckets.find((x: any) => x.start === iso);
    expect(b("2026-11-26T17:00:00.000Z")).toEqual({
      start: "2026-11-26T17:00:00.000Z",
      uncached: 20,
      cacheWrite5m: 4000,
      cacheWrite1h: 800,
      cacheRead: 49_300,
      newInput: 2003 + 305 + 502,
      cacheMiss: 2010,
      output: 720,
      responses: 4,
    });
  });

  test("reports what it read: files, bytes, complete lines and the rejected line", () => {
    const g = json.diagnostics;
    expect(g.roots).toEqual([root]);
    expect(g.files).toBe(3);
    expect(g.bytesRead).toBe(statSync(mainPath).size + statSync(subPath).size + statSync(copyPath).size);
    expect(g.linesRead).toBe(mainLines.length + subLines.length + copyLines.length);
    expect(g.unreadable).toEqual([]);
    expect(g.linesRejected).toBe(1);
    expect(g.rejected.length).toBe(1);
    expect(g.rejected[0]).toMatchObject({ file: mainPath, line: CORRUPT_LINE_NO });
  });

  // Deno runs the same code on the same store: byte for byte what Bun prints, with a store (made by either) and without.
  test("Deno prints what Bun prints for --json, --report (text and JSON) and --once, with a store and with --no-store", () => {
    const DENO_RUN = [DENO, "run", "--allow-read", "--allow-env", "--allow-write", "src/cli.ts"];
    const withData = (args: string[], cmd: string[], data: string) => {
      const p = Bun.spawnSync([...cmd, ...args], {
        cwd: REPO,
        env: { ...process.env, HOME, XDG_DATA_HOME: data, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" },
        stdout: "pipe",
        stderr: "pipe",
      });
      // (the store's path is the one thing that differs)
      return { code: p.exitCode, out: p.stdout.toString().replaceAll(data, "<data>"), err: p.stderr.toString() };
    };
    const variants = [
      ["--json", "--root", root, "--no-allowance", ...PINNED],
      ["--report", "daily", "--json", "--root", root, ...PINNED],
      ["--report", "session", "--root", root, "--tz", "Asia/Kolkata", ...PINNED],
      ["--once", "--plain", "--width", "120", "--height", "40", "--root", root, "--no-allowance", ...PINNED],
    ];
    const bunStore = tempDir("data-bun");
    const denoStore = tempDir("data-deno");
    for (const args of variants) {
      // a store each makes from nothing
      const bunFirst = withData(args, [BUN, "src/cli.ts"], join(bunStore, String(variants.indexOf(args))));
      const denoFirst = withData(args, DENO_RUN, join(denoStore, String(variants.indexOf(args))));
      expect(denoFirst.err).toBe("");
      expect(denoFirst.code).toBe(0);
      expect(denoFirst.out).toBe(bunFirst.out);
      // the store the other made
      const bunAgain = withData(args, [BUN, "src/cli.ts"], join(denoStore, String(variants.indexOf(args))));
      const denoAgain = withData(args, DENO_RUN, join(bunStore, String(variants.indexOf(args))));
      expect(denoAgain.out).toBe(bunAgain.out);
      // no store
      expect(withData([...args, "--no-store"], DENO_RUN, denoStore).out).toBe(withData([...args, "--no-store"], [BUN, "src/cli.ts"], bunStore).out);
    }
  }, 120_000);
});

// Claude Code's own dollars for a session (its status line's cost.total_cost_usd, recorded in the usage store) beside
// ours in --json sessions[]: three sessions written as transcripts, figures put into the store the first run made.
describe("--json: Claude Code's own figures beside ours (issue 22)", () => {
  const OPUS = "claude-opus-4-6";
  const t = (hm: string) => Date.parse(`2026-11-26T${hm}:00Z`);
  const IDS = {
    agree: "c1c1c1c1-0000-4000-8000-000000000001",
    after: "c2c2c2c2-0000-4000-8000-000000000002",
    placeholder: "c3c3c3c3-0000-4000-8000-000000000003",
    none: "c4c4c4c4-0000-4000-8000-000000000004",
  };
  const root = tempDir("cc-root");
  const data = tempDir("cc-data");
  let n = 0;
  /** Opus 4.6 responses ($5 / $25 per Mtok): [time, uncached, output] each, one line each ("all": its final usage). */
  const write = (sid: string, responses: [string, number, number][]) => {
    const s: SessionInfo = { sessionId: sid, cwd: "/home/dev/src/shop" };
    const lines = [promptLine(s, t(responses[0]![0]) - 30_000, "go", `p-${sid}`, null)];
    for (const [hm, uncached, output] of responses)
      lines.push(
        ...responseLines({
          session: s,
          time: t(hm),
          model: OPUS,
          messageId: `msg_${++n}`,
          requestId: `req_${n}`,
          usage: { uncached, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output },
          blocks: [{ type: "text", text: "ok" }],
          uuids: [`u${n}`],
          parentUuid: null,
          streaming: "all",
        }),
      );
    const dir = join(root, "projects", "-home-dev-src-shop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${sid}.jsonl`), `${lines.join("\n")}\n`);
  };
  write(IDS.agree, [["17:30", 100_000, 20_000]]); // $1.00
  write(IDS.after, [
    ["17:10", 100_000, 20_000],
    ["17:40", 50_000, 10_000],
  ]); // $1.00, then $0.50 after the figure
  write(IDS.placeholder, [
    ["17:20", 200_000, 3],
    ["17:21", 200_000, 3],
    ["17:22", 200_000, 3],
  ]); // $3.000225: output counts of 3
  write(IDS.none, [["17:30", 100_000, 20_000]]);

  const runHere = (args: string[]) => {
    const p = Bun.spawnSync([BUN, "src/cli.ts", ...args, "--root", root, "--no-allowance", ...PINNED], {
      cwd: REPO,
      env: { ...process.env, HOME, XDG_DATA_HOME: data, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" },
      stdout: "pipe",
      stderr: "pipe",
    });
    if (p.exitCode !== 0) throw new Error(`claude-dash ${args.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
    return p.stdout.toString();
  };
  const before = JSON.parse(runHere(["--json"]));
  // (the store the first run made, found where --store-info says it is)
  const store = joinStore(JSON.parse(runHere(["--store-info", "--json"])).path);
  store.recordClaudeCodeCost(IDS.agree, t("17:31"), 1.004, "2.1.200", true);
  store.recordClaudeCodeCost(IDS.after, t("17:20"), 1.0, "2.1.200", true);
  store.recordClaudeCodeCost(IDS.placeholder, t("17:23"), 3.6, "2.1.17", true);
  store.close();
  const json = JSON.parse(runHere(["--json"]));
  const session = (sid: string) => json.sessions.find((s: any) => s.sessionId === sid);

  test("before any figure: every session's claudeCodeCostUSD and reconciliation are null", () => {
    expect(before.sessions.length).toBe(4);
    for (const s of before.sessions) expect(s).toMatchObject({ claudeCodeCostUSD: null, reconciliation: null });
  });

  test("within 1 %: the figure and a reconciliation that does not differ", () => {
    expect(session(IDS.agree)).toMatchObject({
      costUSD: 1,
      claudeCodeCostUSD: 1.004,
      reconciliation: { claudeCodeAt: "2026-11-26T17:31:00.000Z", oursUSD: 1, deltaUSD: -0.004, deltaPercent: -0.4, differs: false, causes: [] },
    });
  });

  test("over 1 %, ours higher: the response after its last figure is the cause", () => {
    expect(session(IDS.after)).toMatchObject({
      costUSD: 1.5,
      claudeCodeCostUSD: 1,
      reconciliation: { oursUSD: 1.5, deltaUSD: 0.5, deltaPercent: 50, differs: true, causes: ["1 response after Claude Code's last figure ($0.50 of ours)"] },
    });
  });

  test("over 1 %, ours lower: output counts that are placeholders", () => {
    const r = session(IDS.placeholder).reconciliation;
    expect(r).toMatchObject({ oursUSD: 3.0002, differs: true, deltaPercent: -16.66 });
    expect(r.causes).toEqual([
      "output averages 3 tokens over 3 responses: placeholder counts (some Claude Code versions wrote only the first streamed count), so ours under-counts",
    ]);
  });

  test("without a figure: null, and nothing else of the session changes", () => {
    expect(session(IDS.none)).toMatchObject({ claudeCodeCostUSD: null, reconciliation: null });
    const strip = (s: any) => ({ ...s, claudeCodeCostUSD: undefined, reconciliation: undefined });
    expect(json.sessions.map(strip)).toEqual(before.sessions.map(strip));
    expect(json.totals).toEqual(before.totals);
  });
});
