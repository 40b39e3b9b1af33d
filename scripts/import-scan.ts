// The import and export scan behind scripts/check-exports.ts and scripts/check-layers.ts. A small lexer blanks out
// comments and the insides of strings, template literals and regular expressions (keeping every offset), so the
// regular expressions below only ever match code; a specifier is then read back from the original text at the same
// offset. What it understands:
//   import X, { a, b as c, type d } from "./m.ts"   import type { T } from "./m.ts"   import * as ns from "./m.ts"
//   import "./m.ts"   export { a, b as c } from "./m.ts"   export * from "./m.ts"   export * as ns from "./m.ts"
//   const { a, b: c } = await import("./m.ts")   const m = await import("./m.ts"); m.a   import("./m.ts").T (types)
//   new URL("./worker.ts", import.meta.url) (a worker's entry: a runtime edge with no names)
// A dynamic import whose use it cannot follow counts as using every export of the module (never a false "unused").
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export const REPO = resolve(dirname(new URL(import.meta.url).pathname), "..");

/** Folders never walked. */
const SKIP_DIRS = new Set(["node_modules", "dist", "fixtures", "__snapshots__", ".git", "opentelemetry-proto"]);
const CODE_EXT = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Repo-relative, "/"-separated paths of the code files under the given top-level folders, sorted. */
export function listFiles(dirs: readonly string[], root = REPO): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const name of readdirSync(abs)) {
      if (SKIP_DIRS.has(name)) continue;
      const p = join(abs, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (CODE_EXT.test(name) && !name.endsWith(".d.ts")) out.push(relative(root, p).split(sep).join("/"));
    }
  };
  for (const d of dirs) if (existsSync(join(root, d))) walk(join(root, d));
  return out.sort();
}

const KEYWORDS_BEFORE_REGEX = new Set(["return", "typeof", "instanceof", "case", "in", "of", "yield", "await", "void", "delete", "throw", "new", "else", "do"]);

/**
 * The source with comments replaced by spaces and the insides of string, template and regex literals replaced by
 * "_" (quotes, backticks, slashes, newlines and `${ … }` code kept): same length, same offsets.
 */
export function maskSource(src: string): string {
  const out = src.split("");
  const n = src.length;
  let i = 0;
  let lastSig = ""; // the last significant code character
  let lastWord = "";
  // A stack of open template literals: each entry is the brace depth at which its current `${` was opened.
  const templates: number[] = [];
  let depth = 0;
  const blank = (from: number, to: number, ch: string) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n") out[k] = ch;
  };
  const scanTemplate = (): void => {
    // at the character after a backtick or after the closing "}" of a ${ … }: inside the template's text
    const start = i;
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        blank(start, i, "_");
        i++;
        lastSig = "`";
        lastWord = "";
        return;
      }
      if (c === "$" && src[i + 1] === "{") {
        blank(start, i, "_");
        i += 2;
        templates.push(depth);
        depth++;
        lastSig = "{";
        lastWord = "";
        return;
      }
      i++;
    }
    blank(start, i, "_");
  };
  while (i < n) {
    const c = src[i]!;
    const d = src[i + 1];
    if (c === "/" && d === "/") {
      const end = src.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      blank(i, stop, " ");
      i = stop;
      continue;
    }
    if (c === "/" && d === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      blank(i, stop, " ");
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i + 1;
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      blank(start, Math.min(i, n), "_");
      i++;
      lastSig = c;
      lastWord = "";
      continue;
    }
    if (c === "`") {
      i++;
      scanTemplate();
      continue;
    }
    if (c === "{") {
      depth++;
      lastSig = c;
      lastWord = "";
      i++;
      continue;
    }
    if (c === "}") {
      depth--;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i++;
        scanTemplate();
        continue;
      }
      lastSig = c;
      lastWord = "";
      i++;
      continue;
    }
    if (c === "/") {
      const regexAllowed = lastSig === "" || "(,=:[!&|?{};+-*%<>~^".includes(lastSig) || KEYWORDS_BEFORE_REGEX.has(lastWord);
      if (regexAllowed) {
        const start = i + 1;
        i++;
        let inClass = false;
        while (i < n && src[i] !== "\n") {
          const r = src[i];
          if (r === "\\") {
            i += 2;
            continue;
          }
          if (r === "[") inClass = true;
          else if (r === "]") inClass = false;
          else if (r === "/" && !inClass) break;
          i++;
        }
        blank(start, Math.min(i, n), "_");
        i++;
        while (i < n && /[a-z]/.test(src[i]!)) i++;
        lastSig = "/";
        lastWord = "";
        continue;
      }
    }
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(src[j]!)) j++;
      lastWord = src.slice(i, j);
      lastSig = "a";
      i = j;
      continue;
    }
    if (!/\s/.test(c)) {
      lastSig = c;
      lastWord = "";
    }
    i++;
  }
  return out.join("");
}

export type ImportKind = "static" | "type" | "dynamic" | "type-query" | "reexport" | "side-effect" | "worker";

export interface ImportRef {
  spec: string;
  /** Repo-relative path of the module it names, or null for a package, a built-in or something not found. */
  resolved: string | null;
  kind: ImportKind;
  /** True when it brings in types only (nothing at run time). */
  typeOnly: boolean;
  /** The exported names it uses ("default" for a default import), or "*" for all of them. */
  names: Set<string> | "*";
  line: number;
}

export interface ExportDef {
  name: string;
  kind: string;
  line: number;
  /** Set for `export { a as b } from "./m.ts"`: the module and the name there. */
  from?: { resolved: string | null; name: string };
}

export interface ScannedFile {
  path: string;
  text: string;
  masked: string;
  imports: ImportRef[];
  exports: ExportDef[];
  /** `export * from "./m.ts"` targets (resolved paths). */
  starFrom: string[];
  /** A file that says it is generated ("// GENERATED" on its first line). */
  generated: boolean;
}

const ID = "[A-Za-z_$][\\w$]*";

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/** Resolves a relative specifier as Bun would: the file itself, then .ts / .js / index files. */
export function resolveSpec(fromFile: string, spec: string, root = REPO): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(root, dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.js`, join(base, "index.ts"), join(base, "index.js")];
  if (base.endsWith(".js")) candidates.push(`${base.slice(0, -3)}.ts`);
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) return relative(root, c).split(sep).join("/");
  }
  return null;
}

/** Names in a `{ a, b as c, type d }` list: [imported or local name, alias, type-only]. */
function parseBraceList(list: string): { name: string; alias: string; typeOnly: boolean }[] {
  const out: { name: string; alias: string; typeOnly: boolean }[] = [];
  for (const raw of list.split(",")) {
    let part = raw.trim();
    if (part === "") continue;
    let typeOnly = false;
    const t = /^type\s+(.*)$/s.exec(part);
    if (t && !/^type\s+as\s/.test(part)) {
      typeOnly = true;
      part = t[1]!.trim();
    }
    const m = new RegExp(`^(${ID}|default)(?:\\s+as\\s+(${ID}|default))?$`).exec(part);
    if (m) out.push({ name: m[1]!, alias: m[2] ?? m[1]!, typeOnly });
  }
  return out;
}

/** What a local binding of a module namespace is used for: the member names read from it, or "*" when passed on. */
function memberUses(masked: string, local: string, declEnd: number): Set<string> | "*" {
  const names = new Set<string>();
  const re = new RegExp(`(?<![\\w$.])${local.replace(/\$/g, "\\$")}(?![\\w$])(\\s*\\.\\s*(${ID}))?`, "g");
  for (const m of masked.matchAll(re)) {
    if (m.index! < declEnd && m.index! >= declEnd - local.length - 200) continue; // the declaration itself
    if (m[2]) names.add(m[2]);
    else return "*";
  }
  return names;
}

export function scanSource(path: string, text: string, root = REPO): ScannedFile {
  const masked = maskSource(text);
  const imports: ImportRef[] = [];
  const exports: ExportDef[] = [];
  const starFrom: string[] = [];
  // Local names bound by static imports: local name -> the module and the name it has there.
  const locals = new Map<string, { resolved: string | null; name: string }>();
  // The specifier of a string literal whose opening quote is at `q` in the masked text.
  const specAt = (q: number): { spec: string; end: number } => {
    const quote = text[q]!;
    const end = text.indexOf(quote, q + 1);
    return { spec: text.slice(q + 1, end), end: end + 1 };
  };
  const add = (ref: Omit<ImportRef, "resolved">) => imports.push({ ...ref, resolved: resolveSpec(path, ref.spec, root) });

  // import … from "x"  (the clause may span lines)
  for (const m of masked.matchAll(/(?<![\w$.])import\s+(type\s+)?([^;"'`()]*?)\s*from\s*(["'])/g)) {
    const q = m.index! + m[0].length - 1;
    const { spec } = specAt(q);
    const whole = Boolean(m[1]);
    const clause = m[2]!.trim();
    const names = new Set<string>();
    let all: "*" | null = null;
    let anyValue = false;
    const brace = /\{([^}]*)\}/.exec(clause);
    const resolvedHere = resolveSpec(path, spec, root);
    if (brace) {
      for (const b of parseBraceList(brace[1]!)) {
        names.add(b.name);
        locals.set(b.alias, { resolved: resolvedHere, name: b.name });
        if (!b.typeOnly) anyValue = true;
      }
    }
    const rest = clause
      .replace(/\{[^}]*\}/, "")
      .replace(/,/g, " ")
      .trim();
    const ns = new RegExp(`\\*\\s*as\\s+(${ID})`).exec(rest);
    if (ns) {
      const uses = memberUses(masked, ns[1]!, m.index! + m[0].length);
      if (uses === "*") all = "*";
      else for (const u of uses) names.add(u);
      anyValue = true;
    } else if (rest !== "") {
      names.add("default");
      anyValue = true;
    }
    add({
      spec,
      kind: whole || !anyValue ? "type" : "static",
      typeOnly: whole || !anyValue,
      names: all ?? names,
      line: lineAt(text, m.index!),
    });
  }
  // import "x"
  for (const m of masked.matchAll(/(?<![\w$.])import\s*(["'])/g)) {
    const q = m.index! + m[0].length - 1;
    add({ spec: specAt(q).spec, kind: "side-effect", typeOnly: false, names: new Set(), line: lineAt(text, m.index!) });
  }
  // import("x"): a dynamic import, or a type query (typeof import("x"), import("x").T in a type)
  for (const m of masked.matchAll(/(?<![\w$.])import\s*\(\s*(["'])/g)) {
    const q = m.index! + m[0].length - 1;
    const { spec, end } = specAt(q);
    const after = masked.slice(end, end + 200);
    const before = masked.slice(Math.max(0, m.index! - 300), m.index!);
    const close = /^\s*\)/.exec(after);
    const afterClose = close ? after.slice(close[0].length) : after;
    const destr = /(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:await\s*)?$/.exec(before);
    const bound = new RegExp(`(?:const|let|var)\\s+(${ID})\\s*(?::[^=]*)?=\\s*(?:await\\s*)?$`).exec(before);
    const member = new RegExp(`^\\s*\\)?\\s*\\.\\s*(${ID})`).exec(afterClose);
    const awaited = /await\s*$/.test(before);
    const isTypeQuery = /typeof\s*$/.test(before) || (member !== null && member[1] !== "then" && !awaited && /(?:[:<|,(]|type\s+\w+\s*=)\s*$/.test(before));
    let names: Set<string> | "*" = "*";
    if (isTypeQuery && /typeof\s*$/.test(before)) names = "*";
    else if (destr)
      names = new Set(
        destr[1]!
          .split(",")
          .map((s) =>
            s
              .trim()
              .split(/\s*:\s*/)[0]!
              .trim(),
          )
          .filter((s) => s !== "" && !s.startsWith("...")),
      );
    else if (member && member[1] !== "then") names = new Set([member[1]!]);
    else if (member) {
      // import("x").then((m) => m.a()…): the members read from the callback's parameter
      const cb = new RegExp(`^\\s*\\)?\\s*\\.\\s*then\\s*\\(\\s*\\(?\\s*(${ID})\\s*\\)?\\s*=>`).exec(afterClose);
      if (cb) {
        const body = afterClose.slice(cb[0].length);
        const uses = [...body.matchAll(new RegExp(`(?<![\\w$.])${cb[1]}(?![\\w$])(\\s*\\.\\s*(${ID}))?`, "g"))];
        if (uses.length > 0 && uses.every((u) => u[2])) names = new Set(uses.map((u) => u[2]!));
      }
    } else if (bound) names = memberUses(masked, bound[1]!, m.index!);
    add({
      spec,
      kind: isTypeQuery ? "type-query" : "dynamic",
      typeOnly: isTypeQuery,
      names,
      line: lineAt(text, m.index!),
    });
  }
  // new URL("./worker.ts", import.meta.url)
  for (const m of masked.matchAll(/new\s+URL\s*\(\s*(["'])/g)) {
    const q = m.index! + m[0].length - 1;
    const { spec, end } = specAt(q);
    if (!/^\s*,\s*import\.meta\.url/.test(masked.slice(end, end + 40)) || !CODE_EXT.test(spec)) continue;
    add({ spec, kind: "worker", typeOnly: false, names: new Set(), line: lineAt(text, m.index!) });
  }
  // export { a, b as c } [from "x"]   export type { … } [from "x"]
  for (const m of masked.matchAll(/(?<![\w$.])export\s+(type\s+)?\{([^}]*)\}(\s*from\s*(["']))?/g)) {
    const whole = Boolean(m[1]);
    const list = parseBraceList(m[2]!);
    const line = lineAt(text, m.index!);
    if (m[3]) {
      const q = m.index! + m[0].length - 1;
      const { spec } = specAt(q);
      const resolved = resolveSpec(path, spec, root);
      const typeOnly = whole || list.every((b) => b.typeOnly);
      imports.push({ spec, resolved, kind: "reexport", typeOnly, names: new Set(list.map((b) => b.name)), line });
      for (const b of list) exports.push({ name: b.alias, kind: "re-export", line, from: { resolved, name: b.name } });
    } else {
      for (const b of list) {
        // `import { a } from "./m.ts"; export { a }` passes m's export on, like `export { a } from "./m.ts"`
        const imported = locals.get(b.name);
        if (imported) exports.push({ name: b.alias, kind: "re-export", line, from: imported });
        else exports.push({ name: b.alias, kind: whole || b.typeOnly ? "type" : "binding", line });
      }
    }
  }
  // export * from "x"   export * as ns from "x"
  for (const m of masked.matchAll(new RegExp(`(?<![\\w$.])export\\s+(type\\s+)?\\*\\s*(?:as\\s+(${ID})\\s*)?from\\s*(["'])`, "g"))) {
    const q = m.index! + m[0].length - 1;
    const { spec } = specAt(q);
    const resolved = resolveSpec(path, spec, root);
    const line = lineAt(text, m.index!);
    imports.push({ spec, resolved, kind: "reexport", typeOnly: Boolean(m[1]), names: "*", line });
    if (m[2]) exports.push({ name: m[2], kind: "namespace", line });
    else if (resolved) starFrom.push(resolved);
  }
  // export function / class / const / let / var / interface / type / enum / namespace / default
  const decl = new RegExp(
    `(?<![\\w$.])export\\s+(?:declare\\s+)?(default\\s+)?(?:abstract\\s+)?(?:async\\s+)?` +
      `(function\\s*\\*?|class|const\\s+enum|const|let|var|interface|type|enum|namespace)(?![\\w$])\\s*(${ID}|\\{[^}]*\\})?`,
    "g",
  );
  for (const m of masked.matchAll(decl)) {
    const kind = m[2]!.replace(/\s+/g, " ").replace(/\s*\*$/, "*");
    const target = m[3];
    const line = lineAt(text, m.index!);
    if (m[1]) {
      exports.push({ name: "default", kind, line });
      continue;
    }
    if (!target) continue;
    if (target.startsWith("{")) {
      if (kind === "type") continue; // `export type { … }` is handled above
      for (const part of target.slice(1, -1).split(",")) {
        const local = part
          .split(":")
          .pop()!
          .replace(/=.*$/, "")
          .replace(/^\.\.\./, "")
          .trim();
        if (new RegExp(`^${ID}$`).test(local)) exports.push({ name: local, kind, line });
      }
      continue;
    }
    exports.push({ name: target, kind, line });
  }
  for (const m of masked.matchAll(/(?<![\w$.])export\s+default\s+(?!function|class|abstract|async)/g)) {
    exports.push({ name: "default", kind: "expression", line: lineAt(text, m.index!) });
  }
  return { path, text, masked, imports, exports, starFrom, generated: text.startsWith("// GENERATED") };
}

export function scanFiles(paths: readonly string[], root = REPO): Map<string, ScannedFile> {
  const out = new Map<string, ScannedFile>();
  for (const p of paths) out.set(p, scanSource(p, readFileSync(join(root, p), "utf8"), root));
  return out;
}
