// Pricing is data: USD per million tokens, matched by model-id pattern (first match wins).
// Cache writes cost 1.25x (5-minute) and 2x (1-hour) the input price, reads 0.1x, unless a row says otherwise.

export type Family = "opus" | "sonnet" | "haiku" | "other";

export interface PriceRow {
  pattern: RegExp;
  label: string;
  family: Family;
  input: number;
  output: number;
  write5m?: number;
  write1h?: number;
  read?: number;
}

/** Known models. A minor version is one digit not followed by another digit, so "opus-4-20250514" is Opus 4, not 4.2. */
export const PRICE_TABLE: readonly PriceRow[] = [
  { pattern: /opus-4-[5-9](?![0-9])|opus-[5-9](?![0-9])/, label: "Opus 4.5+", family: "opus", input: 5, output: 25 },
  { pattern: /opus-4-[01](?![0-9])|opus-4(?:-[0-9]{8})?(?!-?[0-9])|3-opus/, label: "Opus 4 / 4.1", family: "opus", input: 15, output: 75 },
  { pattern: /sonnet-4-[0-5](?![0-9])|sonnet-4(?:-[0-9]{8})?(?!-?[0-9])|3-[57]-sonnet/, label: "Sonnet 3.5–4.5", family: "sonnet", input: 3, output: 15 },
  { pattern: /haiku-4-5(?![0-9])/, label: "Haiku 4.5", family: "haiku", input: 1, output: 5 },
  { pattern: /3-5-haiku/, label: "Haiku 3.5", family: "haiku", input: 0.8, output: 4 },
  { pattern: /3-haiku/, label: "Haiku 3", family: "haiku", input: 0.25, output: 1.25 },
];

/** Prices for a model we do not know, by family (the newest known price of that family). */
export const FAMILY_FALLBACK: Record<Family, PriceRow> = {
  opus: { pattern: /opus/, label: "Opus (unknown version)", family: "opus", input: 5, output: 25 },
  sonnet: { pattern: /sonnet/, label: "Sonnet (unknown version)", family: "sonnet", input: 3, output: 15 },
  haiku: { pattern: /haiku/, label: "Haiku (unknown version)", family: "haiku", input: 1, output: 5 },
  other: { pattern: /.*/, label: "unknown model (priced as Sonnet)", family: "other", input: 3, output: 15 },
};

export interface Price {
  family: Family;
  label: string;
  /** USD per token. */
  input: number;
  output: number;
  write5m: number;
  write1h: number;
  read: number;
  /** true when the model matched no row and was priced by its family. */
  estimated: boolean;
}

export function familyOf(model: string): Family {
  const m = model.toLowerCase();
  if (m.includes("opus")) return "opus";
  if (m.includes("sonnet")) return "sonnet";
  if (m.includes("haiku")) return "haiku";
  return "other";
}

const cache = new Map<string, Price>();

/** Price of a model id; `inputOverride` (USD per Mtok) replaces the base input price of every model. */
export function priceFor(model: string, inputOverride?: number): Price {
  const ck = inputOverride === undefined ? model : `${model}\u0000${inputOverride}`;
  const hit = cache.get(ck);
  if (hit) return hit;
  const m = model.toLowerCase();
  let row = PRICE_TABLE.find((r) => r.pattern.test(m));
  const estimated = row === undefined;
  if (!row) row = FAMILY_FALLBACK[familyOf(m)];
  const input = inputOverride ?? row.input;
  const scale = inputOverride === undefined ? 1 : inputOverride / row.input;
  const perTok = 1e-6;
  const p: Price = {
    family: familyOf(m),
    label: row.label,
    input: input * perTok,
    output: row.output * scale * perTok,
    write5m: (row.write5m ?? row.input * 1.25) * scale * perTok,
    write1h: (row.write1h ?? row.input * 2) * scale * perTok,
    read: (row.read ?? row.input * 0.1) * scale * perTok,
    estimated,
  };
  cache.set(ck, p);
  return p;
}
