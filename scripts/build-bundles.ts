// `bun run build:bundles` (also run by `npm install` / `bun install` as the `prepare` step): the status line and the
// dashboard as prebuilt files with Bun's bytecode beside them, dist/statusline/ and dist/dashboard/ (the dashboard's
// reader thread, read-worker.js, beside it). From source, Bun resolves and compiles every module (zod's among them) on
// every run: about 25 ms of the status line's 30 ms budget, and 30–40 ms of each dashboard start. src/cli.ts uses a
// bundle only while every source file it was built from is unchanged (inputs.json holds their sizes and hashes: times
// do not survive an npm tarball), so an edited checkout runs its sources, never a stale bundle.
// A failure here never fails an install: that part then runs from source. `--out DIR` builds into DIR (tests).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const repo = join(import.meta.dir, "..");
const at = process.argv.indexOf("--out");
const dist = at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : join(repo, "dist");

interface BundleSpec {
  name: string;
  entrypoints: string[];
  external?: string[];
}

const BUNDLES: BundleSpec[] = [
  { name: "statusline", entrypoints: ["src/statusline.ts"] },
  // (OpenTUI loads its native library next to its own files: it stays in node_modules)
  { name: "dashboard", entrypoints: ["src/dashboard.ts", "src/ingest/read-worker.ts"], external: ["@opentui/core"] },
];

async function build(spec: BundleSpec): Promise<void> {
  const out = join(dist, spec.name);
  try {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const r = await Bun.build({
      entrypoints: spec.entrypoints.map((e) => join(repo, e)),
      outdir: out,
      target: "bun",
      format: "cjs",
      bytecode: true,
      minify: true,
      metafile: true,
      external: spec.external ?? [],
      naming: "[name].[ext]",
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
    console.log(`claude-dash: ${spec.name} bundle built (${inputs.length} sources) in ${relative(repo, out) || out}`);
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    console.warn(`claude-dash: the ${spec.name} bundle was not built (${(e as Error)?.message ?? e}); it runs from source, more slowly`);
  }
}

for (const spec of BUNDLES) await build(spec);
