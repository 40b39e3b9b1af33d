// Every door out of the process, fed the hostile strings of the third hostile round (issue 21): escape sequences
// (OSC 52 clipboard writes, OSC 0 title sets, CSI 2J), C1 controls, bidi overrides, line separators and NUL in model
// names, session ids, titles and labels; credentials echoed by a server; impossible dates; a hostile config file; an
// export whose name is taken by a symlink. Through --report, --json, --once, /metrics, CSV and JSON exports, and
// error messages, none of it may reach the user raw.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDirs } from "./builders.ts";
import { clearSecrets, jsonText, printable, redact, registerSecret } from "../src/shared/sanitize.ts";
import { MetricCounters } from "../src/net/metrics-exposition.ts";
import { stringOf } from "../src/net/otlp-map.ts";
import { parseConfig } from "../src/config.ts";
import { writeExport } from "../src/ui/live-loop.ts";
import { timeProblem } from "../src/ingest/time-bounds.ts";

const REPO = resolve(import.meta.dir, "..");
const temp = tempDirs();

/** Raw characters that must never leave the process in text meant for a terminal or a parser. */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const OSC52 = "\u001b]52;c;cm0gLXJmIH4=\u0007";
const MODEL = `opus${OSC52}\u009b31m\u202eevil\u202c\u2028x\u0000`;
const SESSION = "\u001b[2J\u001b[H";
const TITLE = `\u001b]0;HACK\u0007title\u202e\u2066`;
const TOKEN = "Zq7mW2pLx9Rt4Kv8Hn3Jd6Fs1Ye5Uc0AbQw";

function assistant(o: { session: string; model: string; time: string; id: string; cwd?: string }): string {
  return JSON.stringify({
    type: "assistant",
    sessionId: o.session,
    timestamp: o.time,
    uuid: `u-${o.id}`,
    cwd: o.cwd ?? "/home/dev/alpha",
    message: {
      model: o.model,
      id: o.id,
      role: "assistant",
      content: [{ type: "text", text: "hi" }],
      usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 },
    },
    requestId: `req-${o.id}`,
  });
}

let root: string;
let home: string;

beforeAll(() => {
  root = temp("cd-doors-root-");
  home = temp("cd-doors-home-");
  const dir = join(root, "projects", "-home-dev-alpha");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, ".credentials.json"), JSON.stringify({ claudeAiOauth: { accessToken: TOKEN } }));
  const lines = [
    assistant({ session: SESSION, model: MODEL, time: "2026-11-20T10:00:00.000Z", id: "msg_a" }),
    assistant({ session: "plain-session", model: "claude-sonnet-4-5", time: "2026-11-20T11:00:00.000Z", id: "msg_b", cwd: `/home/dev/${OSC52}` }),
    // (and into a model name, a session id and a working directory)
    assistant({ session: `leak-${TOKEN}`, model: `model-${TOKEN}`, time: "2026-11-20T11:30:00.000Z", id: "msg_c", cwd: `/home/${TOKEN}/x` }),
    JSON.stringify({ type: "custom-title", customTitle: TITLE, sessionId: "plain-session" }),
    // (the user pasted the OAuth token into a session's title)
    JSON.stringify({ type: "custom-title", customTitle: `my token is ${TOKEN}`, sessionId: SESSION }),
    // impossible dates: year −1, 9999, 275760
    assistant({ session: "plain-session", model: "claude-sonnet-4-5", time: "-000001-12-31T00:00:00.000Z", id: "msg_y1" }),
    assistant({ session: "plain-session", model: "claude-sonnet-4-5", time: "9999-12-31T00:00:00.000Z", id: "msg_y9999" }),
    assistant({ session: "plain-session", model: "claude-sonnet-4-5", time: "+275760-09-13T00:00:00.000Z", id: "msg_y275760" }),
  ];
  writeFileSync(join(dir, "s.jsonl"), `${lines.join("\n")}\n`);
});
afterAll(() => clearSecrets());

async function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const p = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), ...args], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      XDG_DATA_HOME: join(home, "data"),
      XDG_CONFIG_HOME: join(home, "config"),
      TZ: "UTC",
      CLAUDE_CONFIG_DIR: "",
      ...extraEnv,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}
const corpus = (args: string[]) => cli(["--root", root, "--now", "2026-11-20T15:37:00Z", "--no-allowance", "--active-window-hours", "24", ...args]);

function expectNoPieceOfToken(text: string): void {
  for (let i = 0; i + 8 <= TOKEN.length; i++) expect(text).not.toContain(TOKEN.slice(i, i + 8));
}

describe("--report", () => {
  test("daily, monthly and session print no raw control, bidi or separator character from a model or session id", async () => {
    for (const kind of ["daily", "monthly", "session"]) {
      const r = await corpus(["--report", kind, "--since", "2020-01-01"]);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(RAW);
      expect(r.out).toContain("opus"); // (the model is still named, made harmless)
      expectNoPieceOfToken(r.out + r.err);
    }
  });

  test("impossible dates (years −1, 9999, 275760) are rejected with a reason, not rows", async () => {
    const daily = await corpus(["--report", "daily", "--since", "2020-01-01"]);
    expect(daily.out).not.toMatch(/^(3-12-31|1903-|9999-|275760)/m);
    const weekly = await corpus(["--report", "weekly"]);
    expect(weekly.out).not.toContain("1903-12-28");
    const json = JSON.parse((await corpus(["--json", "--since", "2020-01-01"])).out);
    expect(json.totals.responses).toBe(3);
    const reasons = json.diagnostics.rejected.map((r: { reason: string }) => r.reason);
    expect(reasons).toContain("timestamp before 2020");
    expect(reasons.filter((r: string) => r === "timestamp more than a day in the future").length).toBe(2);
  });
});

describe("--json", () => {
  test("strings from transcripts keep their meaning but no raw C1, bidi or separator character (escaped as \\uXXXX)", async () => {
    for (const view of ["live", "history", "insights"]) {
      const r = await corpus(["--json", "--view", view, "--since", "2020-01-01"]);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(RAW);
      JSON.parse(r.out);
    }
    const live = await corpus(["--json", "--since", "2020-01-01"]);
    for (const escaped of ["\\u009b", "\\u202e", "\\u2028"]) expect(live.out.includes(escaped)).toBe(true);
    const parsed = JSON.parse(live.out);
    // (a script still gets the model's name as the transcript wrote it, escaped in the JSON text)
    expect(parsed.sessions.some((s: { model: string }) => s.model === MODEL)).toBe(true);
    const report = await corpus(["--json", "--report", "daily", "--since", "2020-01-01"]);
    expect(report.out).not.toMatch(RAW);
    const info = await corpus(["--json", "--store-info"]);
    expect(info.out).not.toMatch(RAW);
  });

  test("jsonText escapes what JSON.stringify leaves raw, and parses back to the same value", () => {
    const v = { s: `a\u007fb\u0085c\u061cd\u200ee\u2028f\u2029g\u202eh\u2066i` };
    const t = jsonText(v);
    expect(t).not.toMatch(RAW);
    expect(JSON.parse(t)).toEqual(v);
  });
});

describe("the frame", () => {
  test("--once draws only its own colour sequences, and no piece of a token pasted into a title", async () => {
    const ansi = await corpus(["--once", "--color", "always", "--width", "160", "--height", "50", "--since", "2020-01-01"]);
    expect(ansi.code).toBe(0);
    for (const e of ansi.out.match(/\u001b[^m]*m?/g) ?? []) expect(e).toMatch(/^\u001b\[[0-9;]*m$/);
    expect(ansi.out.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(RAW);
    expectNoPieceOfToken(ansi.out + ansi.err);
  });
});

describe("secrets", () => {
  test("a token pasted into a transcript reaches neither --json, the frame, an export's text, nor the store", async () => {
    const json = await corpus(["--json", "--since", "2020-01-01"]);
    expectNoPieceOfToken(json.out + json.err);
    expect(json.out.includes("my token is [redacted]")).toBe(true);
    const store = join(home, "data", "claude-dash");
    for (const f of ["usage.sqlite", ...(existsSync(store) ? require("node:fs").readdirSync(store) : [])]) {
      const p = join(store, f);
      if (existsSync(p) && lstatSync(p).isFile()) expectNoPieceOfToken(readFileSync(p, "latin1"));
    }
  });

  test("redact takes out every registered secret and every run of 8 of its characters; short ones only whole", () => {
    registerSecret("hunter2pass");
    registerSecret("team1");
    registerSecret("abc"); // (too short to be a secret: it would blot out words)
    expect(redact("alice:hunter2pass@host")).toBe("alice:[redacted]@host");
    expect(redact("xx unter2pa yy")).toBe("xx [redacted] yy");
    expect(redact("nter2pa")).toBe("nter2pa"); // (7 characters: not a run that counts)
    expect(redact("org team1 and team12")).toBe("org [redacted] and team12"); // (a short one only as a whole word)
    registerSecret("2000"); // (a number is no secret: it would blot out every 2000 of a document)
    expect(redact('{"cacheRead": 2000}')).toBe('{"cacheRead": 2000}');
    expect(redact("abc")).toBe("abc");
    expect(printable(`x${"\u001b"}]0;t\u0007 hunter2pass\nnext`)).toBe("x ]0;t  [redacted]\nnext");
    clearSecrets();
  });
});

describe("short credentials", () => {
  test("a 4-character header value never breaks --json or a frame: the JSON still parses, numbers are numbers", async () => {
    const r = await cli([
      "--json",
      "--demo",
      "--now",
      "2026-11-26T18:00:00Z",
      "--prometheus-header",
      "X-Api-Key: 2000",
      "--prometheus-header",
      "Authorization: abcd",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.now).toBe("2026-11-26T18:00:00.000Z");
    const frame = await cli([
      "--once",
      "--demo",
      "--color",
      "always",
      "--now",
      "2026-11-26T18:00:00Z",
      "--prometheus-header",
      "X-Api-Key: 2000",
      "--width",
      "120",
      "--height",
      "40",
    ]);
    for (const e of frame.out.match(/\u001b[^m]*m?/g) ?? []) expect(e).toMatch(/^\u001b\[[0-9;]*m$/);
  });
});

describe("OTLP attributes", () => {
  test("a sender's attribute holding a registered secret is redacted before it is kept or shown", () => {
    registerSecret("otlpSharedSecret123");
    expect(stringOf({ stringValue: "user otlpSharedSecret123@example.com" })).toBe("user [redacted]@example.com");
    expect(stringOf({ stringValue: "ada@example.com" })).toBe("ada@example.com");
    clearSecrets();
  });
});

describe("GET /metrics", () => {
  test("a label value holding escapes is served without them (U+FFFD), quotes and newlines escaped as the format says", () => {
    const c = new MetricCounters();
    const user = `\u001b]52;c;aGk=\u0007"x"\nline\u202e`;
    c.add([{ key: "k", name: "claude_code.cost.usage", time: 0, value: 1, user, model: "m", type: null, sessionId: null, terminal: null } as never]);
    const text = c.text();
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).toContain('user_email="\uFFFD]52;c;aGk=\uFFFD\\"x\\"\\nline\uFFFD"');
  });
});

describe("error messages", () => {
  test("a config value with ESC and BEL is named without them; brackets nested 100,000 deep and huge files are one short line", async () => {
    const dir = join(home, "config", "claude-dash");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "config.toml");
    const cases = [`theme = \u001b]0;HACK\u0007\n`, `root = ${"[".repeat(100_000)}\n`, `root = [${"[".repeat(100_000)}]\n`, `theme = "${"\\q".repeat(10)}"\n`];
    for (const body of cases) {
      writeFileSync(file, body);
      const r = await cli(["--json", "--demo"]);
      expect(r.code).toBe(2);
      expect(r.err).not.toMatch(RAW);
      expect(r.err).not.toContain("Maximum call stack");
      expect(r.err.trim().split("\n").length).toBe(1);
      expect(r.err.length).toBeLessThan(400);
    }
    writeFileSync(file, `# ${"x".repeat(1000)}\n`.repeat(1000)); // 1 MB of comments
    const big = await cli(["--json", "--demo"]);
    expect(big.code).toBe(2);
    expect(big.err).toContain("larger than 64 KiB");
    writeFileSync(file, "");
  });

  test("parseConfig refuses nesting and size without recursion", () => {
    expect(() => parseConfig(`root = ${"[".repeat(30_000)}${"]".repeat(30_000)}`)).toThrow(/array holds strings/);
    expect(() => parseConfig("x".repeat(70_000))).toThrow(/larger than 64 KiB/);
  });

  test("a flag or argument with escapes is named without them, on one line", async () => {
    const r = await cli([`--bogus\u001b]0;x\u0007`]);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(RAW);
    const long = await cli([`x${"\u009b".repeat(10)}${"y".repeat(100_000)}`]);
    expect(long.code).toBe(2);
    expect(long.err.length).toBeLessThan(1200);
    expect(long.err).not.toMatch(RAW);
  });
});

describe("times", () => {
  test("a fact's time is between 2020 and a day past the clock", () => {
    const now = Date.parse("2026-11-20T00:00:00Z");
    expect(timeProblem(Date.parse("2019-12-31T23:59:59Z"), now)).toBe("timestamp before 2020");
    expect(timeProblem(Date.parse("2020-01-01T00:00:00Z"), now)).toBeNull();
    expect(timeProblem(now + 24 * 3_600_000, now)).toBeNull();
    expect(timeProblem(now + 24 * 3_600_000 + 1, now)).toBe("timestamp more than a day in the future");
    expect(timeProblem(NaN, now)).toBe("bad timestamp");
  });
});

describe("export", () => {
  test("is both files or neither: a name taken by a symlink (even dangling) moves both to the next name, and the link is left alone", () => {
    const dir = temp("cd-doors-export-");
    const files = { name: "claude-dash-live-20261120-153700", csv: "a,b\n1,2\n", json: "{}\n" };
    symlinkSync(join(dir, "elsewhere.json"), join(dir, `${files.name}.json`)); // dangling
    expect(writeExport(files, dir)).toBe(`exported ${files.name}-2.csv and .json to ${dir}`);
    expect(existsSync(join(dir, `${files.name}.csv`))).toBe(false);
    expect(existsSync(join(dir, "elsewhere.json"))).toBe(false);
    expect(readlinkSync(join(dir, `${files.name}.json`))).toBe(join(dir, "elsewhere.json"));
    expect(readFileSync(join(dir, `${files.name}-2.csv`), "utf8")).toBe(files.csv);
    expect(readFileSync(join(dir, `${files.name}-2.json`), "utf8")).toBe(files.json);
  });

  test("a directory that cannot be written leaves no half export and says why", () => {
    const dir = temp("cd-doors-export-ro-");
    writeFileSync(join(dir, "file"), "");
    const said = writeExport({ name: "n", csv: "x\n", json: "{}\n" }, join(dir, "file"));
    expect(said).toMatch(/^export failed: /);
  });
});

describe("an engine (--prometheus) that echoes credentials", () => {
  const BEARER = "pr0m3th3usB3ar3rT0k3nXyZ9876543210";
  const HEADER = "OrgSecretHeaderValue-123456";
  let echo: (req: Request) => Response = () => new Response("{}");
  let server: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => echo(req) });
  });
  afterAll(() => server.stop(true));
  const engine = (args: string[], url = `http://127.0.0.1:${server.port}`) =>
    cli(["--prometheus", url, "--prometheus-header", `X-Org-Key: ${HEADER}`, "--now", "2026-11-20T15:37:00Z", "--no-allowance", ...args], {
      CLAUDE_DASH_PROMETHEUS_TOKEN: BEARER,
    });
  const everything = (req: Request) => `${req.headers.get("authorization")} ${req.headers.get("x-org-key")} ${new URL(req.url).search}`;
  function expectNone(text: string, secret: string): void {
    for (let i = 0; i + 8 <= secret.length; i++) expect(text.includes(secret.slice(i, i + 8))).toBe(false);
  }

  test("401, 500 and 400 bodies that echo the bearer token, a header's value, a 16-character piece, or the URL's password: stderr has none", async () => {
    const bodies: ((req: Request) => Response)[] = [
      (req) => Response.json({ status: "error", error: `invalid token: ${req.headers.get("authorization")}` }, { status: 401 }),
      (req) => new Response(`internal error for ${everything(req)}`, { status: 500 }),
      () => Response.json({ status: "error", errorType: "bad_data", error: `near ${BEARER.slice(5, 21)} and ${HEADER.slice(3, 19)}` }, { status: 400 }),
      (req) =>
        Response.json(
          { status: "error", errorType: "bad_data", error: `denied ${atob((req.headers.get("authorization") ?? "Basic ").slice(6))}` },
          { status: 400 },
        ),
    ];
    for (const [i, body] of bodies.entries()) {
      echo = body;
      const url = i === 3 ? `http://alice:hunter2pass@127.0.0.1:${server.port}` : undefined;
      const r = await (i === 3
        ? cli(["--prometheus", url!, "--now", "2026-11-20T15:37:00Z", "--json", "--view", "insights"])
        : engine(["--json", "--view", "insights"]));
      expect(r.code).toBe(1);
      expect(r.err.length).toBeGreaterThan(0);
      for (const secret of [BEARER, HEADER, "hunter2pass"]) expectNone(r.out + r.err, secret);
      if (i === 3) expect(r.err.includes("alice:[redacted]")).toBe(true);
    }
  });

  test("--once on the engine source draws no piece of them, from an error or from a label", async () => {
    echo = (req) => Response.json({ status: "error", error: `invalid token: ${everything(req)}` }, { status: 401 });
    const failing = await engine(["--once", "--plain", "--view", "insights", "--source", "prometheus", "--width", "160", "--height", "50"]);
    expect(failing.code).toBe(0);
    for (const secret of [BEARER, HEADER]) expectNone(failing.out + failing.err, secret);
    const path = (req: Request) => new URL(req.url).pathname;
    echo = (req) =>
      path(req).endsWith("/label/__name__/values")
        ? Response.json({ status: "success", data: ["claude_code_cost_usage_USD_total", "claude_code_token_usage_tokens_total"] })
        : path(req).endsWith("/query_range")
          ? Response.json({ status: "success", data: { resultType: "matrix", result: [] } })
          : Response.json({
              status: "success",
              data: { resultType: "vector", result: [{ metric: { user_email: `${BEARER}@example.com`, model: HEADER, type: "input" }, value: [1, "12"] }] },
            });
    const labelled = await engine(["--once", "--plain", "--view", "insights", "--source", "prometheus", "--width", "160", "--height", "50"]);
    expect(labelled.code).toBe(0);
    for (const secret of [BEARER, HEADER]) expectNone(labelled.out + labelled.err, secret);
    const json = await engine(["--json", "--view", "insights"]);
    for (const secret of [BEARER, HEADER]) expectNone(json.out + json.err, secret);
  });
});

describe("a reader that stops early", () => {
  test("--json | head -c 300: the output ends quietly (exit 0, nothing on stderr), not in an EPIPE stack trace", () => {
    const cmd = `"${process.execPath}" "${join(REPO, "src/cli.ts")}" --json --demo --now 2026-11-26T18:00:00Z --since 2020-01-01 --bucket-minutes 60 2>"$ERR" | head -c 300 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const err = join(temp("cd-doors-pipe-"), "err");
    const p = Bun.spawnSync(["bash", "-c", cmd], { env: { ...process.env, ERR: err, HOME: home, XDG_DATA_HOME: join(home, "data") } });
    expect(p.stdout.toString().trim()).toBe("0");
    expect(readFileSync(err, "utf8")).toBe("");
  });
});

describe("the config file", () => {
  test("cannot make an action a default: acknowledge-loss or store-info there is refused, naming the key", async () => {
    const dir = join(home, "config", "claude-dash");
    mkdirSync(dir, { recursive: true });
    for (const key of ["acknowledge-loss", "store-info"]) {
      writeFileSync(join(dir, "config.toml"), `${key} = true\n`);
      const r = await cli(["--json", "--demo"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${key} is something to do once`);
    }
    writeFileSync(join(dir, "config.toml"), "");
  });
});
