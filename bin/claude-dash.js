#!/usr/bin/env node
// The `claude-dash` command for npx, bunx and global installs: claude-dash is TypeScript run by Bun. Under Bun this
// loads the entry directly; under Node it runs the entry with the Bun it finds ($CLAUDE_DASH_BUN, the `bun` package
// installed beside claude-dash, or `bun` on PATH), passing arguments, the terminal, signals and the exit code through.
// Without any Bun it says, in one line, how to get it.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "..", "src", "cli.ts");

if (typeof process.versions.bun === "string") {
  await import(entry);
} else {
  const bun = findBun();
  if (!bun) {
    process.stderr.write(
      "claude-dash: needs Bun (https://bun.sh): install it with `npm install -g bun` or `curl -fsSL https://bun.sh/install | bash`, then run claude-dash again\n",
    );
    process.exit(1);
  }
  const child = spawn(bun, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  // (the terminal sends Ctrl-C and Ctrl-Z to the whole foreground group: the dashboard handles them itself)
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]) process.on(s, () => child.kill(s));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)));
}

function findBun() {
  const fromEnv = process.env.CLAUDE_DASH_BUN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const pkg = createRequire(import.meta.url).resolve("bun/package.json");
    const exe = join(dirname(pkg), "bin", "bun.exe"); // (the package names it so on every platform)
    // (the real Bun is tens of MB; with --ignore-scripts npm leaves a small placeholder that only says so: told
    // apart by size, not by running it — a run of `bun --version` on every call would cost the status line ~10 ms)
    if (existsSync(exe) && statSync(exe).size > 4_000_000) return exe;
  } catch {
    // not installed beside us
  }
  return works("bun") ? "bun" : null;
}

function works(cmd) {
  try {
    return spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

function signalNumber(name) {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[name];
}
