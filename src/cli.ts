#!/usr/bin/env bun
// claude-dash: wiring only. `claude-dash statusline` (which Claude Code runs after every response, and waits for) asks
// the status line's resident helper when one runs (src/statusline-server.ts), and otherwise answers itself — from the
// prebuilt bundle when it matches these sources (see scripts/build-bundles.ts), else from the sources — and starts
// a helper for the next call. Everything else is the dashboard (src/dashboard.ts, or its prebuilt bundle likewise),
// loaded only then.
// (nothing is imported up front: for the status line every module loaded is time Claude Code waits)
import { MAX_PAYLOAD_BYTES, runningScript, statuslineSocket } from "./statusline-socket.ts";

const args = process.argv.slice(2);
const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
/** The helper answers what a call would print in its own process; these do something else, or once. */
const NOT_SERVED = new Set(["--serve", "--install", "--write", "--force", "--help", "-h", "--no-server"]);
/** A run that prints and exits (no live dashboard): the bundle serves it. The live dashboard runs from the sources,
 *  because OpenTUI cannot be loaded from a bundle of this kind (Bun's bytecode bundles are CommonJS, which turns its
 *  import into a require of a module with top-level await) — and its start is not measured in milliseconds. */
const ONE_SHOT_FLAGS = new Set(["--json", "--once", "--report", "--help", "-h", "--version", "--store-info", "--acknowledge-loss"]);

if (args[0] === "statusline") {
  statusline(args.slice(1)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      // (the status line never shows a stack trace: Claude Code would paint it under the prompt; the trace says)
      process.stdout.write("claude-dash: status line unavailable\n");
      if (process.env.CLAUDE_DASH_TRACE) process.stderr.write(`statusline: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 0;
    },
  );
} else {
  dashboardModule()
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

type StatuslineModule = { statuslineMain: (args: readonly string[], input?: { text: string; truncated: boolean }) => Promise<number> };

async function statusline(rest: string[]): Promise<number> {
  if (rest[0] === "--serve") {
    const { serveStatusline } = await import("./statusline-server.ts");
    return serveStatusline(rest.slice(1));
  }
  const served = onBun && process.env.CLAUDE_DASH_NO_SERVER !== "1" && !rest.some((a) => NOT_SERVED.has(a));
  if (!served) return (await statuslineModule()).statuslineMain(rest.filter((a) => a !== "--no-server"));
  const p = await import("./platform.ts");
  const script = runningScript();
  const sock = statuslineSocket({ args: rest, env: process.env, execPath: process.execPath, script, home: p.home() });
  const input = await p.readStdinFast(MAX_PAYLOAD_BYTES);
  if (sock) {
    const request = { stdin: input.text, truncated: input.truncated, columns: process.env.COLUMNS, noColor: process.env.NO_COLOR };
    const reply = await p.askLocalServer(sock.path, `${JSON.stringify(request)}\n`, 2_000);
    const r = parseReply(reply);
    if (r) {
      if (r.out) await p.writeOutFast(r.out);
      if (r.err) p.writeErr(r.err);
      return r.code;
    }
  }
  // No helper (or a stale one): this call is answered here, and a helper is started for the next.
  const code = await (await statuslineModule()).statuslineMain(rest, input);
  if (sock) p.startDetached([process.execPath, ...(script === null ? [] : [script]), "statusline", "--serve", ...rest], process.env);
  return code;
}

function parseReply(reply: string | null): { code: number; out: string; err: string } | null {
  if (!reply) return null;
  try {
    const r = JSON.parse(reply) as { code?: unknown; out?: unknown; err?: unknown };
    if (typeof r.code !== "number" || typeof r.out !== "string" || typeof r.err !== "string") return null; // (stale)
    return { code: r.code, out: r.out, err: r.err };
  } catch {
    return null;
  }
}

async function statuslineModule(): Promise<StatuslineModule> {
  const bundled = bundle("statusline");
  return bundled ? (bundled as StatuslineModule) : import("./statusline.ts");
}

async function dashboardModule(): Promise<{ main: () => Promise<number> }> {
  const oneShot = args.some((a) => ONE_SHOT_FLAGS.has(a.split("=")[0]!)) || !process.stdout.isTTY;
  const bundled = oneShot ? bundle("dashboard") : null;
  return bundled ? (bundled as { main: () => Promise<number> }) : import("./dashboard.ts");
}

/** The prebuilt bundle of `name` (scripts/build-bundles.ts) when it matches these sources, loaded; else null (Deno,
 *  CLAUDE_DASH_NO_BUNDLE=1, not built, or built from other sources: the sources are run). */
function bundle(name: "statusline" | "dashboard"): unknown {
  const path = onBun && process.env.CLAUDE_DASH_NO_BUNDLE !== "1" ? freshBundle(name) : null;
  if (!path) return null;
  const { createRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
  return createRequire(import.meta.url)(path);
}

/** dist/<name>/<name>.js when it was built by this Bun from exactly these sources; else null. */
function freshBundle(name: string): string | null {
  try {
    const { readFileSync, statSync } = process.getBuiltinModule("node:fs") as typeof import("node:fs");
    const repo = decodeURIComponent(new URL("..", import.meta.url).pathname);
    const dir = `${repo}dist/${name}/`;
    const bun = (globalThis as { Bun?: { version: string; hash: (b: Uint8Array) => number | bigint } }).Bun!;
    const built = JSON.parse(readFileSync(`${dir}inputs.json`, "utf8")) as { bun: string; inputs: { path: string; size: number; hash: string }[] };
    if (built.bun !== bun.version || built.inputs.length === 0) return null;
    // (sizes first, a stat each; then the contents, ~700 kB hashed in about a millisecond)
    for (const i of built.inputs) if (statSync(`${repo}${i.path}`).size !== i.size) return null;
    for (const i of built.inputs) if (bun.hash(readFileSync(`${repo}${i.path}`)).toString(36) !== i.hash) return null;
    return `${dir}${name}.js`;
  } catch {
    return null; // (not built, or built from other sources: the sources are run)
  }
}
