// A fast first check of a record against a zod schema, compiled from the schema itself (so zod stays the one
// definition): it accepts a record only when zod would accept it unchanged, and says nothing about the rest, which
// zod then checks (and words the problem). Most lines are valid, so zod runs only on the few that are not; checking
// every line with zod cost a third of a first read.
import type { z } from "zod";

type Guard = (v: unknown) => boolean;

interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  element?: { _zod: { def: Def } };
  values?: unknown[];
  checks?: { _zod: { def: { check: string; minimum?: number; value?: number; inclusive?: boolean } } }[];
  shape?: Record<string, { _zod: { def: Def } }>;
}

/** A guard for one schema node, or null when the node uses something this compiler does not know. */
function compile(def: Def): Guard | null {
  const inner = () => (def.innerType ? compile(def.innerType._zod.def) : null);
  switch (def.type) {
    case "optional": {
      const g = inner();
      return g && ((v) => v === undefined || g(v));
    }
    case "nullable": {
      const g = inner();
      return g && ((v) => v === null || g(v));
    }
    // A value zod would replace by the fallback is left to zod (the guard accepts only what passes unchanged).
    case "catch":
      return inner();
    case "unknown":
      return () => true;
    case "boolean":
      return (v) => typeof v === "boolean";
    case "literal": {
      const values = def.values ?? [];
      return (v) => values.includes(v);
    }
    case "string":
    case "number": {
      const checks: Guard[] = [];
      for (const c of def.checks ?? []) {
        const d = c._zod.def;
        if (d.check === "min_length" && typeof d.minimum === "number") {
          const min = d.minimum;
          checks.push((v) => (v as string).length >= min);
        } else if (d.check === "greater_than" && typeof d.value === "number") {
          const min = d.value;
          checks.push(d.inclusive ? (v) => (v as number) >= min : (v) => (v as number) > min);
        } else return null;
      }
      // zod 4 numbers are finite
      const base: Guard = def.type === "string" ? (v) => typeof v === "string" : (v) => typeof v === "number" && Number.isFinite(v);
      return checks.length === 0 ? base : (v) => base(v) && checks.every((c) => c(v));
    }
    case "union": {
      const gs = (def.options ?? []).map((o) => compile(o._zod.def));
      if (gs.some((g) => g === null)) return null;
      return (v) => gs.some((g) => g!(v));
    }
    case "array": {
      const g = def.element ? compile(def.element._zod.def) : null;
      return g && ((v) => Array.isArray(v) && v.every(g));
    }
    case "object": {
      const entries = Object.entries(def.shape ?? {}).map(([k, s]) => [k, compile(s._zod.def)] as const);
      if (entries.some(([, g]) => g === null)) return null;
      return (v) => {
        if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        for (const [k, g] of entries) if (!g!(o[k])) return false;
        return true;
      };
    }
    default:
      return null;
  }
}

/** The fast check of an object schema; one that always defers to zod when the schema uses unknown constructs. */
export function guardOf(schema: z.ZodType): Guard {
  return compile((schema as unknown as { _zod: { def: Def } })._zod.def) ?? (() => false);
}
