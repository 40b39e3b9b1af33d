// Terminal text: how many columns a character takes, and fitting text into a width.

/** Columns a code point takes: 0 for combining marks, 2 for wide East Asian characters and emoji, else 1. */
export function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** `s` cut to at most `w` columns, ending with "…" when cut. */
export function fit(s: string, w: number): string {
  if (w <= 0) return "";
  if (textWidth(s) <= w) return s;
  let out = "";
  let used = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (used + cw > w - 1) break;
    out += ch;
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
