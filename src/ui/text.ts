// Terminal text: how many columns a character takes, and fitting text into a width.

import stringWidth from "string-width";

// Widths come from string-width (Unicode's East Asian Width and emoji data, per grapheme cluster), the same on Bun
// and Deno: a cluster takes 0, 1 or 2 columns, as a terminal draws it. Cluster widths
// are remembered (a frame draws the same few hundred clusters every time). Pure ASCII and the other characters a
// frame is made of take a fast path.

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const widths = new Map<string, number>();

/**
 * True when every character is one that is a cluster of its own and one column wide: printable ASCII, Latin-1 and
 * Latin letters (not the soft hyphen), dashes and quotes, arrows, box drawing, blocks and geometric shapes up to
 * U+25FC (each checked against string-width in test/hostile.test.ts). The frame is mostly these.
 */
export function simpleText(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e) continue;
    if ((c >= 0xa0 && c <= 0x2ff && c !== 0xad) || (c >= 0x2010 && c <= 0x2027) || (c >= 0x2190 && c <= 0x21ff) || (c >= 0x2500 && c <= 0x25fc)) continue;
    return false;
  }
  return true;
}

/** Columns one grapheme cluster takes: 0 (combining marks, format characters), 1, or 2 (wide, emoji). */
export function clusterWidth(g: string): number {
  if (g.length === 1) {
    const c = g.charCodeAt(0);
    if (c >= 0x20 && c <= 0x7e) return 1;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 1; // (drawn as a blank: see sanitize.ts)
  }
  let w = widths.get(g);
  if (w === undefined) {
    w = Math.min(2, Math.max(0, stringWidth(g)));
    if (widths.size < 50_000) widths.set(g, w);
  }
  return w;
}

/** Columns a code point takes on its own. */
export function charWidth(cp: number): number {
  return clusterWidth(String.fromCodePoint(cp));
}

/** The grapheme clusters of `s`, in order. */
export function clusters(s: string): string[] {
  if (simpleText(s)) return [...s];
  const out: string[] = [];
  for (const { segment } of segmenter.segment(s)) out.push(segment);
  return out;
}

export function textWidth(s: string): number {
  if (simpleText(s)) return s.length;
  let w = 0;
  for (const { segment } of segmenter.segment(s)) w += clusterWidth(segment);
  return w;
}

/** `s` cut to at most `w` columns, ending with "…" when cut. */
export function fit(s: string, w: number): string {
  if (w <= 0) return "";
  if (textWidth(s) <= w) return s;
  let out = "";
  let used = 0;
  for (const g of clusters(s)) {
    const cw = clusterWidth(g);
    if (used + cw > w - 1) break;
    out += g;
    used += cw;
  }
  return `${out}…`;
}

export function padRight(s: string, w: number): string {
  const f = fit(s, w);
  return f + " ".repeat(Math.max(0, w - textWidth(f)));
}

export function padLeft(s: string, w: number): string {
  const f = fit(s, w);
  return " ".repeat(Math.max(0, w - textWidth(f))) + f;
}

/** `s` broken into lines of at most `w` columns at spaces; a word longer than a line is cut with "…". */
export function wrap(s: string, w: number): string[] {
  if (w <= 0) return [];
  const lines: string[] = [];
  let line = "";
  for (const word of s.split(" ").filter((x) => x !== "")) {
    const next = line === "" ? word : `${line} ${word}`;
    if (textWidth(next) <= w) line = next;
    else {
      if (line !== "") lines.push(line);
      line = fit(word, w);
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}
