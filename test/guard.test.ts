// The fast check compiled from a zod schema (src/ingest/guard.ts) may only ever be stricter than zod: a record it
// passes, zod passes unchanged. Checked on the transcript schemas with values of every kind in every field.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { guardOf } from "../src/ingest/guard.ts";
import { AssistantSchema, UserSchema } from "../src/ingest/records.ts";

const VALUES: unknown[] = [undefined, null, true, false, 0, -1, 1.5, 1e308, Number.NaN, Infinity, -0, "", "x", "assistant", [], [{}], ["a"], {}, { a: 1 }, 7];

function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function valid(schema: z.ZodObject): Record<string, unknown> {
  const base: Record<string, unknown> = { type: "assistant", timestamp: "2026-11-26T18:00:00.000Z", "message.id": "msg_1", "message.content": [] };
  return Object.fromEntries(Object.keys(schema.shape).map((k) => [k, base[k]]));
}

describe("the fast check", () => {
  for (const [name, schema] of [
    ["assistant lines", AssistantSchema],
    ["user lines", UserSchema],
  ] as const) {
    test(`${name}: never passes what zod rejects or would change (every field, every kind of value, and 20,000 random records)`, () => {
      const guard = guardOf(schema);
      const ok = valid(schema);
      expect(guard(ok)).toBe(true);
      expect(schema.safeParse(ok).success).toBe(true);
      const check = (rec: Record<string, unknown>) => {
        if (!guard(rec)) return;
        const r = schema.safeParse(rec);
        expect(r.success).toBe(true);
        if (r.success) for (const k of Object.keys(schema.shape)) expect(r.data[k as keyof typeof r.data]).toEqual(rec[k] as never);
      };
      for (const k of Object.keys(schema.shape)) for (const v of VALUES) check({ ...ok, [k]: v });
      const r = rand(name.length);
      const keys = Object.keys(schema.shape);
      for (let i = 0; i < 20_000; i++) {
        const rec = { ...ok };
        for (let n = 1 + Math.floor(r() * 3); n > 0; n--) rec[keys[Math.floor(r() * keys.length)]!] = VALUES[Math.floor(r() * VALUES.length)];
        check(rec);
      }
    });
  }

  test("passes the valid records zod passes, so zod runs only on the unusual ones", () => {
    const guard = guardOf(AssistantSchema);
    const rec = {
      ...valid(AssistantSchema),
      sessionId: "s",
      cwd: "/x",
      "message.usage": true,
      "message.usage.input_tokens": 3,
      "message.usage.output_tokens": 10,
      requestId: "req_1",
    };
    expect(guard(rec)).toBe(true);
    expect(guard({ ...rec, "message.usage.input_tokens": -1 })).toBe(false);
    expect(guard({ ...rec, "message.id": "" })).toBe(false);
  });

  test("a schema with a construct it does not know defers every record to zod", () => {
    expect(guardOf(z.object({ a: z.string().email() }))({ a: "x@y.z" })).toBe(false);
  });
});
