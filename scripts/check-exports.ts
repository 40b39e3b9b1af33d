// Exports nobody imports. Biome finds unused imports and variables inside a file; this finds the other half: a name
// a file in src/ exports that no other file imports (or re-exports on to someone who imports it). It scans
// src/, test/, bench/, scripts/ and bin/ (scripts/import-scan.ts: static, type-only and dynamic imports, namespace
// imports followed to the members read, re-exports followed to their importers).
//
//   bun scripts/check-exports.ts          lists them; exits 1 when an export is unused (test-only ones alone: 0)
//   bun scripts/check-exports.ts --json   the same as JSON
//
// unused (error): no other file imports it. "used in its file" means the name is still needed there: drop `export`;
//   "dead" means nothing reads it at all: remove it.
// test-only (warning): imported only from test/ (test helpers included). bench/, scripts/ and bin/ count as users.
import { listFiles, type ScannedFile, scanFiles } from "./import-scan.ts";

const CONSUMER_DIRS = ["src", "test", "bench", "scripts", "bin"];

export interface ExportUse {
  file: string;
  name: string;
  kind: string;
  line: number;
  /** Files that import it, directly or through re-exports (never the file itself). */
  users: string[];
  /** For an unused one: whether the name is read elsewhere in its own file. */
  usedInFile: boolean;
}

export interface ExportReport {
  exports: number;
  files: number;
  unused: ExportUse[];
  testOnly: ExportUse[];
}

function occurrences(masked: string, name: string): number {
  const re = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
  return [...masked.matchAll(re)].length;
}

function declaredTypeAlias(masked: string, name: string): boolean {
  return new RegExp(`(?<![\\w$.])export\\s+(?:declare\\s+)?type\\s+${name.replace(/\$/g, "\\$")}(?![\\w$])`).test(masked);
}

export function checkExports(files: Map<string, ScannedFile>): ExportReport {
  const key = (file: string, name: string) => `${file}\u0000${name}`;
  // Every export of every src file, `export *` expanded (to a fixed point: a star of a star).
  const defs = new Map<string, { file: string; name: string; kind: string; line: number; from?: { file: string; name: string } }>();
  for (const f of files.values()) {
    if (!f.path.startsWith("src/") || f.generated) continue;
    for (const e of f.exports) {
      const from = e.from?.resolved ? { file: e.from.resolved, name: e.from.name } : undefined;
      defs.set(key(f.path, e.name), { file: f.path, name: e.name, kind: e.kind, line: e.line, from });
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of files.values()) {
      if (!f.path.startsWith("src/")) continue;
      for (const target of f.starFrom) {
        for (const d of [...defs.values()]) {
          if (d.file !== target || d.name === "default" || defs.has(key(f.path, d.name))) continue;
          defs.set(key(f.path, d.name), {
            file: f.path,
            name: d.name,
            kind: "re-export (*)",
            line: 0,
            from: { file: target, name: d.name },
          });
          changed = true;
        }
      }
    }
  }
  // Direct users of each (file, name); a re-export is not a user, it passes its own users on.
  const direct = new Map<string, Set<string>>();
  const use = (file: string, name: string, user: string) => {
    if (file === user) return;
    const k = key(file, name);
    let s = direct.get(k);
    if (!s) direct.set(k, (s = new Set()));
    s.add(user);
  };
  for (const f of files.values()) {
    for (const imp of f.imports) {
      if (!imp.resolved || imp.kind === "reexport") continue;
      if (imp.names === "*") {
        for (const d of defs.values()) if (d.file === imp.resolved) use(d.file, d.name, f.path);
      } else for (const n of imp.names) use(imp.resolved, n, f.path);
    }
    // `export * as ns from` and a reexport that is itself imported wholesale are handled through defs' `from`.
  }
  const users = (file: string, name: string, seen = new Set<string>()): Set<string> => {
    const k = key(file, name);
    const out = new Set(direct.get(k) ?? []);
    if (seen.has(k)) return out;
    seen.add(k);
    for (const d of defs.values()) {
      if (d.from && d.from.file === file && d.from.name === name) {
        for (const u of users(d.file, d.name, seen)) if (u !== file) out.add(u);
      }
    }
    return out;
  };
  const unused: ExportUse[] = [];
  const testOnly: ExportUse[] = [];
  let count = 0;
  const exportFiles = new Set<string>();
  for (const d of [...defs.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    if (d.kind === "re-export (*)") continue;
    count++;
    exportFiles.add(d.file);
    const u = [...users(d.file, d.name)].sort();
    const masked = files.get(d.file)!.masked;
    const entry: ExportUse = { file: d.file, name: d.name, kind: d.kind, line: d.line, users: u, usedInFile: false };
    if (u.length === 0) {
      // The name is written once where it is declared, and once more in an `export { … }` or `export type { … }` list
      // (kinds "binding" and "type"); `export type T = …` is kind "type" too, but declared and exported at once.
      const listed = d.kind === "binding" || (d.kind === "type" && !declaredTypeAlias(masked, d.name));
      entry.usedInFile = d.name !== "default" && occurrences(masked, d.name) > (listed ? 2 : 1);
      unused.push(entry);
    } else if (u.every((p) => p.startsWith("test/"))) testOnly.push(entry);
  }
  return { exports: count, files: exportFiles.size, unused, testOnly };
}

if (import.meta.main) {
  const files = scanFiles(listFiles(CONSUMER_DIRS));
  const report = checkExports(files);
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const where = (e: ExportUse) => `${e.file}:${e.line}`;
    const width = Math.max(0, ...[...report.unused, ...report.testOnly].map((e) => where(e).length));
    console.log(`check-exports: ${report.exports} exports in ${report.files} files under src/`);
    const isType = (e: ExportUse) => e.kind === "interface" || e.kind === "type";
    const values = report.unused.filter((e) => !isType(e));
    const types = report.unused.filter(isType);
    console.log(`\nunused exports (error): ${report.unused.length} (${values.length} values, ${types.length} types)`);
    for (const e of [...values, ...types]) {
      const note = e.kind === "re-export" ? "a re-export nobody imports: drop it" : e.usedInFile ? "used in its file: drop `export`" : "dead: nothing reads it";
      console.log(`  ${where(e).padEnd(width)}  ${e.name}  (${e.kind}; ${note})`);
    }
    console.log(`\ntest-only exports (warning): ${report.testOnly.length}`);
    for (const e of report.testOnly) {
      const shown = e.users.slice(0, 3).join(", ") + (e.users.length > 3 ? `, +${e.users.length - 3}` : "");
      console.log(`  ${where(e).padEnd(width)}  ${e.name}  (${e.kind}; ${shown})`);
    }
    console.log(
      report.unused.length === 0
        ? `\ncheck-exports: PASS (${report.testOnly.length} test-only)`
        : `\ncheck-exports: FAIL: ${report.unused.length} unused, ${report.testOnly.length} test-only`,
    );
  }
  process.exit(report.unused.length === 0 ? 0 : 1);
}
