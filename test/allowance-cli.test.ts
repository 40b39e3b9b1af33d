// The allowance end to end: the real CLI (a subprocess) against a local server standing in for
// api.anthropic.com (--api-base), with a credentials file holding a recognisable fake token. The token must
// never reach stdout or stderr — not in the frame, not in the JSON, not in an error — whatever the server says.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "..");
const TOKEN = "sk-ant-oat01-SECRET-TOKEN-cli-777";
let root: string;
let home: string;
let requests: { path: string; auth: string | null; beta: string | null }[] = [];
let respond: (path: string) => Response = () => new Response("{}");
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "claude-dash-allowance-"));
  home = mkdtempSync(join(tmpdir(), "claude-dash-home-"));
  mkdirSync(join(root, "projects"), { recursive: true });
  writeFileSync(join(root, ".credentials.json"), JSON.stringify({ claudeAiOauth: { accessToken: TOKEN, refreshToken: "r", expiresAt: 0 } }));
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      requests.push({ path, auth: req.headers.get("authorization"), beta: req.headers.get("anthropic-beta") });
      return respond(path);
    },
  });
});
afterAll(() => {
  server.stop(true);
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process, so the server here can answer it. */
async function run(args: string[], rootDir = root) {
  requests = [];
  const p = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--root", rootDir, "--api-base", `http://127.0.0.1:${server.port}`, "--now", "2026-11-26T18:00:00Z", ...args], {
    cwd: REPO,
    env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), TZ: "UTC", CLAUDE_CONFIG_DIR: "" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  expect(out).not.toContain(TOKEN);
  expect(err).not.toContain(TOKEN);
  expect(out).not.toContain("SECRET");
  return { code, out, err };
}

const usage = { five_hour: { utilization: 62.5, resets_at: "2026-11-26T19:40:00Z" }, seven_day: { utilization: 31, resets_at: "2026-12-01T14:00:00Z" }, seven_day_opus: null };
const profile = { account: { email: "ada@example.com", has_claude_max: true } };

describe("the allowance in a one-shot frame and in --json", () => {
  test("fetched numbers: gauges with reset times in the frame; an allowance object in --json; the right headers", async () => {
    respond = (path) => Response.json(path.endsWith("/usage") ? usage : profile);
    const frame = await run(["--once", "--plain", "--width", "160", "--height", "50"]);
    expect(frame.code).toBe(0);
    expect(frame.out).toContain("5-hour");
    expect(frame.out).toMatch(/63%|62%/);
    expect(frame.out).toContain("resets 19:40");
    expect(frame.out).toContain("ada@example.com");
    const usageReq = requests.find((r) => r.path === "/api/oauth/usage")!;
    expect(usageReq.auth).toBe(`Bearer ${TOKEN}`);
    expect(usageReq.beta).toBe("oauth-2025-04-20");
    const json = JSON.parse((await run(["--json"])).out);
    expect(json.allowance.status).toBe("ok");
    expect(json.allowance.limits.map((l: { kind: string }) => l.kind)).toEqual(["session", "weekly"]);
    expect(json.allowance.limits[0].resetsAt).toBe("2026-11-26T19:40:00.000Z");
  });

  test("429 with Retry-After: the problem, and a retry time clamped to at least 5 minutes", async () => {
    respond = (path) => (path.endsWith("/usage") ? new Response("slow down", { status: 429, headers: { "retry-after": "30" } }) : Response.json(profile));
    const json = JSON.parse((await run(["--json"])).out);
    expect(json.allowance.status).toBe("problem");
    expect(json.allowance.problem.kind).toBe("rate-limited");
    const wait = Date.parse(json.allowance.problem.retryAt) - Date.parse(json.allowance.problem.at);
    expect(wait).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    const frame = await run(["--once", "--plain", "--width", "160", "--height", "50"]);
    expect(frame.out).toContain("retry in");
  });

  test("401: the token is stale, run claude again", async () => {
    respond = () => new Response("no", { status: 401 });
    const json = JSON.parse((await run(["--json"])).out);
    expect(json.allowance.problem.kind).toBe("unauthorized");
    expect(json.allowance.problem.message).toContain("run `claude`");
  });

  test("a hostile server echoing the token back (body, status text, header) never gets it printed", async () => {
    respond = () => new Response(`{"error":"bad token ${TOKEN}"}`, { status: 500, statusText: `bad ${TOKEN}`, headers: { "x-echo": TOKEN } });
    await run(["--json"]);
    await run(["--once"]);
    respond = () => new Response(`not json ${TOKEN}`, { status: 200 });
    await run(["--json"]);
    await run(["--once", "--plain"]);
  });

  test("--no-allowance makes no request and says so", async () => {
    respond = () => Response.json(usage);
    const frame = await run(["--once", "--plain", "--no-allowance", "--width", "160", "--height", "50"]);
    expect(requests).toEqual([]);
    expect(frame.out).toContain("off (--no-allowance)");
    expect(JSON.parse((await run(["--json", "--no-allowance"])).out).allowance.status).toBe("off");
  });

  test("no credentials: sign in with claude", async () => {
    const bare = mkdtempSync(join(tmpdir(), "claude-dash-nocreds-"));
    mkdirSync(join(bare, "projects"));
    const json = JSON.parse((await run(["--json"], bare)).out);
    expect(json.allowance.problem.kind).toBe("no-credentials");
    expect(json.allowance.problem.message).toContain("sign in with `claude`");
    rmSync(bare, { recursive: true, force: true });
  });
});
