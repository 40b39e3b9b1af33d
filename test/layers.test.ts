// The scan behind scripts/check-layers.ts and scripts/check-exports.ts, on small made-up trees: what counts as an
// import, which way a layer may import, what closes a cycle, and which exports count as unused or test-only.
// (The real tree's report is `bun scripts/check-layers.ts` and `bun scripts/check-exports.ts`, run by .ci/run.)
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkExports } from "../scripts/check-exports.ts";
import { checkLayers, type Layer, placement } from "../scripts/check-layers.ts";
import { maskSource, type ScannedFile, scanSource } from "../scripts/import-scan.ts";

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Writes the files into a fresh folder and scans them there. */
function tree(files: Record<string, string>): Map<string, ScannedFile> {
  const root = mkdtempSync(join(tmpdir(), "claude-dash-layers-"));
  roots.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return new Map(Object.entries(files).map(([p, text]) => [p, scanSource(p, text, root)]));
}

describe("maskSource", () => {
  test("blanks comments and the insides of strings, templates and regexes, keeping offsets and the code in a template's holes", () => {
    const src =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source for the masker, a template among it
      'const a = "import x from \'y\'"; // import z from "w"\nconst r = /["\'`]\\/\\//g; const t = `a${f("b")}c`;';
    const masked = maskSource(src);
    expect(masked.length).toBe(src.length);
    expect(masked).not.toContain("import");
    expect(masked).toContain("const r = /");
    expect(masked).toContain("${f(");
    expect(masked.indexOf("f(")).toBe(src.indexOf("f("));
  });
  test("a slash after a value divides; after an operator it starts a regex", () => {
    const masked = maskSource("const x = (a + b) / 2; const y = c / d; const z = [/'/];");
    expect(masked).toContain("(a + b) / 2");
    expect(masked).toContain("c / d");
    expect(masked).toContain("[/_/]");
  });
});

describe("scanSource", () => {
  const files = tree({
    "src/m.ts": "export const a = 1;\nexport function b() {}\nexport type T = number;\nexport default 3;\n",
    "src/w.ts": "postMessage(1);\n",
    "src/user.ts": [
      'import d, { a, b as bb, type T } from "./m.ts";',
      'import type { T as U } from "./m.ts";',
      'import * as ns from "./m.ts";',
      "ns.a;",
      'const { b } = await import("./m.ts");',
      'const mod = await import("./m.ts"); mod.a;',
      'import("./m.ts").then((m) => m.b());',
      'let t: import("./m.ts").T;',
      'new Worker(new URL("./w.ts", import.meta.url));',
      'export { a as again } from "./m.ts";',
      "export { bb };",
      '// import { gone } from "./m.ts";',
      "const s = \"import { gone } from './m.ts'\";",
    ].join("\n"),
  });
  const user = files.get("src/user.ts")!;
  const names = (line: number) => {
    const i = user.imports.find((x) => x.line === line)!;
    return {
      kind: i.kind,
      typeOnly: i.typeOnly,
      resolved: i.resolved,
      names: i.names === "*" ? "*" : [...i.names].sort(),
    };
  };
  test("static, type-only and namespace imports, resolved to the file", () => {
    expect(names(1)).toEqual({
      kind: "static",
      typeOnly: false,
      resolved: "src/m.ts",
      names: ["T", "a", "b", "default"],
    });
    expect(names(2)).toEqual({ kind: "type", typeOnly: true, resolved: "src/m.ts", names: ["T"] });
    expect(names(3)).toEqual({ kind: "static", typeOnly: false, resolved: "src/m.ts", names: ["a"] });
  });
  test("dynamic imports: destructured, bound to a name, .then, and type queries", () => {
    expect(names(5)).toMatchObject({ kind: "dynamic", names: ["b"] });
    expect(names(6)).toMatchObject({ kind: "dynamic", names: ["a"] });
    expect(names(7)).toMatchObject({ kind: "dynamic", names: ["b"] });
    expect(names(8)).toMatchObject({ kind: "type-query", typeOnly: true, names: ["T"] });
  });
  test("a worker's entry, re-exports, and nothing from comments or strings", () => {
    expect(names(9)).toMatchObject({ kind: "worker", resolved: "src/w.ts" });
    expect(names(10)).toMatchObject({ kind: "reexport", names: ["a"] });
    expect(user.imports.length).toBe(9);
    expect(user.exports).toEqual([
      { name: "again", kind: "re-export", line: 10, from: { resolved: "src/m.ts", name: "a" } },
      { name: "bb", kind: "re-export", line: 11, from: { resolved: "src/m.ts", name: "b" } },
    ]);
  });
  test("export declarations", () => {
    expect(files.get("src/m.ts")!.exports.map((e) => `${e.name}:${e.kind}`)).toEqual(["a:const", "b:function", "T:type", "default:expression"]);
  });
});

describe("checkLayers", () => {
  const layers: Layer[] = [
    { name: "low", files: ["src/low/**", "src/special.ts"], mayImport: [] },
    { name: "mid", files: ["src/mid/**"], mayImport: ["low"] },
    { name: "high", files: ["src/*.ts"], mayImport: ["low", "mid"] },
  ];
  test("a file named in a layer wins over its folder's layer", () => {
    expect(placement("src/special.ts", layers)).toEqual({ layer: "low", byName: true, folderLayer: "high" });
    expect(placement("src/mid/x.ts", layers)).toEqual({ layer: "mid", byName: false, folderLayer: "mid" });
    expect(placement("elsewhere/x.ts", layers)).toBeNull();
  });
  test("an import up the layers is a violation; down is fine; a cycle is reported with its shortest path", () => {
    const files = tree({
      "src/low/a.ts": 'import { m } from "../mid/m.ts";\nexport const a = m;\n',
      "src/mid/m.ts": 'import type { a } from "../low/a.ts";\nexport const m = 1;\n',
      "src/main.ts": 'import { m } from "./mid/m.ts";\nawait import("./low/a.ts");\n',
    });
    const report = checkLayers(files, layers);
    expect(report.unplaced).toEqual([]);
    expect(report.violations.map((v) => `${v.from}→${v.to} ${v.fromLayer}→${v.toLayer} ${v.direction}`)).toEqual(["src/low/a.ts→src/mid/m.ts low→mid up"]);
    expect(report.cycles).toHaveLength(1);
    expect(report.cycles[0]!.files).toEqual(["src/low/a.ts", "src/mid/m.ts"]);
    expect(report.cycles[0]!.runtime).toBe(false); // m.ts imports a type only
    expect(report.cycles[0]!.path.map((e) => e.from)).toEqual(["src/low/a.ts", "src/mid/m.ts"]);
  });
});

describe("checkExports", () => {
  test("unused, used only in its own file, test-only, and used through a re-export", () => {
    const files = tree({
      "src/lib.ts": [
        "export function dead() {}",
        "export function inner() {}",
        "inner();",
        "export function forTests() {}",
        "export function passedOn() {}",
        "export type Alias = number;",
        "export const alias: Alias = 1;",
        "type Listed = string;",
        "export type { Listed };",
        "export type DeadAlias = number;",
      ].join("\n"),
      "src/index.ts": 'export { passedOn } from "./lib.ts";\n',
      "bench/b.ts": 'import { passedOn } from "../src/index.ts";\n',
      "test/t.test.ts": 'import { forTests } from "../src/lib.ts";\n',
    });
    const report = checkExports(files);
    expect(report.unused.map((e) => `${e.name}:${e.usedInFile}`)).toEqual([
      "dead:false",
      "inner:true",
      "Alias:true",
      "alias:false",
      "Listed:false",
      "DeadAlias:false",
    ]);
    expect(report.testOnly.map((e) => e.name)).toEqual(["forTests"]);
  });
});
