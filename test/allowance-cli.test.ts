// The allowance end to end: the real CLI (a subprocess) against a local server standing in for
// api.anthropic.com (--api-base), with a credentials file holding a recognisable fake token. The token must
// never reach stdout or stderr — not in the frame, not in the JSON, not in an error — whatever the server says.
// Without the endpoint (--no-allowance, no credentials) the panel shows what Claude Code's status line recorded in
// the store, else the estimate from the transcripts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dataDir, joinStore, storeFile } from "../src/ingest/store-open.ts";
import { resetLabel } from "../src/ui/widgets/allowance.ts";

process.env.TZ = "UTC"; // (the CLI runs in UTC: its reset labels are compared with ours)
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
  const p = Bun.spawn(
    [process.execPath, join(REPO, "src/cli.ts"), "--root", rootDir, "--api-base", `http://127.0.0.1:${server.port}`, "--now", "2026-11-26T18:00:00Z", ...args],
    {
      cwd: REPO,
      env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), TZ: "UTC", CLAUDE_CONFIG_DIR: "" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  expect(out).not.toContain(TOKEN);
  expect(err).not.toContain(TOKEN);
  expect(out).not.toContain("SECRET");
  return { code, out, err };
}

/** A root of its own (so a store of its own: what one test records never shows in another), with credentials or not. */
function newRoot(credentials = true): string {
  const dir = mkdtempSync(join(tmpdir(), "claude-dash-allowance-"));
  roots.push(dir);
  mkdirSync(join(dir, "projects"), { recursive: true });
  if (credentials) writeFileSync(join(dir, ".credentials.json"), JSON.stringify({ claudeAiOauth: { accessToken: TOKEN, refreshToken: "r", expiresAt: 0 } }));
  return dir;
}
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const PINNED = Date.parse("2026-11-26T18:00:00Z");
// Reset times after both clocks a run may judge them by: --now (frames) and the wall clock (--json asks for the
// allowance at the wall clock's time), on the minute.
const LATER = Math.ceil((Math.max(Date.now(), PINNED) + 100 * 60_000) / 60_000) * 60_000;
const usage = {
  five_hour: { utilization: 62.5, resets_at: new Date(LATER).toISOString() },
  seven_day: { utilization: 31, resets_at: new Date(LATER + 4 * 86_400_000).toISOString() },
  seven_day_opus: null,
};
const profile = { account: { email: "ada@example.com", has_claude_max: true } };

describe("the allowance in a one-shot frame and in --json", () => {
  test("fetched numbers: gauges with reset times in the frame; an allowance object in --json; the right headers", async () => {
    respond = (path) => Response.json(path.endsWith("/usage") ? usage : profile);
    const root = newRoot();
    const frame = await run(["--once", "--plain", "--width", "160", "--height", "50"], root);
    expect(frame.code).toBe(0);
    expect(frame.out).toContain("5-hour");
    expect(frame.out).toMatch(/63%|62%/);
    expect(frame.out).toContain(resetLabel(LATER, PINNED));
    expect(frame.out).toContain("from claude.ai");
    expect(frame.out).toContain("ada@example.com");
    const usageReq = requests.find((r) => r.path === "/api/oauth/usage")!;
    expect(usageReq.auth).toBe(`Bearer ${TOKEN}`);
    expect(usageReq.beta).toBe("oauth-2025-04-20");
    const json = JSON.parse((await run(["--json"], root)).out);
    expect(json.allowance.status).toBe("ok");
    expect(json.allowance.limits.map((l: { kind: string }) => l.kind)).toEqual(["session", "weekly"]);
    expect(json.allowance.limits[0].resetsAt).toBe(new Date(LATER).toISOString());
  });

  test("429 with Retry-After: the problem, and a retry time clamped to at least 5 minutes", async () => {
    respond = (path) => (path.endsWith("/usage") ? new Response("slow down", { status: 429, headers: { "retry-after": "30" } }) : Response.json(profile));
    const root = newRoot();
    const json = JSON.parse((await run(["--json"], root)).out);
    expect(json.allowance.status).toBe("problem");
    expect(json.allowance.problem.kind).toBe("rate-limited");
    const wait = Date.parse(json.allowance.problem.retryAt) - Date.parse(json.allowance.problem.at);
    expect(wait).toBeGreaterThanOrEqual(5 * 60_000 - 1000);
    const frame = await run(["--once", "--plain", "--width", "160", "--height", "50"], root);
    expect(frame.out).toContain("retry in");
    expect(frame.out).toContain("estimate from transcripts"); // (and meanwhile, the estimate)
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

  test("--no-allowance makes no request and shows the estimate from the transcripts instead (never an empty panel)", async () => {
    respond = () => Response.json(usage);
    const root = newRoot();
    const frame = await run(["--once", "--plain", "--no-allowance", "--width", "160", "--height", "50"], root);
    expect(requests).toEqual([]);
    expect(frame.out).not.toContain("off (--no-allowance)");
    expect(frame.out).toContain("estimate from transcripts");
    expect(JSON.parse((await run(["--json", "--no-allowance"], root)).out).allowance.status).toBe("estimate");
  });

  test("what Claude Code's status line recorded shows with --no-allowance and without credentials, named as its", async () => {
    respond = () => Response.json(usage);
    const root = newRoot(false);
    await run(["--json", "--no-allowance"], root); // (makes the root's store)
    const path = storeFile(dataDir({ XDG_DATA_HOME: join(home, ".local", "share") }, home), [root], []);
    const store = joinStore(path);
    store.recordLimits([{ kind: "session", time: PINNED - 40_000, percent: 64, resetsAt: LATER, origin: "statusline", sessionId: null }], true);
    store.close();
    for (const args of [["--no-allowance"], []]) {
      const frame = await run(["--once", "--plain", "--width", "160", "--height", "50", ...args], root);
      expect(requests).toEqual([]); // (no credentials: nothing to ask claude.ai with)
      expect(frame.out).toContain("64%");
      expect(frame.out).toContain("from Claude Code's status line, 40s ago");
      expect(frame.out).not.toContain("estimate from transcripts");
      const json = JSON.parse((await run(["--json", ...args], root)).out);
      expect([json.allowance.status, json.allowance.limits[0].percent]).toEqual(["ok", 64]);
    }
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
