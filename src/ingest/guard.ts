// A fast first check of a record against a zod schema, compiled from the schema itself (so zod stays the one
// definition): it accepts a record only when zod would accept it unchanged, and says nothing about the rest, which
// zod then checks (and words the problem). Most lines are valid, so zod runs only on the few that are not; checking
// every line with zod cost a third of a first read. The check is generated as JavaScript source from the schema.
import type { z } from "zod";

type Guard = (v: unknown) => boolean;

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  element?: { _zod: { def: Def } };
  values?: unknown[];
  checks?: { _zod: { def: { check: string; minimum?: number; value?: number; inclusive?: boolean; format?: string } } }[];
  shape?: Record<string, { _zod: { def: Def } }>;
}

/** Adds a named helper function (its body given the argument's name) to the generated source; returns its name. */
type Helper = (body: (arg: string) => string) => string;

/**
 * The guard of a schema as JavaScript source, compiled once (straight-line checks run several times faster than a tree
 * of closures, and this check runs on every line). Only constants taken from the schema go into the source.
 */
function generate(root: Def): Guard | null {
  const helpers: string[] = [];
  const helper: Helper = (body) => {
    const name = `g${helpers.length}`;
    helpers.push("");
    helpers[helpers.length - 1] = `function ${name}(x) {\n${body("x")}\n}`;
    return name;
  };
  const top = expr(root, "v", helper);
  if (top === null) return null;
  return new Function(`${helpers.join("\n")}\nreturn function guard(v) { return ${top}; };`)() as Guard;
}

const constant = (v: unknown): string | null =>
  v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) ? JSON.stringify(v) : null;

/**
 * A boolean expression checking the value `v` (a variable name), or null when the node is not understood. Each kind
 * of node with more to it than a line has its own function below; arrays and objects add helpers to the source.
 */
function expr(def: Def, v: string, helper: Helper): string | null {
  const inner = () => (def.innerType ? expr(def.innerType._zod.def, v, helper) : null);
  switch (def.type) {
    case "optional": {
      const g = inner();
      return g && `(${v} === undefined || ${g})`;
    }
    case "nullable": {
      const g = inner();
      return g && `(${v} === null || ${g})`;
    }
    // A value zod would replace by the fallback is left to zod (the guard accepts only what passes unchanged).
    case "catch":
      return inner();
    case "unknown":
      return "true";
    case "boolean":
      return `typeof ${v} === "boolean"`;
    case "literal": {
      const values = (def.values ?? []).map(constant);
      if (values.some((c) => c === null)) return null;
      return values.length === 0 ? "false" : `(${values.map((c) => `${v} === ${c}`).join(" || ")})`;
    }
    case "string":
    case "number":
      return scalarExpr(def, v);
    case "union": {
      const gs = (def.options ?? []).map((o) => expr(o._zod.def, v, helper));
      if (gs.length === 0 || gs.some((g) => g === null)) return null;
      return `(${gs.join(" || ")})`;
    }
    case "array":
      return arrayExpr(def, v, helper);
    case "object":
      return objectExpr(def, v, helper);
    default:
      return null;
  }
}

/** A string or a number with its checks (lengths, bounds, safe integers); null for a check not understood. */
function scalarExpr(def: Def, v: string): string | null {
  // zod 4 numbers are finite
  const parts = [def.type === "string" ? `typeof ${v} === "string"` : `typeof ${v} === "number" && Number.isFinite(${v})`];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === "min_length" && typeof d.minimum === "number" && Number.isFinite(d.minimum)) parts.push(`${v}.length >= ${d.minimum}`);
    else if (d.check === "greater_than" && typeof d.value === "number" && Number.isFinite(d.value)) parts.push(`${v} ${d.inclusive ? ">=" : ">"} ${d.value}`);
    else if (d.check === "less_than" && typeof d.value === "number" && Number.isFinite(d.value)) parts.push(`${v} ${d.inclusive ? "<=" : "<"} ${d.value}`);
    else if (d.check === "number_format" && d.format === "safeint") parts.push(`Number.isSafeInteger(${v})`);
    else return null;
  }
  return `(${parts.join(" && ")})`;
}

/** An array: a helper looping over its elements, unless any element will do. */
function arrayExpr(def: Def, v: string, helper: Helper): string | null {
  const g = def.element ? expr(def.element._zod.def, "e", helper) : null;
  if (!g) return null;
  if (g === "true") return `Array.isArray(${v})`;
  // every element, holes included (they read as undefined, as zod sees them)
  return `${helper((a) => `if (!Array.isArray(${a})) return false;\nfor (let i = 0; i < ${a}.length; i++) { const e = ${a}[i]; if (!${g}) return false; }\nreturn true;`)}(${v})`;
}

/** An object: a helper checking each member of the shape in turn (members not in the shape are not looked at). */
function objectExpr(def: Def, v: string, helper: Helper): string | null {
  const checks: string[] = [];
  for (const [k, sub] of Object.entries(def.shape ?? {})) {
    const g = expr(sub._zod.def, "e", helper);
    if (!g) return null;
    checks.push(`e = o[${JSON.stringify(k)}]; if (!${g}) return false;`);
  }
  const name = helper(
    (o) => `if (${o} === null || typeof ${o} !== "object" || Array.isArray(${o})) return false;\nconst o = ${o};\nlet e;\n${checks.join("\n")}\nreturn true;`,
  );
  return `${name}(${v})`;
}

/** The fast check of an object schema; one that always defers to zod when the schema uses unknown constructs. */
export function guardOf(schema: z.ZodType): Guard {
  return generate((schema as unknown as { _zod: { def: Def } })._zod.def) ?? (() => false);
}
