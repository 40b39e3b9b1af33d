// The history features of the command line, run as subprocesses the way a user or a script runs them:
//   --report daily|weekly|monthly|session  the cost table (text and --json), its periods in a --tz, its per-day totals
//                                          against the model's own numbers for the same window, and a bad value;
//   --store-info                           before any run, after one, after a transcript is deleted, cleanupPeriodDays;
//   --since                                the window's start, all-time spans, bad dates;
//   --no-store and a read-only data dir    nothing written, the same numbers;
//   two processes at once on one store     both exact, no lock errors;
//   --window-hours beyond a year           a bucket that keeps the output small.
// Every run has its own HOME and XDG_DATA_HOME under a temp dir (the usage store is written there), no
// CLAUDE_CONFIG_DIR, NO_COLOR, a pinned clock and --no-allowance (nothing goes to the network).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { joinStore } from "../src/ingest/store-open.ts";
import { customTitleLine, promptLine, responseLines, type SessionInfo } from "../src/synth/lines.ts";

const REPO = resolve(import.meta.dir, "..");
const BUN = process.execPath;
const NOW = "2026-11-26T18:00:00Z";
// Every test here runs the CLI, most of them several times: seconds on a loaded machine. (bun test does not read a
// timeout from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);
const PINNED = ["--now", NOW, "--no-allowance"];
const ALL_TIME = ["--since", "2020-01-01"];

// ---------------------------------------------------------------------------------------------------------------
// Temp dirs, "machines" (a HOME and a data dir) and running the CLI

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `claude-dash-report-${prefix}-`));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Where one user's runs keep their state: an empty HOME and the XDG data dir that holds the usage store. */
interface Machine {
  home: string;
  /** XDG_DATA_HOME (not created: the first run that keeps history creates it). */
  xdg: string;
}

function machine(xdg?: string): Machine {
  const home = tempDir("home");
  return { home, xdg: xdg ?? join(tempDir("data"), "xdg") };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function envOf(m: Machine): Record<string, string | undefined> {
  return { ...process.env, HOME: m.home, XDG_DATA_HOME: m.xdg, CLAUDE_CONFIG_DIR: "", NO_COLOR: "1", TZ: "UTC" };
}

function run(m: Machine, args: string[], timeout?: number): Run {
  const p = Bun.spawnSync([BUN, "src/cli.ts", ...args], { cwd: REPO, env: envOf(m), stdout: "pipe", stderr: "pipe", timeout });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** The same, without waiting: several runs at once. */
async function runAsync(m: Machine, args: string[]): Promise<Run> {
  const p = Bun.spawn([BUN, "src/cli.ts", ...args], { cwd: REPO, env: envOf(m), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

function parsed(r: Run, args: string[]): any {
  if (r.code !== 0) throw new Error(`claude-dash ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const runJson = (m: Machine, args: string[]): any => parsed(run(m, args), args);
const runJsonAsync = async (m: Machine, args: string[]): Promise<any> => parsed(await runAsync(m, args), args);

/** Runs `jobs` with at most `n` at a time (two cores: more only queue up). */
async function pooled<T>(jobs: (() => Promise<T>)[], n = 4): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

/** A usage error: exit 2, nothing on stdout, one line on stderr naming `flag`. */
function expectUsageError(r: Run, flag: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines.length).toBe(1);
  expect(lines[0]).toContain(flag);
}

// ---------------------------------------------------------------------------------------------------------------
// The corpus: ten responses of three sessions over a month, placed on midnights, a month end, a week end and the
// end of daylight saving time (America/New_York, 2026-11-01 06:00Z) so the zone decides their periods.

const OPUS = "claude-opus-4-6";
const SONNET = "claude-sonnet-4-6"; // (flat over its window: these responses read a million tokens each)
const HAIKU = "claude-haiku-4-5-20251001";

/** List prices, USD per million tokens [input, output]; a 5-minute cache write costs 1.25× input, 1-hour 2×, a read 0.1×. */
const LIST_PRICE: Record<string, [number, number]> = { [OPUS]: [5, 25], [SONNET]: [3, 15], [HAIKU]: [1, 5] };

interface Sess {
  id: string;
  cwd: string;
  dir: string;
  title: string | null;
}
const SESSIONS = {
  A: { id: "aaaaaaaa-0000-4000-8000-00000000000a", cwd: "/home/dev/src/shop", dir: "-home-dev-src-shop", title: "checkout flow" },
  B: { id: "bbbbbbbb-0000-4000-8000-00000000000b", cwd: "/home/dev/src/api", dir: "-home-dev-src-api", title: null },
  C: { id: "cccccccc-0000-4000-8000-00000000000c", cwd: "/home/dev/src/web", dir: "-home-dev-src-web", title: "landing page" },
} satisfies Record<string, Sess>;
type SessKey = keyof typeof SESSIONS;

interface Resp {
  id: string;
  time: string;
  model: string;
  session: SessKey;
  /** written by a subagent (its own file), counted with its session. */
  agent?: string;
}

// Local times: New York (EDT −4 until 2026-11-01 06:00Z, then EST −5) · Kolkata (+5:30)
const RESPONSES: Resp[] = [
  { id: "r1", time: "2026-10-30T12:00:00Z", model: OPUS, session: "A" }, //   NY Fri 10-30 08:00 · IN Fri 10-30 17:30
  { id: "r2", time: "2026-11-01T03:30:00Z", model: SONNET, session: "A" }, // NY Sat 10-31 23:30 · IN Sun 11-01 09:00
  { id: "r3", time: "2026-11-02T03:00:00Z", model: HAIKU, session: "A" }, //  NY Sun 11-01 22:00 · IN Mon 11-02 08:30
  { id: "r4", time: "2026-11-23T03:00:00Z", model: OPUS, session: "B" }, //   NY Sun 11-22 22:00 · IN Mon 11-23 08:30
  { id: "r5", time: "2026-11-23T06:00:00Z", model: SONNET, session: "B" }, // NY Mon 11-23 01:00 · IN Mon 11-23 11:30
  { id: "r6", time: "2026-11-23T19:00:00Z", model: OPUS, session: "B" }, //   NY Mon 11-23 14:00 · IN Tue 11-24 00:30
  { id: "r7", time: "2026-11-24T04:59:00Z", model: HAIKU, session: "B", agent: "explore1" }, // NY 11-23 23:59 · IN 11-24 10:29
  { id: "r8", time: "2026-11-24T18:29:00Z", model: SONNET, session: "C" }, // NY Tue 11-24 13:29 · IN Tue 11-24 23:59
  { id: "r9", time: "2026-11-25T18:31:00Z", model: OPUS, session: "C" }, //   NY Wed 11-25 13:31 · IN Thu 11-26 00:01
  { id: "r10", time: "2026-11-26T17:00:00Z", model: HAIKU, session: "C" }, // NY Thu 11-26 12:00 · IN Thu 11-26 22:30
];
const ALL = RESPONSES.map((r) => r.id);

/** Each response's usage; output differs by 20 tokens per response (so an output sum tells which responses were
 *  counted, and every cost is a whole number of 1/100 cents: no rounding ties). */
function usageOf(id: string) {
  return { uncached: 1000, cacheWrite5m: 100_000, cacheWrite1h: 40_000, cacheRead: 1_000_000, output: 20_000 + 20 * Number(id.slice(1)) };
}
const resp = (id: string) => RESPONSES.find((r) => r.id === id)!;

function costOf(id: string): number {
  const [input, output] = LIST_PRICE[resp(id).model]!;
  const u = usageOf(id);
  return (u.uncached * input + u.cacheWrite5m * input * 1.25 + u.cacheWrite1h * input * 2 + u.cacheRead * input * 0.1 + u.output * output) / 1e6;
}

/** The figures of a set of responses as --json prints them (cost to 1/100 of a cent). */
function figures(ids: string[]) {
  const sum = (k: keyof ReturnType<typeof usageOf>) => ids.reduce((n, id) => n + usageOf(id)[k], 0);
  const t = {
    uncached: sum("uncached"),
    cacheWrite5m: sum("cacheWrite5m"),
    cacheWrite1h: sum("cacheWrite1h"),
    cacheRead: sum("cacheRead"),
    output: sum("output"),
  };
  return {
    responses: ids.length,
    ...t,
    effectiveTokens: t.uncached + 1.25 * t.cacheWrite5m + 2 * t.cacheWrite1h + 0.1 * t.cacheRead + 5 * t.output,
    costUSD: Math.round(ids.reduce((n, id) => n + costOf(id), 0) * 1e4) / 1e4,
  };
}

const dollars = (usd: number) => `$${usd.toFixed(2)}`;

/** Writes the corpus as Claude Code lays it out: <root>/projects/<project>/<session>.jsonl (+ subagents/), each file's
 *  mtime its last line's. Returns the path of every file. */
function writeCorpus(root: string): Record<string, string> {
  const paths: Record<string, string> = {};
  const put = (path: string, lines: string[], last: number) => {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, `${lines.join("\n")}\n`);
    utimesSync(path, new Date(last + 60_000), new Date(last + 60_000));
  };
  for (const key of Object.keys(SESSIONS) as SessKey[]) {
    const s = SESSIONS[key];
    const info: SessionInfo = { sessionId: s.id, cwd: s.cwd };
    const mine = RESPONSES.filter((r) => r.session === key && r.agent === undefined);
    const first = Date.parse(mine[0]!.time);
    const lines = [promptLine(info, first - 30_000, "let's go", `p-${key}`, null)];
    for (const r of mine) lines.push(...responseOf(info, r));
    if (s.title) lines.push(customTitleLine(s.id, s.title));
    const dir = join(root, "projects", s.dir);
    put((paths[key] = join(dir, `${s.id}.jsonl`)), lines, Date.parse(mine.at(-1)!.time));
    for (const r of RESPONSES.filter((x) => x.session === key && x.agent !== undefined)) {
      const sub: SessionInfo = { ...info, agentId: r.agent };
      put((paths[`${key}/${r.agent}`] = join(dir, s.id, "subagents", `agent-${r.agent}.jsonl`)), responseOf(sub, r), Date.parse(r.time));
    }
  }
  return paths;
}

function responseOf(s: SessionInfo, r: Resp): string[] {
  return responseLines({
    session: s,
    time: Date.parse(r.time) - 700, // the final line (the one that counts) is at r.time
    blockGapMs: 700,
    model: r.model,
    messageId: `msg_${r.id}`,
    requestId: `req_${r.id}`,
    usage: usageOf(r.id),
    blocks: [
      { type: "thinking", thinking: "hmm" },
      { type: "text", text: `done ${r.id}` },
    ],
    uuids: [`${r.id}-1`, `${r.id}-2`],
    parentUuid: null,
  });
}

/** A new Claude config root holding the corpus (no store has read it yet). */
function corpus(): { root: string; files: Record<string, string> } {
  const root = join(tempDir("root"), "claude");
  return { root, files: writeCorpus(root) };
}

// ---------------------------------------------------------------------------------------------------------------
// Time zones: a local date's midnight as an instant

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(t: number, timeZone: string): number {
  const p: Record<string, number> = {};
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  for (const x of fmt.formatToParts(t)) if (x.type !== "literal") p[x.type] = Number(x.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - t;
}

/** The instant a local date starts in a zone (two steps settle a change of offset). */
function midnight(day: string, timeZone: string): number {
  const utc = Date.parse(`${day}T00:00:00Z`);
  let t = utc - offsetAt(utc, timeZone);
  t = utc - offsetAt(t, timeZone);
  return t;
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const isoOf = (t: number) => new Date(t).toISOString();

// ---------------------------------------------------------------------------------------------------------------

const NY = "America/New_York";
const IN = "Asia/Kolkata";

describe("--report", () => {
  const m = machine();
  const { root } = corpus();
  const report = (kind: string, tz: string, json = true, extra: string[] = []) => {
    const args = ["--report", kind, "--tz", tz, "--root", root, ...PINNED, ...extra, ...(json ? ["--json"] : [])];
    return json ? runJson(m, args) : run(m, args);
  };

  /** Which responses each period holds, worked out by hand from the local times above. */
  const EXPECTED: Record<string, Record<string, Record<string, string[]>>> = {
    daily: {
      [NY]: {
        "2026-10-30": ["r1"],
        "2026-10-31": ["r2"],
        "2026-11-01": ["r3"],
        "2026-11-22": ["r4"],
        "2026-11-23": ["r5", "r6", "r7"],
        "2026-11-24": ["r8"],
        "2026-11-25": ["r9"],
        "2026-11-26": ["r10"],
      },
      [IN]: {
        "2026-10-30": ["r1"],
        "2026-11-01": ["r2"],
        "2026-11-02": ["r3"],
        "2026-11-23": ["r4", "r5"],
        "2026-11-24": ["r6", "r7", "r8"],
        "2026-11-26": ["r9", "r10"],
      },
      UTC: {
        "2026-10-30": ["r1"],
        "2026-11-01": ["r2"],
        "2026-11-02": ["r3"],
        "2026-11-23": ["r4", "r5", "r6"],
        "2026-11-24": ["r7", "r8"],
        "2026-11-25": ["r9"],
        "2026-11-26": ["r10"],
      },
    },
    weekly: {
      // weeks start on Monday: 2026-11-01 is a Sunday, 2026-11-02 a Monday, 2026-11-22 a Sunday
      [NY]: { "2026-10-26": ["r1", "r2", "r3"], "2026-11-16": ["r4"], "2026-11-23": ["r5", "r6", "r7", "r8", "r9", "r10"] },
      [IN]: { "2026-10-26": ["r1", "r2"], "2026-11-02": ["r3"], "2026-11-23": ["r4", "r5", "r6", "r7", "r8", "r9", "r10"] },
    },
    monthly: {
      [NY]: { "2026-10": ["r1", "r2"], "2026-11": ["r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"] },
      [IN]: { "2026-10": ["r1"], "2026-11": ["r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10"] },
    },
  };

  const allFigures = figures(ALL);

  describe.each(["daily", "weekly", "monthly"])("%s --json", (kind) => {
    test.each(Object.keys(EXPECTED[kind]!))("in %s: one row per local period, oldest first, each with its responses' figures", (tz) => {
      const r = report(kind, tz);
      expect(r.report).toBe(kind);
      expect(r.now).toBe("2026-11-26T18:00:00.000Z");
      expect(r.timeZone).toBe(tz);
      const want = EXPECTED[kind]![tz]!;
      expect(r.rows.map((x: any) => x.period)).toEqual(Object.keys(want));
      for (const row of r.rows) expect(row).toMatchObject({ period: row.period, ...figures(want[row.period]!) });
      expect(r.totals).toMatchObject(allFigures);
      expect(r.cost).toEqual({ estimate: true, priceOverridePerMtok: null, responsesPricedByFamily: 0 });
    });
  });

  test("each row is priced per model: a model's cost is its own tokens at its own list price, most expensive first", () => {
    const r = report("daily", NY);
    const day = r.rows.find((x: any) => x.period === "2026-11-23");
    expect(day.models.map((x: any) => [x.model, x.responses, x.output, x.costUSD])).toEqual([
      [OPUS, 1, usageOf("r6").output, figures(["r6"]).costUSD],
      [SONNET, 1, usageOf("r5").output, figures(["r5"]).costUSD],
      [HAIKU, 1, usageOf("r7").output, figures(["r7"]).costUSD],
    ]);
    // by hand, r6 on Opus 4.6 ($5 in, $25 out): 1k×5 + 100k×6.25 + 40k×10 + 1M×0.5 + 20,120×25 = 2,033,000 µ$
    expect(day.models[0].costUSD).toBe(2.033);
    expect(r.totals.models.map((x: any) => [x.model, x.responses])).toEqual([
      [OPUS, 4],
      [SONNET, 3],
      [HAIKU, 3],
    ]);
    for (const x of r.totals.models) expect(x.costUSD).toBe(figures(RESPONSES.filter((y) => y.model === x.model).map((y) => y.id)).costUSD);
  });

  test("daily text: a header naming the zone, a row per local date, the cost per model, and a total row", () => {
    const r = report("daily", NY, false) as Run;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toContain("cost daily");
    expect(lines[0]).toContain(`(${NY})`);
    expect(lines[0]).toContain("list prices, an estimate");
    expect(lines[1]).toBe("");
    expect(lines[2]!.split(/\s{2,}/)).toEqual(["date", "responses", "input", "cache write", "cache read", "output", "effective", "cost", "models"]);
    const body = lines.slice(3);
    const want = EXPECTED.daily![NY]!;
    expect(body.map((l) => l.split(/\s+/)[0])).toEqual([...Object.keys(want), "total"]);
    for (const [day, ids] of Object.entries(want)) {
      const line = body.find((l) => l.startsWith(day))!;
      const cells = line.split(/\s{2,}/);
      expect(cells[1]).toBe(String(ids.length));
      expect(cells[7]).toBe(dollars(figures(ids).costUSD));
    }
    expect(body.find((l) => l.startsWith("2026-11-23"))).toContain(
      `opus-4-6 ${dollars(figures(["r6"]).costUSD)}, sonnet-4-6 ${dollars(figures(["r5"]).costUSD)}, haiku-4-5 ${dollars(figures(["r7"]).costUSD)}`,
    );
    const total = body.at(-1)!.split(/\s{2,}/);
    expect(total[1]).toBe("10");
    expect(total[7]).toBe(dollars(allFigures.costUSD));
    expect(total[8]).toBe(
      [OPUS, SONNET, HAIKU]
        .map(
          (mo) => `${mo.replace(/^claude-/, "").replace(/-\d{8}$/, "")} ${dollars(figures(RESPONSES.filter((y) => y.model === mo).map((y) => y.id)).costUSD)}`,
        )
        .join(", "),
    );
  });

  test("weekly and monthly text label their periods by the week's Monday and the month", () => {
    const weekly = report("weekly", IN, false) as Run;
    expect(weekly.stdout.split("\n")[2]).toStartWith("week of");
    expect(
      weekly.stdout
        .trimEnd()
        .split("\n")
        .slice(3)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual([...Object.keys(EXPECTED.weekly![IN]!), "total"]);
    const monthly = report("monthly", NY, false) as Run;
    expect(monthly.stdout.split("\n")[2]).toStartWith("month");
    expect(
      monthly.stdout
        .trimEnd()
        .split("\n")
        .slice(3)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(["2026-10", "2026-11", "total"]);
  });

  describe("each day's totals are the model's for the same window", () => {
    // The issue: "It must give the same per-day totals as the model for the same window". For every row of the daily
    // report, the LIVE --json and the HISTORY --json over [local midnight, next local midnight] must say the same.
    for (const tz of [NY, IN]) {
      test(`in ${tz}`, async () => {
        const rows: any[] = report("daily", tz).rows;
        expect(rows.length).toBe(Object.keys(EXPECTED.daily![tz]!).length);
        const span = (day: string) => ["--since", isoOf(midnight(day, tz)), "--now", isoOf(midnight(nextDay(day), tz))];
        const jobs = rows.flatMap((row) => [
          () => runJsonAsync(m, ["--json", "--root", root, "--no-allowance", ...span(row.period)]),
          () => runJsonAsync(m, ["--json", "--view", "history", "--tz", tz, "--root", root, "--no-allowance", ...span(row.period)]),
        ]);
        const answers = await pooled(jobs);
        rows.forEach((row, i) => {
          const { period: _p, models: _ms, ...dayTotals } = row;
          const live = answers[2 * i];
          const history = answers[2 * i + 1];
          expect(live.window.from).toBe(isoOf(midnight(row.period, tz)));
          expect({ day: row.period, ...live.totals }).toEqual({ day: row.period, ...dayTotals });
          const { cacheHitRate: _c, ...h } = history.totals;
          expect({ day: row.period, ...h }).toEqual({ day: row.period, ...dayTotals });
        });
      });
    }

    test("the 25-hour day that ends daylight saving time in New York is one row", () => {
      expect(midnight("2026-11-02", NY) - midnight("2026-11-01", NY)).toBe(25 * 3_600_000);
      const rows: any[] = report("daily", NY).rows;
      expect(rows.find((r) => r.period === "2026-11-01")).toMatchObject(figures(["r3"]));
    });

    // Windows, buckets and the report's days all hold their end and not their start: a response stamped exactly at
    // local midnight belongs to the day that ends then, in the report as in the model.
    test("a response at exactly local midnight counts in the same day in both", () => {
      const edge = machine();
      const r = join(tempDir("edge"), "claude");
      const s: SessionInfo = { sessionId: "eeeeeeee-0000-4000-8000-00000000000e", cwd: "/home/dev/src/edge" };
      const at = midnight("2026-11-24", NY); // 2026-11-24T05:00:00.000Z
      const lines = responseLines({
        session: s,
        time: at,
        model: OPUS,
        messageId: "msg_e",
        requestId: "req_e",
        usage: usageOf("r1"),
        blocks: [{ type: "text", text: "x" }],
        uuids: ["e1"],
        parentUuid: null,
      });
      mkdirSync(join(r, "projects", "edge"), { recursive: true });
      writeFileSync(join(r, "projects", "edge", `${s.sessionId}.jsonl`), `${lines.join("\n")}\n`);
      const rows: any[] = runJson(edge, ["--report", "daily", "--json", "--tz", NY, "--root", r, ...PINNED]).rows;
      for (const day of ["2026-11-23", "2026-11-24"]) {
        const live = runJson(edge, ["--json", "--root", r, "--no-allowance", "--since", isoOf(midnight(day, NY)), "--now", isoOf(midnight(nextDay(day), NY))]);
        expect({ day, responses: live.totals.responses }).toEqual({ day, responses: rows.find((x) => x.period === day)?.responses ?? 0 });
      }
    });
  });

  test("--report session: one row per session, newest first, with project · title, first and last response; subagents count with their session", () => {
    const r = report("session", NY);
    expect(r.report).toBe("session");
    expect(r.rows.map((x: any) => [x.sessionId, x.label, x.first, x.last, x.responses])).toEqual([
      [SESSIONS.C.id, "web · landing page", "2026-11-24T18:29:00.000Z", "2026-11-26T17:00:00.000Z", 3],
      [SESSIONS.B.id, "api", "2026-11-23T03:00:00.000Z", "2026-11-24T04:59:00.000Z", 4],
      [SESSIONS.A.id, "shop · checkout flow", "2026-10-30T12:00:00.000Z", "2026-11-02T03:00:00.000Z", 3],
    ]);
    expect(r.rows[1]).toMatchObject(figures(["r4", "r5", "r6", "r7"]));
    expect(r.totals).toMatchObject(allFigures);
  });

  test("--report session text: the short id, the last response in the zone, the label, and a count of sessions", () => {
    const r = report("session", IN, false) as Run;
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toContain("cost per session");
    expect(lines[2]).toStartWith("session");
    expect(lines[3]).toMatch(/^cccccccc +2026-11-26 22:30  web · landing page +3 /);
    expect(lines[4]).toMatch(/^bbbbbbbb +2026-11-24 10:29  api +4 /);
    expect(lines[5]).toMatch(/^aaaaaaaa +2026-11-02 08:30  shop · checkout flow +3 /);
    expect(lines[6]).toStartWith("3 sessions");
    expect(lines[6]).toContain(dollars(allFigures.costUSD));
  });

  test("--report with --since leaves out what came before it", () => {
    const r = report("monthly", NY, true, ["--since", "2026-11-23T00:00:00-05:00"]);
    expect(r.rows.map((x: any) => x.period)).toEqual(["2026-11"]);
    expect(r.totals).toMatchObject(figures(["r5", "r6", "r7", "r8", "r9", "r10"]));
  });

  test("--report text with --since does not claim to cover all history", () => {
    const r = report("daily", NY, false, ["--since", "2026-11-23T00:00:00-05:00"]) as Run;
    expect(r.code).toBe(0);
    const header = r.stdout.split("\n")[0]!;
    expect(header).toStartWith("claude-dash: cost daily");
    expect(header).not.toContain("all history");
    expect(header).toContain("since 2026-11-23 00:00");
  });

  test("with nothing stored: says so (text), and no rows (JSON)", () => {
    const empty = tempDir("empty");
    const fresh = machine();
    const text = run(fresh, ["--report", "daily", "--root", empty, "--tz", NY, ...PINNED]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("no usage stored yet");
    const json = runJson(fresh, ["--report", "weekly", "--json", "--root", empty, ...PINNED]);
    expect(json.rows).toEqual([]);
    expect(json.totals.responses).toBe(0);
    expect(json.totals.costUSD).toBe(0);
  });

  test.each([
    [["--report", "yearly"], "--report"],
    [["--report"], "--report"],
    [["--report", "daily", "--report", "weekly"], "--report"],
    [["--report", "daily", "--tz", "Mars/Olympus"], "--tz"],
  ])("%p exits 2 with one line naming %s", (args, flag) => {
    expectUsageError(run(m, [...args, "--root", root, ...PINNED]), flag);
  });
});

// Claude Code's own dollars beside ours (issue 22): figures put into the store a first run made, as its status line
// records them; A's agrees with ours, B's is 20 % under ours with nothing in the transcripts to say why, C's was seen
// before C's last response. Ours is each whole session, whatever --since cuts from the row.
describe("--report session: Claude Code's own figures beside ours", () => {
  const m = machine();
  const { root } = corpus();
  const report = (json: boolean, extra: string[] = []) => {
    const args = ["--report", "session", "--tz", "UTC", "--root", root, ...PINNED, ...extra, ...(json ? ["--json"] : [])];
    return json ? runJson(m, args) : run(m, args);
  };
  const before = { json: report(true), text: report(false) as Run };
  const A = figures(["r1", "r2", "r3"]).costUSD;
  const B = figures(["r4", "r5", "r6", "r7"]).costUSD;
  const C = figures(["r8", "r9", "r10"]).costUSD;
  const C2 = figures(["r8", "r9"]).costUSD;
  const R10 = figures(["r10"]).costUSD;
  const store = joinStore(runJson(m, ["--store-info", "--json", "--root", root, ...PINNED]).path);
  store.recordClaudeCodeCost(SESSIONS.A.id, Date.parse("2026-11-02T03:01:00Z"), A, "2.1.200", true);
  store.recordClaudeCodeCost(SESSIONS.B.id, Date.parse("2026-11-24T05:00:00Z"), Math.round(B * 0.8 * 1e4) / 1e4, "2.1.200", true);
  store.recordClaudeCodeCost(SESSIONS.C.id, Date.parse("2026-11-25T19:00:00Z"), C2, "2.1.200", true);
  store.close();

  test("with no figure stored: each row's claudeCodeCostUSD and reconciliation are null, and the text has no such column", () => {
    for (const row of before.json.rows) expect(row).toMatchObject({ claudeCodeCostUSD: null, reconciliation: null });
    expect(before.text.code).toBe(0);
    expect(before.text.stdout).not.toContain("Claude Code");
  });

  test("--json: each row's figure and reconciliation; ours is the whole session", () => {
    const r = report(true);
    const row = (id: string) => r.rows.find((x: any) => x.sessionId === id);
    expect(row(SESSIONS.A.id)).toMatchObject({
      costUSD: A,
      claudeCodeCostUSD: A,
      reconciliation: { claudeCodeAt: "2026-11-02T03:01:00.000Z", oursUSD: A, deltaUSD: 0, deltaPercent: 0, differs: false, causes: [] },
    });
    expect(row(SESSIONS.B.id)).toMatchObject({ costUSD: B, reconciliation: { oursUSD: B, differs: true, deltaPercent: 25 } });
    expect(row(SESSIONS.B.id).reconciliation.causes).toEqual([
      "possibly a resumed session: Claude Code's figure is for its own run and may leave out earlier ones",
    ]);
    expect(row(SESSIONS.C.id)).toMatchObject({ costUSD: C, claudeCodeCostUSD: C2, reconciliation: { oursUSD: C, deltaUSD: R10, differs: true } });
    expect(row(SESSIONS.C.id).reconciliation.causes).toEqual([`1 response after Claude Code's last figure (${dollars(R10)} of ours)`]);
    // --since cuts the row, not the session its figure is set beside
    const since = report(true, ["--since", "2026-11-24T00:00:00Z"]);
    const b = since.rows.find((x: any) => x.sessionId === SESSIONS.B.id);
    expect(b).toMatchObject({ costUSD: figures(["r7"]).costUSD, reconciliation: { oursUSD: B } });
  });

  test("text: a 'Claude Code' column beside cost, ≠n on the rows that differ, and footnote n with the causes", () => {
    const r = report(false) as Run;
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const head = lines[2]!.split(/\s{2,}/);
    expect(head.slice(head.indexOf("cost"))).toEqual(["cost", "Claude Code", "models"]);
    const cell = (i: number) => lines[i]!.split(/\s{2,}/)[head.indexOf("Claude Code")];
    expect(lines[3]).toStartWith("cccccccc");
    expect(cell(3)).toBe(`${dollars(C2)} ≠1`);
    expect(cell(4)).toBe(`${dollars(Math.round(B * 0.8 * 1e4) / 1e4)} ≠2`);
    expect(cell(5)).toBe(dollars(A));
    expect(lines[6]).toStartWith("3 sessions");
    const notes = lines.slice(lines.indexOf("") + 1).slice(lines.slice(lines.indexOf("") + 1).findIndex((l) => l.startsWith("Claude Code:")) + 1);
    expect(notes).toEqual([
      `≠1 cccccccc  Claude Code ${dollars(C2)}, ours ${dollars(C)}, +${((R10 / C2) * 100).toFixed(1)} %: 1 response after Claude Code's last figure (${dollars(R10)} of ours)`,
      `≠2 bbbbbbbb  Claude Code ${dollars(Math.round(B * 0.8 * 1e4) / 1e4)}, ours ${dollars(B)}, +25.0 %: possibly a resumed session: Claude Code's figure is for its own run and may leave out earlier ones`,
    ]);
  });
});

describe("--store-info", () => {
  const m = machine();
  const { root, files } = corpus();
  const info = (extra: string[] = []) => run(m, ["--store-info", "--root", root, "--tz", NY, ...PINNED, ...extra]);
  const infoJson = () => parsed(info(["--json"]), ["--store-info", "--json"]);
  const storeDir = join(m.xdg, "claude-dash");
  const allTime = () => runJson(m, ["--json", "--root", root, ...ALL_TIME, ...PINNED]);

  // The tests of this block run in order: before any run, after one, after a transcript is deleted.
  test("before any run: there is no store yet, and looking creates nothing", () => {
    const text = info();
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(text.stdout).toContain("no store yet");
    expect(text.stdout).toContain("nothing stored yet");
    const json = infoJson();
    expect(json).toMatchObject({ state: "none", responses: 0, sessions: 0, files: 0, filesGone: 0, first: null, last: null, sizeBytes: 0 });
    expect(json.path.startsWith(`${storeDir}/`)).toBe(true);
    expect(existsSync(m.xdg)).toBe(false);
  });

  test("after a run: where the store is (under XDG_DATA_HOME), its size, its span, and what it holds", () => {
    expect(allTime().totals).toMatchObject(figures(ALL));
    const json = infoJson();
    expect(json.state).toBe("ok");
    expect(json.path).toMatch(new RegExp(`^${storeDir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/usage(-[0-9a-f]+)?\\.sqlite$`));
    expect(readdirSync(storeDir)).toContain(json.path.split("/").at(-1));
    const onDisk = [json.path, `${json.path}-wal`].reduce((n, p) => n + (existsSync(p) ? statSync(p).size : 0), 0);
    expect(json.sizeBytes).toBe(onDisk);
    expect(json.sizeBytes).toBeGreaterThan(0);
    expect(json).toMatchObject({
      roots: [root],
      first: "2026-10-30T12:00:00.000Z",
      last: "2026-11-26T17:00:00.000Z",
      responses: 10,
      sessions: 3,
      files: 4,
      filesGone: 0,
    });

    const text = info().stdout;
    expect(text).toMatch(new RegExp(`^usage store +${json.path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} +\\d+ kB$`, "m"));
    expect(text).toMatch(/^state +ok$/m);
    expect(text).toContain("2026-10-30 08:00 → 2026-11-26 12:00"); // in --tz America/New_York
    expect(text).toContain("10 responses in 3 sessions, from 4 transcripts");
    expect(text).toContain("0 of those transcripts are no longer on disk");
  });

  test("after a transcript is deleted: it is reported gone, the store keeps its facts, and the totals do not change", () => {
    const before = allTime();
    rmSync(files.A!);
    const after = allTime();
    expect(after.totals).toEqual(before.totals);
    expect(after.totals).toMatchObject(figures(ALL));
    // without the store, the deleted transcript's responses are gone: what the store is for
    const transcriptsOnly = runJson(m, ["--json", "--no-store", "--root", root, ...ALL_TIME, ...PINNED]);
    expect(transcriptsOnly.totals).toMatchObject(figures(ALL.filter((id) => resp(id).session !== "A")));
    const json = infoJson();
    expect(json).toMatchObject({ responses: 10, sessions: 3, files: 4, filesGone: 1 });
    expect(info().stdout).toContain("1 of those transcripts are no longer on disk (their usage is kept here)");
    // and the reports still price them
    expect(runJson(m, ["--report", "monthly", "--json", "--tz", NY, "--root", root, ...PINNED]).totals).toMatchObject(figures(ALL));
  });

  test("cleanupPeriodDays unset: says Claude Code deletes transcripts after 30 days", () => {
    const json = infoJson();
    expect(json.cleanup.days).toBeNull();
    expect(json.cleanup.file).toBeNull();
    expect(json.cleanup.checked).toContain(join(root, "settings.json"));
    expect(info().stdout).toContain("cleanupPeriodDays is not set: Claude Code deletes transcripts after 30 days");
  });

  test("cleanupPeriodDays set in <config root>/settings.json: says how long and where", () => {
    const settings = join(root, "settings.json");
    writeFileSync(settings, JSON.stringify({ model: "opus", cleanupPeriodDays: 99999 }));
    try {
      const json = infoJson();
      expect(json.cleanup).toMatchObject({ days: 99999, file: settings });
      expect(info().stdout).toContain(`Claude Code keeps transcripts 99999 days (cleanupPeriodDays in ${settings})`);
      // a settings.local.json beside it wins
      const local = join(root, "settings.local.json");
      writeFileSync(local, JSON.stringify({ cleanupPeriodDays: 7 }));
      expect(infoJson().cleanup).toMatchObject({ days: 7, file: local });
      rmSync(local);
    } finally {
      rmSync(settings);
    }
  });

  test("--store-info --no-store: no store, and says so", () => {
    const r = info(["--no-store"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(none: --no-store)");
    expect(parsed(info(["--no-store", "--json"]), []).state).toBe("off");
  });
});

describe("--since", () => {
  const m = machine();
  const { root } = corpus();

  test("sets the window's start (window.from) and counts only what came after it", () => {
    const j = runJson(m, ["--json", "--root", root, "--since", "2026-11-01", ...PINNED]);
    expect(j.window.from).toBe("2026-11-01T00:00:00.000Z");
    expect(j.window.to).toBe("2026-11-26T18:00:00.000Z");
    expect(j.totals).toEqual(figures(ALL.filter((id) => id !== "r1")));
    // a date and time with an offset
    const k = runJson(m, ["--json", "--root", root, "--since", "2026-11-23T00:00:00-05:00", ...PINNED]);
    expect(k.window.from).toBe("2026-11-23T05:00:00.000Z");
    expect(k.totals).toEqual(figures(["r5", "r6", "r7", "r8", "r9", "r10"]));
  });

  test("an all-time span works in every --json view, with a bucket that keeps the output small", async () => {
    const [live, history, insights] = await Promise.all(
      [[], ["--view", "history"], ["--view", "insights"]].map((view) => runAsync(m, ["--json", "--root", root, ...ALL_TIME, ...view, ...PINNED])),
    );
    for (const r of [live!, history!, insights!]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
    }
    const l = JSON.parse(live!.stdout);
    expect(l.window.from).toBe("2020-01-01T00:00:00.000Z");
    expect(l.totals).toEqual(figures(ALL));
    expect(l.buckets.length).toBeLessThanOrEqual(2016);
    expect(l.buckets.reduce((n: number, b: any) => n + b.responses, 0)).toBe(10);
    const h = JSON.parse(history!.stdout);
    expect(h.window.from).toBe("2020-01-01T00:00:00.000Z");
    expect(h.totals).toMatchObject(figures(ALL));
    expect(h.buckets.length).toBeLessThanOrEqual(2016);
    const i = JSON.parse(insights!.stdout);
    expect(i.window.from).toBe("2020-01-01T00:00:00.000Z");
    expect(i.cost.totalUSD).toBe(figures(ALL).costUSD);
  });

  test("an all-time span in a --once frame and a --report has no error either", () => {
    const frame = run(m, ["--once", "--plain", "--root", root, ...ALL_TIME, ...PINNED]);
    expect(frame.code).toBe(0);
    expect(frame.stderr).toBe("");
    expect(frame.stdout).not.toMatch(/too many/i);
    const rep = runJson(m, ["--report", "monthly", "--json", "--root", root, ...ALL_TIME, ...PINNED]);
    expect(rep.totals).toMatchObject(figures(ALL));
  });

  test.each([
    [["--since", "yesterday"]],
    [["--since", "2026-11-31"]],
    [["--since", "2026-13-01"]],
    [["--since", "2026-11-01T10:00"]],
    [["--since"]],
    [["--since", "2026-11-01", "--since", "2026-11-02"]],
  ])("%p exits 2 with one line naming --since", (args) => {
    expectUsageError(run(m, ["--json", "--root", root, ...args, ...PINNED]), "--since");
  });

  test("a --since at or after --now exits 2 naming both", () => {
    const r = run(m, ["--json", "--root", root, "--since", "2026-11-27", ...PINNED]);
    expectUsageError(r, "--since");
    expect(r.stderr).toContain("--now");
  });

  test("--bucket-minutes too small for a --since span exits 2 like it does for --window-hours", () => {
    expectUsageError(run(m, ["--json", "--root", root, "--window-hours", "876600", "--bucket-minutes", "1", ...PINNED]), "--bucket-minutes");
    expectUsageError(run(m, ["--json", "--root", root, "--since", "2000-01-01", "--bucket-minutes", "1", ...PINNED], 3000), "--bucket-minutes");
  }, 10_000);
});

describe("without a store", () => {
  const { root } = corpus();
  const args = ["--json", "--root", root, ...ALL_TIME, ...PINNED];
  let withStore: any;
  beforeAll(() => {
    withStore = runJson(machine(), args);
  });
  const numbers = (j: any) => ({ totals: j.totals, buckets: j.buckets, counts: j.counts, sessions: j.sessions });

  test("--no-store writes nothing under XDG_DATA_HOME and gives the same numbers as a run with the store", () => {
    const m = machine();
    const j = runJson(m, ["--no-store", ...args]);
    expect(existsSync(m.xdg)).toBe(false);
    expect(existsSync(join(m.home, ".local"))).toBe(false);
    expect(j.diagnostics.store).toEqual({ state: "off", path: null, notice: null, loss: null });
    expect(numbers(j)).toEqual(numbers(withStore));
    expect(withStore.totals).toEqual(figures(ALL));
    // the report too
    const rep = (extra: string[]) => runJson(m, ["--report", "daily", "--json", "--tz", IN, "--root", root, ...PINNED, ...extra]);
    expect(rep(["--no-store"]).rows).toEqual(rep([]).rows);
    // (that second report kept history: only --no-store writes nothing)
    expect(existsSync(join(m.xdg, "claude-dash"))).toBe(true);
  });

  test("a data dir that cannot be created (XDG_DATA_HOME under a regular file): the same numbers, and diagnostics say why", () => {
    const base = tempDir("ro");
    const blocker = join(base, "a-file");
    writeFileSync(blocker, "not a directory");
    const m = machine(join(blocker, "xdg"));
    const r = run(m, args);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(numbers(j)).toEqual(numbers(withStore));
    expect(j.diagnostics.store.state).toBe("read-only");
    expect(j.diagnostics.store.notice).toContain("usage history is not kept");
    expect(j.diagnostics.store.notice).toContain(join(blocker, "xdg", "claude-dash"));
    expect(readdirSync(base)).toEqual(["a-file"]);
    // --report and --store-info run too
    expect(runJson(m, ["--report", "session", "--json", "--root", root, ...PINNED]).totals).toMatchObject(figures(ALL));
    const info = run(m, ["--store-info", "--root", root, ...PINNED]);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain("no store yet");
  });
});

describe("two processes at once on one store", () => {
  // Enough transcripts that a first fill takes a while: 40 sessions of 150 responses each, over a month.
  const root = join(tempDir("many"), "claude");
  const MODELS = [OPUS, SONNET, HAIKU];
  let expectedResponses = 0;
  for (let s = 0; s < 40; s++) {
    const id = `${String(s).padStart(8, "0")}-1111-4000-8000-000000000000`;
    const info: SessionInfo = { sessionId: id, cwd: `/home/dev/src/p${s % 5}` };
    const lines: string[] = [];
    for (let i = 0; i < 150; i++) {
      const time = Date.parse("2026-10-28T00:00:00Z") + (s * 150 + i) * 7 * 60_000;
      lines.push(
        ...responseLines({
          session: info,
          time,
          model: MODELS[(s + i) % 3]!,
          messageId: `msg_${s}_${i}`,
          requestId: `req_${s}_${i}`,
          usage: { uncached: 3 + i, cacheWrite5m: 500 + s, cacheWrite1h: 100, cacheRead: 30_000 + i * 10, output: 200 + i },
          blocks: [
            { type: "text", text: "x".repeat(400) },
            { type: "tool_use", id: `toolu_${s}_${i}`, name: "Bash", input: { command: "ls" } },
          ],
          uuids: [`u${s}-${i}-a`, `u${s}-${i}-b`],
          parentUuid: null,
        }),
      );
      expectedResponses++;
    }
    mkdirSync(join(root, "projects", `p${s % 5}`), { recursive: true });
    writeFileSync(join(root, "projects", `p${s % 5}`, `${id}.jsonl`), `${lines.join("\n")}\n`);
  }
  const args = ["--json", "--root", root, ...ALL_TIME, ...PINNED];

  test("both exit 0 with the same totals as a run without the store, and neither says the store is locked or busy", async () => {
    const m = machine();
    const [a, b] = await Promise.all([runAsync(m, args), runAsync(m, args)]);
    for (const r of [a!, b!]) {
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/locked|busy/i);
      expect(r.stderr).toBe("");
    }
    const [ja, jb] = [JSON.parse(a!.stdout), JSON.parse(b!.stdout)];
    expect(ja.totals.responses).toBe(expectedResponses);
    expect(jb.totals).toEqual(ja.totals);
    expect(jb.counts).toEqual(ja.counts);
    expect(runJson(machine(), ["--no-store", ...args]).totals).toEqual(ja.totals);
    // and the store they shared is whole: a third run reads it (nothing left to read) with the same totals
    const third = runJson(m, args);
    expect(third.diagnostics.store.state).toBe("ok");
    expect(third.diagnostics.bytesRead).toBe(0);
    expect(third.totals).toEqual(ja.totals);
  });
});

describe("--window-hours beyond a year", () => {
  const m = machine();
  const { root } = corpus();

  test("--window-hours 20000 --json covers it all with a bucket that keeps a few thousand buckets at most", () => {
    const j = runJson(m, ["--json", "--root", root, "--window-hours", "20000", ...PINNED]);
    expect(Date.parse(j.window.to) - Date.parse(j.window.from)).toBe(20_000 * 3_600_000);
    expect(j.window.bucketMinutes).toBeGreaterThanOrEqual((20_000 * 60) / 2016);
    expect(j.buckets.length).toBeLessThanOrEqual(2017);
    expect(j.buckets.length).toBeGreaterThan(100);
    expect(j.totals).toEqual(figures(ALL));
    expect(j.buckets.reduce((n: number, b: any) => n + b.output, 0)).toBe(figures(ALL).output);
  });

  test("--window-hours 20000 --view history --history-hours 20000 too", () => {
    const j = runJson(m, ["--json", "--view", "history", "--root", root, "--history-hours", "20000", ...PINNED]);
    expect(j.buckets.length).toBeLessThanOrEqual(2016);
    expect(j.totals).toMatchObject(figures(ALL));
  });
});
