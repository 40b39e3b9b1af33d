// A hostile usage server: it echoes the token into every field, sends terminal escapes (title, clear screen, OSC 52
// clipboard), bidi overrides and line separators, and out-of-range numbers. The real CLI (a subprocess) must print
// no piece of the token, no escape it did not make itself, and no NaN; --json must not crash.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import { join, resolve } from "node:path";
import { DEFAULT_TIMEOUT_MS } from "../src/net/allowance.ts";
import { startOtlpReceiver } from "../src/net/otlp-receiver.ts";
import stringWidth from "string-width";
import { simpleText } from "../src/ui/text.ts";
import { Discovery } from "../src/ingest/discover.ts";
import { lineToEvents } from "../src/ingest/records.ts";
import { TranscriptSource } from "../src/ingest/source.ts";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import { responseLines } from "../src/synth/lines.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { dashboardJson } from "../src/model/json-view.ts";
import { demoInstead } from "../src/ingest/demo.ts";
import { DashboardApp } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { layout } from "../src/ui/layout.ts";
import { until } from "./until.ts";
import { noDiagnostics } from "./builders.ts";

// Most tests here run the real CLI, several times each: seconds on a loaded machine. (bun test does not read a
// timeout from bunfig.toml: without this, each test would have bun's 5 s.)
setDefaultTimeout(60_000);

const DIAG = noDiagnostics();

const REPO = resolve(import.meta.dir, "..");
// (no sk-ant- prefix: the token must be recognised as itself, not by its shape)
const TOKEN = "Zq7mW2pLx9Rt4Kv8Hn3Jd6Fs1Ye5Uc0AbQw";
let root: string;
let home: string;
let respond: (path: string) => Response = () => new Response("{}");
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "claude-dash-hostile-"));
  home = mkdtempSync(join(tmpdir(), "claude-dash-hostile-home-"));
  mkdirSync(join(root, "projects"), { recursive: true });
  writeFileSync(join(root, ".credentials.json"), JSON.stringify({ claudeAiOauth: { accessToken: TOKEN, refreshToken: "r", expiresAt: 0 } }));
  server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => respond(new URL(req.url).pathname) });
});
afterAll(() => {
  server.stop(true);
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** (--no-store: what one test's server answered is recorded in the store, and would be another test's recorded figure) */
async function run(args: string[]) {
  const p = Bun.spawn(
    [
      process.execPath,
      join(REPO, "src/cli.ts"),
      "--root",
      root,
      "--api-base",
      `http://127.0.0.1:${server.port}`,
      "--now",
      "2026-11-26T18:00:00Z",
      "--no-store",
      ...args,
    ],
    {
      cwd: REPO,
      env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), TZ: "UTC", CLAUDE_CONFIG_DIR: "" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

/** No run of 8 or more characters of the token anywhere in the text. */
function expectNoPieceOfToken(text: string): void {
  for (let i = 0; i + 8 <= TOKEN.length; i++) expect(text).not.toContain(TOKEN.slice(i, i + 8));
}

const ESCAPES = "\u001b]0;pwned\u0007\u001b[2J\u001b]52;c;cm0gLXJmIH4=\u0007\u009b31m";
const BIDI = "\u202eevil\u202c\u2066x\u2069\u061c\u2028\u2029";

describe("a usage server that echoes the token", () => {
  test("in a limit's kind, in every profile field, mid-way through long text: no piece of it in the frame or --json", async () => {
    const long = `${"x".repeat(95)}${TOKEN}${"y".repeat(20)}`;
    respond = (path) =>
      path.endsWith("/usage")
        ? Response.json({
            limits: [
              { kind: TOKEN, percent: 5 },
              { kind: long, percent: 7 },
              { kind: `weekly ${TOKEN.slice(3, 20)} tail`, percent: 9 },
            ],
          })
        : Response.json({ account: { email: long, display_name: TOKEN, full_name: TOKEN }, organization: { name: `${TOKEN}'s org` } });
    const json = await run(["--json"]);
    expect(json.code).toBe(0);
    expectNoPieceOfToken(json.out + json.err);
    const limits = JSON.parse(json.out).allowance.limits;
    expect(limits.length).toBe(3);
    expect(limits[0].kind).toBe("[redacted]");
    for (const size of [
      ["160", "50"],
      ["100", "30"],
    ]) {
      const frame = await run(["--once", "--plain", "--width", size[0]!, "--height", size[1]!]);
      expect(frame.code).toBe(0);
      expectNoPieceOfToken(frame.out + frame.err);
    }
  });
});

describe("a usage server that sends terminal escapes and bidi controls", () => {
  test("none reaches --once output (ANSI or plain): only the frame's own colour sequences", async () => {
    respond = (path) =>
      path.endsWith("/usage")
        ? Response.json({
            limits: [
              { kind: `weekly${ESCAPES}`, percent: 40 },
              { kind: `five${BIDI}`, percent: 3 },
            ],
          })
        : Response.json({ account: { email: `ada${BIDI}@example.com${ESCAPES}`, has_claude_max: true } });
    const ansi = await run(["--once", "--width", "160", "--height", "50"]);
    expect(ansi.code).toBe(0);
    // every escape in the output is one of ours: SGR colour (ESC [ … m)
    const escapes = ansi.out.match(/\u001b[^m]*m?/g) ?? [];
    for (const e of escapes) expect(e).toMatch(/^\u001b\[[0-9;]*m$/);
    for (const ch of ["\u0007", "\u009b", "\u202e", "\u2066", "\u2069", "\u061c", "\u2028", "\u2029"]) expect(ansi.out).not.toContain(ch);
    const plain = await run(["--once", "--plain", "--width", "160", "--height", "50"]);
    expect(plain.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u061c\u2028\u2029]/);
    expect(plain.out).toContain("ada");
    // --json keeps the server's text as JSON (escaped), never raw on the terminal
    const json = await run(["--json"]);
    expect(json.code).toBe(0);
    expect(json.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});

describe("a usage server that sends numbers out of range", () => {
  test("resets_at of 99999999999999999 or 1e308 and a percent of 1e308: --json prints (exit 0), the frame shows no NaN", async () => {
    respond = (path) =>
      path.endsWith("/usage")
        ? Response.json({
            limits: [
              { kind: "session", percent: 12, resets_at: 1e17 }, // (as 99999999999999999 reads: past any real reset)
              { kind: "weekly", percent: 30, resets_at: 1e308 },
              { kind: "weekly_opus", percent: 1e308 },
            ],
          })
        : Response.json({ account: { email: "ada@example.com" } });
    const json = await run(["--json"]);
    expect(json.code).toBe(0);
    expect(json.err).toBe("");
    const limits = JSON.parse(json.out).allowance.limits;
    expect(limits.map((l: { kind: string; resetsAt: string | null }) => [l.kind, l.resetsAt])).toEqual([
      ["session", null],
      ["weekly", null],
    ]);
    const frame = await run(["--once", "--plain", "--width", "160", "--height", "50"]);
    expect(frame.code).toBe(0);
    expect(frame.out).not.toContain("NaN");
    expect(frame.out).not.toContain("Inv");
    expect(frame.out).not.toContain("e+308");
  });
});

describe("nothing lost in silence", () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "claude-dash-silent-"));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test("a folder or file name that is not valid UTF-8 is named in the problems; the rest is read", () => {
    const projects = join(base, "a", "projects");
    mkdirSync(join(projects, "good"), { recursive: true });
    writeFileSync(join(projects, "good", "s.jsonl"), "");
    // (raw bytes: 0xff is never UTF-8)
    mkdirSync(Buffer.concat([Buffer.from(`${projects}/bad-`), Buffer.from([0xff, 0xfe])]));
    writeFileSync(Buffer.concat([Buffer.from(`${projects}/good/x-`), Buffer.from([0xc3, 0x28]), Buffer.from(".jsonl")]), "{}\n");
    const d = new Discovery([join(base, "a")]);
    expect(d.scan()).toEqual([join(projects, "good", "s.jsonl")]);
    expect([...d.problems.entries()]).toEqual([
      [projects, "1 name in it not valid UTF-8 (not read)"],
      [join(projects, "good"), "1 name in it not valid UTF-8 (not read)"],
    ]);
  });

  test("a projects that is a regular file is a problem, not an empty history", () => {
    mkdirSync(join(base, "b"), { recursive: true });
    writeFileSync(join(base, "b", "projects"), "not a folder");
    const d = new Discovery([join(base, "b")]);
    expect(d.scan()).toEqual([]);
    expect(d.problems.get(join(base, "b", "projects"))).toBe("not a directory");
  });

  test("NUL padding a crash left before a good line: the line is read (both readers), nothing rejected", () => {
    const dir = join(base, "c", "projects", "p");
    mkdirSync(dir, { recursive: true });
    const s = { sessionId: "c0ffee00-0000-4000-8000-000000000001", cwd: "/w" };
    const one = responseLines({
      session: s,
      time: Date.parse("2026-11-26T17:00:00Z"),
      model: "claude-opus-4-6",
      messageId: "m1",
      requestId: "r1",
      usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 0, cacheRead: 3, output: 4 },
      blocks: [{ type: "text", text: "a" }],
      uuids: ["u1"],
      parentUuid: null,
    });
    const two = responseLines({
      session: s,
      time: Date.parse("2026-11-26T17:01:00Z"),
      model: "claude-opus-4-6",
      messageId: "m2",
      requestId: "r2",
      usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 0, cacheRead: 3, output: 5 },
      blocks: [{ type: "text", text: "b" }],
      uuids: ["u2"],
      parentUuid: null,
    });
    writeFileSync(join(dir, `${s.sessionId}.jsonl`), `${one.join("\n")}\n${"\u0000".repeat(4096)}${two.join("\n")}\n`);
    const store = memoryStore();
    const source = new TranscriptSource([join(base, "c")], store);
    source.refresh();
    expect(store.rejectedLines(10).count).toBe(0);
    const events: ModelEvent[] = [];
    lineToEvents(`${"\u0000".repeat(10)}${two[0]}`, 2, { file: "/f", fileSessionId: null, fileAgentId: null }, events);
    expect(events.map((e) => e.type)).toEqual(["ResponseObserved"]);
    const json = dashboardJson(
      new StoreQueries(store),
      { now: Date.parse("2026-11-26T18:00:00Z"), windowHours: 12, bucketMinutes: 60, activeWindowHours: 1 },
      DIAG,
      false,
    );
    expect(json.totals.responses).toBe(2);
    expect(json.totals.output).toBe(9);
  });
});

describe("exits on time", () => {
  test("and never before its output is out: a large --json through a pipe is whole", async () => {
    const p = Bun.spawn(
      [process.execPath, join(REPO, "src/cli.ts"), "--demo", "--json", "--window-hours", "200", "--bucket-minutes", "1", "--now", "2026-11-26T18:00:00Z"],
      { cwd: REPO, stdout: "pipe", stderr: "pipe" },
    );
    const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
    expect(code).toBe(0);
    expect(out.length).toBeGreaterThan(1_000_000);
    expect(JSON.parse(out).buckets.length).toBe(12_000);
  });

  test("--json with a usage endpoint that never answers: prints at ~3 s and exits right after, not at the request's 10 s timeout", async () => {
    respond = () => new Response(new ReadableStream({ start() {} })); // headers sent, a body that never comes
    const hang = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
    try {
      const t0 = performance.now();
      const p = Bun.spawn(
        [
          process.execPath,
          join(REPO, "src/cli.ts"),
          "--root",
          root,
          "--api-base",
          `http://127.0.0.1:${hang.port}`,
          "--now",
          "2026-11-26T18:00:00Z",
          "--no-store",
          "--json",
        ],
        {
          cwd: REPO,
          env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), TZ: "UTC", CLAUDE_CONFIG_DIR: "" },
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const [out, code] = await Promise.all([new Response(p.stdout).text(), p.exited]);
      const ms = performance.now() - t0;
      expect(code).toBe(0);
      expect(JSON.parse(out).allowance.status).not.toBe("ok");
      // What this rules out is waiting for the request's own timeout: a run that did would take at least
      // DEFAULT_TIMEOUT_MS (10 s) from the start. The bound is that, not the ~3 s expected, so a slow start on a
      // loaded machine has 7 s of room.
      expect(ms).toBeLessThan(DEFAULT_TIMEOUT_MS);
    } finally {
      hang.stop(true);
    }
  });
});

describe("wide and combining characters", () => {
  // clusters a terminal draws 2 wide, 1 wide with marks, or 0 wide; plus separators that must not break a line
  const POOL = [
    "🚀",
    "✅",
    "⚡",
    "🫠",
    "👍🏽",
    "👩‍💻",
    "🇯🇵",
    "漢字",
    "ｶﾀｶﾅ",
    "한국어",
    "각",
    "ไทย",
    "สวัสดี",
    "हिन्दी",
    "क्षि",
    "é",
    "e\u0301",
    "ñ",
    "Ω",
    "a",
    "-",
    " ",
    "\u2028",
    "\u061c",
    "\u200b",
    "\ufe0f",
    "ـ",
    "x",
  ];
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const randomText = (n: number) => Array.from({ length: n }, () => POOL[rand(POOL.length)]).join("");

  test("the fast path's characters are what string-width says: one column each", () => {
    for (let c = 0x20; c <= 0x25ff; c++) {
      const ch = String.fromCharCode(c);
      if (simpleText(ch)) expect([c.toString(16), stringWidth(ch)]).toEqual([c.toString(16), 1]);
    }
    expect(simpleText("e\u0301")).toBe(false);
    expect(simpleText("©\ufe0f")).toBe(false);
  });

  test("random titles and project names: every bordered line of the frame is exactly --width columns (string-width)", async () => {
    const base = mkdtempSync(join(tmpdir(), "claude-dash-wide-"));
    try {
      const now = Date.parse("2026-11-26T18:00:00Z");
      for (let k = 0; k < 6; k++) {
        const sid = `aaaaaaaa-0000-4000-8000-00000000000${k}`;
        const cwd = `/home/u/${randomText(6)}`;
        const dir = join(base, "projects", `p${k}`);
        mkdirSync(dir, { recursive: true });
        const s = { sessionId: sid, cwd };
        const lines = responseLines({
          session: s,
          time: now - (k + 1) * 60_000,
          model: "claude-opus-4-6",
          messageId: `m${k}`,
          requestId: `r${k}`,
          usage: { uncached: 1, cacheWrite5m: 2, cacheWrite1h: 0, cacheRead: 3, output: 4 },
          blocks: [{ type: "text", text: "a" }],
          uuids: [`u${k}`],
          parentUuid: null,
        });
        lines.push(JSON.stringify({ type: "custom-title", customTitle: randomText(30), sessionId: sid }));
        writeFileSync(join(dir, `${sid}.jsonl`), `${lines.join("\n")}\n`);
      }
      for (const [w, h] of [
        [160, 50],
        [100, 30],
        [61, 24],
      ]) {
        const p = Bun.spawnSync(
          [
            process.execPath,
            join(REPO, "src/cli.ts"),
            "--root",
            base,
            "--no-allowance",
            "--no-store",
            "--now",
            "2026-11-26T18:00:00Z",
            "--once",
            "--plain",
            "--width",
            String(w),
            "--height",
            String(h),
          ],
          { cwd: REPO, env: { ...process.env, TZ: "UTC" }, stdout: "pipe", stderr: "pipe" },
        );
        expect(p.exitCode).toBe(0);
        const out = p.stdout.toString();
        expect(out).not.toMatch(/[\u2028\u2029\u061c]/);
        const rows = out.split("\n");
        expect(rows.some((r) => r.includes("ACTIVE SESSIONS"))).toBe(true);
        for (const row of rows) {
          expect(stringWidth(row)).toBeLessThanOrEqual(w!);
          if (/[│╮╯]$/.test(row)) expect([row, stringWidth(row)]).toEqual([row, w!]);
        }
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe("origins never mix", () => {
  const NOW = Date.parse("2026-11-26T18:00:00Z");
  const teamResponse = (i: number): ModelEvent => ({
    type: "ResponseObserved",
    key: `otel:req_${i}`,
    requestId: `req_${i}`,
    time: NOW - i * 60_000,
    sessionId: `other-user-session-${i}`,
    agentId: null,
    model: "claude-opus-4-6",
    usage: { uncached: 10, cacheWrite5m: 100, cacheWrite1h: 0, cacheRead: 1000, output: 50 },
    cwd: null,
    entrypoint: null,
    origin: "team",
    user: `dev${i}@example.com`,
  });

  test("LIVE is this machine's transcripts: other users' telemetry never shows there, only where a team source is chosen", () => {
    const app = new DashboardApp(new StoreQueries(memoryStore()), {
      windowHours: 12,
      bucketMinutes: null,
      activeWindowHours: 1,
      banner: null,
      account: null,
      still: true,
    });
    app.apply([teamResponse(1), teamResponse(2)]);
    const live = app.view(NOW, layout(160, 50));
    expect(live.totals.responses).toBe(0);
    expect(live.sessions).toEqual([]);
    const g = new CellGrid(160, 50);
    app.render(g, NOW, NOW);
    expect(g.toPlain()).not.toContain("dev1@example");
    // INSIGHTS with the team source has them
    app.dispatch({ type: "tab", tab: "insights" });
    app.dispatch({ type: "source", source: "team" });
    const g2 = new CellGrid(160, 50);
    app.render(g2, NOW, NOW);
    expect(g2.toPlain()).toContain("dev1@example.c");
  });

  test("no demo data when receiving team telemetry, nor for a script, nor when a root was named", () => {
    const none = { nothing: true, named: false, json: false, report: false, otlp: false };
    expect(demoInstead(none)).toBe(true);
    expect(demoInstead({ ...none, otlp: true })).toBe(false);
    expect(demoInstead({ ...none, json: true })).toBe(false);
    expect(demoInstead({ ...none, report: true })).toBe(false);
    expect(demoInstead({ ...none, named: true })).toBe(false);
    expect(demoInstead({ ...none, nothing: false })).toBe(false);
  });
});

describe("the OTLP receiver holds its slots", () => {
  test("70 clients trickling a declared 1,000-byte body at 1 byte/s do not starve a legitimate POST; they are cut off for their rate and counted", async () => {
    // The body timeout is put far away (10 min), so whatever frees the slots here is the rate rule (cut off a body
    // slower than 1 kB/s after its first 2 s), which is what this is about; the 408s are checked to say so.
    const cut: string[] = [];
    const r = await startOtlpReceiver({
      host: "127.0.0.1",
      port: 0,
      bodyTimeoutMs: 600_000,
      onLogs: () => {},
      onMetrics: () => {},
      onError: (e) => void (e.status === 408 && cut.push(e.message)),
    });
    const sockets: net.Socket[] = [];
    const drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write("{");
    }, 1000);
    try {
      for (let i = 0; i < 70; i++) {
        const s = net.connect(r.port, "127.0.0.1");
        s.on("error", () => {});
        s.write(`POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
        sockets.push(s);
      }
      await until(() => r.stats.overClientCap > 0, "the trickling clients to fill this address's share");
      const post = () =>
        fetch(`http://127.0.0.1:${r.port}/v1/logs`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ resourceLogs: [] }),
        }).then((x) => x.status);
      // from the same address: refused while the trickling ones hold that client's share, served once they are cut
      // off (well before the 10-minute body timeout: the deadline here is 60 s)
      expect(await until(async () => (await post()) === 200, "a legitimate POST to be served")).toBe(true);
      // every client that held one of the share's 16 slots is cut off for its rate: they started together, but a
      // loaded machine cuts them over a few ticks (13 of 16 had been when the POST got in on one run)
      expect(await until(() => r.stats.slowClients >= 16 && cut.length === r.stats.slowClients, "every slot's holder to be cut off and counted")).toBe(true);
      for (const m of cut) expect(m).toMatch(/^the body arrived too slowly \(\d+ bytes in \d+\.\d s\)$/);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
      await r.stop();
    }
  });
});

describe("a damaged telemetry store", () => {
  test("is said in the footer and in --json diagnostics, not silently left out", async () => {
    const xdg = mkdtempSync(join(tmpdir(), "claude-dash-badtel-"));
    try {
      mkdirSync(join(xdg, "claude-dash"), { recursive: true });
      writeFileSync(join(xdg, "claude-dash", "telemetry.sqlite"), "this is not a database ".repeat(300));
      const demoRoot = join(xdg, "root");
      mkdirSync(join(demoRoot, "projects"), { recursive: true });
      const run1 = (args: string[]) =>
        Bun.spawnSync(
          [process.execPath, join(REPO, "src/cli.ts"), "--root", demoRoot, "--no-allowance", "--now", "2026-11-26T18:00:00Z", "--view", "insights", ...args],
          { cwd: REPO, env: { ...process.env, XDG_DATA_HOME: xdg, TZ: "UTC" }, stdout: "pipe", stderr: "pipe" },
        );
      const json = run1(["--json"]);
      expect(json.exitCode).toBe(0);
      expect(JSON.parse(json.stdout.toString()).diagnostics.telemetry).toContain("cannot be read");
      const frame = run1(["--once", "--plain", "--width", "200", "--height", "50"]);
      expect(frame.stdout.toString()).toContain("team telemetry not shown");
    } finally {
      rmSync(xdg, { recursive: true, force: true });
    }
  });
});
