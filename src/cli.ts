#!/usr/bin/env bun
// claude-dash: wiring only. `claude-dash statusline` (which Claude Code runs after every response, and waits for) loads
// only what one line needs — the prebuilt bundle when it matches these sources (see scripts/build-statusline.ts), else
// the sources; everything else is the dashboard (src/dashboard.ts), loaded only then.
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// (nothing else is imported up front: for the status line every module loaded is time Claude Code waits)
const args = process.argv.slice(2);
if (args[0] === "statusline") {
  statusline().then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      // (the status line never shows a stack trace: Claude Code would paint it under the prompt)
      process.stdout.write("claude-dash: status line unavailable\n");
      process.exitCode = 0;
    },
  );
} else {
  import("./dashboard.ts")
    .then((m) => m.main())
    .then(
      (code) => {
        process.exitCode = code;
      },
      async (e) => {
        const { writeErr } = await import("./platform.ts");
        writeErr(`claude-dash: ${(e as Error)?.stack ?? e}\n`);
        process.exitCode = 1;
      },
    );
}

type StatuslineModule = { statuslineMain: (args: readonly string[]) => Promise<number> };

async function statusline(): Promise<number> {
  const bundled = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" && process.env.CLAUDE_DASH_NO_BUNDLE !== "1" ? freshBundle() : null;
  const m: StatuslineModule = bundled ? (createRequire(import.meta.url)(bundled) as StatuslineModule) : await import("./statusline.ts");
  return m.statuslineMain(args.slice(1));
}

/** dist/statusline/statusline.js when it was built by this Bun from exactly these sources; else null. */
function freshBundle(): string | null {
  try {
    const repo = fileURLToPath(new URL("..", import.meta.url));
    const dir = join(repo, "dist", "statusline");
    const bun = (globalThis as { Bun?: { version: string; hash: (b: Uint8Array) => number | bigint } }).Bun!;
    const built = JSON.parse(readFileSync(join(dir, "inputs.json"), "utf8")) as { bun: string; inputs: { path: string; size: number; hash: string }[] };
    if (built.bun !== bun.version || built.inputs.length === 0) return null;
    // (sizes first, a stat each; then the contents, ~700 kB hashed in about a millisecond)
    for (const i of built.inputs) if (statSync(join(repo, i.path)).size !== i.size) return null;
    for (const i of built.inputs) if (bun.hash(readFileSync(join(repo, i.path))).toString(36) !== i.hash) return null;
    return join(dir, "statusline.js");
  } catch {
    return null; // (not built, or built from other sources: the sources are run)
  }
}
