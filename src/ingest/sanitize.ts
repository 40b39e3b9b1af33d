// The one sanitizer. Text from transcripts, the network, telemetry and file names is untrusted: it may hold escape
// sequences, other control characters, bidi controls that reorder what a terminal shows, or (from a hostile server)
// the user's own token. Everything drawn goes through `displayText` (the canvas calls it on every string); everything
// kept or printed goes through `cleanText`; whatever came back from a server holding the token goes through
// `redactSecret` first.

// C0 controls, DEL, C1 controls; the bidi marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–E,
// U+2066–9); and the line and paragraph separators U+2028/9 (a terminal may break a line there). One list drives
// both the per-character check (the canvas, per cell) and the regular expressions (whole strings).
const UNSAFE_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x1f],
  [0x7f, 0x9f],
  [0x61c, 0x61c],
  [0x200e, 0x200f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];
const hex = (cp: number) => `\\u${cp.toString(16).padStart(4, "0")}`;
const CLASS = `[${UNSAFE_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join("")}]`;
const UNSAFE = new RegExp(`${CLASS}+`, "g");
const UNSAFE_ONE = new RegExp(CLASS);
const LAST = Math.max(...UNSAFE_RANGES.map(([, b]) => b));

/** True when the code point is one no terminal should receive from untrusted text. */
export function isUnsafe(cp: number): boolean {
  // (printable ASCII, and everything past the last range — box drawing, blocks — are most of every frame)
  if ((cp >= 0x20 && cp < 0x7f) || cp > LAST) return false;
  for (let i = 0; i < UNSAFE_RANGES.length; i++) if (cp >= UNSAFE_RANGES[i]![0] && cp <= UNSAFE_RANGES[i]![1]) return true;
  return false;
}

/** Replaces runs of control, bidi and separator characters with one space, and trims to `max` characters. */
export function cleanText(s: string, max = 300): string {
  const t = s.replace(UNSAFE, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** `s` with every unsafe character made a space (same length in characters: for drawing, which lays out itself). */
export function displayText(s: string): string {
  return UNSAFE_ONE.test(s) ? s.replace(UNSAFE, (m) => " ".repeat(m.length)) : s;
}

/** The shortest run of a secret that counts as a leak of it (a token is some 100 characters of random text). */
const LEAK_RUN = 8;

/**
 * `s` with the secret, and every run of LEAK_RUN or more of its characters, replaced by "[redacted]"; also anything
 * shaped like an Anthropic key or a bearer credential. For text that came from a server the token was sent to.
 */
export function redactSecret(s: string, secret: string | null): string {
  let out = s.replace(/sk-ant-[A-Za-z0-9_-]+/g, "[redacted]").replace(/Bearer\s+\S+/gi, "Bearer [redacted]");
  if (!secret || secret.length < LEAK_RUN) return secret ? out.split(secret).join("[redacted]") : out;
  out = out.split(secret).join("[redacted]");
  // Any LEAK_RUN-long window of the secret found in the text: widen it to the longest common run and cut it out.
  for (let i = 0; i + LEAK_RUN <= secret.length; i++) {
    const probe = secret.slice(i, i + LEAK_RUN);
    let at = out.indexOf(probe);
    while (at >= 0) {
      let end = at + LEAK_RUN;
      let j = i + LEAK_RUN;
      while (end < out.length && j < secret.length && out[end] === secret[j]) {
        end++;
        j++;
      }
      let start = at;
      let k = i;
      while (start > 0 && k > 0 && out[start - 1] === secret[k - 1]) {
        start--;
        k--;
      }
      out = `${out.slice(0, start)}[redacted]${out.slice(end)}`;
      at = out.indexOf(probe, start + 10);
    }
  }
  return out;
}
