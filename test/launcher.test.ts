// The `claude-dash` command as npx and global installs run it: the JavaScript launcher under Node finds the Bun
// installed with claude-dash (none on PATH) and runs the dashboard; with no Bun anywhere it says how to get one.
import { expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "..");
const node = Bun.which("node");
if (!node && process.env.CI !== "true") console.log("skipped: the launcher tests need Node on PATH");

test.skipIf(!node)("under Node with no bun on PATH: the bun package beside it runs the dashboard", () => {
  const p = Bun.spawnSync([node!, join(REPO, "bin", "claude-dash.js"), "--version"], {
    env: { PATH: "/usr/bin:/bin", HOME: tmpdir() },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(p.stderr.toString()).toBe("");
  expect(p.stdout.toString().trim()).toBe("0.1.0");
  expect(p.exitCode).toBe(0);
  const frame = Bun.spawnSync([node!, join(REPO, "bin", "claude-dash.js"), "--demo", "--once", "--plain", "--width", "80", "--height", "24", "--no-store"], {
    env: { PATH: "/usr/bin:/bin", HOME: tmpdir() },
    stdout: "pipe",
  });
  expect(frame.stdout.toString()).toContain("DEMO DATA");
});

test.skipIf(!node)("under Node with no Bun anywhere: one line saying how to get it, exit 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "claude-dash-nobun-"));
  try {
    mkdirSync(join(dir, "bin"));
    copyFileSync(join(REPO, "bin", "claude-dash.js"), join(dir, "bin", "claude-dash.js"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const p = Bun.spawnSync([node!, join(dir, "bin", "claude-dash.js"), "--version"], { env: { PATH: "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe" });
    expect(p.exitCode).toBe(1);
    expect(p.stdout.toString()).toBe("");
    const lines = p.stderr.toString().trimEnd().split("\n");
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("needs Bun");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
