// The layers of src/ and what each may import, checked over every import (static, type-only, dynamic, re-exports,
// worker entries: scripts/import-scan.ts). It fails on an import that runs up the layers (or sideways into a layer
// not listed as allowed) and on any import cycle, in src/ or across test/, bench/, scripts/ and bin/.
//
//   bun scripts/check-layers.ts          prints the layers, the violations and the cycles; exits 1 on any
//   bun scripts/check-layers.ts --json   the same as JSON
//
// Data flows ingest/net → model → view models → widgets → canvas. Lowest first:
//   base     text utilities every layer uses (src/shared: the sanitizer) and the runtime (platform.ts, sqlite.ts)
//   model    events, the reducer, queries, prices, view models: pure
//   synth    generated transcript lines and sessions (the built-in demo's, the tests' and the benchmark's corpus)
//   ingest   transcripts → events, the usage store
//   net      the allowance client, OTLP, Prometheus, the telemetry store (reuses ingest's store plumbing)
//   ui       canvas, grid, text, theme, format, layout, view state and the widgets: they draw what they are given
//   panels   one file per panel: a view model's part → widgets
//   screens  drawFrame, FrameView and the screen registries: lay out and draw the panels of a screen
//   app      the live dashboard: app state and keys, the live loop, the terminal backends
//   top      wiring: cli.ts, dashboard*.ts, statusline*.ts, headless.ts, options.ts, config.ts
// A file may be placed by name in a layer other than its folder's while it waits to move (PENDING_MOVES; none now):
// its importers are then listed as "folder crossings".
import { listFiles, type ImportKind, type ScannedFile, scanFiles } from "./import-scan.ts";

export interface Layer {
  name: string;
  /** Globs over repo paths ("*" within a folder, "**" across folders); the first layer with a match wins. */
  files: string[];
  /** Lower layers this one may import (it may always import itself). */
  mayImport: string[];
}

/**
 * Files placed by name in a layer other than their folder's, until they move (issue 23). Their importers from layers
 * that may not import the folder they sit in are listed as "folder crossings" (a warning): gone once they move.
 */
export const PENDING_MOVES: Record<string, string> = {};

/** Lowest first. Where patterns overlap, the explicit files are tried before the folders (see `placement`). */
export const LAYERS: Layer[] = [
  {
    name: "base",
    files: ["src/platform.ts", "src/sqlite.ts", "src/shared/**"],
    mayImport: [],
  },
  { name: "model", files: ["src/model/**"], mayImport: ["base"] },
  { name: "synth", files: ["src/synth/**"], mayImport: ["base", "model"] },
  { name: "ingest", files: ["src/ingest/**"], mayImport: ["base", "model", "synth"] },
  { name: "net", files: ["src/net/**"], mayImport: ["base", "model", "ingest"] },
  { name: "ui", files: ["src/ui/**"], mayImport: ["base", "model"] },
  { name: "panels", files: ["src/panels/**"], mayImport: ["base", "model", "ui"] },
  {
    name: "screens",
    files: ["src/screens/**"],
    mayImport: ["base", "model", "ui", "panels"],
  },
  {
    name: "app",
    files: [
      "src/ui/app.ts",
      "src/ui/live.ts",
      "src/ui/live-loop.ts",
      "src/ui/ansi-live.ts",
      "src/ui/terminal-input.ts",
      "src/ui/opentui-canvas.ts",
      "src/app/**",
    ],
    mayImport: ["base", "model", "ingest", "net", "ui", "screens"],
  },
  { name: "top", files: ["src/*.ts"], mayImport: ["base", "model", "ingest", "net", "ui", "panels", "screens", "app"] },
];

function globRe(glob: string): RegExp {
  const re = glob
    .split(/(\*\*\/?|\*)/)
    .map((part) => (part === "**" || part === "**/" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${re}$`);
}

const isGlob = (p: string) => p.includes("*");

/** The layer of a path: an explicit file first, then the most specific folder glob; null outside every layer. */
export function placement(path: string, layers: readonly Layer[] = LAYERS): { layer: string; byName: boolean; folderLayer: string | null } | null {
  let byFolder: string | null = null;
  let bestLen = -1;
  for (const l of layers) {
    for (const f of l.files) {
      if (!isGlob(f)) continue;
      if (globRe(f).test(path) && f.length > bestLen) {
        byFolder = l.name;
        bestLen = f.length;
      }
    }
  }
  for (const l of layers) if (l.files.includes(path)) return { layer: l.name, byName: byFolder !== l.name, folderLayer: byFolder };
  return byFolder ? { layer: byFolder, byName: false, folderLayer: byFolder } : null;
}

export interface Edge {
  from: string;
  to: string;
  line: number;
  kind: ImportKind;
  typeOnly: boolean;
}

export interface Violation extends Edge {
  fromLayer: string;
  toLayer: string;
  /** "up": to a higher layer; "not listed": to a lower layer that is not in mayImport. */
  direction: "up" | "not listed";
}

export interface Cycle {
  /** Files of one strongly connected component, sorted. */
  files: string[];
  /** One shortest cycle through the component, as edges. */
  path: Edge[];
  /** True when the files still form a cycle with type-only imports left out (a cycle at run time). */
  runtime: boolean;
}

export interface Crossing extends Edge {
  fromLayer: string;
  toLayer: string;
  folderLayer: string;
}

export interface LayerReport {
  files: number;
  edges: number;
  unplaced: string[];
  violations: Violation[];
  cycles: Cycle[];
  crossings: Crossing[];
}

export function edgesOf(files: Map<string, ScannedFile>): Edge[] {
  const out: Edge[] = [];
  for (const f of files.values()) {
    for (const i of f.imports) {
      if (!i.resolved || i.resolved === f.path) continue;
      out.push({ from: f.path, to: i.resolved, line: i.line, kind: i.kind, typeOnly: i.typeOnly });
    }
  }
  return out;
}

/** Tarjan's strongly connected components of the graph, those with a cycle only. */
function components(nodes: readonly string[], adj: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) strong(v);
  return out;
}

/** The shortest cycle through `start` inside the component (BFS). */
function shortestCycle(start: string, inComp: Set<string>, edges: Edge[]): Edge[] {
  const out = new Map<string, Edge[]>();
  for (const e of edges) {
    if (!inComp.has(e.from) || !inComp.has(e.to)) continue;
    const list = out.get(e.from) ?? [];
    // prefer a runtime edge between the same two files
    const same = list.findIndex((x) => x.to === e.to);
    if (same === -1) list.push(e);
    else if (list[same]!.typeOnly && !e.typeOnly) list[same] = e;
    out.set(e.from, list);
  }
  const prev = new Map<string, Edge>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of out.get(v) ?? []) {
      if (e.to === start) {
        const path = [e];
        let at = v;
        while (at !== start) {
          const p = prev.get(at)!;
          path.unshift(p);
          at = p.from;
        }
        return path;
      }
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      prev.set(e.to, e);
      queue.push(e.to);
    }
  }
  return [];
}

export function checkLayers(files: Map<string, ScannedFile>, layers: readonly Layer[] = LAYERS): LayerReport {
  const order = new Map(layers.map((l, i) => [l.name, i]));
  const byName = new Map(layers.map((l) => [l.name, l]));
  const edges = edgesOf(files);
  const src = [...files.keys()].filter((p) => p.startsWith("src/"));
  const unplaced = src.filter((p) => placement(p, layers) === null);
  const violations: Violation[] = [];
  const crossings: Crossing[] = [];
  for (const e of edges) {
    const a = placement(e.from, layers);
    const b = placement(e.to, layers);
    if (!a || !b) continue;
    const allowed = a.layer === b.layer || byName.get(a.layer)!.mayImport.includes(b.layer);
    if (!allowed) {
      const direction = order.get(b.layer)! > order.get(a.layer)! ? "up" : "not listed";
      violations.push({ ...e, fromLayer: a.layer, toLayer: b.layer, direction });
    } else if (e.to in PENDING_MOVES && b.folderLayer && b.folderLayer !== a.layer && !byName.get(a.layer)!.mayImport.includes(b.folderLayer)) {
      crossings.push({ ...e, fromLayer: a.layer, toLayer: b.layer, folderLayer: b.folderLayer });
    }
  }
  const nodes = [...files.keys()];
  const adjacency = (keep: (e: Edge) => boolean) => {
    const adj = new Map<string, string[]>();
    for (const e of edges) if (keep(e)) adj.set(e.from, [...(adj.get(e.from) ?? []), e.to]);
    return adj;
  };
  const all = components(
    nodes,
    adjacency(() => true),
  );
  const runtime = components(
    nodes,
    adjacency((e) => !e.typeOnly),
  );
  const cycles: Cycle[] = all.map((comp) => {
    const set = new Set(comp);
    const runtimeComp = runtime.find((r) => set.has(r[0]!));
    // the shortest cycle of all (a runtime one when there is one), through any of its files
    const within = runtimeComp ? new Set(runtimeComp) : set;
    const usable = runtimeComp ? edges.filter((e) => !e.typeOnly) : edges;
    let path: Edge[] = [];
    for (const start of [...within].sort()) {
      const p = shortestCycle(start, within, usable);
      if (p.length > 0 && (path.length === 0 || p.length < path.length)) path = p;
    }
    return { files: comp, path, runtime: runtimeComp !== undefined };
  });
  const sortEdges = <T extends Edge>(xs: T[]) => xs.sort((x, y) => x.from.localeCompare(y.from) || x.line - y.line);
  return {
    files: src.length,
    edges: edges.length,
    unplaced,
    violations: sortEdges(violations),
    cycles,
    crossings: sortEdges(crossings),
  };
}

function describe(e: Edge): string {
  const tags = [e.typeOnly ? "type-only" : "", e.kind === "dynamic" ? "dynamic" : "", e.kind === "reexport" ? "re-export" : ""].filter(Boolean);
  return tags.length > 0 ? ` (${tags.join(", ")})` : "";
}

if (import.meta.main) {
  const files = scanFiles(listFiles(["src", "test", "bench", "scripts", "bin"]));
  const report = checkLayers(files);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`check-layers: ${report.files} files in src/, ${report.edges} imports between project files`);
    console.log("layers, lowest first (each may import itself and the layers listed):");
    for (const l of LAYERS)
      console.log(`  ${l.name.padEnd(8)} ${l.files.join(", ")}\n  ${"".padEnd(8)} may import: ${l.mayImport.join(", ") || "(only itself)"}`);
    if (report.unplaced.length > 0) {
      console.log(`\nfiles in no layer (error): ${report.unplaced.length}`);
      for (const p of report.unplaced) console.log(`  ${p}`);
    }
    console.log(`\nlayer violations (error): ${report.violations.length}`);
    for (const v of report.violations) {
      console.log(`  ${v.from}:${v.line} → ${v.to}   ${v.fromLayer} → ${v.toLayer} (${v.direction})${describe(v)}`);
    }
    console.log(`\nimport cycles (error): ${report.cycles.length}`);
    for (const c of report.cycles) {
      console.log(`  ${c.files.length} files${c.runtime ? ", a cycle at run time" : ", closed only by type-only imports"}: ${c.files.join(", ")}`);
      for (const e of c.path) console.log(`    ${e.from}:${e.line} → ${e.to}${describe(e)}`);
    }
    const byTarget = new Map<string, Crossing[]>();
    for (const c of report.crossings) byTarget.set(c.to, [...(byTarget.get(c.to) ?? []), c]);
    console.log(`\nfolder crossings (warning: gone when the files placed by name move): ${report.crossings.length}`);
    for (const [to, cs] of byTarget) {
      const p = placement(to)!;
      console.log(`  ${to} (layer ${p.layer}, in the folder of ${p.folderLayer}; to move to ${PENDING_MOVES[to]}) imported from:`);
      for (const c of cs) console.log(`    ${c.from}:${c.line} (${c.fromLayer} may not import ${c.folderLayer})${describe(c)}`);
    }
    const failed = report.violations.length + report.cycles.length + report.unplaced.length;
    console.log(
      failed === 0
        ? `\ncheck-layers: PASS (${report.crossings.length} folder crossings)`
        : `\ncheck-layers: FAIL: ${report.violations.length} violations, ${report.cycles.length} cycles, ${report.unplaced.length} unplaced`,
    );
  }
  process.exit(report.violations.length + report.cycles.length + report.unplaced.length === 0 ? 0 : 1);
}
