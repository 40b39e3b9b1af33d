// `bun run build:statusline` (also run by `npm install` / `bun install` as the `prepare` step): the status line as one
// prebuilt file with Bun's bytecode beside it, dist/statusline/. Claude Code waits for the status line after every
// response; from source, Bun resolves and compiles ~55 modules (zod's among them) on every call, about 25 ms of a
// 30 ms budget. src/cli.ts uses the bundle only while every source file it was built from is unchanged (inputs.json
// holds their sizes and hashes: times do not survive an npm tarball), so an edited checkout runs its sources, never a
// stale bundle.
// A failure here never fails an install: the status line then runs from source.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const repo = join(import.meta.dir, "..");
const out = join(repo, "dist", "statusline");

try {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const r = await Bun.build({
    entrypoints: [join(repo, "src", "statusline.ts")],
    outdir: out,
    target: "bun",
    format: "cjs",
    bytecode: true,
    minify: true,
    metafile: true,
    naming: "statusline.[ext]",
  } as Parameters<typeof Bun.build>[0] & { metafile: boolean });
  if (!r.success) throw new Error(r.logs.map((l) => String(l)).join("\n"));
  const meta = (r as unknown as { metafile?: { inputs: Record<string, unknown> } }).metafile;
  if (!meta) throw new Error("Bun did not report the bundle's inputs");
  const inputs = Object.keys(meta.inputs).map((p) => {
    const abs = join(repo, p);
    const bytes = readFileSync(abs);
    return { path: relative(repo, abs), size: bytes.length, hash: Bun.hash(bytes).toString(36) };
  });
  writeFileSync(join(out, "inputs.json"), `${JSON.stringify({ bun: Bun.version, inputs })}\n`);
  console.log(`claude-dash: status line bundle built (${inputs.length} sources) in ${relative(repo, out)}`);
} catch (e) {
  rmSync(out, { recursive: true, force: true });
  console.warn(`claude-dash: the status line bundle was not built (${(e as Error)?.message ?? e}); it runs from source, more slowly`);
}
