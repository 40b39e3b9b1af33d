// Team telemetry end to end through the real CLI: --otlp --headless receives a batch shaped like Claude Code's,
// stops cleanly on SIGTERM with the store flushed, and a later run shows the team's data in INSIGHTS (a restart
// loses nothing); the same response seen in a transcript and over OTLP counts once.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { responseLines } from "../src/synth/lines.ts";

import { tempDirs } from "./builders.ts";
import { until } from "./until.ts";

const REPO = resolve(import.meta.dir, "..");
const temp = tempDirs();

const NOW = Date.now();
function kv(attrs: Record<string, string | number | boolean>) {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === "number" ? { intValue: String(v) } : typeof v === "boolean" ? { boolValue: v } : { stringValue: v },
  }));
}
function batch(requestIds: string[]) {
  const records = requestIds.flatMap((id, i) => [
    {
      timeUnixNano: String((NOW - 60_000 * (i + 1)) * 1e6),
      body: { stringValue: "claude_code.user_prompt" },
      attributes: kv({ "session.id": "team-s1", "user.email": "ada@example.com", "terminal.type": "vscode", prompt_length: 12 }),
    },
    {
      timeUnixNano: String((NOW - 60_000 * (i + 1) + 5000) * 1e6),
      body: { stringValue: "claude_code.api_request" },
      attributes: kv({
        "session.id": "team-s1",
        "user.email": "ada@example.com",
        "terminal.type": "vscode",
        model: "claude-opus-4-6",
        input_tokens: 5,
        output_tokens: 100,
        cache_read_tokens: 1000,
        cache_creation_tokens: 50,
        cost_usd: 0.01,
        duration_ms: 2000,
        request_id: id,
      }),
    },
  ]);
  return {
    resourceLogs: [{ resource: { attributes: kv({ "service.name": "claude-code" }) }, scopeLogs: [{ scope: { name: "claude_code" }, logRecords: records }] }],
  };
}

/** Until the receiver answers at all (a refused connection throws: not yet). */
const waitFor = (url: string) =>
  until(async () => (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status > 0, "the receiver to start");

describe("claude-dash --otlp", () => {
  test("--headless receives, stops cleanly on SIGTERM, and a restart shows the team's data; transcript + OTLP count once", async () => {
    const data = temp("xdg");
    const root = temp("root");
    // a local transcript holding the same API response (requestId req_both) that telemetry also reports
    mkdirSync(join(root, "projects", "p"), { recursive: true });
    const line = responseLines({
      session: { sessionId: "local-s1", cwd: "/home/dev/p" },
      time: NOW - 2 * 60_000,
      model: "claude-opus-4-6",
      messageId: "msg_both",
      requestId: "req_both",
      usage: { uncached: 5, cacheWrite5m: 50, cacheWrite1h: 0, cacheRead: 1000, output: 100 },
      blocks: [{ type: "text", text: "hi" }],
      uuids: ["u1"],
      parentUuid: null,
    });
    writeFileSync(join(root, "projects", "p", "local-s1.jsonl"), `${line.join("\n")}\n`);
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const env = { ...process.env, XDG_DATA_HOME: data, HOME: data, CLAUDE_CONFIG_DIR: "" };
    const server = Bun.spawn([process.execPath, join(REPO, "src/cli.ts"), "--otlp", String(port), "--headless", "--root", root, "--no-allowance"], {
      env,
      stderr: "pipe",
      stdout: "pipe",
    });
    await waitFor(`http://127.0.0.1:${port}/v1/logs`);
    const r = await fetch(`http://127.0.0.1:${port}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch(["req_team_1", "req_both"])),
    });
    expect(r.status).toBe(200);
    server.kill("SIGTERM");
    const code = await server.exited;
    const log = await new Response(server.stderr).text();
    expect(code).toBe(143); // (stopped cleanly, by SIGTERM: 128 + 15)
    expect(log).toContain("receiving OpenTelemetry");
    expect(log).toContain("stopped (telemetry flushed)");
    // a later run (no receiver) reads what was stored
    const p = Bun.spawn(
      [
        process.execPath,
        join(REPO, "src/cli.ts"),
        "--json",
        "--view",
        "insights",
        "--source",
        "team",
        "--root",
        root,
        "--no-allowance",
        "--insights-hours",
        "24",
      ],
      { env, stdout: "pipe" },
    );
    const team = JSON.parse(await new Response(p.stdout).text());
    expect(team.users.map((x: { user: string }) => x.user)).toEqual(["ada@example.com"]);
    expect(team.users[0].prompts).toBe(2);
    expect(team.terminals).toEqual([{ name: "vscode", sessions: 1 }]);
    const both = Bun.spawn(
      [
        process.execPath,
        join(REPO, "src/cli.ts"),
        "--json",
        "--view",
        "insights",
        "--source",
        "both",
        "--root",
        root,
        "--no-allowance",
        "--insights-hours",
        "24",
      ],
      { env, stdout: "pipe" },
    );
    const all = JSON.parse(await new Response(both.stdout).text());
    // two team responses + one local; req_both is the same response both ways: 2 in all, not 3
    expect(all.successRate.apiOk).toBe(2);
  }, 120_000);

  test("a bad address exits 2 naming --otlp; --headless without --otlp exits 2", () => {
    const a = Bun.spawnSync([process.execPath, join(REPO, "src/cli.ts"), "--otlp", "host:99999"], { stderr: "pipe" });
    expect(a.exitCode).toBe(2);
    expect(a.stderr.toString()).toContain("--otlp");
    const b = Bun.spawnSync([process.execPath, join(REPO, "src/cli.ts"), "--headless"], { stderr: "pipe" });
    expect(b.exitCode).toBe(2);
    expect(b.stderr.toString()).toContain("--headless");
  }, 60_000); // (two runs of the CLI: bun's default 5 s is tight on a busy machine)
});
