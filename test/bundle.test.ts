// The prebuilt bundles (scripts/build-bundles.ts: what `npm install` builds, and src/cli.ts runs while they match the
// sources) answer exactly as the sources do: the same bytes for --json, --report and a --once frame, and a reader
// thread of their own beside the dashboard's.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ReadReply, ReadRequest } from "../src/ingest/read-worker.ts";
import { readWire } from "../src/ingest/wire.ts";

const REPO = resolve(import.meta.dir, "..");
const NOW = "2026-11-26T18:00:00Z";
let out = "";

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "claude-dash-bundles-"));
  const b = Bun.spawnSync([process.execPath, "scripts/build-bundles.ts", "--out", out], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
  expect(b.stderr.toString()).toBe("");
  // (a runner beside the bundle, as src/cli.ts loads it)
  writeFileSync(join(out, "run.cjs"), 'require("./dashboard/dashboard.js").main().then((c) => { process.exitCode = c; });\n');
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

function run(cmd: string[]): { code: number | null; out: string; err: string } {
  const p = Bun.spawnSync([process.execPath, ...cmd], {
    cwd: REPO,
    env: { ...process.env, TZ: "UTC", NO_COLOR: "1", CLAUDE_DASH_NO_BUNDLE: "1", CLAUDE_DASH_NO_SERVER: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe("the prebuilt dashboard bundle", () => {
  test("is built with its reader thread beside it and the inputs it was made from", () => {
    for (const f of ["dashboard.js", "read-worker.js", "inputs.json"]) expect(existsSync(join(out, "dashboard", f))).toBe(true);
    const inputs = JSON.parse(readFileSync(join(out, "dashboard", "inputs.json"), "utf8")) as { bun: string; inputs: { path: string }[] };
    expect(inputs.bun).toBe(Bun.version);
    const paths = inputs.inputs.map((i) => i.path);
    expect(paths).toContain("src/dashboard.ts");
    expect(paths).toContain("src/ingest/read-worker.ts");
  });

  test.each([
    ["--json", ["--json"]],
    ["--json --view history", ["--json", "--view", "history"]],
    ["--json --view insights", ["--json", "--view", "insights"]],
    ["--report daily", ["--report", "daily"]],
    ["--report session --json", ["--report", "session", "--json"]],
    ["--once --plain 120×40", ["--once", "--plain", "--width", "120", "--height", "40"]],
  ])("%s on the demo prints the same bytes as the sources", (_name, args) => {
    const common = ["--demo", "--now", NOW, "--no-allowance", "--no-store", ...args];
    const fromSources = run(["src/cli.ts", ...common]);
    const fromBundle = run([join(out, "run.cjs"), ...common]);
    expect(fromSources.code).toBe(0);
    expect(fromBundle.code).toBe(0);
    expect(fromBundle.err).toBe(fromSources.err);
    expect(fromBundle.out).toBe(fromSources.out);
    expect(fromBundle.out.length).toBeGreaterThan(200);
  });

  test("its reader thread reads a transcript and hands back the same facts as the sources' thread", async () => {
    const file = join(REPO, "test/fixtures/real/marot__spotter/ae4a77f8-aedd-4bc1-888f-c94edc91af04.jsonl");
    const ask = (script: string) =>
      new Promise<{ bytes: number; lines: number; responses: number }>((done, fail) => {
        const w = new Worker(script, { type: "module" });
        w.onmessage = (m: MessageEvent<ReadReply>) => {
          w.terminate();
          if ("error" in m.data) return fail(new Error(m.data.error));
          done({ bytes: m.data.bytes, lines: m.data.lines, responses: readWire(m.data.facts).reduce((n, f) => n + f.responses.length, 0) });
        };
        w.onerror = (e) => fail(new Error(e.message));
        w.postMessage({ paths: [file] } satisfies ReadRequest);
      });
    const bundled = await ask(join(out, "dashboard", "read-worker.js"));
    expect(bundled).toEqual(await ask(join(REPO, "src/ingest/read-worker.ts")));
    expect(bundled.responses).toBeGreaterThan(10);
    expect(bundled.bytes).toBe(readFileSync(file).length);
  });

  test("a bad flag is refused the same way", () => {
    const a = run(["src/cli.ts", "--windowhours", "3"]);
    const b = run([join(out, "run.cjs"), "--windowhours", "3"]);
    expect(b.code).toBe(2);
    expect(b.code).toBe(a.code);
    expect(b.err).toBe(a.err);
  });
});
