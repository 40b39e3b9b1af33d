// `npm run build:bin`: one self-contained executable for this platform (dist/claude-dash, Bun and the code inside),
// and its size. The musl build of OpenTUI's native core is left out (it is for other systems).
// With Bun's bytecode inside (ESM: OpenTUI has top-level await, which the default CommonJS bytecode cannot hold) the
// binary starts in well under half the time, for ~7 MB more (133 MB): `statusline` 112 → 44 ms, `--version` 128 →
// 40 ms (p50, the two binaries interleaved on a 2-core EPYC; bench/statusline.ts measures the status line).
import { statSync } from "node:fs";
import { join } from "node:path";

const out = join(import.meta.dir, "..", "dist", "claude-dash");
const p = Bun.spawnSync(
  [
    process.execPath,
    "build",
    "--compile",
    "--bytecode",
    "--format",
    "esm",
    join(import.meta.dir, "..", "src", "cli.ts"),
    // the reader thread, embedded beside the entry (as read-worker.js: pool.ts starts it from there), so that a cold
    // read uses every core in the binary too
    join(import.meta.dir, "..", "src", "ingest", "read-worker.ts"),
    "--entry-naming",
    "[name].[ext]",
    "--outfile",
    out,
    "--external",
    "@opentui/core-linux-x64-musl",
  ],
  { stdout: "inherit", stderr: "inherit" },
);
if (p.exitCode !== 0) process.exit(p.exitCode ?? 1);
console.log(`${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB`);
