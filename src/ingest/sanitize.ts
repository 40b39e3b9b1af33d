// The one sanitizer. Text from transcripts, the network, telemetry and file names is untrusted: it may hold escape
// sequences, other control characters, bidi controls that reorder what a terminal shows, or (from a hostile server)
// the user's own token. Everything drawn goes through `displayText` (the canvas calls it on every string); everything
// kept or printed goes through `cleanText`; whatever came back from a server holding the token goes through
// `redactSecret` first.

// C0 controls, DEL, C1 controls; the bidi marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–E,
// U+2066–9); and the line and paragraph separators U+2028/9 (a terminal may break a line there).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;
const UNSAFE_ONE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** True when the code point is one no terminal should receive from untrusted text. */
export function isUnsafe(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x61c ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
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
