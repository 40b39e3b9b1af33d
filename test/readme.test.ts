// The README's sample frame is what `claude-dash --once --plain --demo` draws at 120×40 (its caption gives the
// command): a change to the dashboard that changes it must change the README too.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dir, "..");

test("the README's sample frame is --once --plain --demo's output, line for line", () => {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf("```\n claude-dash   LIVE");
  expect(start).toBeGreaterThan(0);
  const block = readme.slice(start + 4, readme.indexOf("```", start + 3));
  expect(readme.slice(readme.indexOf("```", start + 3))).toContain("claude-dash --once --plain --demo --width 120 --height 40 --now 2026-11-26T18:00:00Z");
  const p = Bun.spawnSync(
    [process.execPath, "src/cli.ts", "--once", "--plain", "--demo", "--width", "120", "--height", "40", "--now", "2026-11-26T18:00:00Z"],
    {
      cwd: REPO,
      env: { ...process.env, TZ: "UTC", NO_COLOR: "" },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  expect(p.exitCode).toBe(0);
  const lines = (s: string) =>
    s
      .replace(/\n+$/, "")
      .split("\n")
      .map((l) => l.trimEnd());
  expect(lines(block)).toEqual(lines(p.stdout.toString()));
});
